"""Scoring of the clinical instruments (pure Python; see docs/clinical-rules.md#instruments)."""

from .asam import ASAM_LEVELS
from .base import AnswerError, Band, Instrument, Item, Option, ScoreResult
from .dsm5_oud import icd10_for
from .registry import all_instruments, get_instrument

__all__ = [
    "ASAM_LEVELS",
    "AnswerError",
    "Band",
    "Instrument",
    "Item",
    "Option",
    "ScoreResult",
    "all_instruments",
    "get_instrument",
    "icd10_for",
]

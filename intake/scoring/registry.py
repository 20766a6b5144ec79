"""All instruments by code, in the order the API lists them."""

from __future__ import annotations

from . import asam, auditc, ciwa_ar, cows, dast10, dsm5_oud, gad7, phq9, sows
from .base import Instrument

_INSTRUMENTS: tuple[Instrument, ...] = (
    dsm5_oud.INSTRUMENT,
    cows.INSTRUMENT,
    sows.INSTRUMENT,
    phq9.INSTRUMENT,
    gad7.INSTRUMENT,
    dast10.INSTRUMENT,
    auditc.INSTRUMENT,
    asam.INSTRUMENT,
    ciwa_ar.INSTRUMENT,
)
_BY_CODE = {instrument.code: instrument for instrument in _INSTRUMENTS}


def get_instrument(code: str) -> Instrument:
    """The instrument with this code; KeyError if there is none."""
    try:
        return _BY_CODE[code]
    except KeyError:
        raise KeyError(f"Unknown instrument {code!r}.") from None


def all_instruments() -> list[Instrument]:
    """Every instrument: dsm5-oud, cows, sows, phq9, gad7, dast10, auditc, asam, ciwa-ar."""
    return list(_INSTRUMENTS)

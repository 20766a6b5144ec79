"""Scored instrument answers and interpreted lab panels, cached by what decides them.

Scores come from `intake.scoring` and lab interpretation from `intake.labs.interpret` with the
catalog stored in intake_labtest, so generated rows read as the application would have written
them; a pool builds a handful of variants per key once and the builders draw among them."""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from psycopg.types.json import Jsonb

from bench.generate.common import CopyRow, jsonb
from intake.labs.interpret import interpret_panel
from intake.scoring import get_instrument
from intake.scoring.base import Item

# An answer set with its scores: answers, total, band, alerts, details, instrument version.
Scored = tuple[Jsonb, Any, str, list[str], Jsonb, str]


class AnswerPool:
    """Answer sets scored by intake.scoring: for an instrument and a severity level 0..9,
    a handful of answer sets (drawn from a Random seeded by the key) with their scores."""

    VARIANTS = 12

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.cache: dict[tuple[str, int, str], list[Scored]] = {}

    def get(self, rng: random.Random, instrument: str, level: int, sex: str = "") -> Scored:
        key = (instrument, max(0, min(9, level)), sex if instrument == "auditc" else "")
        entries = self.cache.get(key)
        if entries is None:
            entries = self.cache[key] = self._build(*key)
        return entries[rng.randrange(len(entries))]

    def _build(self, instrument: str, level: int, sex: str) -> list[Scored]:
        definition = get_instrument(instrument)
        local = random.Random(f"{self.seed}/answers/{instrument}/{level}/{sex}")
        entries: list[Scored] = []
        for _ in range(self.VARIANTS):
            answers = {
                item.key: _answer(local, instrument, item, level / 9) for item in definition.items
            }
            cleaned = definition.validate(answers)
            result = definition.score_cleaned(cleaned, sex_at_birth=sex or None)
            entries.append(
                (
                    jsonb(cleaned),
                    result.total,
                    result.band,
                    list(result.alerts),
                    jsonb(result.details),
                    definition.version,
                )
            )
        return entries


def _answer(local: random.Random, instrument: str, item: Item, severity: float) -> str:
    """One item's answer at a severity from 0 to 1."""
    # By points, so that a higher level means more severe whatever the wording.
    options = sorted(item.options, key=lambda o: o.points)
    if item.key == "supervised":
        return "no"
    if instrument == "phq9" and item.key == "9":
        # Thoughts of self-harm: rare, more likely with more severe depression.
        harm = local.random() < 0.05 + 0.15 * severity
        return options[1 if harm else 0].value
    if instrument == "asam":
        top = 3 if local.random() > 0.01 else 4
        index = min(top, max(0, round(local.gauss(severity * 3.2, 0.8))))
    else:
        index = min(
            len(options) - 1,
            max(0, round(local.gauss(severity * (len(options) - 1), 0.9))),
        )
    return options[index].value


# The columns of an intake_labresult row that the interpretation decides, in column order.
RESULT_COLUMNS = (
    "test_id",
    "value",
    "unit",
    "qualitative",
    "interpretation",
    "flag",
    "expected",
    "alerts",
    "method",
)


@dataclass(frozen=True)
class ResultRow:
    test: str
    value: Decimal | None
    unit: str
    qualitative: str
    interpretation: str
    flag: str
    expected: bool | None
    alerts: tuple[str, ...]
    method: str

    def columns(self) -> CopyRow:
        """The values of RESULT_COLUMNS."""
        return (
            self.test,
            self.value,
            self.unit,
            self.qualitative,
            self.interpretation,
            self.flag,
            self.expected,
            list(self.alerts),
            self.method,
        )


@dataclass(frozen=True)
class Panel:
    specimen_status: str
    alerts: tuple[str, ...]
    results: tuple[ResultRow, ...]

    @property
    def templates(self) -> tuple[CopyRow, ...]:
        """Per result, the interpreted columns of an intake_labresult row (RESULT_COLUMNS)."""
        cached = self.__dict__.get("_templates")
        if cached is None:
            cached = tuple(r.columns() for r in self.results)
            object.__setattr__(self, "_templates", cached)
        return cached


class LabPool:
    """Interpreted panels (intake.labs.interpret with the stored catalog), cached by the
    scenario that decides them and a variant number."""

    VARIANTS = 6

    def __init__(
        self, seed: int, tests: dict[str, dict[str, Any]], panels: dict[str, list[str]]
    ) -> None:
        self.seed = seed
        self.tests = tests
        self.panels = panels
        self.cache: dict[tuple[Any, ...], Panel] = {}

    def get(self, key: tuple[Any, ...], variant: int) -> Panel:
        full = (*key, variant)
        panel = self.cache.get(full)
        if panel is None:
            panel = self.cache[full] = self._build(full)
        return panel

    def _interpret(
        self, panel: str, entries: list[dict[str, Any]], drugs: Collection[str]
    ) -> Panel:
        tests = {code: self.tests[code] for code in self.panels[panel]}
        out = interpret_panel(tests, entries, drugs)
        rows = tuple(
            ResultRow(
                test=r["test"],
                value=r["value"],
                unit=r["unit"] or self.tests[r["test"]]["unit"],
                qualitative=r["qualitative"] or "",
                interpretation=r["interpretation"] or "",
                flag=r["flag"] or "",
                expected=r["expected"],
                alerts=tuple(r["alerts"]),
                method=self.tests[r["test"]]["method"],
            )
            for r in out["results"]
        )
        return Panel(out["specimen_status"], tuple(out["alerts"]), rows)

    def _build(self, key: tuple[Any, ...]) -> Panel:
        kind = key[0]
        local = random.Random(f"{self.seed}/lab/{key}")
        if kind == "uds":
            _, drugs, positives, validity, _variant = key
            return self._interpret("uds", self._uds_entries(local, positives, validity), drugs)
        if kind == "intake-blood":
            _, sex, hcv, hiv, hbv, pregnant, liver, anemia, _variant = key
            return self._interpret(
                "intake-blood",
                self._blood_entries(local, sex, hcv, hiv, hbv, pregnant, liver, anemia),
                (),
            )
        if kind == "ecg":
            _, prolonged, _variant = key
            qtc = local.randint(452, 515) if prolonged else local.randint(380, 445)
            return self._interpret("ecg", [{"test": "qtc", "value": qtc}], ())
        if kind == "hcv-confirm":
            _, detected, _variant = key
            value = local.randint(20_000, 4_000_000) if detected else 0
            return self._interpret("hcv-confirm", [{"test": "hcv-rna", "value": value}], ())
        if kind == "pregnancy":
            _, positive, _variant = key
            q = "positive" if positive else "negative"
            return self._interpret("pregnancy", [{"test": "hcg", "qualitative": q}], ())
        raise ValueError(kind)

    def _uds_entries(
        self, local: random.Random, positives: Collection[str], validity: str
    ) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        for code in self.panels["uds"]:
            test = self.tests[code]
            if test["kind"] != "screen":
                continue
            if test["qualitative_only"]:
                q = "positive" if code in positives else "negative"
                entries.append({"test": code, "qualitative": q})
                continue
            cutoff = test["cutoff"]
            if code in positives:
                value = cutoff * Decimal(str(round(local.uniform(1.2, 25), 1)))
            else:
                value = cutoff * Decimal(str(round(local.uniform(0, 0.3), 2)))
            entries.append({"test": code, "value": value.quantize(Decimal("0.1"))})
        temperature, creatinine, sg, ph = {
            "valid": (
                round(local.uniform(33.0, 37.5), 1),
                round(local.uniform(35, 250), 1),
                round(local.uniform(1.005, 1.028), 4),
                round(local.uniform(5.0, 8.0), 1),
            ),
            "dilute": (
                round(local.uniform(33.0, 37.0), 1),
                round(local.uniform(5, 19), 1),
                round(local.uniform(1.0015, 1.0028), 4),
                round(local.uniform(5.5, 7.5), 1),
            ),
            "invalid": (30.0, round(local.uniform(35, 200), 1), 1.012, 6.5),
            "substituted": (34.0, 1.0, 1.0005, 6.8),
            "adulterated": (35.0, round(local.uniform(40, 200), 1), 1.015, 3.5),
        }[validity]
        entries += [
            {"test": "specimen-temperature", "value": temperature},
            {"test": "creatinine", "value": creatinine},
            {"test": "specific-gravity", "value": sg},
            {"test": "ph", "value": ph},
        ]
        return entries

    def _blood_entries(
        self,
        local: random.Random,
        sex: str,
        hcv: bool,
        hiv: bool,
        hbv: bool,
        pregnant: bool,
        liver: bool,
        anemia: bool,
    ) -> list[dict[str, Any]]:
        def q(flag: bool) -> str:
            return "positive" if flag else "negative"

        entries: list[dict[str, Any]] = [
            {"test": "hiv", "qualitative": q(hiv)},
            {"test": "hcv-ab", "qualitative": q(hcv)},
            {"test": "hbsag", "qualitative": q(hbv)},
            {"test": "ast", "value": local.randint(60, 190) if liver else local.randint(14, 38)},
            {"test": "alt", "value": local.randint(70, 220) if liver else local.randint(9, 50)},
            {
                "test": "hemoglobin",
                "value": round(
                    local.uniform(8.5, 11.5) if anemia else local.uniform(12.3, 16.5), 1
                ),
            },
            {"test": "wbc", "value": round(local.uniform(4.2, 10.5), 1)},
            {"test": "platelets", "value": local.randint(160, 390)},
        ]
        if sex == "female":
            entries.append({"test": "hcg", "qualitative": q(pregnant)})
        return entries

"""What changed between two versions of a treatment plan, in clinical words: the plan's own
fields, then medication by medication, component by component and problem by problem, each
added, removed or changed. Reads two content dicts (services.treatment_plan_content or the
signed content), so a signed version is compared as it was signed."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from intake.labels import label, monitoring_words

# A version's content as JSON-shaped data (services.treatment_plan_content or the signed
# content): values are whatever the JSON held, so they are read as Any.
Content = dict[str, Any]
# One compared field: its key in the content, its clinical name, and how its value reads.
FieldSpec = tuple[str, str, Callable[[Any], str]]


@dataclass
class Change:
    what: str
    before: str
    after: str


@dataclass
class ItemDiff:
    """One medication line, component or problem: `kind` is added, removed or changed."""

    kind: str
    title: str
    changes: list[Change] = field(default_factory=list)  # changed: field by field
    details: list[str] = field(default_factory=list)  # added or removed: what it was


@dataclass
class PlanDiff:
    plan: list[Change]
    medications: list[ItemDiff]
    behavioral: list[ItemDiff]
    problems: list[ItemDiff]

    def __bool__(self) -> bool:
        return bool(self.plan or self.medications or self.behavioral or self.problems)


def _label(kind: str, code: Any) -> str:
    """The code list's words (intake/labels.py); "none" for an empty code."""
    return label(code, kind) or "none"


def _number(value: Any) -> str:
    try:
        return format(Decimal(str(value)).normalize(), "f")
    except (InvalidOperation, ValueError):
        return str(value)


def _yes_no(value: Any) -> str:
    return "yes" if value else "no"


def _monitoring(value: Content | None) -> str:
    return monitoring_words(value)


def _taper(steps: list[Content] | None) -> str:
    if not steps:
        return "none"
    return ", ".join(f"day {s['day']}: {_number(s['dose'])}" for s in steps)


def _targets(codes: list[str] | None) -> str:
    return ", ".join(_label("Target", c) for c in codes or []) or "none"


def _goals(goals: list[Content] | None) -> str:
    parts = []
    for goal in goals or []:
        text = goal.get("text", "")
        if goal.get("target_date"):
            text += f" (by {goal['target_date']})"
        parts.append(text)
    return "; ".join(parts) or "none"


PLAN_FIELDS: tuple[FieldSpec, ...] = (
    ("setting", "Setting", lambda v: _label("PlanSetting", v)),
    ("asam_level", "ASAM level of care", lambda v: _label("AsamLevel", v)),
    ("medically_supervised_detox", "Medically supervised withdrawal", _yes_no),
    ("hospitalize_for_detox", "Hospitalize for withdrawal", _yes_no),
    ("withdrawal_monitoring", "Withdrawal monitoring", _monitoring),
    ("review_date", "Review date", lambda v: v or "none"),
)


def _medication_fields(unit: str) -> tuple[FieldSpec, ...]:
    return (
        ("dose", "Dose", lambda v: f"{_number(v)} {unit}"),
        ("route", "Route", lambda v: v or "none"),
        ("frequency", "Frequency", lambda v: _label("Frequency", v)),
        ("start_date", "Start", lambda v: v or "none"),
        ("end_date", "End", lambda v: v or "no end date"),
        ("indication", "Indication", lambda v: v or "none"),
        ("taper", "Taper", _taper),
    )


BEHAVIORAL_FIELDS: tuple[FieldSpec, ...] = (
    ("setting", "Setting", lambda v: _label("BehavioralSetting", v)),
    ("frequency", "Frequency", lambda v: v or "none"),
    ("targets", "Targets", _targets),
    ("goals", "Goals", _goals),
)


def _problem_goals(goals: list[Content] | None) -> str:
    parts = []
    for goal in goals or []:
        objectives = "; ".join(o.get("text", "") for o in goal.get("objectives") or [])
        parts.append(goal.get("text", "") + (f" (objectives: {objectives})" if objectives else ""))
    return "; ".join(parts) or "none"


PROBLEM_FIELDS: tuple[FieldSpec, ...] = (
    ("description", "Description", lambda v: v or "none"),
    ("goals", "Goals", _problem_goals),
)


def _field_changes(before: Content, after: Content, fields: Sequence[FieldSpec]) -> list[Change]:
    return [
        Change(what, show(before.get(key)), show(after.get(key)))
        for key, what, show in fields
        if before.get(key) != after.get(key) and show(before.get(key)) != show(after.get(key))
    ]


def _pair(
    before: list[Content], after: list[Content], key: str
) -> Iterator[tuple[Content | None, Content | None]]:
    """Match items by `key` (drug, modality, problem code), in order when a key repeats:
    yields (old, new) with None for an added or removed item."""
    # Keyed by the item's value for `key`, which may be missing (None) in a malformed item.
    pool: dict[Any, list[Content]] = {}
    for item in before:
        pool.setdefault(item.get(key), []).append(item)
    for item in after:
        matches = pool.get(item.get(key))
        yield (matches.pop(0) if matches else None), item
    for leftovers in pool.values():
        for item in leftovers:
            yield item, None


def _items(
    before: list[Content] | None,
    after: list[Content] | None,
    key: str,
    title: Callable[[Content], str],
    fields_for: Callable[[Content], Sequence[FieldSpec]],
) -> list[ItemDiff]:
    rows = []
    for old, new in _pair(before or [], after or [], key):
        # _pair never yields (None, None): each pair has an old item, a new one, or both.
        if old is not None and new is not None:
            changes = _field_changes(old, new, fields_for(new))
            if changes:
                rows.append(ItemDiff("changed", title(new), changes=changes))
        elif new is not None:
            details = [f"{what}: {show(new.get(k))}" for k, what, show in fields_for(new)]
            rows.append(ItemDiff("added", title(new), details=details))
        elif old is not None:
            details = [f"{what}: {show(old.get(k))}" for k, what, show in fields_for(old)]
            rows.append(ItemDiff("removed", title(old), details=details))
    return rows


def plan_version_diff(before: Content, after: Content) -> PlanDiff:
    """`before` and `after` are two versions' content dicts."""
    return PlanDiff(
        plan=_field_changes(before, after, PLAN_FIELDS),
        medications=_items(
            before.get("medications"),
            after.get("medications"),
            "drug",
            lambda m: _label("DrugCode", m.get("drug")),
            lambda m: _medication_fields(m.get("unit") or ""),
        ),
        behavioral=_items(
            before.get("behavioral"),
            after.get("behavioral"),
            "modality",
            lambda b: _label("Modality", b.get("modality")),
            lambda b: BEHAVIORAL_FIELDS,
        ),
        problems=_items(
            before.get("problems"),
            after.get("problems"),
            "code",
            lambda p: _label("ProblemCode", p.get("code")),
            lambda p: PROBLEM_FIELDS,
        ),
    )

"""Writing lab orders and results (amendments: `intake.services.lab_amend`; alerts:
`intake.services.lab_alert`).

Each call is atomic and writes its own audit event. What a result means (interpretation, flag,
specimen status, `expected`, alerts) is decided by the pure functions of
`intake.labs.interpret`; this module checks the entries against the order, stores what those
functions derive, and never edits a result row: an amendment adds rows that supersede the old
ones, which stay in the history."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from intake.dates import past_date_error
from intake.exceptions import RecordSigned
from intake.labs.interpret import RECOLLECT_STATUSES, LabValueError, interpret_panel
from intake.models import (
    AuditAction,
    LabAlert,
    LabOrder,
    LabPanel,
    LabResult,
    LabTest,
    OrderStatus,
    Patient,
    Priority,
    SpecimenType,
)
from intake.selectors.lab import current_medication_codes
from intake.services.audit import audit_record
from intake.services.lab_alert import (
    lab_alert_acknowledge,  # noqa: F401 - the lab service's public API
    lab_alert_rows_create,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The specimen a panel is collected from unless the person entering results says otherwise.
PANEL_SPECIMEN = {
    "uds": SpecimenType.URINE,
    "ecg": SpecimenType.ECG,
    "intake-blood": SpecimenType.BLOOD,
    "hcv-confirm": SpecimenType.BLOOD,
    "pregnancy": SpecimenType.URINE,
}
# A collection time this far ahead of the server clock is refused as a typo.
CLOCK_SKEW = datetime.timedelta(minutes=5)
_reason_max = LabResult._meta.get_field("amendment_reason").max_length
assert _reason_max is not None, "amendment_reason is a CharField: it always has a max_length"
REASON_MAX: int = _reason_max
DERIVED_FIELDS = ("value", "qualitative", "interpretation", "flag", "expected", "alerts")


@dataclass(frozen=True)
class LabRecording:
    """What entering or amending results stored: the order (refreshed), its current results
    in panel order, the order's alert codes and the alert rows this call created."""

    order: LabOrder
    results: list[LabResult]
    alerts: list[str]
    new_alerts: list[LabAlert]
    superseded: list[LabResult]

    @property
    def specimen_status(self) -> str:
        return self.order.specimen_status

    @property
    def recollect_observed(self) -> bool:
        return self.order.specimen_status in RECOLLECT_STATUSES


# Orders ----------------------------------------------------------------------------------------


@transaction.atomic
def lab_order_create(
    *, actor: User, patient: Patient, panel: str, priority: str = Priority.ROUTINE
) -> LabOrder:
    errors: dict[str, list[str]] = {}
    panel_obj = (
        LabPanel.objects.filter(pk=panel).first() if isinstance(panel, str) and panel else None
    )
    if panel_obj is None:
        codes = ", ".join(LabPanel.objects.order_by("code").values_list("code", flat=True))
        errors["panel"] = [f"Unknown panel. Choose one of: {codes}."]
    if priority not in Priority.values:
        errors["priority"] = ["Priority must be routine or stat."]
    if errors:
        raise ValidationError(errors)
    assert panel_obj is not None  # an unknown panel was refused just above
    order = LabOrder(
        patient=patient,
        panel=panel_obj,
        priority=priority,
        ordered_by=actor,
        ordered_at=timezone.now(),
        specimen_type=PANEL_SPECIMEN.get(panel_obj.code, ""),
        created_by=actor,
        updated_by=actor,
    )
    order.full_clean()
    order.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=order,
        object_type="lab-order",
        detail={"panel": panel_obj.code, "priority": priority},
    )
    return order


# Results ---------------------------------------------------------------------------------------


def _panel_tests(order: LabOrder) -> dict[str, LabTest]:
    """The order's panel tests by code, in catalog order."""
    return {t.code: t for t in order.panel.tests.order_by("sort_order", "code")}


def _check_entries(
    order: LabOrder, tests: Mapping[str, LabTest], entries: object
) -> tuple[list[Mapping[str, Any]], dict[str, list[str]]]:
    """Entries whose test belongs to the order's panel, and errors for the others."""
    if not isinstance(entries, list | tuple) or not entries:
        return [], {"results": ["Give at least one result."]}
    errors: dict[str, list[str]] = {}
    accepted: list[Mapping[str, Any]] = []
    foreign: set[str] = set()
    for entry in entries:
        if not isinstance(entry, Mapping):
            errors.setdefault("results", []).append("Each result is an object with a test code.")
            continue
        code = entry.get("test")
        if isinstance(code, str) and code and code not in tests:
            foreign.add(code)
            continue
        accepted.append(entry)
    if foreign:
        known = set(LabTest.objects.filter(code__in=foreign).values_list("code", flat=True))
        for code in sorted(foreign):
            errors[code] = (
                [f"Not part of the {order.panel.code} panel of this order."]
                if code in known
                else ["Unknown test."]
            )
    return accepted, errors


def _collected_on(collected_at: object) -> datetime.date | None:
    """The clinic-local day of collection, which decides which plan lines are `expected`."""
    if isinstance(collected_at, datetime.datetime) and not timezone.is_naive(collected_at):
        return timezone.localtime(collected_at).date()
    return None


def _interpret(
    order: LabOrder, tests: Mapping[str, LabTest], entries: object, collected_at: object
) -> dict[str, Any]:
    """Run `interpret_panel` on entries checked against the order; ValidationError naming each
    bad test (nothing is stored by the caller)."""
    accepted, errors = _check_entries(order, tests, entries)
    interpreted = None
    if accepted:
        try:
            interpreted = interpret_panel(
                {code: test.as_reference() for code, test in tests.items()},
                accepted,
                current_medication_codes(
                    patient=order.patient, collected_on=_collected_on(collected_at)
                ),
            )
        except LabValueError as exc:
            for key, messages in exc.errors.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    # Without an error at least one entry was accepted (_check_entries names every one it
    # drops), so the panel was interpreted.
    assert interpreted is not None
    return interpreted


def _result_row(
    *,
    actor: User,
    order: LabOrder,
    test: LabTest,
    derived: Mapping[str, Any],
    at: datetime.datetime,
) -> LabResult:
    return LabResult(
        order=order,
        patient_id=order.patient_id,
        test=test,
        value=derived["value"],
        unit=derived["unit"] or test.unit,
        qualitative=derived["qualitative"] or "",
        interpretation=derived["interpretation"] or "",
        flag=derived["flag"] or "",
        expected=derived["expected"],
        alerts=list(derived["alerts"]),
        method=test.method,
        resulted_at=at,
        created_by=actor,
        updated_by=actor,
    )


def _clean_rows(rows: list[LabResult]) -> None:
    """Field checks (digits, decimal places) before anything is written, named by test."""
    errors: dict[str, list[str]] = {}
    for row in rows:
        try:
            row.full_clean(
                exclude=["order", "patient", "test", "supersedes", "confirms"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            errors[row.test_id] = exc.messages
    if errors:
        raise ValidationError(errors)


def _validate_collection(
    *, collected_at: object, observed: object, specimen_type: str, patient: Patient | None = None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not isinstance(collected_at, datetime.datetime):
        errors["collected_at"] = ["Give the date and time the specimen was collected."]
    elif timezone.is_naive(collected_at):
        errors["collected_at"] = ["Give the collection time with its time zone."]
    elif collected_at > timezone.now() + CLOCK_SKEW:
        errors["collected_at"] = ["The collection time cannot be in the future."]
    elif collected_at <= timezone.now() and (
        too_early := past_date_error(collected_at, patient=patient, what="The collection time")
    ):
        errors["collected_at"] = [too_early]
    if not isinstance(observed, bool):
        errors["observed"] = ["Say whether the collection was observed (true or false)."]
    if specimen_type and specimen_type not in SpecimenType.values:
        errors["specimen_type"] = [f"Specimen type must be one of: {', '.join(SpecimenType)}."]
    return errors


def _record_errors(
    *,
    order: LabOrder,
    tests: Mapping[str, LabTest],
    collected_at: object,
    observed: object,
    entries: object,
    specimen_type: str,
) -> tuple[dict[str, list[str]], dict[str, Any] | None]:
    """Every problem with a results entry at once (collection and each analyte), and the
    interpretation when there is none (then it is never None)."""
    errors = _validate_collection(
        collected_at=collected_at,
        observed=observed,
        specimen_type=specimen_type,
        patient=order.patient,
    )
    interpreted = None
    try:
        interpreted = _interpret(order, tests, entries, collected_at)
    except ValidationError as exc:
        errors = {**errors, **exc.message_dict}
    return errors, interpreted


def lab_results_check(
    *,
    order: LabOrder,
    collected_at: object,
    observed: object,
    entries: object,
    specimen_type: str = "",
) -> dict[str, list[str]]:
    """What `lab_results_record` would refuse, without storing anything: the results page calls
    it when its own form already found a problem, so that every bad field is reported in one
    response instead of one at a time."""
    errors, _ = _record_errors(
        order=order,
        tests=_panel_tests(order),
        collected_at=collected_at,
        observed=observed,
        entries=entries,
        specimen_type=specimen_type,
    )
    return errors


@transaction.atomic
def lab_results_record(
    *,
    actor: User,
    order: LabOrder,
    collected_at: datetime.datetime,
    observed: bool,
    entries: Iterable[Mapping[str, Any]],
    specimen_type: str = "",
) -> LabRecording:
    """Enter an order's results together: one row per analyte, with the specimen status that
    applies to all of them, and an alert row per critical value or missing metabolite.

    `entries`: [{"test", "value"?, "qualitative"?}]. Any bad entry (unknown test, a test not in
    the order's panel, an impossible value) refuses the whole call with a ValidationError
    naming the test; nothing is stored. An order already resulted: RecordSigned (amend it)."""
    order = _lock_order_awaiting_results(order)
    tests = _panel_tests(order)
    errors, interpreted = _record_errors(
        order=order,
        tests=tests,
        collected_at=collected_at,
        observed=observed,
        entries=entries,
        specimen_type=specimen_type,
    )
    if errors:
        raise ValidationError(errors)
    assert interpreted is not None  # _record_errors interprets whenever it finds no error

    now = timezone.now()
    rows = [
        _result_row(actor=actor, order=order, test=tests[r["test"]], derived=r, at=now)
        for r in interpreted["results"]
    ]
    _clean_rows(rows)
    LabResult.objects.bulk_create(rows)
    _mark_resulted(
        actor=actor,
        order=order,
        interpreted=interpreted,
        collected_at=collected_at,
        observed=observed,
        specimen_type=specimen_type,
        at=now,
    )
    new_alerts = lab_alert_rows_create(
        actor=actor, order=order, rows=rows, order_alerts=interpreted["alerts"], existing=set()
    )
    _audit_results_entered(actor, order, rows)
    return LabRecording(
        order=order,
        results=_in_panel_order(rows, tests),
        alerts=list(order.alerts),
        new_alerts=new_alerts,
        superseded=[],
    )


def _lock_order_awaiting_results(order: LabOrder) -> LabOrder:
    """The order, locked (level 3 of docs/concurrency.md); RecordSigned unless it still awaits
    its results."""
    order = (
        LabOrder.objects.select_for_update(no_key=True)
        .select_related("panel", "patient")
        .get(pk=order.pk)
    )
    if order.status == OrderStatus.RESULTED:
        raise RecordSigned(
            "Results were already entered for this order; correct them with an amendment."
        )
    if order.status == OrderStatus.CANCELLED:
        raise RecordSigned("This order was cancelled.")
    return order


def _mark_resulted(
    *,
    actor: User,
    order: LabOrder,
    interpreted: Mapping[str, Any],
    collected_at: datetime.datetime,
    observed: bool,
    specimen_type: str,
    at: datetime.datetime,
) -> None:
    """The collection details and the panel's reading on the order, which is now resulted."""
    order.collected_at = collected_at
    order.observed = observed
    order.collected_by = actor
    order.specimen_type = specimen_type or order.specimen_type
    order.resulted_at = at
    order.specimen_status = interpreted["specimen_status"]
    order.alerts = interpreted["alerts"]
    order.status = OrderStatus.RESULTED
    order.updated_by = actor
    order.full_clean()
    order.save()


def _audit_results_entered(actor: User, order: LabOrder, rows: list[LabResult]) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        patient_id=order.patient_id,
        obj=order,
        object_type="lab-result",
        detail={
            "change": "results-entered",
            "results": [str(r.pk) for r in rows],
            "specimen_status": order.specimen_status,
            "alerts": order.alerts,
        },
    )


def _in_panel_order(rows: list[LabResult], tests: Mapping[str, LabTest]) -> list[LabResult]:
    rank = {code: i for i, code in enumerate(tests)}
    return sorted(rows, key=lambda r: rank.get(r.test_id, len(rank)))

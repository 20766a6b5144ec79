"""The audit report's filters, as the report page and the API take them, and how they become the
arguments of `selectors.audit.audit_event_list`: one parser for both (`selector_filters`).

They differ only where their contracts do: the page takes days (until inclusive), an MRN, a
patient name and "denied only"; the API takes dates or ISO 8601 date-times (until exclusive) and
break_glass true or false. Name and MRN identify a patient, so the page takes them only in a POST
body (views/audit.py); the API has no POST search and does not take them at all, so that they
never travel in an address."""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from intake.dates import EARLIEST
from intake.models import AuditAction, AuditOutcome, Patient
from intake.selectors.audit import audit_filter_patient


def _staff_named(username: str) -> Any:
    """The account with this username, or one that matches no event (an unknown name must
    find nothing, not everything)."""
    User = get_user_model()
    return User.objects.filter(username=username).first() or User(pk=-1)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class _AuditFilters(forms.Form):
    """What the page and the API share: a patient id, a staff username, an action, an outcome."""

    def selector_filters(self) -> dict[str, Any] | None:
        """The selector's filters, or None when a value was refused: then the caller shows no
        rows (the page) or answers 400 (the API), never the unfiltered log."""
        if not self.is_bound:
            return {}
        if not self.is_valid():
            return None
        data = self.cleaned_data
        filters: dict[str, Any] = {"action": data["action"], "outcome": data["outcome"]}
        if data["patient"]:
            filters["patient"] = Patient(pk=data["patient"])
        if data["actor"]:
            filters["actor"] = _staff_named(data["actor"])
        filters.update(self.more_filters(data))
        return filters

    def more_filters(self, data: dict[str, Any]) -> dict[str, Any]:
        """The filters of one contract only (dates, emergency access, the patient's name)."""
        return {}


class AuditFilterForm(_AuditFilters):
    """The report page's filters."""

    mrn = forms.RegexField(
        regex=r"^\d{1,12}$",
        required=False,
        max_length=12,
        label="MRN",
        error_messages={"invalid": "An MRN is digits only."},
    )
    name = forms.CharField(required=False, max_length=200, label="Patient name")
    patient = forms.UUIDField(required=False, label="Patient id")
    actor = forms.CharField(required=False, max_length=150, label="Staff username")
    action = forms.ChoiceField(required=False, choices=[("", "Any action"), *AuditAction.choices])
    outcome = forms.ChoiceField(
        required=False, choices=[("", "Any outcome"), *AuditOutcome.choices]
    )
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Until (inclusive)"
    )
    break_glass = forms.BooleanField(required=False, label="Emergency access only")
    denied = forms.BooleanField(required=False, label="Denied only")

    def _clean_day(self, name: str) -> datetime.date | None:
        """An audit date lies from 1900 to a year ahead (a date in year 9999 overflowed)."""
        day = self.cleaned_data.get(name)
        latest = timezone.localdate() + datetime.timedelta(days=366)
        if day is not None and not EARLIEST <= day <= latest:
            raise forms.ValidationError(
                f"Give a date from {EARLIEST.isoformat()} to {latest.isoformat()}."
            )
        return day

    def clean_since(self) -> datetime.date | None:
        return self._clean_day("since")

    def clean_until(self) -> datetime.date | None:
        return self._clean_day("until")

    def more_filters(self, data: dict[str, Any]) -> dict[str, Any]:
        filters: dict[str, Any] = {
            "mrn": data["mrn"] or "",
            "name": (data["name"] or "").strip(),
        }
        if data["patient"]:
            # The record itself when there is one: the export names it in its own audit row.
            filters["patient"] = audit_filter_patient(patient_id=data["patient"])
        if data["denied"]:
            filters["outcome"] = AuditOutcome.DENIED
        if data["break_glass"]:
            filters["break_glass"] = True
        if data["since"]:
            filters["since"] = _day_start(data["since"])
        if data["until"]:
            filters["until"] = _day_start(data["until"] + datetime.timedelta(days=1))
        return filters

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class MomentField(forms.Field):
    """A date (midnight, clinic time) or an ISO 8601 date-time; one without an offset is read
    in the clinic's time zone."""

    default_error_messages = {"invalid": "Use YYYY-MM-DD or an ISO 8601 date-time."}

    def to_python(self, value: Any) -> datetime.datetime | None:
        if value in self.empty_values:
            return None
        try:
            moment = parse_datetime(value)
            if moment is None and (day := parse_date(value)):
                moment = datetime.datetime.combine(day, datetime.time.min)
        except ValueError:
            moment = None
        if moment is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class AuditApiFilterForm(_AuditFilters):
    """The query string of GET /api/v1/audit-events/. Values are taken as sent (not trimmed):
    a username with a stray space matches nobody, as it always has."""

    # Not stripped either: " " or a padded id is refused (400 naming it), never read as "no
    # patient filter", which would answer with the whole log.
    patient = forms.UUIDField(
        required=False, strip=False, error_messages={"invalid": "Must be a patient id (UUID)."}
    )
    actor = forms.CharField(required=False, strip=False)
    action = forms.ChoiceField(
        required=False,
        choices=AuditAction.choices,
        error_messages={"invalid_choice": f"Choose one of {', '.join(AuditAction.values)}."},
    )
    outcome = forms.CharField(required=False, strip=False)
    since = MomentField(required=False)
    until = MomentField(required=False)
    # "true"/"1" or "false"/"0"; anything else is no filter.
    break_glass = forms.CharField(required=False, strip=False)

    def more_filters(self, data: dict[str, Any]) -> dict[str, Any]:
        filters = {k: data[k] for k in ("since", "until") if data[k] is not None}
        flag = {"true": True, "1": True, "false": False, "0": False}.get(data["break_glass"])
        if flag is not None:
            filters["break_glass"] = flag
        return filters

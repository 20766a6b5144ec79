"""The flowsheet page's choice of days (from, to): the same rules as the API
(intake/selectors/flowsheet.py flowsheet_range), their refusals shown on the fields."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError

from intake.selectors.flowsheet import flowsheet_range


def _date_field(label: str) -> forms.CharField:
    return forms.CharField(
        required=False, label=label, widget=forms.DateInput(attrs={"type": "date"})
    )


class FlowsheetRangeForm(forms.Form):
    def __init__(
        self,
        data: object,
        *,
        today: datetime.date,
        default_first: Callable[[], datetime.date],
    ) -> None:
        super().__init__(data or None)
        self.fields["from"] = _date_field("From")
        self.fields["to"] = _date_field("To")
        self.today = today
        self.default_first = default_first

    def _range(self, first: str | None, last: str | None) -> tuple[datetime.date, datetime.date]:
        return flowsheet_range(first, last, today=self.today, default_first=self.default_first)

    def span(self) -> tuple[datetime.date, datetime.date]:
        """The days asked for; the default days when the dates are refused (shown on the
        fields)."""
        if not self.is_bound or not self.is_valid():
            days = self._range(None, None)
        else:
            try:
                days = self._range(self.cleaned_data["from"], self.cleaned_data["to"])
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    self.add_error(name, errors)
                days = self._range(None, None)
        if not self.is_bound:
            self.initial = {"from": days[0].isoformat(), "to": days[1].isoformat()}
        return days

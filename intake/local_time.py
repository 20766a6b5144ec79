"""Times as the clinic reads them: in the clinic's time zone (settings.TIME_ZONE, from the
TIME_ZONE environment variable), with the zone named, e.g. "3 Dec 2026 09:42 EST". Pages (the
`when` filter), the plan PDF and CSV exports all use `format_local`, so one moment reads the
same everywhere; JSON keeps ISO 8601 with its offset."""

from __future__ import annotations

import datetime

from django.utils import dateformat, timezone

FORMAT = "j M Y H:i T"


def format_local(value: datetime.datetime | None) -> str:
    """`value` in the clinic's zone with the zone's abbreviation; "" for None."""
    if value is None:
        return ""
    if timezone.is_naive(value):
        # Stored datetimes are aware (USE_TZ); a naive one is taken as the clinic's time.
        value = timezone.make_aware(value)
    return dateformat.format(timezone.localtime(value), FORMAT)

"""When doses are due (docs/clinical-rules.md#administration-times): the clinic's times per
frequency, tapers day by day, the window a plan version is active, and `once` lines."""

import datetime
import uuid
from decimal import Decimal

from django.test import override_settings
from django.utils import timezone

from intake import mar_schedule as schedule

D = datetime.date(2026, 11, 25)


def local(day, hh, mm=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hh, mm)))


def line(
    frequency="daily", *, dose="8", start=D, end=None, taper=(), active_from=None, until=None, **kw
):
    return schedule.Line(
        pk=7,
        plan_pk=uuid.uuid4(),
        drug=kw.get("drug", "buprenorphine"),
        dose=Decimal(dose),
        unit="mg",
        route="sublingual",
        frequency=frequency,
        start_date=start,
        end_date=end,
        taper=taper,
        active_from=active_from or local(D - datetime.timedelta(days=1), 8),
        active_until=until,
        carried_over=kw.get("carried_over", False),
    )


def times(doses):
    return [timezone.localtime(d.due_at).strftime("%H:%M") for d in doses]


def test_each_frequency_at_the_default_times():
    assert times(schedule.line_doses(line("daily"), D, D)) == ["09:00"]
    assert times(schedule.line_doses(line("bid"), D, D)) == ["09:00", "21:00"]
    assert times(schedule.line_doses(line("tid"), D, D)) == ["09:00", "14:00", "21:00"]
    assert times(schedule.line_doses(line("qid"), D, D)) == ["09:00", "13:00", "17:00", "21:00"]
    assert schedule.line_doses(line("q6h-prn"), D, D) == []


@override_settings(CLINIC_ADMINISTRATION_TIMES={"bid": ["08:00", "20:00"]})
def test_the_clinic_sets_its_own_times():
    assert times(schedule.line_doses(line("bid"), D, D)) == ["08:00", "20:00"]
    assert times(schedule.line_doses(line("daily"), D, D)) == ["09:00"]


def test_a_line_runs_from_its_start_date_to_its_end_date_inclusive():
    doses = schedule.line_doses(
        line("daily", start=D, end=D + datetime.timedelta(days=2)),
        D - datetime.timedelta(days=3),
        D + datetime.timedelta(days=5),
    )
    assert [timezone.localtime(d.due_at).date() for d in doses] == [
        D,
        D + datetime.timedelta(days=1),
        D + datetime.timedelta(days=2),
    ]


def test_a_taper_replaces_the_dose_of_each_day_and_zero_means_none():
    taper = [
        {"day": 1, "dose": "8"},
        {"day": 2, "dose": "6"},
        {"day": 3, "dose": "4"},
        {"day": 4, "dose": "0"},
    ]
    doses = schedule.line_doses(
        line("bid", dose="8", end=D + datetime.timedelta(days=4), taper=taper),
        D,
        D + datetime.timedelta(days=6),
    )
    by_day = {}
    for d in doses:
        by_day.setdefault(timezone.localtime(d.due_at).day, []).append(d.dose)
    assert by_day == {
        25: [Decimal(8), Decimal(8)],
        26: [Decimal(6), Decimal(6)],
        27: [Decimal(4), Decimal(4)],
        # day 4 has a step of 0: no dose; day 5 has no step: the line's own dose
        29: [Decimal(8), Decimal(8)],
    }


def test_a_version_orders_doses_only_while_it_is_active():
    signed = local(D, 10)
    superseded = local(D + datetime.timedelta(days=1), 13, 30)
    doses = schedule.line_doses(
        line("qid", active_from=signed, until=superseded), D, D + datetime.timedelta(days=2)
    )
    assert [timezone.localtime(d.due_at).strftime("%d %H:%M") for d in doses] == [
        "25 13:00",
        "25 17:00",
        "25 21:00",
        "26 09:00",
        "26 13:00",
    ]


def test_once_is_due_at_the_signature_when_signed_after_its_time_but_not_when_carried_over():
    signed = local(D, 11, 37)
    assert times(schedule.line_doses(line("once", active_from=signed), D, D)) == ["11:37"]
    assert schedule.line_doses(line("once", active_from=signed, carried_over=True), D, D) == []
    assert (
        schedule.line_doses(
            line("once"), D + datetime.timedelta(days=1), D + datetime.timedelta(days=1)
        )
        == []
    )


def test_weekly_monthly_and_every_four_weeks():
    start = datetime.date(2026, 1, 31)
    span = (start, datetime.date(2026, 4, 30))
    monthly = schedule.line_doses(line("monthly", start=start, active_from=local(start, 0)), *span)
    assert [timezone.localtime(d.due_at).date().isoformat() for d in monthly] == [
        "2026-01-31",
        "2026-02-28",
        "2026-03-31",
        "2026-04-30",
    ]
    weekly = schedule.line_doses(
        line("weekly", start=start, active_from=local(start, 0)),
        start,
        start + datetime.timedelta(days=14),
    )
    assert len(weekly) == 3
    q4w = schedule.line_doses(line("q4w", start=start, active_from=local(start, 0)), *span)
    assert [timezone.localtime(d.due_at).date().isoformat() for d in q4w] == [
        "2026-01-31",
        "2026-02-28",
        "2026-03-28",
        "2026-04-25",
    ]


def test_due_dose_ids_are_stable_and_opaque():
    a = schedule.line_doses(line("bid"), D, D)
    b = schedule.line_doses(line("bid"), D, D)
    assert [d.id for d in a] == [d.id for d in b]
    assert len({d.id for d in a}) == 2
    assert schedule.line_uid(7) != schedule.line_uid(8)


def test_a_daylight_saving_day_keeps_the_wall_clock_times():
    spring = datetime.date(2027, 3, 14)  # clocks go forward at 02:00 in New York
    doses = schedule.line_doses(
        line("qid", start=spring, active_from=local(spring, 0)), spring, spring
    )
    assert times(doses) == ["09:00", "13:00", "17:00", "21:00"]

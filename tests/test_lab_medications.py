"""`current_medication_codes`: the one place drug screens learn what the patient takes (for now
the latest interview's `current_medications` text)."""

import datetime

import pytest

from intake.models import Interview
from intake.selectors.lab import current_medication_codes, medication_codes_from_text
from tests.factories import mark_signed, methadone_plan


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("", set()),
        ("None", set()),
        ("Suboxone 8 mg/2 mg SL BID", {"buprenorphine-naloxone"}),
        ("buprenorphine/naloxone 16/4 mg daily", {"buprenorphine-naloxone"}),
        ("Buprenorphine-naloxone film", {"buprenorphine-naloxone"}),
        ("buprenorphine 8 mg SL daily (Subutex)", {"buprenorphine"}),
        ("Sublocade 300 mg monthly", {"buprenorphine-xr"}),
        ("buprenorphine XR injection", {"buprenorphine-xr"}),
        ("buprenorphine extended-release 100 mg", {"buprenorphine-xr"}),
        ("Methadone 80 mg PO daily at the OTP", {"methadone"}),
        ("methadone 60mg; sertraline 50 mg", {"methadone"}),
        ("Stopped methadone in 2019. Now Suboxone 12 mg", {"buprenorphine-naloxone"}),
        ("previously on methadone, now buprenorphine 8 mg", {"buprenorphine"}),
        ("no methadone, no buprenorphine", set()),
        ("denies buprenorphine", set()),
        ("naltrexone 50 mg; naloxone kit at home", set()),
        ("Sertraline 50 mg, lisinopril", set()),
    ],
)
def test_it_reads_medication_codes_from_free_text(text, codes):
    assert medication_codes_from_text(text) == codes


@pytest.mark.django_db
def test_it_reads_the_latest_interview(patient, team_counselor):
    assert current_medication_codes(patient=patient) == set()
    Interview.objects.create(
        patient=patient,
        author=team_counselor,
        interviewed_on=datetime.date(2026, 9, 1),
        current_medications="methadone 90 mg daily",
    )
    Interview.objects.create(
        patient=patient,
        author=team_counselor,
        interviewed_on=datetime.date(2026, 10, 1),
        current_medications="Suboxone 16/4 mg daily",
    )
    assert current_medication_codes(patient=patient) == {"buprenorphine-naloxone"}


def test_it_judges_screens_against_the_active_plan_once_there_is_one(patient, team_physician):
    from intake.selectors.lab import current_medication_codes

    plan = methadone_plan(patient, dose=30, start_date="2026-11-25")
    # A draft does not count.
    assert "methadone" not in current_medication_codes(patient=patient)
    mark_signed(plan, team_physician, signed_at="2026-11-25T10:00Z")
    assert current_medication_codes(patient=patient) == {"methadone"}

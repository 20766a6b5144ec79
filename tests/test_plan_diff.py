"""What changed between plan versions, in clinical words (issue 12): medication by medication,
component by component, problem by problem; added, removed, changed; on the amendment and on
the physician's review page."""

import pytest

from intake.formulary import MEDICATION_FIELDS
from intake.selectors.plan_diff import _medication_fields, plan_version_diff
from intake.services.treatment_plan import (
    treatment_plan_amend,
    treatment_plan_submit,
    treatment_plan_update,
)
from tests.factories import IN_60_DAYS
from tests.test_treatment_plan_pages import _signed_plan

# Dates relative to today, so the review-date window (today to two years ahead) holds
# whenever the suite runs.

BUP = {"drug": "buprenorphine-naloxone", "dose": "8", "unit": "mg", "route": "sublingual",
       "frequency": "daily", "start_date": "2026-11-25", "end_date": None, "indication": "OUD",
       "taper": []}  # fmt: skip
CBT = {"modality": "cbt", "setting": "outpatient", "frequency": "weekly",
       "targets": ["triggers"], "goals": []}  # fmt: skip


def _content(**changes):
    base = {"setting": "outpatient", "asam_level": "1", "medically_supervised_detox": False,
            "hospitalize_for_detox": False, "withdrawal_monitoring": {}, "problems": [],
            "review_date": IN_60_DAYS, "medications": [BUP], "behavioral": [CBT]}  # fmt: skip
    return {**base, **changes}


def test_a_changed_dose_and_frequency_read_as_words():
    after = _content(medications=[dict(BUP, dose="12", frequency="bid")])
    diff = plan_version_diff(_content(), after)
    [item] = diff.medications
    assert (item.kind, item.title) == ("changed", "Buprenorphine/naloxone (sublingual)")
    assert [(c.what, c.before, c.after) for c in item.changes] == [
        ("Dose", "8 mg", "12 mg"),
        ("Frequency", "Daily", "Twice a day"),
    ]


def test_an_added_and_a_removed_line_and_a_taper():
    naloxone = {"drug": "naloxone", "dose": "4", "unit": "mg", "frequency": "once",
                "start_date": "2026-11-25"}  # fmt: skip
    tapered = dict(BUP, taper=[{"day": 1, "dose": "8.000"}, {"day": 2, "dose": "6"}])
    diff = plan_version_diff(
        _content(medications=[BUP, naloxone]),
        _content(medications=[tapered, {**naloxone, "drug": "ondansetron", "dose": "4"}]),
    )
    kinds = {(i.kind, i.title) for i in diff.medications}
    assert kinds == {
        ("changed", "Buprenorphine/naloxone (sublingual)"),
        ("added", "Ondansetron (nausea, vomiting)"),
        ("removed", "Naloxone rescue kit"),
    }
    changed = next(i for i in diff.medications if i.kind == "changed")
    assert [(c.what, c.after) for c in changed.changes] == [("Taper", "day 1: 8, day 2: 6")]
    added = next(i for i in diff.medications if i.kind == "added")
    assert "Frequency: Once" in added.details


def test_components_problems_and_plan_fields():
    after = _content(
        setting="intensive-outpatient",
        withdrawal_monitoring={"instrument": "cows", "every_hours": 4},
        behavioral=[dict(CBT, targets=["triggers", "coping-cravings"])],
        problems=[{"code": "oud", "description": "Opioid use disorder", "goals": []}],
    )
    diff = plan_version_diff(_content(), after)
    assert [(c.what, c.before, c.after) for c in diff.plan] == [
        ("Setting", "Outpatient", "Intensive outpatient"),
        ("Withdrawal monitoring", "none", "COWS every 4 hours"),
    ]
    [component] = diff.behavioral
    assert component.changes[0].what == "Targets"
    assert "coping-cravings" not in component.changes[0].after
    [problem] = diff.problems
    assert (problem.kind, problem.title) == ("added", "Opioid use disorder")


def test_the_same_content_has_no_differences():
    assert not plan_version_diff(_content(), _content())
    # 8 and 8.000 are the same dose
    assert not plan_version_diff(_content(), _content(medications=[dict(BUP, dose="8.000")]))


@pytest.mark.django_db
def test_the_amendment_and_the_review_page_show_the_diff_in_words(client, patient, team_physician):
    v1 = _signed_plan(patient, team_physician)
    v2 = treatment_plan_amend(actor=team_physician, plan=v1, reason="Dose increase")
    meds = [
        {"drug": "buprenorphine-naloxone", "dose": "16", "frequency": "daily",
         "start_date": "2026-11-25"},
        {"drug": "naloxone", "dose": "4", "frequency": "once", "start_date": "2026-11-25"},
    ]  # fmt: skip
    treatment_plan_update(actor=team_physician, plan=v2, revision=1, data={"medications": meds})
    client.force_login(team_physician)
    detail = client.get(f"/patients/{patient.pk}/plans/{v2.pk}/").content.decode()
    assert "Changes from version 1" in detail
    assert "Buprenorphine/naloxone (sublingual)" in detail
    assert '8 mg</del> → <span class="text-success">16 mg' in detail
    treatment_plan_submit(actor=team_physician, plan=v2)
    review = client.get(f"/patients/{patient.pk}/plans/{v2.pk}/review/").content.decode()
    assert 'data-testid="diff-changed"' in review
    assert "16 mg" in review and "buprenorphine-naloxone" not in review.split("Changes from")[1]


def test_the_diff_shows_every_field_of_a_medication_line():
    """The diff's display table follows the one list of medication fields: a field added to
    a line cannot be left out of what a reviewer sees changed. The drug names the row and the
    unit is shown with the dose."""
    shown = {field for field, _label, _show in _medication_fields("mg")}
    assert shown == set(MEDICATION_FIELDS) - {"drug", "unit"}

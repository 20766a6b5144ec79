"""At tablet width (768 px, a tablet held upright at the bedside) the chart, a plan and the lab
list fit the screen: no page scrolls sideways; a wide table scrolls inside its own card."""

import datetime
from decimal import Decimal as D

from django.utils import timezone

from intake.models import TeamRole
from intake.services.lab import lab_order_create, lab_results_record
from intake.services.treatment_plan import treatment_plan_create
from tests.browser_support import ARTIFACTS, BROWSER, sign_in
from tests.factories import (
    AssessmentFactory,
    CareTeamMemberFactory,
    EpisodeFactory,
    InterviewFactory,
    PatientFactory,
    SubstanceUseFactory,
    UserFactory,
)
from tests.lab_support import SCREENS, ecg_and_blood_history

pytestmark = BROWSER

TABLET = {"width": 768, "height": 1024}

VALIDITY = [
    {"test": "specimen-temperature", "value": D("34.5")},
    {"test": "creatinine", "value": D("85")},
    {"test": "specific-gravity", "value": D("1.018")},
    {"test": "ph", "value": D("6.5")},
]

# The plan's behavioral work and problem list.
BEHAVIORAL = [
    {
        "modality": "contingency-management",
        "setting": "outpatient",
        "frequency": "twice weekly",
        "targets": ["triggers", "coping-cravings", "relapse-plan", "employment"],
        "goals": [{"text": "Eight negative fentanyl screens in a row"}],
    },
    {
        "modality": "case-management",
        "setting": "telehealth",
        "frequency": "weekly",
        "targets": ["housing", "legal", "family"],
        "goals": [{"text": "Stable housing within 60 days (shelter waitlist)"}],
    },
]
PROBLEMS = [
    {
        "code": "oud",
        "description": "Opioid use disorder, severe, fentanyl smoked daily",
        "goals": [
            {
                "text": "Stop using illicit opioids and stay in treatment",
                "objectives": [
                    {"text": "Attend 90% of dosing visits for 30 days"},
                ],
                "interventions": [{"text": "Weekly observed drug screens", "responsible": "Nurse"}],
            }
        ],
    }
]


def _visits(patient, counselor) -> None:
    """Three interviews and three DSM-5 assessments over the weeks in care."""
    for days in (40, 12, 1):
        interview = InterviewFactory(
            patient=patient,
            author=counselor,
            interviewed_on=timezone.localdate() - datetime.timedelta(days=days),
            presenting_problem="Smoking fentanyl several times a day; lost housing; "
            "wants buprenorphine and help with work.",
        )
        SubstanceUseFactory(interview=interview, substance="fentanyl", routes=["smoked"])
    for days in (45, 20, 3):
        AssessmentFactory(
            patient=patient,
            administered_by=counselor,
            administered_at=timezone.now() - datetime.timedelta(days=days),
        )


def _plan_data(start: str) -> dict:
    """Medication with a taper, behavioral work and a problem list, started on `start`."""
    return {
        "setting": "intensive-outpatient",
        "asam_level": "2.1",
        "review_date": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "medications": [
            {
                "drug": "buprenorphine-naloxone",
                "dose": "16",
                "frequency": "daily",
                "start_date": start,
                "indication": "Opioid use disorder, severe, maintenance",
            },
            {
                "drug": "clonidine",
                "dose": "0.1",
                "frequency": "q6h-prn",
                "start_date": start,
                "end_date": timezone.localdate().isoformat(),
                "indication": "Withdrawal symptoms (anxiety, sweating, restlessness)",
                "taper": [
                    {"day": 1, "dose": "0.3"},
                    {"day": 2, "dose": "0.2"},
                    {"day": 3, "dose": "0.1"},
                ],
            },
            {
                "drug": "naloxone",
                "dose": "4",
                "frequency": "once",
                "start_date": start,
                "indication": "Overdose reversal kit to take home",
            },
        ],
        "behavioral": BEHAVIORAL,
        "problems": PROBLEMS,
    }


def _weekly_screens(patient, nurse) -> None:
    """Seven weekly drug screens, positive for buprenorphine only, on a valid specimen."""
    for days in (42, 35, 28, 21, 14, 7, 2):
        at = timezone.now() - datetime.timedelta(days=days)
        screen = [
            {
                "test": code,
                "value": D("120") if code in ("buprenorphine", "norbuprenorphine") else D("0"),
            }
            for code in SCREENS
        ]
        order = lab_order_create(actor=nurse, patient=patient, panel="uds")
        lab_results_record(
            actor=nurse,
            order=order,
            collected_at=at,
            observed=False,
            entries=[*VALIDITY, *screen, {"test": "xylazine", "qualitative": "negative"}],
        )


def _chart(counselor, nurse, physician):
    """A patient some weeks into care: interviews, assessments, a plan with medication,
    taper and behavioral work, and weekly drug screens with ECGs and blood work."""
    patient = PatientFactory(
        given_name="Maria-Fernanda",
        family_name="Castellanos-Whitfield",
        preferred_name="Nanda",
    )
    for user, role in (
        (counselor, TeamRole.COUNSELOR),
        (nurse, TeamRole.NURSE),
        (physician, TeamRole.PHYSICIAN),
    ):
        CareTeamMemberFactory(patient=patient, user=user, team_role=role)
    EpisodeFactory(
        patient=patient,
        program="otp",
        admitted_on=timezone.localdate() - datetime.timedelta(days=50),
    )
    _visits(patient, counselor)
    start = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    plan = treatment_plan_create(
        actor=physician,
        patient=patient,
        data=_plan_data(start),
    )
    _weekly_screens(patient, nurse)
    ecg_and_blood_history(patient, nurse, days_ago=(40, 20, 3))
    lab_order_create(actor=nurse, patient=patient, panel="uds")  # ordered, not yet collected
    return patient, plan


OVERFLOW = """() => {
  const width = window.innerWidth;
  const wide = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1 && !el.closest(".table-responsive")) {
      const classes = typeof el.className === "string" ? el.className : "";
      wide.push(el.tagName.toLowerCase() + "." + classes + " right=" + Math.round(box.right));
    }
  }
  // Tables a clinician reads across (a row is one order, one medication): all their columns
  // on screen, not behind a sideways scroll inside the card.
  const clipped = [];
  for (const table of document.querySelectorAll("table[data-testid]")) {
    const holder = table.parentElement;
    const room = holder.getBoundingClientRect().right -
      parseFloat(getComputedStyle(holder).paddingRight);
    const right = Math.max(table.getBoundingClientRect().right,
      table.getBoundingClientRect().left + table.scrollWidth);
    if (table.dataset.testid !== "lab-drug-screens" && right > room + 1) {
      clipped.push(table.dataset.testid + " right " + Math.round(right) + " > " + Math.round(room));
    }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: width,
    wide: wide.slice(0, 12),
    clipped: clipped,
  };
}"""


def test_the_chart_a_plan_and_the_lab_list_fit_a_tablet(live_server, browser):
    counselor = UserFactory(
        username="casey", first_name="Casey", last_name="Morgan", role="counselor"
    )
    nurse = UserFactory(username="nina", first_name="Nina", last_name="Abernathy", role="nurse")
    physician = UserFactory(
        username="okafor", first_name="Elena", last_name="Okafor", role="physician"
    )
    patient, plan = _chart(counselor, nurse, physician)
    base = live_server.url

    page = browser.new_page(viewport=TABLET)
    sign_in(page, base, "okafor")
    pages = {
        "chart": f"/patients/{patient.pk}/",
        "plan": f"/patients/{patient.pk}/plans/{plan.pk}/",
        "plan-form": f"/patients/{patient.pk}/plans/{plan.pk}/edit/",
        "plans": f"/patients/{patient.pk}/plans/",
        "labs": f"/patients/{patient.pk}/labs/",
    }
    measured = {}
    for name, path in pages.items():
        response = page.goto(base + path)
        assert response.status == 200, name
        page.wait_for_load_state("networkidle")
        page.screenshot(path=ARTIFACTS / f"tablet-{name}.png", full_page=True)
        measured[name] = page.evaluate(OVERFLOW)
    too_wide = {
        name: m
        for name, m in measured.items()
        if m["scrollWidth"] > m["innerWidth"] or m["clipped"]
    }
    assert not too_wide, too_wide
    page.close()

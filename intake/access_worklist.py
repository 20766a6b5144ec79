"""What work reaches whom on the home page: the sections of each role's worklist, in order, and
the permission each needs. `access.worklist_items` and `access.worklist_patients` apply them
(re-exported there with these names; import them from there).
"""

import enum

from intake.access_vocabulary import Perm
from intake.models import Role


class WorkItem(enum.StrEnum):
    """The kinds of work a worklist brings to a clinician (the home page's sections)."""

    RESULTS_TO_ACKNOWLEDGE = "results-to-acknowledge"
    VITALS_TO_ACKNOWLEDGE = "vitals-to-acknowledge"
    SAFETY_FOLLOW_UPS = "safety-follow-ups"
    PLANS_TO_REVIEW = "plans-to-review"
    PLANS_RETURNED = "plans-returned"
    ORDERS_AWAITING_RESULTS = "orders-awaiting-results"
    SPECIMENS_TO_RECOLLECT = "specimens-to-recollect"
    DRAFTS = "drafts"
    PLAN_REVIEWS_DUE = "plan-reviews-due"
    # Withdrawal management (docs/clinical-rules.md#worklist-alerts).
    DOSES_MISSED = "doses-missed"
    DOSES_DUE = "doses-due"
    DOSES_HELD = "doses-held"
    COWS_RISING = "cows-rising"
    # After intake (docs/clinical-rules.md#reassessment, #self-report).
    SELF_REPORTS_URGENT = "self-reports-urgent"
    SELF_REPORTS_TO_REVIEW = "self-reports-to-review"
    REASSESSMENTS_DUE = "reassessments-due"


# What each kind of work needs the person to be allowed to do (deny by default: a section whose
# permission the role lacks never shows, whatever WORKLISTS says).
WORK_ITEM_PERM: dict[WorkItem, Perm] = {
    WorkItem.RESULTS_TO_ACKNOWLEDGE: Perm.LAB_ALERT_ACK,
    WorkItem.VITALS_TO_ACKNOWLEDGE: Perm.VITAL_SIGNS_ALERT_ACK,
    WorkItem.SAFETY_FOLLOW_UPS: Perm.SAFETY_ASSESS,
    WorkItem.PLANS_TO_REVIEW: Perm.REVIEW_QUEUE,
    WorkItem.PLANS_RETURNED: Perm.PLAN_WRITE,
    WorkItem.ORDERS_AWAITING_RESULTS: Perm.LAB_RESULT_ENTER,
    WorkItem.SPECIMENS_TO_RECOLLECT: Perm.LAB_ORDER,
    WorkItem.DRAFTS: Perm.INTERVIEW_WRITE,
    WorkItem.PLAN_REVIEWS_DUE: Perm.PLAN_WRITE,
    WorkItem.DOSES_MISSED: Perm.MAR_RECORD,
    WorkItem.DOSES_DUE: Perm.MAR_RECORD,
    WorkItem.DOSES_HELD: Perm.WITHDRAWAL_REVIEW,
    WorkItem.COWS_RISING: Perm.WITHDRAWAL_REVIEW,
    WorkItem.SELF_REPORTS_URGENT: Perm.SELF_REPORT_REVIEW,
    WorkItem.SELF_REPORTS_TO_REVIEW: Perm.SELF_REPORT_REVIEW,
    WorkItem.REASSESSMENTS_DUE: Perm.REASSESSMENT_VIEW,
}

# Who must act on what, most urgent first. The physician acknowledges critical results and
# reviews plans; nurse and physician both acknowledge critical vital signs; the nurse collects
# specimens and enters results, gives the doses due and catches up on those missed; the
# physician hears of every missed or held dose and of COWS rising despite doses (to amend the
# plan); the counselor follows up suicide-risk items, finishes drafts
# and keeps plan reviews on time; reassessments due go to the counselor or the nurse by kind
# (REASSESSMENT_WORK). A patient's self-report with thoughts of self-harm tops every
# clinician's worklist on arrival; the rest waits in each one's self-reports to review.
# Everyone sees their own unsigned drafts and the plans
# returned to them.
WORKLISTS: dict[Role, tuple[WorkItem, ...]] = {
    Role.PHYSICIAN: (
        WorkItem.SELF_REPORTS_URGENT,
        WorkItem.RESULTS_TO_ACKNOWLEDGE,
        WorkItem.VITALS_TO_ACKNOWLEDGE,
        WorkItem.COWS_RISING,
        WorkItem.DOSES_MISSED,
        WorkItem.DOSES_HELD,
        WorkItem.PLANS_TO_REVIEW,
        WorkItem.PLANS_RETURNED,
        WorkItem.SELF_REPORTS_TO_REVIEW,
        WorkItem.DRAFTS,
    ),
    Role.NURSE: (
        WorkItem.SELF_REPORTS_URGENT,
        WorkItem.VITALS_TO_ACKNOWLEDGE,
        WorkItem.DOSES_MISSED,
        WorkItem.DOSES_DUE,
        WorkItem.REASSESSMENTS_DUE,
        WorkItem.ORDERS_AWAITING_RESULTS,
        WorkItem.SPECIMENS_TO_RECOLLECT,
        WorkItem.SELF_REPORTS_TO_REVIEW,
        WorkItem.DRAFTS,
    ),
    Role.COUNSELOR: (
        WorkItem.SELF_REPORTS_URGENT,
        WorkItem.SAFETY_FOLLOW_UPS,
        WorkItem.SELF_REPORTS_TO_REVIEW,
        WorkItem.DRAFTS,
        WorkItem.PLANS_RETURNED,
        WorkItem.PLAN_REVIEWS_DUE,
        WorkItem.REASSESSMENTS_DUE,
    ),
}

# Which reassessments due reach whom (docs/clinical-rules.md#reassessment): the counselor
# repeats the PHQ-9 and GAD-7 and keeps the plan's review on time; the nurse collects the urine
# drug screens and scores the COWS of withdrawal management. Codes: the instrument's, or the
# kind's (intake/reassessment_rules.py DueItem.code).
REASSESSMENT_WORK: dict[Role, frozenset[str]] = {
    Role.COUNSELOR: frozenset({"phq9", "gad7", "plan-review"}),
    Role.NURSE: frozenset({"urine-drug-screen", "cows"}),
}

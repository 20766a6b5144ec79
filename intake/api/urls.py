from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.authentication import SessionAuthentication

from intake.access import Perm
from intake.api import (
    assessment,
    audit,
    auth,
    break_glass,
    care_team,
    consent,
    disclosure,
    episode,
    flowsheet,
    group_session,
    instrument,
    interview,
    lab,
    lab_alerts,
    lab_results,
    mar,
    outcomes,
    patient,
    reassessment,
    self_report,
    session_note,
    treatment_plan,
    vital_signs,
    withdrawal_review,
    worklist,
)
from intake.api.authentication import ExpiringTokenAuthentication
from intake.api.permissions import DeclaredPolicy


class SchemaView(SpectacularAPIView):
    # drf-spectacular serves its schema to anyone by default; here, to signed-in staff.
    access_perm = Perm.HOME
    permission_classes = [DeclaredPolicy]
    authentication_classes = [ExpiringTokenAuthentication, SessionAuthentication]


urlpatterns = [
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("auth/token/", auth.TokenView.as_view(), name="api-token"),
    path("patients/", patient.PatientListView.as_view(), name="api-patient-list"),
    path("patients/search/", patient.PatientSearchView.as_view(), name="api-patient-search"),
    path(
        "patients/<uuid:patient_id>/",
        patient.PatientDetailView.as_view(),
        name="api-patient-detail",
    ),
    path(
        "patients/<uuid:patient_id>/care-team/",
        care_team.CareTeamView.as_view(),
        name="api-care-team",
    ),
    path(
        "patients/<uuid:patient_id>/episodes/",
        episode.EpisodeListView.as_view(),
        name="api-episode-list",
    ),
    path("audit-events/", audit.AuditEventListView.as_view(), name="api-audit-event-list"),
    # session notes (docs/api.md#session-notes)
    path(
        "patients/<uuid:patient_id>/session-notes/",
        session_note.SessionNoteListView.as_view(),
        name="api-session-note-list",
    ),
    path(
        "session-notes/<uuid:session_note_id>/",
        session_note.SessionNoteDetailView.as_view(),
        name="api-session-note-detail",
    ),
    path(
        "session-notes/<uuid:session_note_id>/sign/",
        session_note.SessionNoteSignView.as_view(),
        name="api-session-note-sign",
    ),
    path(
        "session-notes/<uuid:session_note_id>/addenda/",
        session_note.SessionNoteAddendumView.as_view(),
        name="api-session-note-addenda",
    ),
    path("outcomes/", outcomes.OutcomesView.as_view(), name="api-outcomes"),
    # interview endpoints
    path(
        "patients/<uuid:patient_id>/interviews/",
        interview.InterviewListView.as_view(),
        name="api-interview-list",
    ),
    path(
        "interviews/<uuid:interview_id>/",
        interview.InterviewDetailView.as_view(),
        name="api-interview-detail",
    ),
    path(
        "interviews/<uuid:interview_id>/sign/",
        interview.InterviewSignView.as_view(),
        name="api-interview-sign",
    ),
    path(
        "interviews/<uuid:interview_id>/addenda/",
        interview.InterviewAddendumView.as_view(),
        name="api-interview-addenda",
    ),
    # assessment endpoints
    path("instruments/", instrument.InstrumentListView.as_view(), name="api-instrument-list"),
    path(
        "instruments/<slug:code>/",
        instrument.InstrumentDetailView.as_view(),
        name="api-instrument-detail",
    ),
    path(
        "patients/<uuid:patient_id>/assessments/",
        assessment.AssessmentListView.as_view(),
        name="api-assessment-list",
    ),
    path(
        "patients/<uuid:patient_id>/diagnoses/",
        assessment.DiagnosisListView.as_view(),
        name="api-diagnosis-list",
    ),
    # treatment plan endpoints
    path(
        "patients/<uuid:patient_id>/treatment-plans/",
        treatment_plan.PatientPlanListView.as_view(),
        name="api-plan-list",
    ),
    path(
        "treatment-plans/<uuid:plan_id>/",
        treatment_plan.PlanDetailView.as_view(),
        name="api-plan-detail",
    ),
    path(
        "treatment-plans/<uuid:plan_id>/submit/",
        treatment_plan.PlanSubmitView.as_view(),
        name="api-plan-submit",
    ),
    path(
        "treatment-plans/<uuid:plan_id>/approve/",
        treatment_plan.PlanApproveView.as_view(),
        name="api-plan-approve",
    ),
    path(
        "treatment-plans/<uuid:plan_id>/request-changes/",
        treatment_plan.PlanRequestChangesView.as_view(),
        name="api-plan-request-changes",
    ),
    path(
        "treatment-plans/<uuid:plan_id>/amend/",
        treatment_plan.PlanAmendView.as_view(),
        name="api-plan-amend",
    ),
    path("review-queue/", treatment_plan.ReviewQueueView.as_view(), name="api-review-queue"),
    path("worklist/", worklist.WorklistView.as_view(), name="api-worklist"),
    # patient self-report endpoints
    path(
        "patients/<uuid:patient_id>/self-report-links/",
        self_report.SelfReportLinkView.as_view(),
        name="api-self-report-links",
    ),
    path(
        "patients/<uuid:patient_id>/pending-assessments/",
        self_report.PatientPendingAssessmentsView.as_view(),
        name="api-pending-assessment-list",
    ),
    path(
        "pending-assessments/<uuid:pending_id>/accept/",
        self_report.PendingAssessmentAcceptView.as_view(),
        name="api-pending-assessment-accept",
    ),
    path(
        "pending-assessments/<uuid:pending_id>/reject/",
        self_report.PendingAssessmentRejectView.as_view(),
        name="api-pending-assessment-reject",
    ),
    # lab endpoints
    path("lab-tests/", lab.LabTestListView.as_view(), name="api-lab-test-list"),
    path(
        "patients/<uuid:patient_id>/lab-orders/",
        lab.PatientLabOrderListView.as_view(),
        name="api-lab-order-list",
    ),
    path(
        "patients/<uuid:patient_id>/lab-results/",
        lab_results.PatientLabResultListView.as_view(),
        name="api-lab-result-list",
    ),
    path(
        "patients/<uuid:patient_id>/lab-alerts/",
        lab_alerts.PatientLabAlertListView.as_view(),
        name="api-lab-alert-list",
    ),
    path("lab-orders/<uuid:order_id>/", lab.LabOrderDetailView.as_view(), name="api-lab-order"),
    path(
        "lab-orders/<uuid:order_id>/results/",
        lab_results.LabOrderResultsView.as_view(),
        name="api-lab-order-results",
    ),
    path(
        "lab-orders/<uuid:order_id>/amend/",
        lab_results.LabOrderAmendView.as_view(),
        name="api-lab-order-amend",
    ),
    path(
        "patients/<uuid:patient_id>/vitals/",
        vital_signs.PatientVitalSignsView.as_view(),
        name="api-vital-signs",
    ),
    path(
        "patients/<uuid:patient_id>/vital-sign-alerts/",
        vital_signs.PatientVitalSignAlertListView.as_view(),
        name="api-vital-sign-alert-list",
    ),
    path(
        "vitals/<uuid:vitals_id>/void/",
        vital_signs.VitalSignsVoidView.as_view(),
        name="api-vital-signs-void",
    ),
    path("patients/<uuid:patient_id>/mar/", mar.PatientMarView.as_view(), name="api-mar"),
    path(
        "patients/<uuid:patient_id>/reassessments/",
        reassessment.PatientReassessmentsView.as_view(),
        name="api-reassessments",
    ),
    path(
        "patients/<uuid:patient_id>/withdrawal-flowsheet/",
        flowsheet.PatientWithdrawalFlowsheetView.as_view(),
        name="api-withdrawal-flowsheet",
    ),
    path(
        "patients/<uuid:patient_id>/administrations/",
        mar.PatientAdministrationsView.as_view(),
        name="api-administrations",
    ),
    path(
        "administrations/<uuid:entry_id>/void/",
        mar.AdministrationVoidView.as_view(),
        name="api-administration-void",
    ),
    path(
        "patients/<uuid:patient_id>/withdrawal-reviews/",
        withdrawal_review.PatientWithdrawalReviewsView.as_view(),
        name="api-withdrawal-reviews",
    ),
    path(
        "vital-sign-alerts/<uuid:vital_alert_id>/acknowledge/",
        vital_signs.VitalSignAlertAcknowledgeView.as_view(),
        name="api-vital-sign-alert-acknowledge",
    ),
    path(
        "lab-alerts/<uuid:alert_id>/acknowledge/",
        lab_alerts.LabAlertAcknowledgeView.as_view(),
        name="api-lab-alert-acknowledge",
    ),
    # group sessions (docs/api.md#group-sessions)
    path(
        "group-sessions/",
        group_session.GroupSessionCreateView.as_view(),
        name="api-group-session-create",
    ),
    path(
        "group-sessions/<uuid:group_id>/",
        group_session.GroupSessionDetailView.as_view(),
        name="api-group-session-detail",
    ),
    path(
        "group-sessions/<uuid:group_id>/sign/",
        group_session.GroupSessionSignView.as_view(),
        name="api-group-session-sign",
    ),
    # privacy endpoints: consents, disclosures, emergency access
    path(
        "patients/<uuid:patient_id>/consents/",
        consent.ConsentListView.as_view(),
        name="api-consent-list",
    ),
    path(
        "consents/<uuid:consent_id>/revoke/",
        consent.ConsentRevokeView.as_view(),
        name="api-consent-revoke",
    ),
    path(
        "patients/<uuid:patient_id>/disclosures/",
        disclosure.DisclosureListView.as_view(),
        name="api-disclosure-list",
    ),
    path(
        "patients/<uuid:patient_id>/break-glass/",
        break_glass.BreakGlassView.as_view(),
        name="api-break-glass",
    ),
]

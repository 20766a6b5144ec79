from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.authentication import SessionAuthentication

from intake.access import Perm
from intake.api import assessment, audit, auth, care_team, episode, instrument, patient
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
    # interview endpoints
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
    # lab endpoints
]

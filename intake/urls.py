from django.urls import path

from intake.views import assessment, audit, care_team, episode, home, patient

app_name = "intake"

urlpatterns = [
    path("", home.home, name="home"),
    path("patients/", patient.patient_search, name="patient-list"),
    path("patients/new/", patient.patient_create, name="patient-create"),
    path("patients/<uuid:patient_id>/", patient.patient_detail, name="patient-detail"),
    path("patients/<uuid:patient_id>/edit/", patient.patient_edit, name="patient-update"),
    path("patients/<uuid:patient_id>/care-team/", care_team.care_team, name="care-team"),
    path(
        "patients/<uuid:patient_id>/care-team/<uuid:member_id>/remove/",
        care_team.care_team_remove_view,
        name="care-team-remove",
    ),
    path("patients/<uuid:patient_id>/episodes/new/", episode.episode_create, name="episode-create"),
    path(
        "patients/<uuid:patient_id>/episodes/<uuid:episode_id>/discharge/",
        episode.episode_discharge_view,
        name="episode-discharge",
    ),
    path("audit/", audit.audit_list, name="audit-list"),
    # interview pages
    # assessment pages
    path(
        "patients/<uuid:patient_id>/assessments/",
        assessment.assessment_index,
        name="assessment-list",
    ),
    path(
        "patients/<uuid:patient_id>/assessments/new/<slug:instrument>/",
        assessment.assessment_create,
        name="assessment-create",
    ),
    path(
        "patients/<uuid:patient_id>/assessments/<uuid:assessment_id>/",
        assessment.assessment_detail,
        name="assessment-detail",
    ),
    path(
        "patients/<uuid:patient_id>/assessments/<uuid:assessment_id>/safety/",
        assessment.assessment_safety_follow_up,
        name="assessment-safety",
    ),
    path(
        "patients/<uuid:patient_id>/assessments/history/<slug:instrument>/",
        assessment.assessment_history_view,
        name="assessment-history",
    ),
    path(
        "patients/<uuid:patient_id>/assessments/<uuid:assessment_id>/diagnosis/",
        assessment.diagnosis_create,
        name="diagnosis-create",
    ),
    # lab pages
]

from django.urls import path

from intake.views import (
    assessment,
    audit,
    break_glass,
    care_team,
    consent,
    disclosure,
    episode,
    flowsheet,
    form_draft,
    group_session,
    home,
    interview,
    lab,
    lockout,
    mar,
    mfa,
    outcomes,
    patient,
    record_discard,
    self_report,
    self_report_public,
    session_note,
    staff,
    treatment_plan,
    treatment_plan_edit,
    vital_signs,
    withdrawal_review,
)

app_name = "intake"

urlpatterns = [
    path("", home.home, name="home"),
    path("patients/", patient.patient_search, name="patient-list"),
    path("patients/new/", patient.patient_create, name="patient-create"),
    path(
        "patients/emergency-access/",
        break_glass.emergency_access_search,
        name="emergency-access-search",
    ),
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
    # what a form page keeps of the typing, and the session's time left (drafts.js)
    path("patients/<uuid:patient_id>/drafts/", form_draft.form_draft_view, name="form-draft"),
    path(
        "patients/<uuid:patient_id>/drafts/discard/",
        form_draft.form_draft_discard_view,
        name="form-draft-discard",
    ),
    path("session/", form_draft.session_status_view, name="session-status"),
    path("session/keep-alive/", form_draft.session_keep_alive_view, name="session-keep-alive"),
    # session notes (docs/clinical-rules.md#session-notes)
    path(
        "patients/<uuid:patient_id>/session-notes/new/",
        session_note.session_note_create_view,
        name="session-note-create",
    ),
    path(
        "patients/<uuid:patient_id>/session-notes/<uuid:session_note_id>/",
        session_note.session_note_detail_view,
        name="session-note-detail",
    ),
    path(
        "patients/<uuid:patient_id>/session-notes/<uuid:session_note_id>/edit/",
        session_note.session_note_update_view,
        name="session-note-update",
    ),
    path(
        "patients/<uuid:patient_id>/session-notes/<uuid:session_note_id>/sign/",
        session_note.session_note_sign_view,
        name="session-note-sign",
    ),
    path(
        "patients/<uuid:patient_id>/session-notes/<uuid:session_note_id>/addenda/",
        session_note.session_note_addendum_view,
        name="session-note-addendum",
    ),
    # interview pages
    path(
        "patients/<uuid:patient_id>/interviews/new/",
        interview.interview_create_view,
        name="interview-create",
    ),
    path(
        "patients/<uuid:patient_id>/interviews/<uuid:interview_id>/",
        interview.interview_detail_view,
        name="interview-detail",
    ),
    path(
        "patients/<uuid:patient_id>/interviews/<uuid:interview_id>/edit/",
        interview.interview_update_view,
        name="interview-update",
    ),
    path(
        "patients/<uuid:patient_id>/interviews/<uuid:interview_id>/sign/",
        interview.interview_sign_view,
        name="interview-sign",
    ),
    path(
        "patients/<uuid:patient_id>/interviews/<uuid:interview_id>/addenda/",
        interview.interview_addendum_view,
        name="interview-addendum",
    ),
    path(
        "patients/<uuid:patient_id>/interviews/<uuid:interview_id>/discard/",
        record_discard.interview_discard_view,
        name="interview-discard",
    ),
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
        "patients/<uuid:patient_id>/trends/<slug:instrument>/",
        assessment.assessment_history_view,
        name="trend",
    ),
    path(
        "patients/<uuid:patient_id>/assessments/<uuid:assessment_id>/diagnosis/",
        assessment.diagnosis_create,
        name="diagnosis-create",
    ),
    # treatment plan pages
    path("patients/<uuid:patient_id>/plans/", treatment_plan.plan_index, name="plan-list"),
    path(
        "patients/<uuid:patient_id>/plans/new/", treatment_plan_edit.plan_create, name="plan-create"
    ),
    path(
        "patients/<uuid:patient_id>/plans/<uuid:plan_id>/",
        treatment_plan.plan_detail,
        name="plan-detail",
    ),
    path(
        "patients/<uuid:patient_id>/plans/<uuid:plan_id>/edit/",
        treatment_plan_edit.plan_edit,
        name="plan-edit",
    ),
    path(
        "patients/<uuid:patient_id>/plans/<uuid:plan_id>/submit/",
        treatment_plan.plan_submit,
        name="plan-submit",
    ),
    path(
        "patients/<uuid:patient_id>/plans/<uuid:plan_id>/review/",
        treatment_plan.plan_review,
        name="plan-review",
    ),
    path(
        "patients/<uuid:patient_id>/plans/<uuid:plan_id>/request-changes/",
        treatment_plan.plan_request_changes,
        name="plan-request-changes",
    ),
    path(
        "patients/<uuid:patient_id>/plans/<uuid:plan_id>/amend/",
        treatment_plan.plan_amend,
        name="plan-amend",
    ),
    path(
        "patients/<uuid:patient_id>/plans/<uuid:plan_id>/behavioral/<int:component_id>/notes/",
        treatment_plan.plan_progress_note,
        name="plan-progress-note",
    ),
    path(
        "patients/<uuid:patient_id>/plans/<uuid:plan_id>/pdf/",
        treatment_plan.plan_pdf,
        name="plan-pdf",
    ),
    path(
        "patients/<uuid:patient_id>/plans/<uuid:plan_id>/discard/",
        record_discard.plan_discard_view,
        name="plan-discard",
    ),
    path(
        "patients/<uuid:patient_id>/withdrawal-flowsheet/",
        flowsheet.withdrawal_flowsheet_view,
        name="withdrawal-flowsheet",
    ),
    # vital signs
    path(
        "patients/<uuid:patient_id>/vital-signs/",
        vital_signs.vital_signs_list_view,
        name="vital-signs-list",
    ),
    path(
        "patients/<uuid:patient_id>/vital-signs/<uuid:vitals_id>/void/",
        vital_signs.vital_signs_void_view,
        name="vital-signs-void",
    ),
    path(
        "patients/<uuid:patient_id>/vital-signs/record/",
        vital_signs.vital_signs_record_view,
        name="vital-signs-record",
    ),
    path(
        "patients/<uuid:patient_id>/vital-signs/alerts/<uuid:vital_alert_id>/acknowledge/",
        vital_signs.vital_sign_alert_acknowledge_view,
        name="vital-sign-alert-acknowledge",
    ),
    # withdrawal management: the physician's daily review
    path(
        "patients/<uuid:patient_id>/withdrawal-review/",
        withdrawal_review.withdrawal_review_view,
        name="withdrawal-review",
    ),
    # group sessions
    path("groups/new/", group_session.group_session_run_view, name="group-session-run"),
    path(
        "groups/<uuid:group_id>/",
        group_session.group_session_detail_view,
        name="group-session-detail",
    ),
    path(
        "groups/<uuid:group_id>/sign/",
        group_session.group_session_sign_view,
        name="group-session-sign",
    ),
    # medication administration
    path("medication-pass/", mar.medication_pass_view, name="medication-pass"),
    # patient self-report: the staff pages, then the patient's own (no staff sign-in)
    path(
        "patients/<uuid:patient_id>/self-report/",
        self_report.self_report_issue_view,
        name="self-report-issue",
    ),
    path(
        "patients/<uuid:patient_id>/self-report/<uuid:pending_id>/",
        self_report.pending_review_view,
        name="self-report-review",
    ),
    path(
        "patients/<uuid:patient_id>/self-report/<uuid:pending_id>/accept/",
        self_report.pending_accept_view,
        name="self-report-accept",
    ),
    path(
        "patients/<uuid:patient_id>/self-report/<uuid:pending_id>/reject/",
        self_report.pending_reject_view,
        name="self-report-reject",
    ),
    path("self-report/", self_report_public.self_report_tablet, name="self-report-tablet"),
    path("self-report/<path:token>/", self_report_public.self_report_page, name="self-report-page"),
    path("patients/<uuid:patient_id>/mar/", mar.patient_mar_view, name="patient-mar"),
    path(
        "patients/<uuid:patient_id>/mar/record/",
        mar.patient_mar_record_view,
        name="patient-mar-record",
    ),
    path(
        "patients/<uuid:patient_id>/mar/void/",
        mar.patient_mar_void_view,
        name="patient-mar-void",
    ),
    # lab pages
    path("patients/<uuid:patient_id>/labs/", lab.lab_list, name="lab-list"),
    path(
        "patients/<uuid:patient_id>/labs/order/",
        lab.lab_order_create_view,
        name="lab-order-create",
    ),
    path(
        "patients/<uuid:patient_id>/labs/<uuid:order_id>/",
        lab.lab_order_detail,
        name="lab-order-detail",
    ),
    path(
        "patients/<uuid:patient_id>/labs/<uuid:order_id>/results/",
        lab.lab_result_entry,
        name="lab-result-entry",
    ),
    path(
        "patients/<uuid:patient_id>/labs/<uuid:order_id>/amend/",
        lab.lab_result_amend,
        name="lab-result-amend",
    ),
    path(
        "patients/<uuid:patient_id>/labs/alerts/<uuid:alert_id>/acknowledge/",
        lab.lab_alert_acknowledge_view,
        name="lab-alert-acknowledge",
    ),
    # privacy pages: consents, disclosures, emergency access, audit report, staff, MFA
    path("patients/<uuid:patient_id>/consents/", consent.consent_list, name="consent-list"),
    path(
        "patients/<uuid:patient_id>/consents/new/",
        consent.consent_create_view,
        name="consent-create",
    ),
    path(
        "patients/<uuid:patient_id>/consents/<uuid:consent_id>/revoke/",
        consent.consent_revoke_view,
        name="consent-revoke",
    ),
    path(
        "patients/<uuid:patient_id>/consents/<uuid:consent_id>/signed-copy/",
        consent.consent_signed_copy,
        name="consent-signed-copy",
    ),
    path(
        "patients/<uuid:patient_id>/disclosures/",
        disclosure.disclosure_list,
        name="disclosure-list",
    ),
    path(
        "patients/<uuid:patient_id>/disclosures/new/",
        disclosure.disclosure_create,
        name="disclosure-create",
    ),
    path(
        "patients/<uuid:patient_id>/disclosures/<uuid:disclosure_id>/",
        disclosure.disclosure_detail,
        name="disclosure-detail",
    ),
    path(
        "patients/<uuid:patient_id>/break-glass/",
        break_glass.break_glass_open_view,
        name="break-glass",
    ),
    path("audit/export/", audit.audit_export, name="audit-export"),
    path("outcomes/", outcomes.outcomes_page, name="outcomes"),
    path("outcomes/export.csv", outcomes.outcomes_export, name="outcomes-export"),
    path("audit/staff-changes/", audit.staff_change_review, name="staff-change-review"),
    path("audit/break-glass/", break_glass.break_glass_review_list, name="break-glass-review"),
    path(
        "audit/break-glass/<uuid:grant_id>/reviewed/",
        break_glass.break_glass_review_mark,
        name="break-glass-reviewed",
    ),
    path("admin-tools/merge-candidates/", patient.merge_candidates, name="merge-candidates"),
    path("staff/", staff.staff_list, name="staff-list"),
    path("staff/lockouts/", lockout.lockout_list, name="staff-lockouts"),
    path("staff/<int:user_id>/unlock/", lockout.lockout_clear_view, name="staff-unlock"),
    path("staff/new/", staff.staff_create_view, name="staff-create"),
    path("staff/<int:user_id>/password/", staff.staff_password_view, name="staff-password"),
    path("staff/<int:user_id>/deactivate/", staff.staff_deactivate_view, name="staff-deactivate"),
    path("staff/<int:user_id>/reactivate/", staff.staff_reactivate_view, name="staff-reactivate"),
    path("staff/<int:user_id>/mfa-reset/", staff.staff_mfa_reset_view, name="staff-mfa-reset"),
    path(
        "staff/resets/<int:reset_id>/approve/",
        staff.staff_reset_approve_view,
        name="staff-reset-approve",
    ),
    path("account/second-factor/", mfa.mfa_settings, name="mfa"),
]

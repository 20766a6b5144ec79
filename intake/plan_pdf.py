"""A signed treatment plan as a PDF document, for the patient and the record (reportlab:
pure Python, no browser or system libraries at run time)."""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from intake.labels import label, labels
from intake.local_time import format_local
from intake.models import REDISCLOSURE_NOTICE, TreatmentPlan


def _p(text, style):
    from xml.sax.saxutils import escape

    return Paragraph(escape(str(text)), style)


def _yes(flag) -> str:
    return "yes" if flag else "no"


def render_plan_pdf(plan: TreatmentPlan) -> bytes:
    styles = getSampleStyleSheet()
    body, h1, h2 = styles["BodyText"], styles["Title"], styles["Heading2"]
    content = plan.signed_content
    patient = plan.patient
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        title=f"Treatment plan v{plan.version}",
        leftMargin=0.8 * inch,
        rightMargin=0.8 * inch,
    )
    story = [
        _p(f"Treatment plan, version {plan.version}", h1),
        _p(
            f"{patient.given_name} {patient.family_name} · born {patient.birth_date} · "
            f"MRN {patient.mrn}",
            body,
        ),
        _p(
            f"Setting: {label(content['setting'], 'PlanSetting')} · "
            f"ASAM level: {label(content['asam_level'], 'AsamLevel') or '—'} · "
            f"Medically supervised detox: {_yes(content['medically_supervised_detox'])}"
            f" · Hospitalize for detox: {_yes(content['hospitalize_for_detox'])} · "
            f"Review by {content['review_date']}",
            body,
        ),
        Spacer(1, 8),
    ]

    def table(rows, widths=None):
        t = Table(rows, colWidths=widths, repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6ef")),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("FONTSIZE", (0, 0), (-1, -1), 9),
                ]
            )
        )
        return t

    if content["problems"]:
        story.append(_p("Problems, goals and objectives", h2))
        rows = [["Problem", "Goal", "Objectives", "Interventions"]]
        for problem in content["problems"]:
            for goal in problem.get("goals") or [{}]:
                rows.append(
                    [
                        _p(
                            f"{label(problem.get('code'), 'ProblemCode')}: "
                            f"{problem.get('description', '')}",
                            body,
                        ),
                        _p(goal.get("text", ""), body),
                        _p(
                            "; ".join(
                                f"{o['text']} (by {o.get('target_date') or '—'})"
                                for o in goal.get("objectives", [])
                            ),
                            body,
                        ),
                        _p(
                            "; ".join(
                                f"{i['text']} ({i.get('responsible') or '—'})"
                                for i in goal.get("interventions", [])
                            ),
                            body,
                        ),
                    ]
                )
        story.append(table(rows))
    if content["medications"]:
        story.append(_p("Medications", h2))
        rows = [["Drug", "Dose", "Route", "Frequency", "Start", "End", "Taper"]]
        for m in content["medications"]:
            rows.append(
                [
                    _p(label(m["drug"], "DrugCode"), body),
                    f"{m['dose']} {m['unit']}",
                    label(m["route"], "MedicationRoute"),
                    _p(label(m["frequency"], "Frequency"), body),
                    m["start_date"],
                    m["end_date"] or "",
                    _p(", ".join(f"day {t['day']}: {t['dose']}" for t in m["taper"]), body),
                ]
            )
        story.append(table(rows))
    if content["withdrawal_monitoring"]:
        mon = content["withdrawal_monitoring"]
        story.append(
            _p(
                f"Withdrawal monitoring: {mon.get('instrument', '').upper()} every "
                f"{mon.get('every_hours')} hours",
                body,
            )
        )
    if content["behavioral"]:
        story.append(_p("Behavioral components", h2))
        rows = [["Modality", "Setting", "Frequency", "Targets", "Goals"]]
        for b in content["behavioral"]:
            rows.append(
                [
                    _p(label(b["modality"], "Modality"), body),
                    label(b["setting"], "BehavioralSetting"),
                    _p(b["frequency"], body),
                    _p(", ".join(labels(b["targets"], "Target")), body),
                    _p("; ".join(g["text"] for g in b.get("goals", [])), body),
                ]
            )
        story.append(table(rows))
    story.append(_p("Signature", h2))
    signer = plan.signed_by
    story.append(
        _p(
            f"Approved and electronically signed by {signer.get_full_name() or signer.username} "
            f"({', '.join(filter(None, [plan.signed_role, plan.signed_credentials]))})"
            f" on {format_local(plan.signed_at)}.",
            body,
        )
    )
    for ack in plan.acknowledged_warnings:
        story.append(
            _p(f"Warning acknowledged: {label(ack['code'], 'Warning')}: {ack['reason']}", body)
        )
    story.append(_p(f"Content hash (SHA-256): {plan.content_hash}", styles["Code"]))
    story.append(Spacer(1, 10))
    # The redisclosure notice of 42 CFR 2.32, word for word as disclosures carry it: the
    # printed plan is Part 2 information wherever it goes.
    story.append(_p(REDISCLOSURE_NOTICE, styles["Italic"]))
    doc.build(story)
    return buffer.getvalue()

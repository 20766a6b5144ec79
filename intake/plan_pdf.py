"""A signed treatment plan as a PDF document, for the patient and the record (reportlab:
pure Python, no browser or system libraries at run time)."""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
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


# Column widths (inches) of each table, on a LETTER page with 0.8-inch margins (6.9 inches).
WIDTHS = {
    key: [w * inch for w in widths]
    for key, widths in {
        "problems": (1.7, 1.5, 1.9, 1.8),
        "medications": (1.7, 0.55, 1.05, 1.1, 0.85, 0.85, 0.8),
        "behavioral": (1.4, 0.9, 0.9, 2.2, 1.5),
    }.items()
}

PAGE_FOOTER = (
    "Confidential substance use disorder record protected by 42 CFR part 2: use or disclosure "
    "without authorization is prohibited (notice at the end)."
)


def _footer(canvas, doc) -> None:
    """Every page names the protection, so a single page that goes astray still does."""
    canvas.saveState()
    canvas.setFont("Helvetica", 7)
    canvas.setFillColor(colors.HexColor("#444444"))
    canvas.drawString(doc.leftMargin, 0.5 * inch, PAGE_FOOTER)
    canvas.drawRightString(LETTER[0] - doc.rightMargin, 0.5 * inch, f"Page {doc.page}")
    canvas.restoreState()


def render_plan_pdf(plan: TreatmentPlan) -> bytes:
    styles = getSampleStyleSheet()
    body, h1, h2 = styles["BodyText"], styles["Title"], styles["Heading2"]
    # Table cells: one size for every cell, whether wrapped text or a short value.
    cell = ParagraphStyle("cell", parent=body, fontSize=9, leading=11, spaceBefore=0)
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
                            cell,
                        ),
                        _p(goal.get("text", ""), cell),
                        _p(
                            "; ".join(
                                f"{o['text']} (by {o.get('target_date') or '—'})"
                                for o in goal.get("objectives", [])
                            ),
                            cell,
                        ),
                        _p(
                            "; ".join(
                                f"{i['text']} ({i.get('responsible') or '—'})"
                                for i in goal.get("interventions", [])
                            ),
                            cell,
                        ),
                    ]
                )
        story.append(table(rows, WIDTHS["problems"]))
    if content["medications"]:
        story.append(_p("Medications", h2))
        rows = [["Drug", "Dose", "Route", "Frequency", "Start", "End", "Taper"]]
        for m in content["medications"]:
            rows.append(
                [
                    _p(label(m["drug"], "DrugCode"), cell),
                    _p(f"{m['dose']} {m['unit']}", cell),
                    _p(label(m["route"], "MedicationRoute"), cell),
                    _p(label(m["frequency"], "Frequency"), cell),
                    _p(m["start_date"], cell),
                    _p(m["end_date"] or "", cell),
                    _p(", ".join(f"day {t['day']}: {t['dose']}" for t in m["taper"]), cell),
                ]
            )
        story.append(table(rows, WIDTHS["medications"]))
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
                    _p(label(b["modality"], "Modality"), cell),
                    _p(label(b["setting"], "BehavioralSetting"), cell),
                    _p(b["frequency"], cell),
                    _p(", ".join(labels(b["targets"], "Target")), cell),
                    _p("; ".join(g["text"] for g in b.get("goals", [])), cell),
                ]
            )
        story.append(table(rows, WIDTHS["behavioral"]))
    story.append(_p("Signature", h2))
    signer = plan.signed_by
    signed_as = ", ".join(filter(None, [label(plan.signed_role, "Role"), plan.signed_credentials]))
    story.append(
        _p(
            f"Approved and electronically signed by {signer.get_full_name() or signer.username} "
            f"({signed_as}) on {format_local(plan.signed_at)}.",
            body,
        )
    )
    for ack in plan.acknowledged_warnings:
        story.append(
            _p(f"Warning acknowledged: {label(ack['code'], 'Warning')}: {ack['reason']}", body)
        )
    code = ParagraphStyle("hash", parent=styles["Code"], leftIndent=0, fontSize=8)
    story.append(_p(f"Content hash (SHA-256): {plan.content_hash}", code))
    story.append(Spacer(1, 10))
    # The redisclosure notice of 42 CFR 2.32, word for word as disclosures carry it: the
    # printed plan is Part 2 information wherever it goes.
    story.append(
        _p(
            "NOTICE: CONFIDENTIAL SUBSTANCE USE DISORDER RECORD (42 CFR PART 2).",
            styles["Heading4"],
        )
    )
    story.append(_p(REDISCLOSURE_NOTICE, styles["Italic"]))
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()

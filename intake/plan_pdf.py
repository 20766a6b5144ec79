"""A signed treatment plan as a PDF document, for the patient and the record (reportlab:
pure Python, no browser or system libraries at run time)."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from intake.labels import label, labels, monitoring_words
from intake.local_time import format_local
from intake.models import REDISCLOSURE_NOTICE, TreatmentPlan


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    from xml.sax.saxutils import escape

    return Paragraph(escape(str(text)), style)


def _yes(flag: object) -> str:
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


def _footer(canvas: Canvas, doc: BaseDocTemplate) -> None:
    """Every page names the protection, so a single page that goes astray still does."""
    canvas.saveState()
    canvas.setFont("Helvetica", 7)
    canvas.setFillColor(colors.HexColor("#444444"))
    canvas.drawString(doc.leftMargin, 0.5 * inch, PAGE_FOOTER)
    canvas.drawRightString(LETTER[0] - doc.rightMargin, 0.5 * inch, f"Page {doc.page}")
    canvas.restoreState()


class _Styles:
    """The paragraph styles of the document, built once per render."""

    def __init__(self) -> None:
        sheet = getSampleStyleSheet()
        self.sheet = sheet
        self.body, self.h1, self.h2 = sheet["BodyText"], sheet["Title"], sheet["Heading2"]
        # Table cells: one size for every cell, whether wrapped text or a short value.
        self.cell = ParagraphStyle("cell", parent=self.body, fontSize=9, leading=11, spaceBefore=0)


def _table(rows: list[list[Any]], widths: list[float] | None = None) -> Table:
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


def _header(plan: TreatmentPlan, content: dict[str, Any], s: _Styles) -> list[Flowable]:
    """Title, patient identification and the plan's setting."""
    patient = plan.patient
    return [
        _p(f"Treatment plan, version {plan.version}", s.h1),
        _p(
            f"{patient.given_name} {patient.family_name} · born {patient.birth_date} · "
            f"MRN {patient.mrn}",
            s.body,
        ),
        _p(
            f"Setting: {label(content['setting'], 'PlanSetting')} · "
            f"ASAM level: {label(content['asam_level'], 'AsamLevel') or '—'} · "
            f"Medically supervised detox: {_yes(content['medically_supervised_detox'])}"
            f" · Hospitalize for detox: {_yes(content['hospitalize_for_detox'])} · "
            f"Review by {content['review_date']}",
            s.body,
        ),
        Spacer(1, 8),
    ]


def _problem_rows(problem: dict[str, Any], cell: ParagraphStyle) -> list[list[Any]]:
    """One row per goal of a problem (one row with empty goal when it has none)."""
    rows = []
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
    return rows


def _problems(content: dict[str, Any], s: _Styles) -> list[Flowable]:
    if not content["problems"]:
        return []
    rows: list[list[Any]] = [["Problem", "Goal", "Objectives", "Interventions"]]
    for problem in content["problems"]:
        rows.extend(_problem_rows(problem, s.cell))
    return [_p("Problems, goals and objectives", s.h2), _table(rows, WIDTHS["problems"])]


def _medications(content: dict[str, Any], s: _Styles) -> list[Flowable]:
    if not content["medications"]:
        return []
    cell = s.cell
    rows: list[list[Any]] = [["Drug", "Dose", "Route", "Frequency", "Start", "End", "Taper"]]
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
    return [_p("Medications", s.h2), _table(rows, WIDTHS["medications"])]


def _withdrawal_monitoring(content: dict[str, Any], s: _Styles) -> list[Flowable]:
    mon = content["withdrawal_monitoring"]
    if not mon:
        return []
    return [_p(f"Withdrawal monitoring: {monitoring_words(mon)}", s.body)]


def _behavioral(content: dict[str, Any], s: _Styles) -> list[Flowable]:
    if not content["behavioral"]:
        return []
    cell = s.cell
    rows: list[list[Any]] = [["Modality", "Setting", "Frequency", "Targets", "Goals"]]
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
    return [_p("Behavioral components", s.h2), _table(rows, WIDTHS["behavioral"])]


def _signature(plan: TreatmentPlan, s: _Styles) -> list[Flowable]:
    """Who signed, as what and when; the warnings they acknowledged; the content hash."""
    signer = plan.signed_by
    signed_as = ", ".join(filter(None, [label(plan.signed_role, "Role"), plan.signed_credentials]))
    story: list[Flowable] = [
        _p("Signature", s.h2),
        _p(
            f"Approved and electronically signed by {signer.get_full_name() or signer.username} "
            f"({signed_as}) on {format_local(plan.signed_at)}.",
            s.body,
        ),
    ]
    for ack in plan.acknowledged_warnings:
        story.append(
            _p(f"Warning acknowledged: {label(ack['code'], 'Warning')}: {ack['reason']}", s.body)
        )
    code = ParagraphStyle("hash", parent=s.sheet["Code"], leftIndent=0, fontSize=8)
    story.append(_p(f"Content hash (SHA-256): {plan.content_hash}", code))
    return story


def _redisclosure_notice(s: _Styles) -> list[Flowable]:
    # The redisclosure notice of 42 CFR 2.32, word for word as disclosures carry it: the
    # printed plan is Part 2 information wherever it goes.
    return [
        Spacer(1, 10),
        _p(
            "NOTICE: CONFIDENTIAL SUBSTANCE USE DISORDER RECORD (42 CFR PART 2).",
            s.sheet["Heading4"],
        ),
        _p(REDISCLOSURE_NOTICE, s.sheet["Italic"]),
    ]


def render_plan_pdf(plan: TreatmentPlan) -> bytes:
    """The signed plan, section by section in the order a reader meets them."""
    s = _Styles()
    content = plan.signed_content
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        title=f"Treatment plan v{plan.version}",
        leftMargin=0.8 * inch,
        rightMargin=0.8 * inch,
    )
    story = [
        *_header(plan, content, s),
        *_problems(content, s),
        *_medications(content, s),
        *_withdrawal_monitoring(content, s),
        *_behavioral(content, s),
        *_signature(plan, s),
        *_redisclosure_notice(s),
    ]
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()

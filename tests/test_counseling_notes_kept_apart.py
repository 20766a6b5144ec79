"""SUD counseling notes are kept apart from the rest of the record (42 CFR 2.11, 2024 rule;
docs/clinical-rules.md#counseling-notes): only an allow-list of modules may name the
CounselingNote table or the `counseling_note` relation, so a new export, chart section, FHIR
resource, PDF or serializer cannot pick them up by accident.

Checked on the source: every Python module under `intake/` (names and strings, so an ORM
lookup such as "note__counseling_note__text" counts; comments do not) and every template.
A module that needs them must be added here, in review, with the reason."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATTERN = re.compile(r"CounselingNote|counseling_note")

# Where counseling notes may be named, and why.
ALLOWED_MODULES = (
    # The table itself, its migrations and the model re-exports.
    re.compile(r"^intake/models/"),
    re.compile(r"^intake/migrations/"),
    # Who may see them (can_view_counseling_notes: their author alone, never under emergency
    # access) and who may disclose them (can_disclose_counseling_notes).
    re.compile(r"^intake/access\.py$"),
    # The session note itself: written, signed and shown to its author.
    re.compile(r"^intake/(selectors|services|api|views|forms)/session_note\w*\.py$"),
    # The one disclosure that carries them: under a consent naming them alone.
    re.compile(r"^intake/selectors/disclosure_counseling\.py$"),
    # The demo's session notes (one with counseling notes).
    re.compile(r"^intake/management/commands/_demo_sessions\.py$"),
)
ALLOWED_TEMPLATES = (re.compile(r"^templates/intake/session_notes/"),)


def _code_mentions(source: str) -> list[tuple[int, str]]:
    """(line, token) of every name or string naming counseling notes; comments skipped."""
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.NAME, tokenize.STRING) and PATTERN.search(token.string):
            found.append((token.start[0], token.string[:60]))
    return found


def _allowed(path: str, rules) -> bool:
    return any(rule.search(path) for rule in rules)


def test_only_the_allow_list_names_counseling_notes():
    offenders = []
    for path in sorted((ROOT / "intake").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if _allowed(relative, ALLOWED_MODULES):
            continue
        for line, token in _code_mentions(path.read_text()):
            offenders.append(f"{relative}:{line}: {token}")
    assert not offenders, (
        "Counseling notes are read only by the session-note modules and the counseling-notes "
        "disclosure (docs/clinical-rules.md#counseling-notes); found:\n" + "\n".join(offenders)
    )


def test_only_the_session_note_templates_name_counseling_notes():
    offenders = [
        path.relative_to(ROOT).as_posix()
        for path in sorted((ROOT / "templates").rglob("*.html"))
        if not _allowed(path.relative_to(ROOT).as_posix(), ALLOWED_TEMPLATES)
        and PATTERN.search(path.read_text())
    ]
    assert not offenders, offenders


def test_the_check_sees_names_and_lookups_but_not_comments():
    source = (
        "from intake.models import CounselingNote\n"
        "rows = SessionNote.objects.values('counseling_note__text')\n"
        "# a comment about counseling_note is fine\n"
        "x = note.counseling_note\n"
    )
    assert [line for line, _ in _code_mentions(source)] == [1, 2, 4]


def test_the_known_export_paths_are_not_on_the_allow_list():
    """Audit export, disclosures' general builders, the plan PDF, the chart, the API's patient
    record: none may ever be allow-listed."""
    for module in (
        "intake/views/audit.py",
        "intake/selectors/audit.py",
        "intake/selectors/disclosure.py",
        "intake/services/disclosure.py",
        "intake/plan_pdf.py",
        "intake/selectors/chart.py",
        "intake/api/patient.py",
        "intake/selectors/break_glass.py",
    ):
        assert not _allowed(module, ALLOWED_MODULES), module

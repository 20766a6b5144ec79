"""Pages turn the services' refusals into form errors and messages in one place (issue 16):
`intake/views/service_errors.py`, as `intake/api/errors.py` does for the API. The first tests
read the source, so a view that catches a service exception itself fails here; the rest pin
what the mapping shows for each kind of refusal."""

import ast
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from django import forms
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.utils import timezone

from intake.api.errors import exception_handler
from intake.exceptions import (
    InvalidAnswers,
    RecordSigned,
    RuleViolation,
    StaleVersion,
    UnacknowledgedWarnings,
)
from intake.services.break_glass import NoSingleMatch
from intake.services.disclosure import DisclosureRefused
from intake.views.service_errors import (
    ACKNOWLEDGE_EACH_WARNING,
    NO_SINGLE_MATCH,
    SERVICE_ERRORS,
    interview_saved_elsewhere,
    page_message,
    refusal_messages,
    refusals_as_json,
    service_errors,
)

VIEWS = Path(__file__).resolve().parent.parent / "intake" / "views"
MAPPING = "service_errors.py"
# The exceptions a service refuses with (and the mapping's tuple of them); a view leaves them
# to the mapping.
SERVICE_ERROR_NAMES = {kind.__name__ for kind in SERVICE_ERRORS} | {
    "DisclosureRefused",
    "SERVICE_ERRORS",
}


def _caught_service_errors(source: str) -> list[str]:
    """`line: name` for each except clause naming a service exception."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ExceptHandler) or node.type is None:
            continue
        kinds = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
        for kind in kinds:
            name = kind.attr if isinstance(kind, ast.Attribute) else getattr(kind, "id", "")
            if name in SERVICE_ERROR_NAMES:
                found.append(f"{node.lineno}: {name}")
    return found


def test_it_finds_a_view_that_catches_a_service_exception():
    source = """
try:
    a()
except RuleViolation as exc:
    pass
except (RecordSigned, exceptions.ValidationError):
    pass
except KeyError:
    pass
"""
    assert _caught_service_errors(source) == [
        "4: RuleViolation",
        "6: RecordSigned",
        "6: ValidationError",
    ]


def test_it_leaves_the_refusals_of_every_page_to_the_mapping():
    caught = {
        path.name: found
        for path in sorted(VIEWS.glob("*.py"))
        if path.name != MAPPING and (found := _caught_service_errors(path.read_text()))
    }
    assert caught == {}, "use intake/views/service_errors.py instead of except clauses"


class _Form(forms.Form):
    note = forms.CharField(required=False)
    password1 = forms.CharField(required=False)
    item_q1 = forms.CharField(required=False)


def _form() -> _Form:
    form = _Form({})
    assert form.is_valid()
    return form


def _refuse(exc: Exception, **options):
    form = _form()
    with service_errors(form, **options) as refused:
        raise exc
    return form, refused


def test_it_puts_a_validation_error_on_the_fields_it_names():
    form, refused = _refuse(
        ValidationError({"note": ["Say what was done."], "__all__": ["Not now."], "other": ["X."]})
    )
    assert form.errors["note"] == ["Say what was done."]
    assert form.non_field_errors() == ["Not now.", "X."]
    assert refused and refused.was(ValidationError)
    assert refused.message == "Say what was done. Not now. X."


def test_it_puts_a_validation_error_naming_no_field_above_the_form_or_on_the_field_given():
    form, _ = _refuse(ValidationError(["Too short.", "Too common."]))
    assert form.non_field_errors() == ["Too short.", "Too common."]
    form, _ = _refuse(ValidationError("Too short."), field="password1")
    assert form.errors == {"password1": ["Too short."]}


def test_a_page_may_place_the_fields_itself():
    placed = []
    form, _ = _refuse(ValidationError({"medications[0].dose": ["Too high."]}), place=placed.append)
    assert placed == [{"medications[0].dose": ["Too high."]}] and not form.errors


def test_it_puts_bad_answers_on_their_items():
    form, _ = _refuse(InvalidAnswers({"q1": ["Choose one."], "q9": ["Unknown item."]}))
    assert form.errors["item_q1"] == ["Choose one."]
    assert form.non_field_errors() == ["Unknown item."]


@pytest.mark.parametrize(
    ("exc", "shown"),
    [
        (RuleViolation("Only a physician may sign a plan with medication."), None),
        (RecordSigned("This consent was already revoked."), None),
        (StaleVersion(), None),
        (DisclosureRefused("No active consent covers this.", "no-consent"), None),
        (
            UnacknowledgedWarnings([{"code": "no-naloxone", "message": "..."}]),
            ACKNOWLEDGE_EACH_WARNING,
        ),
        (NoSingleMatch(several=True), NO_SINGLE_MATCH),
    ],
)
def test_it_says_each_refusal_above_the_form(exc, shown):
    form, refused = _refuse(exc)
    words = shown or str(exc)
    assert form.non_field_errors() == [words]
    assert refused.message == words and refused.error is exc


def test_a_page_says_more_where_it_has_its_own_words():
    form, refused = _refuse(StaleVersion(), say={StaleVersion: "Reload to see theirs."})
    assert form.non_field_errors() == ["Reload to see theirs."]
    saved = datetime(2026, 1, 5, 14, 30, tzinfo=UTC)
    stale = StaleVersion(current=SimpleNamespace(updated_at=saved))
    text = page_message(stale, {StaleVersion: interview_saved_elsewhere})
    # In the clinic's time, with its zone.
    assert f"at {timezone.localtime(saved):%H:%M %Z}, after you opened it" in text


def test_a_refusal_shown_apart_is_not_on_the_form():
    form, refused = _refuse(DisclosureRefused("Revoked.", "revoked"), apart=(DisclosureRefused,))
    assert not form.errors and refused.message == "Revoked."


def test_a_forbidding_page_answers_a_broken_rule_with_the_403_page():
    with pytest.raises(PermissionDenied, match="Only the author"):
        _refuse(RuleViolation("Only the author may edit it."), forbid=True)
    form, refused = _refuse(RecordSigned("Signed."), forbid=True)
    assert form.non_field_errors() == ["Signed."]


def test_nothing_refused_is_false_and_other_errors_pass_through():
    form = _form()
    with service_errors(form) as refused:
        pass
    assert not refused and refused.error is None and not form.errors
    with pytest.raises(KeyError), service_errors(form):
        raise KeyError("a bug, not a refusal")


def _request():
    request = RequestFactory().post("/")
    request._messages = CookieStorage(request)
    return request


@pytest.mark.parametrize(
    ("exc", "text"),
    [
        (
            ValidationError(["This assessment has no open safety alert."]),
            "This assessment has no open safety alert.",
        ),
        (
            RecordSigned("Only the active signed version can be amended."),
            "Only the active signed version can be amended.",
        ),
        (
            RuleViolation("A second administrator must approve."),
            "A second administrator must approve.",
        ),
    ],
)
def test_a_button_refused_says_why_on_the_page_it_goes_back_to(exc, text):
    request = _request()
    with refusal_messages(request) as refused:
        raise exc
    assert refused
    assert [(m.level, m.message) for m in request._messages] == [(messages.ERROR, text)]


def test_a_button_done_adds_no_message_and_the_level_can_be_chosen():
    request = _request()
    with refusal_messages(request) as refused:
        pass
    assert not refused and list(request._messages) == []
    with refusal_messages(request, level=messages.INFO):
        raise RecordSigned("This alert was already acknowledged.")
    assert [m.level for m in request._messages] == [messages.INFO]


def test_pages_and_the_api_use_the_same_words():
    for exc in (RuleViolation("No."), RecordSigned("Signed."), StaleVersion()):
        assert exception_handler(exc, {}).data["detail"] == page_message(exc)
    body = exception_handler(ValidationError({"note": ["A."], "__all__": ["B."]}), {}).data
    assert body == {"note": ["A."], "non_field_errors": ["B."]}
    form, _ = _refuse(ValidationError({"note": ["A."], "__all__": ["B."]}))
    assert form.errors == {"note": ["A."], "__all__": ["B."]}


def test_a_background_request_gets_its_validation_errors_as_json():
    @refusals_as_json
    def view(request):
        raise ValidationError({"key": ["Unknown form."]})

    response = view(_request())
    assert response.status_code == 400
    assert (
        response.content
        == b'{"detail": "key: Unknown form.", "errors": {"key": ["Unknown form."]}}'
    )

"""One place that turns the services' refusals into what a page shows, as `intake/api/errors.py`
does for the API: the words for each kind of refusal, and where on a form they go.

A page calls a service inside `with service_errors(form) as refused:` (or
`refusal_messages(request)` when there is no form to show again). A ValidationError lands on
the fields it names, the rest of it and every other refusal above the form; afterwards
`refused` is false if the service did its work, and says what refused it otherwise, so that the
page decides only where to go next (the same form again, a redirect, a status code).
`tests/test_structure_page_errors.py` fails if a view catches these exceptions itself."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NoReturn

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from intake.exceptions import (
    AdministrationRefused,
    InvalidAnswers,
    RecordSigned,
    RuleViolation,
    StaleVersion,
    UnacknowledgedWarnings,
    messages_by_field,
    refusal_message,
)
from intake.services.break_glass import NoSingleMatch

# What a page may be refused with. DisclosureRefused is a RuleViolation.
SERVICE_ERRORS: tuple[type[Exception], ...] = (
    ValidationError,
    AdministrationRefused,
    InvalidAnswers,
    RuleViolation,
    RecordSigned,
    StaleVersion,
    UnacknowledgedWarnings,
    NoSingleMatch,
)

# The words a page says where they differ from the service's own (the API's `detail`): what
# the person sees on the screen, what was kept and what to do next.
ACKNOWLEDGE_EACH_WARNING = "Acknowledge each warning with a reason to sign."
NO_SINGLE_MATCH = (
    "No chart was opened: no single record has exactly this legal name and date of birth. "
    "Your request was recorded. Check the spelling against the patient's identification, add "
    "the MRN if you know it, or call the clinic's records desk."
)
PATIENT_SAVED_MEANWHILE = (
    "Someone else saved this patient's details while you were editing. Your changes are still "
    "in the form below; reload the page to see theirs, then apply yours again."
)
INTERVIEW_SIGNED_WHILE_EDITING = (
    "Not saved: this interview has been signed, so it can no longer be edited. What you typed "
    "is still below: copy what is missing into an addendum."
)
INTERVIEW_CHANGED_BEFORE_SIGNING = (
    "Not signed: the draft was changed in another window after you opened this review. Review "
    "the current version below, then sign."
)


def interview_saved_elsewhere(exc: StaleVersion) -> str:
    """A draft interview saved from another window or device after this one was opened."""
    saved_at = f"{timezone.localtime(exc.current.updated_at):%H:%M %Z}"
    return (
        f"Not saved: this draft was saved from another window or device at {saved_at}, after "
        "you opened it. What you typed is still below. Check the saved version (link below, "
        "opens in a new tab); saving again replaces it with what is below."
    )


# A page's own words for a kind of refusal: a text, or a function of the exception.
Say = Mapping[type[Exception], str | Callable[[Any], str]]

# Where a page's words differ from the service's for every page.
_PAGE_WORDS: dict[type[Exception], str] = {
    UnacknowledgedWarnings: ACKNOWLEDGE_EACH_WARNING,
    NoSingleMatch: NO_SINGLE_MATCH,
}


def page_message(exc: Exception, say: Say | None = None) -> str:
    """The words a page shows for `exc`: the page's own (`say`) if it has some for this kind,
    the pages' words for it, or the service's (the same as the API's `detail`)."""
    for kind, words in [*(say or {}).items(), *_PAGE_WORDS.items()]:
        if isinstance(exc, kind):
            return words if isinstance(words, str) else words(exc)
    return refusal_message(exc)


@dataclass
class Refusal:
    """What refused the service call in a `service_errors` block; false when nothing did."""

    error: Exception | None = None
    message: str = ""

    def __bool__(self) -> bool:
        return self.error is not None

    def was(self, *kinds: type[Exception]) -> bool:
        return isinstance(self.error, kinds)

    def raise_again(self) -> NoReturn:
        assert self.error is not None
        raise self.error


# Puts a ValidationError's messages, by the field each names ("__all__" for none), on a form.
Place = Callable[[dict[str, list[str]]], None]


def add_field_errors(
    form: BaseForm, errors: Mapping[str, list[str]], *, field: str | None = None
) -> None:
    """Each message on the field it names when the form has that field, the rest above the
    form; messages naming no field at all go on `field` (None: above the form)."""
    for name, msgs in errors.items():
        if name == NON_FIELD_ERRORS:
            form.add_error(field, msgs)
        else:
            form.add_error(name if name in form.fields else None, msgs)


def form_errors_from(
    exc: Exception,
    form: BaseForm,
    *,
    field: str | None = None,
    place: Place | None = None,
    say: Say | None = None,
) -> None:
    """Put a service's refusal on the form: a ValidationError on the fields it names (`place`
    for a page whose fields are named otherwise), an instrument's bad answers on their items
    (forms/assessment.py names them item_<key>), any other refusal above the form."""
    if isinstance(exc, ValidationError):
        errors = messages_by_field(exc)
        if place is not None:
            place(errors)
        else:
            add_field_errors(form, errors, field=field)
    elif isinstance(exc, InvalidAnswers):
        add_field_errors(form, {f"item_{key}": msgs for key, msgs in exc.errors.items()})
    else:
        form.add_error(None, page_message(exc, say))


@contextmanager
def service_errors(
    form: BaseForm | None = None,
    *,
    field: str | None = None,
    place: Place | None = None,
    say: Say | None = None,
    apart: tuple[type[Exception], ...] = (),
    forbid: bool = False,
) -> Iterator[Refusal]:
    """Run the service call in the block; a refusal goes on `form` (see `form_errors_from`),
    except the kinds in `apart`, which the page shows in a place of its own (a conflict beside
    the form, a refusal panel). `forbid`: a RuleViolation is the 403 page with its reason, for
    pages where a refused rule leaves nothing to show again."""
    refused = Refusal()
    try:
        yield refused
    except SERVICE_ERRORS as exc:
        refused.error, refused.message = exc, page_message(exc, say)
        if forbid and isinstance(exc, RuleViolation):
            raise PermissionDenied(refused.message) from None
        if form is not None and not isinstance(exc, apart):
            form_errors_from(exc, form, field=field, place=place, say=say)


@contextmanager
def refusal_messages(
    request: HttpRequest, *, level: int = messages.ERROR, say: Say | None = None
) -> Iterator[Refusal]:
    """For a page with no form to show again (a button on another page): a refusal is a
    message on the page it goes back to."""
    with service_errors(say=say) as refused:
        yield refused
    if refused:
        messages.add_message(request, level, refused.message)


def json_refusal(exc: ValidationError) -> JsonResponse:
    """A ValidationError for a request a page makes by itself (form drafts): 400 with the
    messages by field and in one sentence."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"fields": exc.messages}
    detail = " ".join(f"{name}: {' '.join(msgs)}" for name, msgs in errors.items())
    return JsonResponse({"detail": detail, "errors": errors}, status=400)


def refusals_as_json(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A JSON view whose ValidationErrors are answered with `json_refusal`."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ValidationError as exc:
            return json_refusal(exc)

    return wrapped

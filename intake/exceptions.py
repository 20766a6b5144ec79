"""The app's own errors. Services raise them; the API handler maps them to status codes and
views turn them into form errors (intake/views/service_errors.py)."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class StaleVersion(Exception):
    """The record changed since the caller read it (HTTP 409)."""

    def __init__(
        self,
        message: str = "This record was changed by someone else since you opened it.",
        *,
        current=None,
    ):
        super().__init__(message)
        self.current = current


class RecordSigned(Exception):
    """The record is signed or otherwise closed and cannot be edited (HTTP 409)."""


class InvalidAnswers(Exception):
    """Instrument answers that cannot be scored; `errors` maps each bad item key to messages
    (HTTP 400 as {"answers": {key: [messages]}})."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("Some answers are missing or invalid.")
        self.errors = errors


class RollRefused(ValidationError):
    """A group session's roll refused row by row (docs/api.md#group-sessions): `positions` maps
    each refused row's index in the request's `attendees` (from 0) to its messages (HTTP 400 as
    {"attendees": {index: [messages]}}); a page shows them as "Row N: message"."""

    def __init__(self, positions: dict[str, list[str]]):
        self.positions = positions
        super().__init__(
            {
                "attendees": [
                    f"Row {int(index) + 1}: {message}"
                    for index, msgs in positions.items()
                    for message in msgs
                ]
            }
        )


class RuleViolation(Exception):
    """A business rule refuses the action for a signed-in user who may otherwise act (HTTP 403)."""


class AdministrationRefused(Exception):
    """A dose the medication rules refuse to record as given (HTTP 400 as {"rule", "detail"}),
    with the rule named (intake.models.AdministrationRule,
    docs/clinical-rules.md#administration-rules)."""

    def __init__(self, rule: str, detail: str):
        super().__init__(detail)
        self.rule = rule
        self.detail = detail


class AlreadyDocumented(RecordSigned):
    """A due dose someone has already documented (HTTP 409): the MAR keeps one entry per dose;
    a correction voids that entry first."""


class NotInWithdrawalManagement(RecordSigned):
    """A daily withdrawal review of a patient who is not in withdrawal management (no active
    detox plan, no active episode, or the episode's withdrawal management already completed):
    HTTP 409 (docs/clinical-rules.md#withdrawal-review)."""


class SelfReportReviewed(RecordSigned):
    """Patient self-report answers already accepted or rejected (HTTP 409): a review is final
    (docs/clinical-rules.md#self-report)."""


class SelfReportLinkGone(RecordSigned):
    """A self-report link or tablet code already used, or past its expiry: the patient's page
    answers 410 (docs/clinical-rules.md#self-report)."""


class UnacknowledgedWarnings(Exception):
    """A plan's safety warnings not each acknowledged with a reason at signing (HTTP 400 as
    {"unacknowledged_warnings": [{"code", "message"}]})."""

    def __init__(self, warnings: list[dict]):
        super().__init__("Each warning must be acknowledged with a reason.")
        self.warnings = warnings


def refusal_message(exc: Exception) -> str:
    """The words for a service's refusal, the same for the API's `detail` and for a page (which
    may say more: intake/views/service_errors.py): a ValidationError's messages in one line."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def messages_by_field(exc: ValidationError) -> dict[str, list[str]]:
    """A ValidationError's messages by the field each names; NON_FIELD_ERRORS ("__all__") for
    those naming none. The API answers with them by field, a page puts them on its fields."""
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {NON_FIELD_ERRORS: exc.messages}

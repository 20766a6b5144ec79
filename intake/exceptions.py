"""The app's own errors. Services raise them; the API handler maps them to status codes and
views turn them into form errors."""


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


class RuleViolation(Exception):
    """A business rule refuses the action for a signed-in user who may otherwise act (HTTP 403)."""


class UnacknowledgedWarnings(Exception):
    """A plan's safety warnings not each acknowledged with a reason at signing (HTTP 400 as
    {"unacknowledged_warnings": [{"code", "message"}]})."""

    def __init__(self, warnings: list[dict]):
        super().__init__("Each warning must be acknowledged with a reason.")
        self.warnings = warnings

"""Logging that keeps health information out of log files.

Exception messages from the database can quote row values (a name, a date of birth), and
request objects carry query strings; neither reaches a log line."""

import logging
import re
import traceback

# A URL's query string inside a log argument ("GET /api/v1/patients/?q=<name> HTTP/1.1").
_QUERY = re.compile(r"(/[^\s?\"]*)\?[^\s\"]*")
# A self-report link's token in a path ("Bad Request: /self-report/<token>/"): a credential
# (docs/clinical-rules.md#self-report), never logged. The tablet page (/self-report/) has none.
_TOKEN = re.compile(r"(/self-report/)[^/\s?\"]+")


def _scrub(text: str) -> str:
    if "?" in text:
        text = _QUERY.sub(r"\1", text)
    if "/self-report/" in text:
        text = _TOKEN.sub(r"\1<token>", text)
    return text


class SafeFormatter(logging.Formatter):
    def formatException(self, ei) -> str:  # noqa: N802 - logging's API name
        exc_type, _exc, tb = ei
        frames = "".join(traceback.format_tb(tb))
        name = exc_type.__name__ if exc_type else "Exception"
        return f"Traceback (most recent call last):\n{frames}{name}: <message withheld>"


class NoPHIFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # django.request attaches the request; drop it so no handler can format it.
        if hasattr(record, "request"):
            record.request = None
        # runserver's django.server lines quote the request line, django.request's 4xx lines
        # the path: drop query strings and self-report tokens.
        if isinstance(record.msg, str):
            record.msg = _scrub(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_scrub(a) if isinstance(a, str) else a for a in record.args)
        return True

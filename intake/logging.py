"""Logging that keeps health information out of log files.

Exception messages from the database can quote row values (a name, a date of birth), and
request objects carry query strings; neither reaches a log line."""

import logging
import traceback


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
        return True

import logging
import sys

from intake.logging import NoPHIFilter, SafeFormatter


def test_it_withholds_exception_messages_from_log_lines():
    try:
        name, born = "Lopez", "1985-02-03"
        raise ValueError(f"Key (family_name, birth_date)=({name}, {born}) already exists")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    text = SafeFormatter("%(message)s").format(record)
    assert "ValueError" in text
    assert "Lopez" not in text and "1985" not in text


def test_it_drops_the_request_from_log_records():
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "x", None, None)
    record.request = object()
    assert NoPHIFilter().filter(record)
    assert record.request is None

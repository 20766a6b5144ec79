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


# Issue 10, item 13: names out of URLs, query strings out of log lines.


def test_the_log_filter_drops_query_strings_from_request_lines():
    import logging

    from intake.logging import NoPHIFilter

    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /api/v1/patients/?q=Alvarez HTTP/1.1", "200", "512"),
        None,
    )
    NoPHIFilter().filter(record)
    line = record.getMessage()
    assert "Alvarez" not in line and "?q=" not in line
    assert "GET /api/v1/patients/ HTTP/1.1" in line

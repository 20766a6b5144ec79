"""A self-report link's token is a credential (docs/clinical-rules.md#self-report): it is stored
only as a hash, and it never reaches a log line either. Django's request logger writes the path
of every 4xx answer ("Bad Request: /self-report/<token>/"), and the server's access lines quote
the request line; the log filter takes the token out of both."""

import logging

import pytest

from intake.logging import NoPHIFilter, SafeFormatter
from tests.self_report_support import issue, page_path, phq9

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines():
    """What the project's console handler would write (its filter and formatter)."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Collect()
    handler.addFilter(NoPHIFilter())
    handler.setFormatter(SafeFormatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    yield lines
    root.removeHandler(handler)


def test_a_refused_answer_on_a_live_link_logs_no_token(client, patient, team_counselor, log_lines):
    issued = issue(team_counselor, patient)
    # Answers left out: a 400 on the live link, which django.request logs with the path.
    response = client.post(page_path(issued), {"answering": "1"})
    assert response.status_code == 400
    assert any("/self-report/" in line for line in log_lines), log_lines
    assert not [line for line in log_lines if issued.token in line]


def test_the_kiosk_refused_and_a_used_link_log_no_token(client, patient, team_counselor, log_lines):
    issued = issue(team_counselor, patient)
    odd = client.post(page_path(issued), data="[1]", content_type="application/json")
    assert odd.status_code == 400

    sent = client.post(
        page_path(issued), data={"answers": {"phq9": phq9()}}, content_type="application/json"
    )
    assert sent.status_code == 201
    gone = client.get(page_path(issued))
    assert gone.status_code == 410
    assert len([line for line in log_lines if "/self-report/" in line]) >= 2, log_lines
    assert not [line for line in log_lines if issued.token in line]


def test_the_filter_takes_the_token_out_of_an_access_line():
    token = "Zq3x_9-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789a"
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"POST /self-report/{token}/ HTTP/1.1", "201", "30"),
        None,
    )
    NoPHIFilter().filter(record)
    line = record.getMessage()
    assert token not in line
    assert "POST /self-report/<token>/ HTTP/1.1" in line
    # The tablet page has no token: left as it is.
    tablet = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Bad Request: %s", ("/self-report/",), None
    )
    NoPHIFilter().filter(tablet)
    assert tablet.getMessage() == "Bad Request: /self-report/"

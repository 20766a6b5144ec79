"""Shared steps of the self-report tests: issuing a link through the service (as a clinician on
the team would) and answers to send back."""

from __future__ import annotations

from urllib.parse import urlparse

from intake.services.self_report import IssuedLink, self_report_link_issue


def issue(user, patient, instruments=("phq9",)) -> IssuedLink:
    return self_report_link_issue(actor=user, patient=patient, instruments=list(instruments))


def page_path(issued: IssuedLink) -> str:
    return f"/self-report/{issued.token}/"


def path_of(url: str) -> str:
    return urlparse(url).path


def phq9(item9: int = 0, each: int = 1) -> dict[str, str]:
    answers = {str(i): str(each) for i in range(1, 9)}
    answers["9"] = str(item9)
    return answers


def gad7(each: int = 2) -> dict[str, str]:
    return {str(i): str(each) for i in range(1, 8)}


def form_data(answers_by_instrument: dict[str, dict[str, str]]) -> dict[str, str]:
    """The patient's page form fields for these answers."""
    data = {"answering": "1"}
    for code, answers in answers_by_instrument.items():
        for key, value in answers.items():
            data[f"item_{code}.{key}"] = value
    return data

import datetime

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from intake.access import Perm
from intake.forms.audit import AuditFilterForm
from intake.models import Patient
from intake.selectors.audit import audit_event_list
from intake.views.decorators import policy


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@policy(Perm.AUDIT_VIEW)
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters: dict = {}
    if form.is_valid():
        data = form.cleaned_data
        if data["patient"]:
            filters["patient"] = Patient.objects.filter(pk=data["patient"]).first() or Patient(
                pk=data["patient"]
            )
        if data["actor"]:
            filters["actor"] = get_user_model().objects.filter(
                username=data["actor"]
            ).first() or get_user_model()(pk=-1)
        filters["action"] = data["action"]
        filters["outcome"] = data["outcome"]
        if data["since"]:
            filters["since"] = _day_start(data["since"])
        if data["until"]:
            filters["until"] = _day_start(data["until"] + datetime.timedelta(days=1))
    page = Paginator(audit_event_list(**filters), 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "intake/audit_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )

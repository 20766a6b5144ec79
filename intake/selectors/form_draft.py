"""Reading a form's kept typing (docs/drafts.md). Only ever the owner's own: there is no way to
ask for someone else's draft. Access to the patient is checked before (resolvers)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from intake.models import FormDraft, Patient

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def form_draft_cutoff() -> datetime.datetime:
    """Drafts last changed before this are past keeping (purged; never shown meanwhile)."""
    return timezone.now() - datetime.timedelta(days=settings.FORM_DRAFT_KEEP_DAYS)


def form_drafts_of(*, owner: User) -> QuerySet[FormDraft]:
    return FormDraft.objects.filter(owner=owner, updated_at__gte=form_draft_cutoff())


def form_draft_get(*, owner: User, patient: Patient, key: str) -> FormDraft | None:
    return form_drafts_of(owner=owner).filter(patient=patient, key=key).first()

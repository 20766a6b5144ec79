"""`{% draft_form_attrs patient "interview" interview form %}`: the attributes that make a
<form> keep its typing as a draft (intake/static/intake/drafts.js, docs/drafts.md)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from intake.services.form_draft import draft_key

register = template.Library()


@register.simple_tag
def draft_form_attrs(patient, kind, record=None, *forms, add_row=""):
    updated = getattr(record, "updated_at", None)
    # A page that answers a POST shows what was just sent, newer than any draft: the script
    # keeps that instead of bringing an older draft back over it.
    posted = any(getattr(form, "is_bound", False) for form in forms)
    return format_html(
        'data-draft-key="{}" data-draft-url="{}" data-draft-discard-url="{}" '
        'data-draft-base="{}" data-draft-posted="{}" data-draft-add-row="{}"',
        draft_key(kind, record),
        reverse("intake:form-draft", args=[patient.pk]),
        reverse("intake:form-draft-discard", args=[patient.pk]),
        updated.isoformat() if updated else "",
        "1" if posted else "",
        add_row,
    )

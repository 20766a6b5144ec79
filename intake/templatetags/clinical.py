"""Clinical words and clinic time on every page (loaded as a template builtin, see
settings TEMPLATES): `{{ code|label:"Target" }}` (a list of codes gives the labels joined by
commas), `{{ assessment.band|band_label:assessment.instrument }}`, `{{ moment|when }}`."""

from django import template

from intake import labels
from intake.local_time import format_local

register = template.Library()


@register.filter
def label(value, kind: str) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(labels.labels(value, kind))
    return labels.label(value, kind)


@register.filter
def band_label(code, instrument) -> str:
    return labels.band_label(code, instrument)


@register.filter
def band_short(code, instrument) -> str:
    """The band's name without its score range, for badges."""
    return labels.band_label(code, instrument, short=True)


@register.filter
def short_name(name) -> str:
    """A name without its parenthesis, for narrow headers: "Norfentanyl (fentanyl
    metabolite)" -> "Norfentanyl" (the whole name stays in the header's title)."""
    return str(name or "").split(" (", 1)[0]


@register.filter
def words(code) -> str:
    """A code no list names (an audit object type) in words: "treatment-plan" -> "Treatment
    plan"."""
    return labels.humanize(code) if code else ""


@register.simple_tag
def redisclosure_notice() -> str:
    """The 42 CFR 2.32 notice, word for word as disclosures and the plan PDF carry it."""
    from intake.models import REDISCLOSURE_NOTICE

    return REDISCLOSURE_NOTICE


@register.filter
def amount(value) -> str:
    """A dose as the API writes it: 0.100 -> "0.1", 16.000 -> "16"."""
    from intake.formulary import amount_text

    return amount_text(value) if value is not None and value != "" else ""


@register.filter
def when(value) -> str:
    return format_local(value) if value else ""


@register.filter
def when_short(value) -> str:
    """ "09:40" for a moment of today in the clinic's zone, `when` for any other day (the
    medication pass: the latest vital signs are most often this morning's)."""
    if not value:
        return ""
    from django.utils import timezone

    local = timezone.localtime(value)
    return f"{local:%H:%M}" if local.date() == timezone.localdate() else format_local(value)

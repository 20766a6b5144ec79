from django import template

from intake import access

register = template.Library()


@register.simple_tag(takes_context=True)
def emergency_grant(context, patient):
    """The emergency-access grant through which the signed-in user sees `patient`, if any (no
    query for a care-team member whose membership this request already checked)."""
    request = context.get("request")
    if request is None or patient is None or getattr(patient, "pk", None) is None:
        return None
    return access.emergency_grant_for(request.user, patient)


@register.simple_tag(takes_context=True)
def may(context, perm: str, patient=None) -> bool:
    """`{% may "consent.view" patient as can_view_consents %}`: access.can for the page's user."""
    request = context.get("request")
    if request is None:
        return False
    return access.can(request.user, access.Perm(perm), patient)


@register.simple_tag(takes_context=True)
def demographics_visible(context, patient=None) -> bool:
    """`{% demographics_visible patient as show %}`: access.can_view_patient_demographics."""
    request = context.get("request")
    if request is None:
        return False
    return access.can_view_patient_demographics(request.user, patient)

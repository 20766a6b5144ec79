from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from intake import access
from intake.models import Role, TeamRole

SAME_AS_STAFF_ROLE = "Their staff role"


class StaffSelect(forms.Select):
    """Each person carries the team role of their staff role (data-team-role), which the
    page's script preselects in "Role on the team" when the person is chosen."""

    team_roles: dict = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        role = self.team_roles.get(instance.pk) if instance is not None else None
        if role:
            option["attrs"]["data-team-role"] = role
        return option


class CareTeamAddForm(forms.Form):
    user = forms.ModelChoiceField(queryset=None, label="Staff member", widget=StaffSelect)
    # Blank: the role matching their staff role (a nurse joins as the nurse), without a choice
    # to make and without a script; another role can still be chosen.
    team_role = forms.ChoiceField(
        choices=[("", SAME_AS_STAFF_ROLE), *TeamRole.choices],
        label="Role on the team",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        clinical_groups = [Role.COUNSELOR.label, Role.NURSE.label, Role.PHYSICIAN.label]
        staff = (
            get_user_model()
            .objects.filter(Q(groups__name__in=clinical_groups), is_active=True)
            .order_by("last_name", "first_name")
            .distinct()
        )
        self.fields["user"].queryset = staff
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.username})"
        )
        self.fields["user"].widget.team_roles = access.team_roles_of_staff(list(staff))
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        data = super().clean()
        user = data.get("user")
        if user is not None and not data.get("team_role"):
            role = access.team_roles_of_staff([user]).get(user.pk)
            if role is None:
                self.add_error("team_role", "Choose the role on the team.")
            else:
                data["team_role"] = role
        return data

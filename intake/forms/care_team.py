from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from intake.models import Role, TeamRole


class CareTeamAddForm(forms.Form):
    user = forms.ModelChoiceField(queryset=None, label="Staff member")
    team_role = forms.ChoiceField(choices=TeamRole.choices, label="Role on the team")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        clinical_groups = [Role.COUNSELOR.label, Role.NURSE.label, Role.PHYSICIAN.label]
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(Q(groups__name__in=clinical_groups), is_active=True)
            .order_by("last_name", "first_name")
            .distinct()
        )
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.username})"
        )
        self.helper = FormHelper()
        self.helper.form_tag = False

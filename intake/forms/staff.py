from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html

from intake.models import LicenseType, Role


class StaffPasswordForm(forms.Form):
    password1 = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="New password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data


class StaffCreateForm(StaffPasswordForm):
    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=Role.choices)
    license_type = forms.ChoiceField(choices=LicenseType.choices, required=False)
    license_number = forms.CharField(max_length=50, required=False)
    may_diagnose = forms.BooleanField(required=False, label="Licensed to diagnose")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields([f for f in self.fields if not f.startswith("password")])
        self.fields["password1"].label = "Initial password"
        self.fields["password2"].label = "Initial password again"

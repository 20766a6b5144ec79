from crispy_forms.helper import FormHelper
from django import forms


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        label="The emergency",
        help_text="Why you need this chart now. Recorded, and reviewed by the privacy officer.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class BreakGlassReviewForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"placeholder": "Review note (optional)"}),
        label="Note",
    )

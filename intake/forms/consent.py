from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings

from intake.models import DisclosureContent


class ConsentForm(forms.Form):
    """Shape only: every field optional here so that the service names each missing §2.31
    element in its own words (the same messages as the API)."""

    disclosing_party = forms.CharField(
        required=False,
        max_length=200,
        label="Who may disclose",
        help_text="This program's name, or a general designation of it.",
    )
    recipient = forms.CharField(
        required=False, max_length=200, label="To whom", help_text="The recipient's name."
    )
    recipient_is_general_designation = forms.BooleanField(
        required=False,
        label='The recipient is a general designation (e.g. "my treating providers")',
    )
    information = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What information, and how much",
        help_text="Name substance use disorder information explicitly.",
    )
    content_kinds = forms.MultipleChoiceField(
        required=False,
        choices=DisclosureContent.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Records covered",
        # docs/clinical-rules.md#counseling-notes
        help_text="SUD counseling notes (a clinician's private notes on counseling sessions, "
        "42 CFR 2.11) are covered only by a consent that names them and nothing else: tick "
        "them alone, on a consent of their own. Only the clinician who wrote them can disclose "
        "them.",
    )
    purpose = forms.CharField(required=False, max_length=300, label="Purpose of the disclosure")
    expires_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Expires on"
    )
    expiry_event = forms.CharField(
        required=False,
        max_length=300,
        label="…or expires on this event",
        help_text='For example "discharge from the program".',
    )
    right_to_revoke_acknowledged = forms.BooleanField(
        required=False,
        label="The patient was told of the right to revoke this consent in writing, and of its "
        "exceptions",
    )
    signed_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Date signed"
    )
    signed_by = forms.CharField(
        required=False,
        max_length=200,
        label="Signed by",
        help_text="The patient, or the person authorised to sign for them.",
    )
    signed_copy = forms.FileField(
        required=False,
        label="Signed copy (PDF, PNG or JPEG)",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The disclosing party is, nearly always, this program: start with its name (the
        # clinician can change it, e.g. for a general designation).
        self.fields["disclosing_party"].initial = settings.PROGRAM_NAME
        self.helper = FormHelper()
        self.helper.form_tag = False


class ConsentRevokeForm(forms.Form):
    revoked_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Revoked on",
        help_text="The day the patient revoked it. Disclosures made before stay valid.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

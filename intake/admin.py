"""The admin is for operators (superusers with a verified second factor, see
clinic/admin_site.py): reference data they maintain, read-only views of records that must never
be edited there (each read audited like any other), and second-factor devices and API tokens
listed by owner only: no secret key or token is ever shown, searched or editable here."""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import TokenProxy

from intake.models import AuditAction, LabPanel, LabTest, Patient, TreatmentPlan
from intake.services.audit import audit_record, audit_record_many


@admin.register(LabTest)
class LabTestAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "unit", "cutoff", "low", "high", "loinc"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "loinc"]


@admin.register(LabPanel)
class LabPanelAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    filter_horizontal = ["tests"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedReadAdmin(ReadOnlyAdmin):
    """A clinical record's changelist and change page are reads of the patients shown: audited
    as the pages do (one event per patient listed, one for the record opened)."""

    audit_object_type = ""

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            shown = {obj.patient_id for obj in changelist.result_list}
            if shown:
                audit_record_many(
                    actor=request.user,
                    action=AuditAction.READ,
                    patients=[Patient(pk=pk) for pk in sorted(shown, key=str)],
                    object_type=self.audit_object_type,
                    detail={"via": "admin-list"},
                )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = getattr(response, "context_data", {}).get("original")
        if response.status_code == 200 and original is not None:
            audit_record(
                actor=request.user,
                action=AuditAction.READ,
                patient_id=original.patient_id,
                obj=original,
                detail={"via": "admin"},
            )
        return response


@admin.register(TreatmentPlan)
class TreatmentPlanAdmin(AuditedReadAdmin):
    """Plans change only through their workflow; signed versions never (a database trigger
    refuses it too). The admin only looks."""

    list_display = ["id", "version", "status", "setting", "signed_at"]
    list_filter = ["status"]
    audit_object_type = "treatmentplan"


# Second factors and API tokens: the stock admins show TOTP keys (and QR codes), recovery
# codes and token keys, and search by them. Here: owner, name, state and dates only, and
# nothing is edited (a lost device is reset from the staff page, which audits it).

for model in (TOTPDevice, StaticDevice, TokenProxy):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class DeviceAdmin(ReadOnlyAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username"]
    search_help_text = "Search by username"
    raw_id_fields = ["user"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


admin.site.register(TOTPDevice, DeviceAdmin)
admin.site.register(StaticDevice, DeviceAdmin)


@admin.register(TokenProxy)
class TokenAdmin(ReadOnlyAdmin):
    """Who has an API token and since when. A token's key is its primary key and its str():
    so no change or delete page (their titles and links carry it), no action checkboxes
    (their values carry it) and no links from the list."""

    list_display = ["user", "created"]
    list_display_links = None
    list_filter = ["created"]
    search_fields = ["user__username"]
    search_help_text = "Search by username"
    ordering = ["user__username"]
    actions = None

    def has_view_permission(self, request, obj=None):
        return obj is None and super().has_view_permission(request)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

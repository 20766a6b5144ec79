"""The admin is for operators (superusers only, see clinic/urls.py): reference data they
maintain, and read-only views of records that must never be edited there."""

from django.contrib import admin

from intake.models import LabPanel, LabTest, TreatmentPlan


@admin.register(LabTest)
class LabTestAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "unit", "cutoff", "low", "high", "loinc"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "loinc"]


@admin.register(LabPanel)
class LabPanelAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    filter_horizontal = ["tests"]


@admin.register(TreatmentPlan)
class TreatmentPlanAdmin(admin.ModelAdmin):
    """Plans change only through their workflow; signed versions never (a database trigger
    refuses it too). The admin only looks."""

    list_display = ["id", "version", "status", "setting", "signed_at"]
    list_filter = ["status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

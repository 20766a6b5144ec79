from django.contrib.admin.apps import AdminConfig


class ClinicAdminConfig(AdminConfig):
    """django.contrib.admin with the operator site (clinic.admin_site) as `admin.site`."""

    default_site = "clinic.admin_site.ClinicAdminSite"

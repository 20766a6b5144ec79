from rest_framework.permissions import BasePermission

from intake import access


class DeclaredPolicy(BasePermission):
    """Deny by default for the API: a view runs only if it declares `access_perm` (or
    `access_perms` per HTTP method, or `access_public`), and the caller's role allows it.
    Care-team scope is checked by `resolvers.resolve_patient` in the view."""

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        if getattr(view, "access_public", False):
            return True
        if not request.user or not request.user.is_authenticated:
            return False
        access.forget_cached(request.user)
        perms = getattr(view, "access_perms", None)
        if perms is not None:
            perm = perms.get(request.method)
            if perm is None:
                # An undeclared method the view does not implement gets DRF's 405.
                return not hasattr(view, request.method.lower())
        else:
            perm = getattr(view, "access_perm", None)
        if perm is None:
            return False
        return access.has_perm(request.user, perm)

from intake import access
from intake.access import Perm


def staff(request):
    user = getattr(request, "user", None)
    role = access.role_of(user)
    return {
        "staff_role": role,
        "nav": {
            "search": access.has_perm(user, Perm.PATIENT_SEARCH),
            "register": access.has_perm(user, Perm.PATIENT_REGISTER),
            "audit": access.has_perm(user, Perm.AUDIT_VIEW),
            "staff": access.has_perm(user, Perm.STAFF_MANAGE),
            "merge": access.has_perm(user, Perm.MERGE_REVIEW),
            "staff_changes": access.has_perm(user, Perm.STAFF_CHANGE_REVIEW),
        },
    }

"""Creating staff accounts (management command, seed data and the staff page use this)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from intake.models import Role, StaffProfile


@transaction.atomic
def staff_create(
    *,
    username: str,
    role: Role | str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    license_type: str = "",
    license_number: str = "",
    may_diagnose: bool = False,
    may_prescribe: bool | None = None,
    validate: bool = True,
):
    User = get_user_model()
    try:
        role = Role(role)
    except ValueError:
        raise ValidationError(
            {"role": [f"Unknown role {role!r}; choose one of {', '.join(Role.values)}."]}
        ) from None
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": [f"The username {username!r} is taken."]})
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if password:
        if validate:
            validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(Group.objects.get(name=role.label))
    if may_prescribe is None:
        may_prescribe = role == Role.PHYSICIAN
    StaffProfile.objects.create(
        user=user,
        license_type=license_type,
        license_number=license_number,
        may_diagnose=may_diagnose or role == Role.PHYSICIAN,
        may_prescribe=may_prescribe,
    )
    return user

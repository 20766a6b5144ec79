"""The second factor (HIPAA/ONC multi-factor authentication): TOTP authenticator apps through
django-otp, with one-time recovery codes. Every role may enrol; physicians and clinic
administrators must (access.must_use_second_factor): their sign-in goes through enrolment first.

Every device change is audited (object_type "second-factor", object_id the user's id, the
change in detail; never a key or code): an authenticator added, replaced, new recovery codes.
A clinic administrator's reset is audited by its caller (staff_mfa_reset)."""

from __future__ import annotations

import base64
import binascii
import re
from typing import TYPE_CHECKING

import qrcode
import qrcode.image.svg
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.models import AuditAction
from intake.services.audit import audit_record

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from intake.access_scope import RequestUser

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"
DEVICE_AUDIT_TYPE = "second-factor"
_TOTP_CODE = re.compile(r"^\d{6}$")


def mfa_required(user: RequestUser) -> bool:
    from intake.access import must_use_second_factor

    return must_use_second_factor(user)


def mfa_enrolled(user: User) -> bool:
    # django_otp has no type stubs: its managers are Any to mypy.
    enrolled: bool = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return enrolled


def mfa_verify(user: RequestUser | None, code: str) -> bool:
    """Does `code` prove the user's second factor now? A 6-digit code is checked against their
    authenticator (each code once; repeated failures are throttled); anything else against
    their unused recovery codes (each works once). For sign-in, and for re-checks before
    signing (treatment plans)."""
    return mfa_verify_device(user, code) is not None


def mfa_verify_device(user: RequestUser | None, code: str) -> TOTPDevice | StaticDevice | None:
    """mfa_verify, returning the device that accepted the code (sign-in records it in the
    session with django_otp.login: request.user.is_verified())."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    code = re.sub(r"[\s-]", "", code or "").lower()
    if not code or len(code) > 16:
        return None
    with transaction.atomic():
        if _TOTP_CODE.match(code):
            devices = TOTPDevice.objects.filter(user=user, confirmed=True).select_for_update(
                no_key=True
            )
        else:
            devices = StaticDevice.objects.filter(user=user, confirmed=True).select_for_update(
                no_key=True
            )
        return next((device for device in devices if device.verify_token(code)), None)


def mfa_audit_device_change(
    *,
    user: User,
    change: str,
    actor: User | None = None,
    action: AuditAction | str = AuditAction.UPDATE,
    **detail: object,
) -> None:
    """One audit row for a change to `user`'s second factor, by `actor` (themselves unless
    given; None for a management command)."""
    audit_record(
        actor=user if actor is None else actor,
        action=action,
        object_type=DEVICE_AUDIT_TYPE,
        object_id=str(user.pk),
        detail={"change": change, **detail},
    )


def totp_secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def totp_device_from_secret(*, user: User, secret_base32: str) -> TOTPDevice:
    """Enrol a TOTP device with a known secret (create_staff --totp-secret)."""
    cleaned = re.sub(r"\s", "", secret_base32 or "").upper()
    try:
        key = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except (binascii.Error, ValueError):
        raise ValidationError({"totp_secret": ["The TOTP secret must be base32."]}) from None
    if not 10 <= len(key) <= 40:
        raise ValidationError({"totp_secret": ["The TOTP secret must be 10 to 40 bytes."]})
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, key=key.hex(), confirmed=True)
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            object_type=DEVICE_AUDIT_TYPE,
            object_id=str(user.pk),
            detail={"change": "authenticator-added", "via": "command"},
        )
        return device


def mfa_enrolment_device(user: User) -> TOTPDevice:
    """The unconfirmed device an enrolment shows (the same one until confirmed). Callers show
    it only to accounts without a confirmed authenticator; mfa_enrol_confirm refuses the rest."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def mfa_enrol_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirms the enrolment when `code` is the authenticator's current code. Returns the new
    recovery codes (shown once), or None for a wrong code, and None for an account that already
    has a confirmed authenticator: enrolment never replaces a device (that would let anyone with
    the password alone swap in their own authenticator)."""
    code = re.sub(r"\s", "", code or "")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update(no_key=True).get(pk=device.pk, user=user)
        if mfa_enrolled(user):
            return None
        if device.confirmed or not _TOTP_CODE.match(code) or not device.verify_token(code):
            return None
        # Only abandoned, never-confirmed enrolments are cleared.
        TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        mfa_audit_device_change(user=user, change="authenticator-added", action=AuditAction.CREATE)
        return mfa_recovery_codes_new(user=user)


def mfa_replacement_device(user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for an enrolled person replacing theirs. Call only
    after they proved their current second factor; earlier unconfirmed devices are dropped."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def mfa_replace_confirm(*, user: User, device_id: int, code: str) -> TOTPDevice | None:
    """Finishes a replacement: when `code` is the new authenticator's current code, the old one
    is deleted and the new one confirmed (audited). None for a wrong code, for a device that is
    not this person's unconfirmed one, and for an account with no authenticator to replace
    (that is enrolment: mfa_enrol_confirm)."""
    code = re.sub(r"\s", "", code or "")
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update(no_key=True)
            .filter(pk=device_id, user=user, confirmed=False)
            .first()
        )
        if device is None or not mfa_enrolled(user):
            return None
        if not _TOTP_CODE.match(code) or not device.verify_token(code):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        mfa_audit_device_change(user=user, change="authenticator-replaced")
        return device


def mfa_recovery_codes_new(*, user: User) -> list[str]:
    """Replaces the user's recovery codes with new ones (audited); returns them (only their use
    is stored: each works once)."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
        mfa_audit_device_change(user=user, change="recovery-codes-replaced")
    return codes


def mfa_recovery_codes_left(user: User) -> int:
    left: int = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return left


def mfa_reset(*, user: User) -> None:
    """Removes every second-factor device (a lost phone): the next sign-in enrols again.
    Audited by the caller (staff_mfa_reset: who reset it)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code (made here, nothing fetched)."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2
    )
    svg = image.to_string(encoding="unicode")
    return re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)

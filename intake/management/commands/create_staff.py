from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from intake.models import LicenseType, Role
from intake.services.mfa import totp_device_from_secret
from intake.services.staff import STAFF_CREATE_FIELDS, staff_create


class Command(BaseCommand):
    help = "Create a staff account with a role slug (see docs/api.md#roles: counselor, nurse, ...)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help=f"One of: {', '.join(Role.values)}")
        parser.add_argument("--password", help="Without it the account cannot sign in until reset.")
        parser.add_argument("--may-diagnose", action="store_true")
        parser.add_argument(
            "--totp-secret",
            default="",
            metavar="BASE32",
            help="Enrol a TOTP authenticator with this base32 secret (second factor).",
        )
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--license-type", default="", choices=LicenseType.values)
        parser.add_argument("--license-number", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with transaction.atomic():
                user = staff_create(
                    **{k: options[k] for k in STAFF_CREATE_FIELDS}, password=options["password"]
                )
                if options["totp_secret"]:
                    totp_device_from_secret(user=user, secret_base32=options["totp_secret"])
        except ValidationError as exc:
            messages = (
                [m for msgs in exc.message_dict.values() for m in msgs]
                if hasattr(exc, "error_dict")
                else exc.messages
            )
            raise CommandError(" ".join(messages)) from None
        role = Role(options["role"])
        mfa = " with a TOTP authenticator" if options["totp_secret"] else ""
        self.stdout.write(f"Created {user.username} ({role.label}){mfa}.")

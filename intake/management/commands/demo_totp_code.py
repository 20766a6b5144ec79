"""Prints the current TOTP code of a demo account, for demonstrations without a phone.

Works only for devices enrolled with the public demo secret of `seed_demo`: for a real
account's device it refuses, so it reveals nothing a real second factor protects."""

import base64

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.management.commands.seed_demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Current TOTP code of a demo account (seed_demo's public secret only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        demo_key = base64.b32decode(DEMO_TOTP_SECRET)
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is None or bytes(device.bin_key) != demo_key:
            raise CommandError("Only demo accounts enrolled by seed_demo have a printable code.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")

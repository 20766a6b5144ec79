import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from intake import access
from intake.models import CareTeamMember, Patient, Role

pytestmark = pytest.mark.django_db


def test_create_staff_creates_an_account_with_its_role(capsys):
    call_command(
        "create_staff", "dr-ames", "--role", "physician", "--password", "a-long-secret-pass"
    )
    out = capsys.readouterr().out
    user = get_user_model().objects.get(username="dr-ames")
    assert access.role_of(user) == Role.PHYSICIAN
    assert user.check_password("a-long-secret-pass")
    assert user.password.startswith("md5$") or user.password.startswith("argon2")
    assert "a-long-secret-pass" not in out
    assert access.can_change_medication_line(user)


def test_create_staff_sets_may_diagnose():
    call_command("create_staff", "ladc1", "--role", "counselor", "--may-diagnose")
    assert get_user_model().objects.get(username="ladc1").staff_profile.may_diagnose


def test_create_staff_refuses_a_bad_role():
    with pytest.raises(CommandError, match="Unknown role"):
        call_command("create_staff", "x", "--role", "janitor")
    assert not get_user_model().objects.filter(username="x").exists()


def test_create_staff_refuses_a_taken_username():
    call_command("create_staff", "sam", "--role", "nurse")
    with pytest.raises(CommandError, match="taken"):
        call_command("create_staff", "sam", "--role", "counselor")


def test_create_staff_refuses_a_weak_password():
    with pytest.raises(CommandError):
        call_command("create_staff", "weak", "--role", "nurse", "--password", "short")


def test_seed_demo_is_idempotent(capsys):
    call_command("seed_demo")
    counts = (
        get_user_model().objects.count(),
        Patient.objects.count(),
        CareTeamMember.objects.count(),
    )
    call_command("seed_demo")
    assert (
        get_user_model().objects.count(),
        Patient.objects.count(),
        CareTeamMember.objects.count(),
    ) == counts
    assert counts[1] == 12
    out = capsys.readouterr().out
    for username in ("counselor", "nurse", "physician", "admin", "privacy"):
        assert username in out
    counselor = get_user_model().objects.get(username="counselor")
    assert access.patients_visible_to(counselor).count() > 0


def test_seed_demo_enrols_the_demo_second_factor_and_prints_codes_only_for_it(capsys):
    import base64

    from django_otp.oath import TOTP

    from intake.services.mfa import mfa_enrolled

    call_command("seed_demo")
    physician = get_user_model().objects.get(username="physician")
    assert mfa_enrolled(physician)
    call_command("demo_totp_code", "physician")
    code = capsys.readouterr().out.strip().splitlines()[-1]
    # The code of the public demo secret now (seed_demo itself just signed a plan with it,
    # so it cannot be replayed; it is checked against the secret instead).
    demo = TOTP(base64.b32decode("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"))
    assert code in {f"{demo.token():06d}", f"{TOTP(demo.key, t0=30).token():06d}"}
    call_command(
        "create_staff",
        "realdoc",
        "--role",
        "physician",
        "--totp-secret",
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
    )
    with pytest.raises(CommandError):
        call_command("demo_totp_code", "realdoc")


def test_seed_demo_starts_a_supervised_detox_with_its_induction_dose_given(capsys):
    """The demo's detox story goes through the services: the plan is signed, and the first
    buprenorphine dose is on the MAR after a COWS of 8 or more."""
    from django.utils import timezone

    from intake.models import MedicationAdministration, Patient
    from intake.selectors.mar import mar_day

    call_command("seed_demo")
    jamal = Patient.objects.get(given_name="Jamal", family_name="Washington")
    given = MedicationAdministration.objects.get(patient=jamal)
    assert (given.medication.drug, given.status) == ("buprenorphine-naloxone", "given")
    day = mar_day(jamal, timezone.localdate(), timezone.now())
    assert day.active is not None and day.active.plan.medically_supervised_detox
    assert {row.line.drug for row in day.prn} == {"buprenorphine-naloxone", "ondansetron"}

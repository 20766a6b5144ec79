"""The matrix in docs/permissions.md is the one the code enforces, and it means what it says."""

import re
from pathlib import Path

import pytest

from intake import access
from intake.access import MATRIX, Perm, Scope
from intake.models import Role
from tests.factories import UserFactory

DOC = Path(__file__).resolve().parent.parent / "docs" / "permissions.md"


def _doc_matrix() -> dict:
    rows = {}
    header = None
    for line in DOC.read_text().splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0] == "Action":
            header = cells[1:]
            continue
        match = re.fullmatch(r"`([a-z.-]+)`", cells[0])
        if match and header:
            rows[match.group(1)] = dict(zip(header, cells[1:], strict=True))
    return rows


def test_it_documents_exactly_the_enforced_matrix():
    documented = _doc_matrix()
    assert set(documented) == {p.value for p in Perm}
    for perm, by_role in MATRIX.items():
        for role in Role:
            scope = by_role.get(role)
            expected = "—" if scope is None else ("any" if scope is Scope.ANY else "team")
            assert documented[perm.value][role.label] == expected, (perm, role)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("perm", list(Perm))
def test_it_grants_each_role_exactly_its_cells(role, perm, patient):
    user = UserFactory(role=role.value)
    scope = MATRIX[perm].get(role)
    assert access.has_perm(user, perm) is (scope is not None)
    # Not on the patient's team: only "any" cells allow it.
    assert access.can(user, perm, patient) is (scope is Scope.ANY)


@pytest.mark.django_db
def test_it_scopes_team_cells_to_the_care_team(patient, team_nurse, offteam_nurse):
    assert access.can(team_nurse, Perm.PATIENT_VIEW, patient)
    assert not access.can(offteam_nurse, Perm.PATIENT_VIEW, patient)
    assert list(access.patients_visible_to(team_nurse)) == [patient]
    assert list(access.patients_visible_to(offteam_nurse)) == []


@pytest.mark.django_db
def test_it_gives_no_role_to_accounts_without_one_or_with_two():
    nobody = UserFactory()
    assert access.role_of(nobody) is None
    assert not access.has_perm(nobody, Perm.HOME)
    two = UserFactory(role="counselor")
    from django.contrib.auth.models import Group

    two.groups.add(Group.objects.get(name="Physician"))
    two = type(two).objects.get(pk=two.pk)
    assert access.role_of(two) is None


@pytest.mark.django_db
def test_it_refuses_a_deactivated_account(team_nurse, patient):
    team_nurse.is_active = False
    assert not access.can(team_nurse, Perm.PATIENT_VIEW, patient)


@pytest.mark.django_db
def test_it_lets_only_credentialed_people_diagnose(settings):
    physician = UserFactory(role="physician")
    counselor = UserFactory(role="counselor")
    ladc = UserFactory(role="counselor")
    ladc.staff_profile.may_diagnose = True
    ladc.staff_profile.license_type = "ladc"
    psychologist = UserFactory(role="counselor")
    psychologist.staff_profile.may_diagnose = True
    psychologist.staff_profile.license_type = "psychologist"
    nurse = UserFactory(role="nurse")

    settings.COUNSELOR_MAY_DIAGNOSE = False
    assert access.can_record_diagnosis(physician)
    assert not access.can_record_diagnosis(counselor)
    assert not access.can_record_diagnosis(ladc)
    assert access.can_record_diagnosis(psychologist)
    assert not access.can_record_diagnosis(nurse)
    settings.COUNSELOR_MAY_DIAGNOSE = True
    assert access.can_record_diagnosis(ladc)
    assert not access.can_record_diagnosis(counselor)
    assert access.can_change_medication_line(physician)
    assert not access.can_change_medication_line(nurse)

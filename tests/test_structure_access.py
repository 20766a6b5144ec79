"""Authorization is decided once (issue 10, item 8): every rule in `intake/access.py`, every
fetch-and-check of a record behind a URL in `intake/resolvers.py`. These tests read the source,
so a new module that checks a role itself, or fetches a record by id past the resolvers, fails
here instead of drifting from the matrix."""

import ast
from pathlib import Path

import pytest

INTAKE = Path(__file__).resolve().parent.parent / "intake"

# Where a role may be named outside access.py, and why: account administration assigns roles
# (it does not decide access with them); the audit service records the actor's role, and the
# privacy officer's review list selects the events recorded with the administrators' role.
ROLE_ALLOWED = {
    "services/staff.py",
    "services/audit.py",
    "selectors/staff.py",
    "views/staff.py",
    "forms/staff.py",
}
LAYERS = ("services", "views", "api", "selectors")


def _modules(*layers):
    for layer in layers:
        for path in sorted((INTAKE / layer).glob("*.py")):
            yield path.relative_to(INTAKE).as_posix(), ast.parse(path.read_text())


def _role_checks(tree) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "role_of":
                lines.append(node.lineno)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "Role":
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize(
    "name, tree", list(_modules(*LAYERS)), ids=lambda v: v if isinstance(v, str) else ""
)
def test_no_layer_checks_a_role_itself(name, tree):
    if name in ROLE_ALLOWED:
        return
    assert not _role_checks(tree), f"{name} checks a role itself; ask intake/access.py instead"


def test_access_depends_on_no_service_view_or_api():
    tree = ast.parse((INTAKE / "access.py").read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    bad = {m for m in imported if m.startswith(("intake.services", "intake.views", "intake.api"))}
    assert not bad, f"access.py imports {bad}: the rules must not depend on what applies them"


def test_there_is_one_resolver_of_patients():
    import intake.access as access
    import intake.resolvers as resolvers

    assert not hasattr(access, "resolve_patient")
    assert callable(resolvers.resolve_patient)


CLINICAL_MODELS = {
    "Patient",
    "Interview",
    "Assessment",
    "LabOrder",
    "LabAlert",
    "LabResult",
    "TreatmentPlan",
    "Consent",
    "Disclosure",
    "Episode",
}


def _fetches_by_id(tree) -> list[tuple[int, str]]:
    """`<ClinicalModel>.objects.get/filter(pk=...)` or `(id=...)` calls."""
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in ("get", "filter"):
            continue
        manager = node.func.value
        if not (isinstance(manager, ast.Attribute) and manager.attr == "objects"):
            continue
        model = manager.value
        if isinstance(model, ast.Name) and model.id in CLINICAL_MODELS:
            if any(k.arg in ("pk", "id") for k in node.keywords):
                found.append((node.lineno, model.id))
    return found


# Reads of a record named in a request *body* (validated as input, 400 when wrong), and the
# audit report's filter by patient (privacy officers, any patient): not URL fetches.
FETCH_ALLOWED = {("api/assessment.py", "Assessment"), ("views/audit.py", "Patient")}


@pytest.mark.parametrize(
    "name, tree", list(_modules("views", "api")), ids=lambda v: v if isinstance(v, str) else ""
)
def test_views_and_api_fetch_records_through_the_resolvers(name, tree):
    fetches = [
        (line, model) for line, model in _fetches_by_id(tree) if (name, model) not in FETCH_ALLOWED
    ]
    assert not fetches, f"{name} fetches {fetches} by id; use intake/resolvers.py"

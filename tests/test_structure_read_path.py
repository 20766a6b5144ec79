"""Pages and API read patient data through selectors (issue 16): no module under
`intake/views/` or `intake/api/` queries a model of `intake.models` itself.

The rule, checked on the source (ast), for every module under those two packages:

1. no manager of an `intake.models` class: `<Model>.objects`, `._default_manager`,
   `._base_manager`, whatever follows (`.filter`, `.get`, `.none()`, `.create` ...);
2. no `Prefetch(...)`: which related rows a page reads is the selector's decision;
3. no query method (`QUERY_METHODS`) called on a related manager of an intake model
   (`patient.consents.order_by(...)`, `plan.behavioral.filter(...)`): the accessor names are
   taken from the models' `_meta`, so a new relation is covered without editing this test;
4. no query method called on what a selector returns as a `QuerySet` (directly, or through a
   local name bound to it): a view that refines a selector's queryset
   (`plan_list(...).prefetch_related(...)`) is a second read path again.

Allowed: `.all()` and iteration (reading what a record already carries, or what a selector
prefetched), slicing and paginating a selector's queryset, `.iterator()` to stream it.

Out of scope by construction: models outside `intake.models` (the user model, DRF's `Token`,
django-otp's `TOTPDevice`). They hold accounts and credentials, not patient data, and the
sign-in, second-factor and staff-account pages manage them through Django's own managers.
Nothing inside `intake.models` is allow-listed.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps
from django.db import models

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("intake/views", "intake/api")

QUERY_METHODS = frozenset(
    {
        "filter",
        "exclude",
        "get",
        "annotate",
        "alias",
        "aggregate",
        "values",
        "values_list",
        "select_related",
        "prefetch_related",
        "order_by",
        "distinct",
        "only",
        "defer",
        "exists",
        "count",
        "first",
        "last",
        "latest",
        "earliest",
        "in_bulk",
        "extra",
        "raw",
        "none",
    }
)
MANAGER_ATTRS = frozenset({"objects", "_default_manager", "_base_manager"})


def intake_model_names() -> frozenset[str]:
    return frozenset(m.__name__ for m in apps.get_app_config("intake").get_models())


def related_manager_names() -> frozenset[str]:
    """Attribute names that are related managers reading intake rows: reverse foreign keys
    and many-to-many accessors on any model, either end an intake model."""
    names: set[str] = set()
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if not (f.one_to_many or f.many_to_many):
                continue
            if "intake" not in (model._meta.app_label, f.related_model._meta.app_label):
                continue
            if isinstance(f, models.ForeignObjectRel):
                names.add(f.get_accessor_name())
            else:
                names.add(f.name)
    return frozenset(names)


def selectors_returning_querysets(root: Path) -> frozenset[tuple[str, str]]:
    """(module, function) of every selector annotated to return a QuerySet."""
    found: set[tuple[str, str]] = set()
    for path in sorted((root / "intake/selectors").glob("*.py")):
        module = f"intake.selectors.{path.stem}"
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and node.returns is not None:
                if "QuerySet" in ast.unparse(node.returns):
                    found.add((module, node.name))
    return frozenset(found)


class _Checker(ast.NodeVisitor):
    def __init__(
        self,
        tree: ast.Module,
        models_: frozenset[str],
        accessors: frozenset[str],
        qs_selectors: frozenset[tuple[str, str]],
    ) -> None:
        self.accessors = accessors
        self.model_refs: set[str] = set()  # local names of intake models
        self.models_modules: set[str] = set()  # local names of intake.models (the package)
        self.qs_functions: set[str] = set()  # local names of selectors returning QuerySets
        self.selector_modules: dict[str, str] = {}  # local name -> intake.selectors.<x>
        self.qs_names: set[str] = set()  # local variables bound to a selector's queryset
        self.problems: list[tuple[int, str]] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    local = alias.asname or alias.name
                    if node.module.startswith("intake.models") and alias.name in models_:
                        self.model_refs.add(local)
                    elif node.module == "intake" and alias.name == "models":
                        self.models_modules.add(local)
                    elif (node.module, alias.name) in qs_selectors:
                        self.qs_functions.add(local)
                    elif node.module == "intake.selectors":
                        self.selector_modules[local] = f"intake.selectors.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("intake.models") and alias.asname:
                        self.models_modules.add(alias.asname)
        self.qs_selectors = qs_selectors
        self.models_ = models_

    def _is_model(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.model_refs
        return (
            isinstance(node, ast.Attribute)
            and node.attr in self.models_
            and isinstance(node.value, ast.Name)
            and node.value.id in self.models_modules
        )

    def _is_selector_call(self, node: ast.expr) -> bool:
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        if isinstance(func, ast.Name):
            return func.id in self.qs_functions
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            module = self.selector_modules.get(func.value.id)
            return module is not None and (module, func.attr) in self.qs_selectors
        return False

    def _is_queryset(self, node: ast.expr) -> bool:
        """A selector's queryset, or a query method chained on one."""
        if isinstance(node, ast.Name):
            return node.id in self.qs_names
        if self._is_selector_call(node):
            return True
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in QUERY_METHODS
            and self._is_queryset(node.func.value)
        )

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        outer = self.qs_names
        self.qs_names = set(outer)
        for child in ast.walk(node):
            if isinstance(child, ast.Assign) and self._is_queryset(child.value):
                self.qs_names.update(t.id for t in child.targets if isinstance(t, ast.Name))
        self.generic_visit(node)
        self.qs_names = outer

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in MANAGER_ATTRS and self._is_model(node.value):
            what = f"{ast.unparse(node)}: a manager of an intake model"
            self.problems.append((node.lineno, what))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name == "Prefetch":
            self.problems.append((node.lineno, "Prefetch(...): related reads belong to a selector"))
        if isinstance(func, ast.Attribute) and func.attr in QUERY_METHODS:
            receiver = func.value
            if isinstance(receiver, ast.Attribute) and receiver.attr in self.accessors:
                self.problems.append(
                    (node.lineno, f"{ast.unparse(func)}(...): a query on a related manager")
                )
            elif self._is_queryset(receiver):
                self.problems.append(
                    (node.lineno, f"{ast.unparse(func)}(...): refines a selector's queryset")
                )
        self.generic_visit(node)


def read_path_violations(root: Path) -> list[str]:
    """Every direct ORM read in the views and API under `root`, as `path:line: what`."""
    models_ = intake_model_names()
    accessors = related_manager_names()
    qs_selectors = selectors_returning_querysets(root)
    found = []
    for package in SCANNED:
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(), filename=str(path))
            checker = _Checker(tree, models_, accessors, qs_selectors)
            checker.visit(tree)
            rel = path.relative_to(root)
            found += [f"{rel}:{line}: {what}" for line, what in sorted(set(checker.problems))]
    return found


def test_views_and_api_read_through_selectors():
    violations = read_path_violations(ROOT)
    assert not violations, "Read through a selector in intake/selectors/:\n" + "\n".join(violations)


def test_the_rule_sees_each_kind_of_direct_read(tmp_path):
    """The checker itself: each shape the rule forbids is reported, the allowed ones are not."""
    (tmp_path / "intake/selectors").mkdir(parents=True)
    (tmp_path / "intake/selectors/thing.py").write_text(
        "def thing_list(*, patient) -> QuerySet[Thing]: ...\n"
        "def thing_card(*, patient) -> dict: ...\n"
    )
    (tmp_path / "intake/views").mkdir(parents=True)
    (tmp_path / "intake/api").mkdir(parents=True)
    (tmp_path / "intake/views/bad.py").write_text(
        "from django.db.models import Prefetch\n"
        "from intake.models import CareTeamMember, Patient\n"
        "from intake.selectors.thing import thing_card, thing_list\n"
        "def a(patient):\n"
        "    CareTeamMember.objects.filter(patient=patient)\n"  # 5
        "    patient.consents.order_by('-signed_on')\n"  # 6
        "    Prefetch('episodes')\n"  # 7
        "    thing_list(patient=patient).prefetch_related('x')\n"  # 8
        "    qs = thing_list(patient=patient)\n"
        "    qs.filter(a=1)\n"  # 10
        "    Patient.objects.none()\n"  # 11
        "def fine(patient, request):\n"
        "    list(patient.consents.all())\n"
        "    thing_list(patient=patient)[:10]\n"
        "    thing_card(patient=patient).get('latest')\n"
        "    request.GET.get('q')\n"
    )
    lines = [v.split(":")[1] for v in read_path_violations(tmp_path)]
    assert lines == ["5", "6", "7", "8", "10", "11"]

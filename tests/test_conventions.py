"""The conventions of docs/architecture.md, checked on the source rather than only written down.

An AST walk over ``cartable/``, as large Django projects keep their own lint rules. Each rule names its few
justified exceptions in ``EXCEPTIONS``, in this one place, with the reason; a new exception is a review
decision, not a silent drift. On failure the message lists every offending line.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cartable"
MAX_MODULE_LINES = 800
MAX_VIEW_LINES = 40

# rule -> {"path:function" or "path": reason}. Paths are relative to the repository.
EXCEPTIONS: dict[str, dict[str, str]] = {
    "orm-write-in-view": {},
    "role-in-view": {},
    "unguarded-fetch-in-view": {},
    "module-too-long": {},
    "view-too-long": {},
    "role-in-template": {},
    "core-names-a-role": {},
    "test-imports-a-test-module": {},
    "untyped-layer": {},
    "get-view-calls-an-action": {
        "cartable/messaging/views.py:thread": "opening a conversation is what marks it read, as in every mail "
        "client; the action only sets read_at on the reader's own entries",
        "cartable/agenda/views.py:ical": "a calendar client can only GET; the feed's last-read time tells its "
        "owner which secret links are in use (the preferences page lists them to revoke)",
    },
}

ORM_WRITES = {"save", "create", "update", "delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
ROLE_CALLS = {"has_role", "is_staff_of", "is_manager_of", "roles_in", "holds_in", "establishments_where"}
FETCHES = {"get", "filter", "exclude", "all", "first", "last", "get_or_create", "in_bulk"}


def source_files() -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def is_view_module(path: Path) -> bool:
    return path.name.startswith("views") or "views" in path.parts[:-1]


def is_write_free_module(path: Path) -> bool:
    """Modules that must not write: views, hooks (registrations only), template tags."""
    return is_view_module(path) or path.name == "hooks.py" or "templatetags" in path.parts


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def enclosing_functions(tree: ast.Module) -> dict[int, str]:
    """line -> name of the top-level function or class holding it."""
    owner: dict[int, str] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            for line in range(node.lineno, (node.end_lineno or node.lineno) + 1):
                owner[line] = node.name
    return owner


def allowed(rule: str, path: Path, function: str | None) -> bool:
    names = EXCEPTIONS[rule]
    return rel(path) in names or (function is not None and f"{rel(path)}:{function}" in names)


def report(rule: str, found: list[str]) -> None:
    found = sorted(dict.fromkeys(found), key=_by_place)
    if found:
        pytest.fail(f"{rule}: {len(found)} place(s) break the convention\n  " + "\n  ".join(found), pytrace=False)


def _by_place(entry: str) -> tuple[str, int]:
    place = entry.split(" ", 1)[0]
    path, _, line = place.rstrip(":").partition(":")
    return path, int(line) if line.isdigit() else 0


def _scoped_model_names() -> set[str]:
    """Names of the models that belong to an establishment (a field ``establishment``)."""
    names = set()
    for model in apps.get_models():
        if model.__module__.startswith("cartable.") and any(
            f.name == "establishment" for f in model._meta.get_fields()
        ):
            names.add(model.__name__)
    return names


def test_views_hooks_and_template_tags_write_nothing():
    """Writes go through actions: no ORM write in a view, a hooks module or a template tag."""
    found = []
    for path in filter(is_write_free_module, source_files()):
        tree = parse(path)
        owner = enclosing_functions(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ORM_WRITES
                and not allowed("orm-write-in-view", path, owner.get(node.lineno))
            ):
                # ``form.save()`` of a ModelForm is a write too; ``cache.delete`` or ``set.update`` are not ORM:
                # skip calls on names that are plainly not querysets or models.
                target = ast.unparse(node.func.value)
                if re.fullmatch(
                    r"(cache|session|request\.session|self\.request\.session|.*\.headers|response|kwargs|"
                    r"context|data|params|query|seen|counts|choices|values|extra|[a-z_]*_map|dict|set)",
                    target,
                ):
                    continue
                found.append(f"{rel(path)}:{node.lineno} {ast.unparse(node.func)}()")
    report("orm-write-in-view", found)


def test_views_decide_no_permission_by_role():
    """Views ask a policy or a named permission; they compare no ``Role.`` and ask no role question."""
    lines: dict[tuple[str, int], str] = {}
    for path in filter(is_view_module, source_files()):
        tree = parse(path)
        owner = enclosing_functions(tree)
        for node in ast.walk(tree):
            line = getattr(node, "lineno", 0)
            if allowed("role-in-view", path, owner.get(line)):
                continue
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Role":
                lines[(rel(path), line)] = f"Role.{node.attr}"
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ROLE_CALLS:
                lines[(rel(path), line)] = f"{ast.unparse(node.func)}()"
            elif isinstance(node, ast.Compare) and "role" in ast.unparse(node.left).split(".")[-1:]:
                lines[(rel(path), line)] = ast.unparse(node)
    report("role-in-view", [f"{p}:{n} {what}" for (p, n), what in lines.items()])


def test_views_fetch_establishment_rows_through_the_guard():
    """``Model.objects.get/filter`` on an establishment's model in a view bypasses ``authz``: views use
    ``authz.access``, ``.visible_to(actor)`` or the app's queries."""
    scoped = _scoped_model_names()
    found = []
    for path in filter(is_view_module, source_files()):
        tree = parse(path)
        owner = enclosing_functions(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            manager = node.func.value
            if (
                node.func.attr in FETCHES
                and isinstance(manager, ast.Attribute)
                and manager.attr in {"objects", "_default_manager"}
                and isinstance(manager.value, ast.Name)
                and manager.value.id in scoped
                and not allowed("unguarded-fetch-in-view", path, owner.get(node.lineno))
            ):
                found.append(f"{rel(path)}:{node.lineno} {ast.unparse(node.func)}()")
    report("unguarded-fetch-in-view", found)


def test_no_module_is_too_long():
    found = []
    for path in source_files():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES and not allowed("module-too-long", path, None):
            found.append(f"{rel(path)}: {lines} lines")
    report("module-too-long", found)


def test_views_are_thin():
    """No view (a top-level function or class of a views module) is longer than the limit."""
    found = []
    for path in filter(is_view_module, source_files()):
        for node in parse(path).body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_VIEW_LINES and not allowed("view-too-long", path, node.name):
                    found.append(f"{rel(path)}:{node.lineno} {node.name}: {length} lines")
    report("view-too-long", found)


TEMPLATE_ROLE = re.compile(r"\{%[^%]*\b(has_role|role\s*==|role\s*!=|Role\.|is_staff|is_guardian|is_family)\b[^%]*%\}")


def test_templates_receive_permissions_not_roles():
    """Templates show what a ``can_*`` flag allows; they never compare a role themselves."""
    found = []
    for path in sorted(PACKAGE.rglob("templates/**/*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if TEMPLATE_ROLE.search(line) and not allowed("role-in-template", path, None):
                found.append(f"{rel(path)}:{number} {line.strip()[:100]}")
    report("role-in-template", found)


def test_the_kernel_names_no_role():
    """``core`` knows no school: it names no role (the directory defines them)."""
    found = []
    for path in sorted((PACKAGE / "core").rglob("*.py")):
        if "migrations" in path.parts or allowed("core-names-a-role", path, None):
            continue
        for node in ast.walk(parse(path)):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Role":
                found.append(f"{rel(path)}:{node.lineno} Role.{node.attr}")
            elif isinstance(node, ast.Constant) and node.value in {
                "guardian",
                "student",
                "teacher",
                "education",
                "direction",
                "regional_admin",
            }:
                found.append(f"{rel(path)}:{node.lineno} {node.value!r}")
    report("core-names-a-role", found)


TEST_PATH = re.compile(r"^tests\.(test_\w+|base|browser\.\w+)\.\w+$")  # a dotted path into a test module


def test_test_modules_share_through_the_support_package():
    """What tests share lives in ``tests/support/``: no test module imports another test module (nor names
    one in a dotted path, as a mail backend setting would)."""
    tests = ROOT / "tests"
    found = []
    for path in sorted(tests.rglob("*.py")):
        if "support" in path.relative_to(tests).parts[:1] or allowed("test-imports-a-test-module", path, None):
            continue
        for node in ast.walk(parse(path)):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and TEST_PATH.match(node.value):
                names = [node.value]
            for name in names:
                if name.startswith("tests.") and not name.startswith("tests.support") and name != "tests":
                    module = name.rsplit(".", 1)[0] if isinstance(node, ast.Constant) else name
                    if module != ".".join(path.relative_to(ROOT).with_suffix("").parts):
                        found.append(f"{rel(path)}:{node.lineno} {name}")
    report("test-imports-a-test-module", found)


def _action_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """The names a module binds to actions modules (``actions``, ``grade_actions``...) and to functions
    imported from one."""
    modules, functions = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if alias.name == "actions" or alias.name.endswith("_actions"):
                    modules.add(alias.asname or alias.name)
                elif node.module.endswith(".actions"):
                    functions.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.endswith(".actions") and alias.asname:
                    modules.add(alias.asname)
    return modules, functions


def _decorator_names(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    names = set()
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        names.add(target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", ""))
    return names


def test_no_get_view_calls_an_action():
    """A view that answers only GET (``require_GET``/``require_safe``) changes nothing: it calls no action."""
    found = []
    for path in filter(is_view_module, source_files()):
        tree = parse(path)
        modules, functions = _action_names(tree)
        for view in tree.body:
            if not isinstance(view, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if not _decorator_names(view) & {"require_GET", "require_safe"}:
                continue
            for node in ast.walk(view):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                calls_action = (
                    isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in modules
                ) or (isinstance(func, ast.Name) and func.id in functions)
                if calls_action and not allowed("get-view-calls-an-action", path, view.name):
                    found.append(f"{rel(path)}:{node.lineno} {view.name}: {ast.unparse(func)}()")
    report("get-view-calls-an-action", found)


def is_typed_layer(path: Path) -> bool:
    """Actions, queries and policies: the layers whose signatures the other apps and the API rely on."""
    layers = {"actions", "queries", "policies"}
    return path.stem in layers or path.parent.name in layers


def test_actions_queries_and_policies_are_typed():
    """Every function of an actions, queries or policies module says what it returns, and its ``actor``
    parameter is an ``Actor`` (mypy then checks the calls)."""
    found = []
    for path in filter(is_typed_layer, source_files()):
        for node in ast.walk(parse(path)):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or node.name == "__init__":
                continue
            if node.returns is None and not allowed("untyped-layer", path, node.name):
                found.append(f"{rel(path)}:{node.lineno} {node.name}: no return type")
            for argument in node.args.posonlyargs + node.args.args + node.args.kwonlyargs:
                if argument.arg == "actor" and argument.annotation is None:
                    found.append(f"{rel(path)}:{node.lineno} {node.name}: actor without a type")
    report("untyped-layer", found)

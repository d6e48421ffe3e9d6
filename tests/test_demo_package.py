"""liangxin.demo: demo data lives in one package that depends on the domain apps, never the reverse;
its one entry point builds a coherent cast on a tiny city, and ``seed_demo --reset`` clears a full demo."""

import ast
import io
from pathlib import Path

import pytest
from django.core.management import call_command

import liangxin.demo
from liangxin.orgs.models import Organization
from liangxin.party.models import MemberExit

from .test_party_demo_runs import assert_cast_is_coherent

pytestmark = pytest.mark.django_db

PACKAGE = Path(liangxin.demo.__file__).parent
LIANGXIN = PACKAGE.parent


def imported_modules(tree: ast.Module, package: str) -> list[tuple[str, ast.AST]]:
    """(absolute module name, node) for each import statement in the module, at any depth."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the file's package
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([base] if base else [])])
            found += [(f"{base}.{alias.name}", node) for alias in node.names] + [(base, node)]
    return found


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def module_name(path: Path) -> str:
    parts = path.relative_to(LIANGXIN.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(path: Path) -> str:
    name = module_name(path)
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def test_the_domain_apps_do_not_import_the_demo():
    offenders = []
    for path in sorted(LIANGXIN.rglob("*.py")):
        if PACKAGE in path.parents:
            continue
        for name, node in imported_modules(parse(path), package_of(path)):
            if name == "liangxin.demo" or name.startswith("liangxin.demo."):
                offenders.append(f"{path.relative_to(LIANGXIN.parent)}:{node.lineno} {name}")
    assert offenders == []
    assert not [p for p in LIANGXIN.glob("*/demo.py")], "demo modules belong in liangxin/demo/"


def test_the_demo_package_has_no_import_cycles_and_imports_at_module_level():
    graph: dict[str, set[str]] = {}
    inline = []
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    for path in paths:
        source = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(source))
        top = set(map(id, tree.body))
        edges = graph.setdefault(module_name(path), set())
        for name, node in imported_modules(tree, package_of(path)):
            if id(node) not in top:
                if "noqa: PLC0415" not in source[node.lineno - 1]:
                    inline.append(f"{path.name}:{node.lineno}")
                continue
            edges |= {name} & modules
    assert inline == []

    def visit(module: str, stack: tuple[str, ...]) -> None:
        assert module not in stack, " → ".join([*stack, module])
        for target in graph.get(module, ()):
            visit(target, (*stack, module))

    for module in graph:
        visit(module, ())


def test_build_demo_on_a_tiny_city_gives_a_coherent_cast_and_reset_clears_it():
    lines: list[str] = []
    liangxin.demo.build_demo(orgs=300, seed=2026, snapshots=0, log=lines.append)
    assert Organization.objects.count() == 300 and any("党费档案" in line for line in lines)
    assert_cast_is_coherent()
    # a 转出至系统外 transfer's exit record protects the transfer: reset must take the exits first
    assert MemberExit.objects.filter(transfer__isnull=False).exists()
    out = io.StringIO()
    call_command("seed_demo", orgs=300, seed=2026, snapshots=0, reset=True, stdout=out)
    assert "删除已有演示数据" in out.getvalue() and "演示数据生成完成" in out.getvalue()
    assert Organization.objects.count() == 300
    assert_cast_is_coherent()

"""Figures on the code's structure, for the structure issue's before/after note.

Prints, for liangxin/ outside migrations: files and lines per app, the longest files, imports
inside functions, and the share of public functions (and methods) with full type hints.
`python scripts/structure_figures.py`; duplicate pairs come from the `duplicates` tool.
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "liangxin"


def source_files() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if "migrations" not in p.parts)


def app_of(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return rel.parts[0] if len(rel.parts) > 1 else "(project)"


def inline_imports(tree: ast.AST) -> int:
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    count += 1
    return count


def is_typed(fn: ast.FunctionDef | ast.AsyncFunctionDef, is_method: bool) -> bool:
    args = fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs
    if is_method and args and args[0].arg in ("self", "cls"):
        args = args[1:]
    extras = [a for a in (fn.args.vararg, fn.args.kwarg) if a is not None]
    return fn.returns is not None and all(a.annotation is not None for a in args + extras)


def public_functions(tree: ast.Module):
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_"):
            yield node, False
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and not item.name.startswith("_"):
                    yield item, True


def main() -> None:
    files = source_files()
    per_app_files: Counter[str] = Counter()
    per_app_lines: Counter[str] = Counter()
    lengths = []
    inline = 0
    typed = total = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        app = app_of(path)
        per_app_files[app] += 1
        per_app_lines[app] += lines
        lengths.append((lines, str(path.relative_to(ROOT.parent))))
        tree = ast.parse(text)
        inline += inline_imports(tree)
        for fn, is_method in public_functions(tree):
            total += 1
            typed += is_typed(fn, is_method)
    print(f"files {len(files)}, lines {sum(per_app_lines.values())}")
    print("per app (files, lines):")
    for app in sorted(per_app_files):
        print(f"  {app:12} {per_app_files[app]:4} {per_app_lines[app]:6}")
    print("longest files:")
    for lines, name in sorted(lengths, reverse=True)[:10]:
        print(f"  {lines:5} {name}")
    print(f"imports inside functions: {inline}")
    print(f"public functions fully typed: {typed}/{total} ({100 * typed / max(total, 1):.1f} %)")


if __name__ == "__main__":
    sys.exit(main())

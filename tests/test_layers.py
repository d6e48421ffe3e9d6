"""Import layers: an app imports only its own layer and the layers below it.

Layers, low → high (a module may import from its own tier and from lower tiers; the apps of
one tier are siblings and must not import one another):

0. ``core`` (and the ``liangxin`` package itself)
1. base apps: ``regions`` | ``mgmt`` | ``accounts`` (models, roles, services, passwords, tokens —
   everything but ``accounts.scoping``)
2. ``inbox`` — notices, and the reminder registry the daily-work apps fill in
3. ``orgs`` — the two-new organizations
4. ``party`` — party organizations and members, built on orgs
5. the apps built on party: ``life`` | ``dues`` | ``develop`` | ``transfers`` | ``stats`` |
   ``imports``
6. ``messaging`` — 信息群发: reaches members, organizations and users of every app below
7. ``circulars`` — 通知下达: notices down the management tree, delivered as 信息群发 of source 通知下达 |
   ``reporting`` — 报送任务: reads the measures of the daily-work apps and statistics below; its
   催报 reaches the nodes' administrators as 信息群发 of source 报送任务 (inbox, e-mail, SMS)
8. ``assessment`` — 考核评估: indicator sets whose measures read the apps below (life, dues,
   develop, party, stats, reporting, messaging)
9. ``duty_reports`` — 述职报告: a committee's yearly figures assembled from the apps below (stats,
   life, dues, develop, party, reporting via assessment's measure, messaging), its text and review
10. the scope seam: ``accounts.scoping`` (who may see what, over every domain app)
11. entry points: ``web``, ``api``, ``demo``, ``urls``, ``settings``, ``wsgi``, and inside any
   app every ``management`` module, every ``tasks`` module and every ``demo`` module

Where a lower app needs a higher one at run time, the lower app declares a slot
(``liangxin.core.hooks``) the higher app fills from its ``AppConfig.ready()``: the password
lifetime (accounts ← party's policy), the party organizations covering an organization
(orgs.services ← party), the measures the organization list filters by (orgs.queries ← stats),
the 自行脱党 rule's dues and life readings (party.exits ← dues, life), the reminders
(inbox ← party, life, develop, transfers, dues, reporting).

An import counts wherever it stands — at module level or inside a function — and so does a
string naming a ``liangxin`` module (``import_string``/``import_module`` paths, registries).
Migrations are skipped, and so are imports under ``if TYPE_CHECKING:`` (annotations only: a
domain function may name the ``Scope`` it is handed). Django loads every app before any
request, so an inline import never breaks a cycle at run time; it only hides it.
"""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from liangxin.accounts import passwords
from liangxin.core.hooks import Registry, Slot
from liangxin.inbox import reminders
from liangxin.orgs import queries as org_queries
from liangxin.orgs import services as org_services
from liangxin.party import exits

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "liangxin"

ENTRY = 11
SCOPE_SEAM = 10
# app → (tier, sibling group): the same tier with a different group is a sideways import
TIERS: dict[str, tuple[int, str]] = {
    "core": (0, "core"),
    "regions": (1, "regions"),
    "mgmt": (1, "mgmt"),
    "accounts": (1, "accounts"),
    "inbox": (2, "inbox"),
    "orgs": (3, "orgs"),
    "party": (4, "party"),
    "life": (5, "life"),
    "dues": (5, "dues"),
    "develop": (5, "develop"),
    "transfers": (5, "transfers"),
    "stats": (5, "stats"),
    "imports": (5, "imports"),
    "portal": (5, "portal"),
    "qa": (5, "qa"),
    "messaging": (6, "messaging"),
    "circulars": (7, "circulars"),
    "reporting": (7, "reporting"),
    "assessment": (8, "assessment"),
    "duty_reports": (9, "duty_reports"),
    "web": (ENTRY, "entry"),
    "api": (ENTRY, "entry"),
    "demo": (ENTRY, "entry"),
    "urls": (ENTRY, "entry"),
    "settings": (ENTRY, "entry"),
    "wsgi": (ENTRY, "entry"),
}

# (importing module, imported unit: an app, the scope seam or an entry module) pairs still against
# the layers, each with what removes it; each must still occur (test_known_violations_still_occur),
# so the set empties as those changes merge
KNOWN_VIOLATIONS: set[tuple[str, str]] = set()  # none: keep it so; a new entry needs a reason

DOTTED = re.compile(r"^liangxin(\.[A-Za-z_]\w*)+$")


@dataclass(frozen=True)
class Edge:
    importer: str  # dotted module name
    imported: str  # dotted module (or module.attribute) name
    line: int
    how: str  # "module", "inline", "string" or "typing" (under ``if TYPE_CHECKING:``)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    if not is_package:
        base.pop()
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _edges_of(path: Path) -> list[Edge]:
    importer = module_name(path)
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    top_level = {id(node) for node in tree.body}
    typing_only = set()
    for node in tree.body:  # imports under a module-level if/try still run at import time
        if isinstance(node, ast.If | ast.Try):
            imports = {id(n) for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)}
            is_typing = isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            (typing_only if is_typing else top_level).update(imports)
    edges = []
    for node in ast.walk(tree):
        how = "typing" if id(node) in typing_only else "module" if id(node) in top_level else "inline"
        if isinstance(node, ast.Import):
            edges += [Edge(importer, alias.name, node.lineno, how) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(importer, is_package, node)
            # ``from liangxin.x import y`` may name a module y: record the longer name
            edges += [Edge(importer, f"{source}.{alias.name}", node.lineno, how) for alias in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and DOTTED.match(node.value):
            edges.append(Edge(importer, node.value, node.lineno, "string"))
    return [edge for edge in edges if edge.imported.split(".")[0] == "liangxin"]


def all_edges() -> list[Edge]:
    paths = sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)
    return [edge for path in paths for edge in _edges_of(path)]


def layer_of(module: str) -> tuple[int, str] | None:
    """(tier, sibling group) of a dotted name, or None for the ``liangxin`` package itself."""
    parts = module.split(".")[1:]
    if not parts:
        return None
    if "management" in parts or parts[-1] in ("tasks", "demo") or (len(parts) > 1 and parts[1] in ("tasks", "demo")):
        return (ENTRY, "entry")
    if parts[:2] == ["accounts", "scoping"]:
        return (SCOPE_SEAM, "scoping")
    return TIERS.get(parts[0])


def violation(edge: Edge) -> bool:
    source, target = layer_of(edge.importer), layer_of(edge.imported)
    if source is None or target is None or source[0] == ENTRY or edge.how == "typing":
        return False
    return target[0] > source[0] or (target[0] == source[0] and target[1] != source[1])


def violations() -> list[Edge]:
    return [edge for edge in all_edges() if violation(edge)]


def unit(module: str) -> str:
    """The app of a dotted name — or the scope seam, or the entry module (tasks, demo, command) in it."""
    parts = module.split(".")
    layer = layer_of(module)
    if layer == (SCOPE_SEAM, "scoping"):
        return "liangxin.accounts.scoping"
    if layer is not None and layer[0] == ENTRY and TIERS.get(parts[1], (ENTRY,))[0] != ENTRY:
        for end in range(2, len(parts) + 1):
            if layer_of(".".join(parts[:end])) == layer:
                return ".".join(parts[:end])
    return ".".join(parts[:2])


def _pair(edge: Edge) -> tuple[str, str]:
    return (edge.importer, unit(edge.imported))


def test_no_upward_imports():
    found = [e for e in violations() if _pair(e) not in KNOWN_VIOLATIONS]
    assert not found, "imports against the layers (see this module's docstring):\n" + "\n".join(
        f"{e.importer}:{e.line} → {e.imported} ({e.how})" for e in found
    )


def test_known_violations_still_occur():
    occurring = {_pair(e) for e in violations()}
    gone = KNOWN_VIOLATIONS - occurring
    assert not gone, f"no longer violations, remove them from KNOWN_VIOLATIONS: {sorted(gone)}"


def test_every_app_has_a_tier():
    names = {p.stem if p.suffix == ".py" else p.name for p in PACKAGE.iterdir() if p.name != "__init__.py"}
    apps = {n for n in names if (PACKAGE / n).is_dir() and (PACKAGE / n / "__init__.py").exists()}
    modules = {n for n in names if (PACKAGE / f"{n}.py").exists()}
    assert apps | modules <= set(TIERS), f"place these in TIERS: {sorted((apps | modules) - set(TIERS))}"


def test_the_walk_sees_every_kind_of_import():
    """Imports at module level, inside functions and as strings are all read (a walk that read
    nothing would pass the layer test)."""
    edges = all_edges()
    assert {"module", "inline", "string"} <= {e.how for e in edges}
    assert any(e.importer == "liangxin.party.exits" and e.imported.startswith("liangxin.party.models") for e in edges)
    assert any(e.importer == "liangxin.settings" and e.how == "string" for e in edges)


def test_upward_and_sideways_imports_are_caught():
    def flagged(importer, imported, how="inline"):
        return violation(Edge(importer, imported, 1, how))

    assert flagged("liangxin.orgs.models", "liangxin.web.views.orgs")
    assert flagged("liangxin.party.services", "liangxin.api.party", "string")
    assert flagged("liangxin.accounts.passwords", "liangxin.party.policy")
    assert flagged("liangxin.orgs.services", "liangxin.accounts.scoping")
    assert flagged("liangxin.life.services", "liangxin.dues.ledger")  # siblings
    assert flagged("liangxin.imports.engine", "liangxin.imports.tasks")  # an entry module of its own app
    assert not flagged("liangxin.party.exits", "liangxin.orgs.responsibility")
    assert not flagged("liangxin.accounts.scoping", "liangxin.imports.models")
    assert not flagged("liangxin.imports.tasks", "liangxin.imports.engine")
    assert not flagged("liangxin.web.views.orgs", "liangxin.api.views")
    assert not flagged("liangxin.party.exits", "liangxin.accounts.scoping", "typing")


def test_every_slot_is_filled_and_an_empty_one_says_so():
    """The slots of the lower apps are filled by the higher ones' AppConfig.ready()."""
    slots = [org_services.covering_nodes_now, org_queries.stat_condition, exits.dues_lapse_run, exits.life_lapsed]
    assert all(slot._provided is not None for slot in slots), slots
    assert passwords.max_age_days._provided is not None and org_queries.stat_measures._provided is not None
    sources = {f"{f.__module__}.{f.__name__}" for f in reminders.SOURCES}
    assert sources == {
        f"liangxin.{app}.reminders.due_for"
        for app in ("party", "life", "develop", "transfers", "dues", "circulars", "reporting")
    }

    empty = Slot("无人提供")
    with pytest.raises(ImproperlyConfigured, match="无人提供"):
        empty()
    assert Slot("有默认值", default=lambda: 0)() == 0
    registry = Registry("登记")
    registry.add(len)
    registry.add(len)  # ready() run twice registers once
    assert list(registry) == [len]

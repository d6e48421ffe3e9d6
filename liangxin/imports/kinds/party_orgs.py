"""Importing party organizations (党组织): upsert by name within the user's
``scope.party_orgs("change")``, checked by ``party.validation.check_party_org``, written through
``party.services`` (audit, coverage, responsibility), row by row so that a branch may name a
general branch created earlier in the same file as its parent."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from liangxin.mgmt.models import ManagementNode, NodeKind
from liangxin.orgs import services as org_services
from liangxin.orgs import validation as org_validation
from liangxin.orgs.models import Organization
from liangxin.party import services, validation
from liangxin.party.choices import PartyOrgType, SetupMode
from liangxin.party.models import PartyOrganization, PartyOrgLink

from .. import cells
from ..spec import Column, Outcome, Prepared, RowError
from .lookups import NodeLookup
from .rowwise import RowKind, name_key, split_list, text_of

ORG_TYPE = cells.Choice(
    PartyOrgType.choices,
    "党组织类型",
    {
        "党委": PartyOrgType.COMMITTEE, "基层委员会": PartyOrgType.COMMITTEE, "总支": PartyOrgType.GENERAL_BRANCH,
        "党总支部": PartyOrgType.GENERAL_BRANCH, "总支部委员会": PartyOrgType.GENERAL_BRANCH,
        "支部": PartyOrgType.BRANCH, "党支部委员会": PartyOrgType.BRANCH, "独立党支部": PartyOrgType.BRANCH,
        "联合支部": PartyOrgType.JOINT_BRANCH, "联合党支部委员会": PartyOrgType.JOINT_BRANCH,
        "临时支部": PartyOrgType.TEMPORARY_BRANCH, "功能型党组织": PartyOrgType.FUNCTIONAL,
        "活动型党组织": PartyOrgType.FUNCTIONAL, "功能型党支部": PartyOrgType.FUNCTIONAL,
        "功能型": PartyOrgType.FUNCTIONAL, "活动型": PartyOrgType.FUNCTIONAL,
    },
)  # fmt: skip
SETUP_MODE = cells.Choice(
    SetupMode.choices,
    "组建方式",
    {
        "单独": SetupMode.SINGLE, "单建": SetupMode.SINGLE, "独立组建": SetupMode.SINGLE, "单独建立": SetupMode.SINGLE,
        "联合": SetupMode.JOINT, "联建": SetupMode.JOINT, "联合建立": SetupMode.JOINT,
        "挂靠": SetupMode.ATTACHED, "依托": SetupMode.BASED, "派驻": SetupMode.DISPATCHED,
        "选派": SetupMode.DISPATCHED, "派驻组建": SetupMode.DISPATCHED, "选派组建": SetupMode.DISPATCHED,
        "区域": SetupMode.REGIONAL, "区域联合": SetupMode.REGIONAL, "行业": SetupMode.INDUSTRY,
        "行业联建": SetupMode.INDUSTRY, "临时": SetupMode.TEMPORARY, "兼合": SetupMode.COMBINED,
        "兼合式组建": SetupMode.COMBINED,
    },
)  # fmt: skip
# 党组织类型 from the name's ending, most specific first: a full name says what it is
TYPE_BY_NAME = [
    ("联合党支部", PartyOrgType.JOINT_BRANCH), ("临时党支部", PartyOrgType.TEMPORARY_BRANCH),
    ("功能型党支部", PartyOrgType.FUNCTIONAL), ("功能型党小组", PartyOrgType.FUNCTIONAL),
    ("党总支", PartyOrgType.GENERAL_BRANCH), ("党总支部", PartyOrgType.GENERAL_BRANCH),
    ("总支部委员会", PartyOrgType.GENERAL_BRANCH), ("党支部", PartyOrgType.BRANCH),
    ("支部委员会", PartyOrgType.BRANCH), ("党委", PartyOrgType.COMMITTEE), ("委员会", PartyOrgType.COMMITTEE),
]  # fmt: skip


def type_from_name(name: str) -> str:
    """The type a party organization's full name states ("" when it states none)."""
    word = name_key(name)
    return next((kind for ending, kind in TYPE_BY_NAME if word.endswith(ending)), "")


VALUE_FIELDS = ["org_type", "setup_mode", "founded_on", "term_start", "term_end", "approval_doc_no"]
COVERS = "覆盖组织统一社会信用代码"


def _founded(value):
    return org_validation.clean_founded_on(cells.date(value))


def _covers(value) -> tuple[str, ...]:
    """Codes (or #编号 for an organization without one), in any separator; each checked."""
    tokens, bad = [], []
    for word in split_list(value):
        if word.startswith("#") and word[1:].isdigit():
            token = word
        else:
            try:
                token = org_validation.clean_credit_code(word)
            except ValidationError as error:
                bad.append(f"「{word}」{error.messages[0]}")
                continue
        if token and token not in tokens:
            tokens.append(token)
    if bad:
        raise ValidationError("；".join(bad))
    return tuple(tokens)


def _covered_export(party_org: PartyOrganization) -> str:
    """The current links (prefetched as ``current_links`` by the list export, else queried)."""
    links = getattr(party_org, "current_links", None)
    if links is not None:
        codes = [(link.organization.credit_code, link.organization_id) for link in links]
    else:
        codes = PartyOrgLink.objects.filter(party_org=party_org, end_on__isnull=True).values_list(
            "organization__credit_code", "organization_id"
        )
    return "、".join(sorted(code or f"#{pk}" for code, pk in codes))


COLUMNS = [
    Column("name", "党组织名称", ("党组织全称", "党组织", "名称"), text_of("党组织名称", least=2, most=100),
           required=True, example="上海示例科技有限公司党支部", note="全称；已有的党组织按名称更新",
           export=lambda p: p.node.name),
    Column("parent", "上级党组织", ("上级党委", "上级党组织名称", "上级组织", "隶属党委"), cells.text, required=True,
           example="南京东路街道综合党委",
           note="党委或党组织的全称；可以是本文件中列在前面的党组织", export=lambda p: p.node.parent.name),
    Column("org_type", "党组织类型", ("党组织类别", "组织类型", "类型"), ORG_TYPE,
           choices=tuple(PartyOrgType.labels), example="党支部", note="可省略：按名称推定（……党支部、……党总支等）",
           export=lambda p: p.get_org_type_display()),
    Column("setup_mode", "组建方式", ("组建形式", "建立方式", "组建类型"), SETUP_MODE, required=True,
           choices=tuple(SetupMode.labels), example="单独组建", export=lambda p: p.get_setup_mode_display()),
    Column("founded_on", "成立日期", ("成立时间", "建立日期", "组建日期"), _founded, kind="date", example="2020-07-01",
           export=lambda p: p.founded_on),
    Column("term_start", "本届任期开始", ("任期开始", "本届任期开始日期", "任期开始日期", "换届日期"), cells.date,
           kind="date", example="2023-07-01", export=lambda p: p.term_start),
    Column("term_end", "本届任期届满", ("任期届满", "本届任期届满日期", "任期届满日期", "届满日期", "任期结束"),
           cells.date, kind="date", note="留空时按任期年限从任期开始推算", export=lambda p: p.term_end),
    Column("approval_doc_no", "成立批复文号", ("批复文号", "成立批复", "批准文号"), text_of("成立批复文号", most=60),
           example="黄社工委〔2020〕12号", export=lambda p: p.approval_doc_no),
    Column("covers", COVERS, ("覆盖组织", "覆盖的两新组织", "覆盖组织信用代码", "覆盖单位统一社会信用代码", "覆盖单位"),
           _covers, example="91310101MA1FL0001D",
           note="所覆盖两新组织的统一社会信用代码，多个用“、”分隔（无代码的组织写 #编号）；"
                "列出即为全部：文件中没有的组织，其覆盖关系于导入当日结束",
           export=_covered_export),
]  # fmt: skip
EXPORT_EXTRA = [
    ("书记", lambda p: p.secretary.name if p.secretary_id else "", "text"),
    ("状态", lambda p: "有效" if p.node.is_active else "已撤销", "text"),
]


class PartyOrgKind(RowKind):
    name = "party_orgs"
    label = "党组织"
    key_label = "党组织名称"
    columns = COLUMNS
    export_extra = EXPORT_EXTRA
    export_related = ("node__parent", "secretary")
    required = "can_edit_party"
    duplicate_what = "党组织名称相同"
    duplicate_column = "党组织名称"

    def context(self, actor, scope):
        return Context(actor, scope)

    def notes(self, ctx: "Context", header) -> list[str]:
        if not ctx.typed_by_name:
            return []
        if "org_type" not in header.index:
            return [f"本文件无『党组织类型』列，{ctx.typed_by_name} 行已按党组织名称推定"]
        return [f"『党组织类型』有 {ctx.typed_by_name} 行为空，已按党组织名称推定"]

    def key(self, ctx, values: dict):
        return name_key(values["name"]) if values.get("name") else None

    # -- references and checks -------------------------------------------------------------
    def resolve(self, ctx: "Context", row: Prepared) -> None:
        values = row.values
        name = values.get("name") or ""
        current = None
        if name:
            current = self._current(ctx, row, name)
        values["_current"] = current
        parent_text = values.get("parent") or ""
        parent = None
        if parent_text:
            try:
                parent = ctx.nodes.find(parent_text)
            except ValidationError as error:
                row.errors.append(RowError("上级党组织", parent_text, error.messages[0]))
        if parent is not None and current is not None and parent.path.startswith(current.node.path):
            row.errors.append(RowError("上级党组织", parent_text, "上级党组织不能是本党组织或它的下级"))
        values["parent"] = parent
        covered = None
        if "covers" in values:
            covered = self._covered(ctx, row, values["covers"], current)
        values["_covered"] = covered
        if row.errors or parent is None:
            return
        checked = {
            "parent": parent if parent.pk is not None else None,  # one made earlier in this file passed already
            "term_start": values.get("term_start", current.term_start if current else None),
            "term_end": values.get("term_end", current.term_end if current else None),
        }
        errors = validation.check_party_org(checked, instance=current, scope=ctx.scope, covered=covered or [])
        for field, message in errors.items():
            if field == "covers":
                row.errors.append(RowError(COVERS, "、".join(values.get("covers") or ()), message))
            elif field == "parent":
                row.errors.append(RowError("上级党组织", parent_text, message))
            else:
                row.errors.append(RowError(self.header_of(field), cells.text(checked.get(field)), message))

    def _current(self, ctx: "Context", row: Prepared, name: str) -> PartyOrganization | None:
        same = ctx.by_name.get(name_key(name), [])
        if any(p.pk is None for p in same):
            return None  # made by an earlier row of this file: reported as a duplicate
        mine = [p for p in same if p.pk in ctx.change_ids]
        if same and not mine:
            reason = f"已有同名党组织「{same[0].node.name}」，不在您的管辖范围内，不能修改；"
            reason += "如为另一党组织，请使用能区分的全称"
            row.errors.append(RowError("党组织名称", name, reason))
            return None
        if len(mine) > 1:
            reason = f"有 {len(mine)} 个同名党组织「{name}」，无法确定更新哪一个，请联系上级党委区分名称"
            row.errors.append(RowError("党组织名称", name, reason))
            return None
        return mine[0] if mine else None

    def _covered(self, ctx: "Context", row: Prepared, tokens, current) -> list[Organization]:
        codes = [t for t in tokens if not t.startswith("#")]
        ids = [int(t[1:]) for t in tokens if t.startswith("#")]
        found = {o.credit_code: o for o in Organization.objects.filter(credit_code__in=codes)} if codes else {}
        found |= {f"#{o.pk}": o for o in Organization.objects.filter(pk__in=ids)} if ids else {}
        linked = ctx.links_of(current)
        visible = set(
            ctx.scope.organizations("view").filter(pk__in=[o.pk for o in found.values()]).values_list("pk", flat=True)
        )
        unknown = [t for t in tokens if t not in found or (found[t].pk not in visible and found[t].pk not in linked)]
        if unknown:
            more = "等" if len(unknown) > 5 else ""
            reason = f"找不到以下组织（或不在您的范围内）：{'、'.join(unknown[:5])}{more}"
            row.errors.append(RowError(COVERS, "、".join(tokens), reason))
            return []
        return list({found[t].pk: found[t] for t in tokens}.values())  # a code and its #编号 are one organization

    # -- the write ---------------------------------------------------------------------------
    def decide(self, ctx: "Context", row: Prepared, write: bool) -> Outcome:
        values = row.values
        current: PartyOrganization | None = values["_current"]
        name, parent, covered = values["name"], values["parent"], values["_covered"]
        fields = {f: values[f] for f in VALUE_FIELDS if f in values}
        fields["approval_doc_no"] = fields.get("approval_doc_no") or ""
        if not fields.get("org_type"):
            fields.pop("org_type", None)  # an update keeps its type
            if current is None:  # a new one: the type its name states (setup mode is never guessed)
                fields["org_type"] = type_from_name(name)
                if not fields["org_type"]:
                    reason = "党组织类型未填，也无法从名称推定（如“……党支部”“……党总支”“……党委”），请填写"
                    return Outcome(row.number, "rejected", [RowError("党组织类型", "", reason)])
                ctx.typed_by_name += 1
        if "term_start" in fields or "term_end" in fields:
            fields["term_end"] = _term_end(fields, current)
        if current is None:
            if write:
                party_org = services.create_party_org(
                    ctx.actor, name=name, parent=parent, values=fields, covered=covered or [], on=ctx.today
                )
            else:
                node = ManagementNode(name=name, kind=NodeKind.GRASSROOTS, parent=parent)
                node.path = f"{parent.path}import-{row.number}/"
                party_org = PartyOrganization(node=node, **fields)
            ctx.add(party_org)
            return Outcome(row.number, "created", object_id=party_org.pk, label=name)
        if "approval_doc_no" not in values:
            fields.pop("approval_doc_no")
        linked = ctx.links_of(current)
        moved = parent.pk != current.node.parent_id
        changed = {f: v for f, v in fields.items() if getattr(current, f) != v}
        recovered = covered is not None and {o.pk for o in covered} != linked
        if not (moved or changed or recovered or name != current.node.name):
            return Outcome(row.number, "unchanged", object_id=current.pk, label=name)
        old_name, old_path = current.node.name, current.node.path
        if moved:
            old_parent = current.node.parent
            current.node.parent = parent
            if write:
                current.node.parent = old_parent
                services.move_party_org(ctx.actor, current, parent)  # saves, audits, re-derives
            else:
                current.node.path = f"{parent.path}{current.node.pk}/"
            ctx.moved(old_path, current.node.path)
        if write:
            keep = covered if covered is not None else list(Organization.objects.filter(pk__in=linked))
            services.update_party_org(ctx.actor, current, name=name, values=fields, covered=keep, on=ctx.today)
            if moved:  # the nearest committee above it changed: so may the organizations' responsible node
                org_services.rederive(ctx.actor, {o.pk for o in keep})
        else:
            current.node.name = name
            for field, value in fields.items():
                setattr(current, field, value)
        if name != old_name:
            ctx.renamed(current, old_name)
        return Outcome(row.number, "updated", object_id=current.pk, label=name)


def _term_end(fields: dict, current: PartyOrganization | None):
    """The term end as the service will store it (a blank end follows from the start)."""
    probe = PartyOrganization(
        org_type=fields.get("org_type", current.org_type if current else ""),
        term_start=fields.get("term_start", current.term_start if current else None),
        term_end=fields.get("term_end", current.term_end if current else None),
    )
    services.fill_term_end(probe)
    return probe.term_end


class Context:
    """Parents by name (the committees and party organizations the user sees), party
    organizations by name, the ones the user may change; kept current as rows are written."""

    def __init__(self, actor, scope) -> None:
        self.actor, self.scope = actor, scope
        self.allowed = scope.can_edit_party
        self.today = timezone.localdate()
        self.seen: dict[str, int] = {}
        self.typed_by_name = 0  # new rows whose 党组织类型 came from their name
        self.reload()

    def reload(self) -> None:
        nodes = list(self.scope.nodes("view").filter(is_active=True))
        by_id = {n.pk: n for n in nodes}
        for node in nodes:
            node.parent = by_id.get(node.parent_id) or node.parent  # one object per node
        self.nodes = NodeLookup(nodes, "党委或党组织")
        self.by_name: dict[str, list[PartyOrganization]] = {}
        for party_org in PartyOrganization.objects.filter(node__is_active=True).select_related("node__parent"):
            if party_org.node_id in by_id:
                party_org.node = by_id[party_org.node_id]  # one object per node: renames and moves show everywhere
            self.by_name.setdefault(name_key(party_org.node.name), []).append(party_org)
        self.change_ids = set(self.scope.party_orgs("change").values_list("pk", flat=True))

    def links_of(self, party_org: PartyOrganization | None) -> set[int]:
        if party_org is None or party_org.pk is None:
            return set()
        return set(party_org.links.filter(end_on__isnull=True).values_list("organization_id", flat=True))

    def add(self, party_org: PartyOrganization) -> None:
        self.by_name.setdefault(name_key(party_org.node.name), []).append(party_org)
        self.nodes.by_name.setdefault(cells.header_key(party_org.node.name), []).append(party_org.node)
        if party_org.pk is not None:
            self.change_ids.add(party_org.pk)

    def renamed(self, party_org: PartyOrganization, old: str) -> None:
        for table, key in ((self.by_name, name_key), (self.nodes.by_name, cells.header_key)):
            entries = table.get(key(old), [])
            item = party_org if table is self.by_name else party_org.node
            if item in entries:
                entries.remove(item)
            table.setdefault(key(party_org.node.name), []).append(item)

    def moved(self, old_path: str, new_path: str) -> None:
        """A node moved: the paths below it, as ``ManagementNode.save`` rewrote them."""
        for entries in self.nodes.by_name.values():
            for node in entries:
                if node.path.startswith(old_path) and node.path != new_path:
                    node.path = new_path + node.path[len(old_path) :]

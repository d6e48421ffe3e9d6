"""Importing organizations (两新组织): upsert by 统一社会信用代码 (a 个体工商户 without one by
name and operating place), validated by ``orgs.validation``'s functions, written in bulk."""

from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.utils import timezone

from liangxin.core import audit, bulk, contact
from liangxin.core.models import AuditAction
from liangxin.mgmt.models import COMMITTEE_KINDS, ManagementNode
from liangxin.orgs import pinyin, services, validation
from liangxin.orgs.choices import SECTOR_OF_KIND, UNKNOWN, AttachmentKind, Industry, OrgKind
from liangxin.orgs.models import Organization
from liangxin.orgs.responsibility import responsible_node_for, street_committee_lookup

from .. import cells
from ..spec import Column, Kind, Outcome, Prepared, RowError
from .lookups import NodeLookup, RegionLookup, ScopeCache, carrier_table

KIND = cells.Choice(
    OrgKind.choices,
    "组织类型",
    {
        "民营企业": OrgKind.PRIVATE, "私营": OrgKind.PRIVATE, "有限责任公司": OrgKind.PRIVATE,
        "外资企业": OrgKind.FOREIGN, "外商独资企业": OrgKind.FOREIGN, "中外合资企业": OrgKind.FOREIGN,
        "港澳台企业": OrgKind.HMT, "个体": OrgKind.INDIVIDUAL, "个体户": OrgKind.INDIVIDUAL,
        "民非": OrgKind.NON_ENTERPRISE, "民办非企业": OrgKind.NON_ENTERPRISE,
        "社会服务机构": OrgKind.NON_ENTERPRISE, "社团": OrgKind.ASSOCIATION,
        "行业协会": OrgKind.TRADE_ASSOCIATION, "商会": OrgKind.TRADE_ASSOCIATION,
    },
)  # fmt: skip
_INDUSTRY = cells.Choice(Industry.choices, "所属行业")
INDUSTRY_LETTERS = frozenset(Industry.values)  # built once (Industry.values is rebuilt per call)
ATTACHMENT = cells.Choice([("", ""), *AttachmentKind.choices], "隶属调整方式", {"无": "", "否": ""})


def industry(value) -> str:
    """A section letter, its name, or both ("I 信息传输、软件和信息技术服务业")."""
    word = cells.text(value)
    if len(word) > 2 and word[0].upper() in INDUSTRY_LETTERS and not word[1].isalnum():
        word = word[0]
    return _INDUSTRY(word)


KNOWN_KINDS = tuple(label for value, label in OrgKind.choices if value != UNKNOWN)  # 未填 is no choice to offer
KNOWN_INDUSTRIES = tuple(label for value, label in Industry.choices if value != UNKNOWN)


def _name_or_blank(value) -> str | None:
    """A blank name leaves an existing organization's name as it is (a new one needs it)."""
    return None if cells.is_blank(value) else validation.clean_name(value)


def _date_not_future(value):
    return validation.clean_founded_on(cells.date(value), cells.today())


def _name(obj) -> str:
    return obj.name if obj is not None else ""


COLUMNS = [
    Column("name", "组织名称", ("单位名称", "企业名称", "组织全称", "名称", "单位全称"), _name_or_blank,
           example="上海示例科技有限公司", note="新登记的组织必填；已有的按统一社会信用代码更新时可省略",
           export=lambda o: o.name, kind="text"),
    Column("credit_code", "统一社会信用代码", ("信用代码", "社会信用代码", "统一代码", "组织机构代码"),
           validation.clean_credit_code, example="91310101MA1FL0001D",
           note="18位；个体工商户可暂缺（无代码且未填类型的按个体工商户登记）；已有的代码按此更新，只更新文件中有的列",
           export=lambda o: o.credit_code),
    Column("kind", "组织类型", ("类型", "企业类型", "单位类型", "组织类别", "单位性质"), KIND,
           choices=KNOWN_KINDS, example="私营企业", note="留空为未填（无统一社会信用代码的按个体工商户）",
           export=lambda o: o.get_kind_display()),
    Column("industry", "所属行业", ("行业", "行业门类", "国民经济行业", "行业分类"), industry,
           choices=KNOWN_INDUSTRIES, example="信息传输、软件和信息技术服务业",
           note="国民经济行业分类门类名称或字母（如 I）；留空为未填", export=lambda o: o.get_industry_display()),
    Column("founded_on", "成立日期", ("成立时间", "注册日期", "登记日期"), _date_not_future, example="2019-05-01",
           kind="date", export=lambda o: o.founded_on),
    Column("employees", "从业人员数", ("从业人员", "职工人数", "员工人数", "职工数", "人数", "从业人数"),
           validation.clean_employees, example="45", kind="number", note="留空为未填（不按0人计）",
           export=lambda o: o.employees),
    Column("above_scale", "规模以上", ("是否规模以上", "规上企业", "规上"), cells.flag, choices=("是", "否"),
           example="否", export=lambda o: "是" if o.above_scale else "否"),
    Column("key_industry", "重点行业/重点单位", ("重点行业", "是否重点行业", "重点单位"), cells.flag,
           choices=("是", "否"), example="否", export=lambda o: "是" if o.key_industry else "否"),
    Column("owner_is_member", "出资人是党员", ("出资人是否党员", "负责人是否党员"), cells.flag, choices=("是", "否"),
           example="否", export=lambda o: "是" if o.owner_is_member else "否"),
    Column("has_union", "已建工会", ("是否建立工会", "工会"), cells.flag, choices=("是", "否"), example="是",
           export=lambda o: "是" if o.has_union else "否"),
    Column("has_youth_league", "已建共青团", ("是否建立团组织", "团组织", "共青团"), cells.flag, choices=("是", "否"),
           example="否", export=lambda o: "是" if o.has_youth_league else "否"),
    Column("has_womens_federation", "已建妇联", ("是否建立妇联", "妇联"), cells.flag, choices=("是", "否"),
           example="否", export=lambda o: "是" if o.has_womens_federation else "否"),
    Column("supervising_unit", "业务主管单位", ("主管单位", "业务主管部门"), cells.text,
           note="社会组织填写", export=lambda o: o.supervising_unit),
    Column("registered_region", "注册地区划代码", ("注册地", "注册地区划", "登记地"), cells.text,
           example="310101", note="区/县、街道/镇或网格的区划代码或名称",
           export=lambda o: o.registered_region.code if o.registered_region_id else ""),
    Column("operating_region", "经营地区划代码", ("经营地", "经营地区划", "所在街道", "所属街道", "所在街镇",
           "街道（镇）", "街镇"), cells.text, example="310101002",
           note="新登记的组织必填；街道/镇或网格的区划代码或名称（名称重复时写“区名+街道名”）",
           export=lambda o: o.operating_region.code),
    Column("carrier", "所在载体", ("载体", "所在楼宇", "楼宇", "园区"), cells.text, example="",
           note="经营地所在街道/镇的商务楼宇、园区等名称", export=lambda o: _name(o.carrier)),
    Column("address", "经营地址", ("地址", "详细地址", "办公地址"), cells.text, example="南京东路100号",
           export=lambda o: o.address),
    Column("contact_name", "联系人", ("联系人姓名",), cells.text, example="张三", export=lambda o: o.contact_name),
    Column("contact_phone", "联系电话", ("电话", "手机", "联系方式"),
           lambda v: validation.clean_contact_phone(cells.text(v)), example="021-63210000",
           note="11位手机号或带区号的固定电话", export=lambda o: o.contact_phone),
    Column("contact_email", "联系邮箱", ("电子邮箱", "邮箱", "电子邮件", "Email", "E-mail"),
           lambda v: validation.clean_contact_email(cells.text(v)), example="zhangsan@example.com",
           export=lambda o: o.contact_email),
    Column("attachment_kind", "隶属调整方式", ("调整方式",), ATTACHMENT, choices=tuple(AttachmentKind.labels),
           note="属业、属资、属条、归口、指定；不调整留空", export=lambda o: o.get_attachment_kind_display()),
    Column("attachment_node", "调整后隶属党委", ("隶属党委",), cells.text, note="党委名称",
           export=lambda o: _name(o.attachment_node)),
    Column("attachment_reason", "调整原因", (), cells.text, export=lambda o: o.attachment_reason),
    Column("attachment_date", "调整日期", (), cells.date, kind="date", export=lambda o: o.attachment_date),
]  # fmt: skip

EXPORT_EXTRA = [
    ("经营地", lambda o: o.operating_region.short_label, "text"),
    ("类别", lambda o: o.get_sector_display(), "text"),
    ("责任党委", lambda o: _name(o.responsible_node), "text"),
    ("责任认定依据", lambda o: o.get_responsible_basis_display(), "text"),
    ("覆盖状态", lambda o: o.get_coverage_state_display(), "text"),
    ("状态", lambda o: o.get_status_display(), "text"),
]
EXPORT_RELATED = ("operating_region__parent", "registered_region", "carrier", "attachment_node", "responsible_node")
COMPARED = [f for f in services.EDITABLE_FIELDS]
ATTNAMES = {f: Organization._meta.get_field(f).attname for f in COMPARED}
REFERENCES = {"registered_region", "operating_region", "carrier", "attachment_node"}
RELATED = ("operating_region", "registered_region", "carrier", "attachment_node", "responsible_node")
STORED = ["pk", "responsible_node_id", *ATTNAMES.values()]


class OrganizationKind(Kind):
    name = "organizations"
    label = "两新组织"
    key_label = "统一社会信用代码"
    columns = COLUMNS
    export_extra = EXPORT_EXTRA
    export_related = EXPORT_RELATED
    required = "can_edit_registry"

    def prepare(self, number: int, raw: list, values: dict) -> Prepared:
        row = super().prepare(number, raw, values)
        for name in ("name", "operating_region"):  # blank: as if absent (an update keeps it; a new row needs it)
            if name in row.values and not row.values[name]:
                del row.values[name]
        if "name" in row.values:
            row.values["_pinyin"] = pinyin.keys(row.values["name"])
        return row

    def context(self, actor, scope):
        return Context(actor, scope)

    def missing_columns(self, header) -> list[str]:
        """Only what identifies a row and places it (issue 11): its name or code, and — for a
        个体工商户, which has no code — its operating street. Every other column may be absent:
        what it would say is then unknown (未填), never guessed."""
        present = set(header.index)
        missing = []
        if not present & {"name", "credit_code"}:
            missing.append("组织名称或统一社会信用代码")
        if not present & {"credit_code", "operating_region"}:
            missing.append("统一社会信用代码或经营地区划代码")
        return missing

    def notes(self, ctx: "Context", header) -> list[str]:
        """Said once per column in the report: what was stored as unknown or derived."""
        out = []
        present = set(header.index)
        for name in UNKNOWN_FIELDS:
            title = self.header_of(name)
            count = ctx.unknown.get(name, 0)
            if name not in present:
                if count:
                    out.append(f"本文件无『{title}』列，{count} 行该项为未填")
            elif count:
                out.append(f"『{title}』有 {count} 行为空，该项为未填")
        if ctx.individual:
            out.append(f"{ctx.individual} 行无统一社会信用代码且未填组织类型，已按个体工商户登记")
        return out

    def remember(self, ctx: "Context", row: Prepared) -> None:
        if row.values.get("credit_code"):
            ctx.seen.setdefault(_seen_key(row.values["credit_code"]), row.number)

    def look_up(self, ctx: "Context", row: Prepared) -> None:
        """What needs only the lookups loaded once per job (places, carriers, committees, the
        user's reach): done in the worker processes when the file is large. References become
        ids (``operating_region_id``…) with the user's text kept for messages, and a new
        organization's responsible node is worked out, so the main process only decides."""
        if row.values.get("_resolved"):
            return
        self._resolve(ctx, row)
        values = row.values
        if not row.errors:
            row.errors += self.errors_to_rowerrors(validation.check_organization_fields(values), values)
        if not row.errors:
            fields = {f: values[f] for f in COMPARED if f in values}
            probe = SimpleNamespace(**{**{f: None for f in REFERENCES}, "attachment_kind": "", **fields})
            probe.attachment_node_id = probe.attachment_node.pk if probe.attachment_node is not None else None
            node, basis = responsible_node_for(probe, ctx.street_committee)
            values["_new"] = (node.pk if node is not None else None, basis, ctx.scope_cache.can_edit(node))
        for name in REFERENCES:
            if name not in values:  # absent from the file: an update leaves it as it is
                continue
            obj = values.get(name)
            values[ATTNAMES[name]] = obj.pk if obj is not None else None
            values[name] = row.raw_text.get(name, "") if obj is not None else None
        values["_resolved"] = True

    def apply(self, ctx: "Context", rows: list[Prepared], write: bool) -> list[Outcome]:
        outcomes: dict[int, Outcome] = {}
        ready: list[Prepared] = []
        for row in rows:
            self.look_up(ctx, row)
            if not row.errors:
                self._check_duplicate(ctx, row)
            if row.errors:
                outcomes[row.number] = Outcome(row.number, "rejected", row.errors)
            else:
                ready.append(row)
        existing = ctx.existing_for(ready)
        creates, updates = [], []
        for row in ready:
            current = existing.get(ctx.key(row.values))
            outcome = self._decide(ctx, row, current, creates, updates)
            outcomes[row.number] = outcome
        if write:
            self._write(ctx, creates, updates, outcomes)
        return [outcomes[r.number] for r in rows]

    # -- per row ---------------------------------------------------------------------------
    def _resolve(self, ctx: "Context", row: Prepared) -> None:
        values = row.values
        row.raw_text = {name: values.get(name) or "" for name in REFERENCES}
        # a column present with a blank cell: kind and industry are 未填 (a row without a code
        # can only be a 个体工商户, DOMAIN.md); an absent column is filled in only on creation
        if values.get("kind") == "":
            values["kind"] = OrgKind.INDIVIDUAL if not values.get("credit_code") else OrgKind.UNKNOWN
        if values.get("industry") == "":
            values["industry"] = Industry.UNKNOWN
        for name in ("operating_region", "registered_region"):
            if name not in values:
                continue
            if values.get(name):
                try:
                    values[name] = ctx.regions.find(values[name])
                except ValidationError as error:
                    row.errors.append(RowError(self.header_of(name), values[name], error.messages[0]))
                    values[name] = None
            else:
                values[name] = None
        carrier = values.get("carrier")
        if "carrier" in values:
            values["carrier"] = None
        if carrier and values.get("operating_region") is not None:
            street = values["operating_region"].street_code
            found = ctx.carriers.get((street, cells.header_key(carrier)))
            if found is None:
                row.errors.append(RowError("所在载体", carrier, f"经营地所在街道/镇没有名为「{carrier}」的载体"))
            else:
                values["carrier"] = found
        node = values.get("attachment_node")
        if "attachment_node" in values:
            values["attachment_node"] = None
        if node:
            try:
                values["attachment_node"] = ctx.committees.find(node)
            except ValidationError as error:
                row.errors.append(RowError("调整后隶属党委", node, error.messages[0]))

    def _check_duplicate(self, ctx: "Context", row: Prepared) -> None:
        key = ctx.key(row.values)
        key = _seen_key(key) if row.values.get("credit_code") else key
        first = ctx.seen.get(key)
        if first is not None:
            by_code = bool(row.values.get("credit_code"))
            what = "统一社会信用代码" if by_code else "组织名称和经营地"
            header = self.header_of("credit_code" if by_code else "name")
            reason = f"与第 {first} 行重复（{what}相同），本行未导入"
            row.errors.append(
                RowError(header, row.values["credit_code"] if by_code else row.values.get("name", ""), reason)
            )
        else:
            ctx.seen[key] = row.number

    def _decide(self, ctx, row: Prepared, current, creates: list, updates: list) -> Outcome:
        values = row.values
        initials, sort_key = values.pop("_pinyin", ("", ""))
        if current is None:
            needed = {f: f"新登记的组织须填写{self.header_of(f)}" for f in ("name", "operating_region")
                      if not values.get(ATTNAMES[f])}  # fmt: skip
            if needed:
                return Outcome(row.number, "rejected", self.errors_to_rowerrors(needed, values))
            node_id, basis, allowed = values["_new"]
            if not allowed:
                return Outcome(
                    row.number, "rejected", self.errors_to_rowerrors(validation.out_of_scope(values), values)
                )
            fields = {ATTNAMES[f]: values[ATTNAMES[f]] for f in COMPARED if ATTNAMES[f] in values}
            self._fill_absent(ctx, fields)
            fields.update(pinyin_initials=initials, sort_key=sort_key, sector=SECTOR_OF_KIND[fields["kind"]],
                          responsible_node_id=node_id, responsible_basis=basis)  # fmt: skip
            creates.append((row.number, fields))
            return Outcome(row.number, "created", label=fields["name"])
        if not ctx.scope_cache.can_edit_id(current.responsible_node_id):
            visible = ctx.scope.organizations("view").filter(pk=current.pk).exists()
            reason = (
                f"组织「{current.name}」不在您的管辖范围内，不能修改" if visible else validation.credit_code_taken(None)
            )
            return Outcome(row.number, "rejected", [RowError("统一社会信用代码", current.credit_code or "", reason)])
        if "contact_phone" in values:
            values["contact_phone"] = contact.same_or_new(current.contact_phone, values["contact_phone"])
        changed = [a for a in (ATTNAMES[f] for f in COMPARED) if a in values and values[a] != getattr(current, a)]
        if not changed:
            return Outcome(row.number, "unchanged", object_id=current.pk, label=current.name)
        current = Organization.objects.select_related(*RELATED).get(pk=current.pk)
        before = audit.snapshot(current, services.AUDITED_FIELDS)
        for attname in changed:
            setattr(current, attname, values[attname])  # a changed id drops the cached object
        services.derive(current, ctx.street_committee)
        if not ctx.scope_cache.can_edit(current.responsible_node):
            return Outcome(row.number, "rejected", self.errors_to_rowerrors(validation.out_of_scope(values), values))
        changes = audit.diff(before, audit.snapshot(current, services.AUDITED_FIELDS))
        updates.append((current, changes))
        return Outcome(row.number, "updated", object_id=current.pk, label=current.name)

    @staticmethod
    def _fill_absent(ctx: "Context", fields: dict) -> None:
        """A new organization's columns the file lacks: unknown (未填) where the registry has
        such a value, the field's plain default otherwise (blank text, 否, no reference)."""
        if "kind" not in fields:
            if fields.get("credit_code"):
                fields["kind"] = OrgKind.UNKNOWN
            else:
                fields["kind"] = OrgKind.INDIVIDUAL  # only a 个体工商户 may lack a code
                ctx.individual += 1
        fields.setdefault("industry", Industry.UNKNOWN)
        for name in UNKNOWN_FIELDS:
            if fields.get(name) in (None, UNKNOWN):
                ctx.unknown[name] = ctx.unknown.get(name, 0) + 1

    def _write(self, ctx, creates: list, updates: list, outcomes: dict[int, Outcome]) -> None:
        if creates:
            bulk.insert(Organization, [fields for _, fields in creates])
            ids = ctx.ids_of([fields for _, fields in creates])
            for number, fields in creates:
                outcomes[number].object_id = ids.get(ctx.key(fields))  # fields hold operating_region_id
        if updates:
            fields = sorted({*COMPARED, "pinyin_initials", "sort_key", "sector", "responsible_node",
                             "responsible_basis", "updated_at"})  # fmt: skip
            now = timezone.now()
            for org, _ in updates:
                org.updated_at = now
            Organization.objects.bulk_update([org for org, _ in updates], fields, batch_size=500)
            audit.record_many(
                [
                    audit.build(ctx.actor, AuditAction.UPDATE, org, changes=changes)
                    for org, changes in updates
                    if changes
                ],
            )


def _seen_key(code: str) -> int:
    """A credit code as a number (its characters are base-36 digits): half the memory of the
    string, for the million codes a large file's duplicate check keeps."""
    return int(code, 36)


UNKNOWN_FIELDS = ("kind", "industry", "employees")  # stored as 未填 when a ledger does not say


class Context:
    """What a job needs loaded once: places, carriers, committees, the user's reach."""

    def __init__(self, actor, scope) -> None:
        self.unknown: dict[str, int] = {}  # field → new rows stored with it unknown (for the report)
        self.individual = 0  # new rows without a code or a kind, registered as 个体工商户
        self.actor, self.scope = actor, scope
        self.regions = RegionLookup()
        self.carriers = carrier_table()
        self.committees = NodeLookup(ManagementNode.objects.filter(kind__in=COMMITTEE_KINDS, is_active=True))
        self.street_committee = street_committee_lookup()
        self.scope_cache = ScopeCache(scope)
        self.seen: dict[int | str, int] = {}

    @staticmethod
    def key(values: dict) -> str:
        """A short string (a million of them are kept to find duplicates in a file)."""
        if values.get("credit_code"):
            return values["credit_code"]
        return f"{values.get('name', '')}@{values.get('operating_region_id') or ''}"

    def existing_for(self, rows: list[Prepared]) -> dict[str, SimpleNamespace]:
        """The stored values of the rows' organizations (plain values, cheap to compare; the
        whole object is loaded only for one that changes)."""
        codes = [r.values["credit_code"] for r in rows if r.values.get("credit_code")]
        names = [r.values["name"] for r in rows if not r.values.get("credit_code") and r.values.get("name")]
        found: dict[str, SimpleNamespace] = {}
        known = bulk.ids_by(Organization, "credit_code", codes) if codes else {}
        if known:
            for values in Organization.objects.filter(pk__in=list(known.values())).values(*STORED):
                found[values["credit_code"]] = SimpleNamespace(**values)
        if names:
            for values in Organization.objects.filter(name__in=names, credit_code__isnull=True).values(*STORED):
                found.setdefault(f"{values['name']}@{values['operating_region_id']}", SimpleNamespace(**values))
        return found

    def ids_of(self, created: list[dict]) -> dict[str, int]:
        """The ids of rows just inserted, by their natural key (the seam returns none)."""
        codes = [f["credit_code"] for f in created if f.get("credit_code")]
        found = bulk.ids_by(Organization, "credit_code", codes) if codes else {}
        names = [f["name"] for f in created if not f.get("credit_code")]
        if names:
            rows = Organization.objects.filter(credit_code__isnull=True, name__in=names).order_by("pk")
            for name, region_id, pk in rows.values_list("name", "operating_region_id", "pk"):
                found[f"{name}@{region_id}"] = pk  # the newest wins
        return found

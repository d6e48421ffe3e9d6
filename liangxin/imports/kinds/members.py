"""Importing members (党员): upsert by 公民身份号码 (found through its keyed hash, never stored
plain), validated by ``party.validation``'s functions, the number encrypted in the workers."""

from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.utils import timezone

from liangxin.core import audit, bulk, contact, crypto
from liangxin.core.models import AuditAction
from liangxin.orgs import validation as org_validation
from liangxin.orgs.models import Organization
from liangxin.party import policy, services, validation
from liangxin.party.choices import Education, FloatingStatus, MemberCategory
from liangxin.party.models import Member, PartyOrganization

from .. import cells
from ..spec import Column, Kind, Outcome, Prepared, RowError
from .lookups import NodeLookup

CATEGORY = cells.Choice(
    MemberCategory.choices, "党员类别", {"正式": MemberCategory.FULL, "预备": MemberCategory.PROBATIONARY}
)
EDUCATION = cells.Choice(
    [("", ""), *Education.choices],
    "学历",
    {"本科及以上": Education.BACHELOR, "大学本科": Education.BACHELOR, "大学专科": Education.COLLEGE,
     "专科": Education.COLLEGE, "研究生": Education.MASTER, "硕士": Education.MASTER, "博士": Education.DOCTOR,
     "高中": Education.SENIOR, "中专": Education.SENIOR, "小学": Education.PRIMARY},
)  # fmt: skip
FLOATING = cells.Choice(
    FloatingStatus.choices, "流动状态", {"否": "", "无": "", "流出党员": "outflow", "流入党员": "inflow"}
)


def _id_number(value) -> str:
    if "*" in cells.text(value):
        raise ValidationError("这是导出时脱敏的号码，不能用于导入：请填写完整的公民身份号码")
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
        raise ValidationError("公民身份号码被 Excel 存成了数字，末几位已丢失：请把该列设为“文本”后重新填写")
    return validation.clean_id_number(value)


def _name(value) -> str:
    name = cells.text(value)
    if len(name) < 2 or len(name) > 50:
        raise ValidationError("姓名应为2至50个字")
    return name


def _base(value):
    number = cells.decimal(value, label="党费计算基数")
    if number is not None and number < 0:
        raise ValidationError("党费计算基数不能为负数")
    return number


def _employer_code(value):
    return org_validation.clean_credit_code(value)


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


COLUMNS = [
    Column("name", "姓名", ("党员姓名",), _name, required=True, example="张三", export=lambda m: m.name),
    Column("id_number", "公民身份号码", ("身份证号", "身份证号码", "身份证", "公民身份证号码", "证件号码"), _id_number,
           required=True, example="110101199003074514", note="18位；请把该列设为“文本”，以免 Excel 改成科学计数",
           export=lambda m: m.export_id_number),
    Column("party_org", "所在党组织", ("党组织", "组织关系所在党组织", "所在支部", "党支部", "所在党支部"), cells.text,
           required=True, note="党组织全称", export=lambda m: m.party_org.node.name),
    Column("category", "党员类别", ("类别", "人员类别"), CATEGORY, choices=tuple(MemberCategory.labels),
           example="正式党员", note="可省略：按转正日期推定（空为预备党员）",
           export=lambda m: m.get_category_display()),
    Column("joined_on", "入党日期", ("入党时间",), cells.date, required=True, example="2015-07-01", kind="date",
           export=lambda m: m.joined_on),
    Column("full_on", "转正日期", ("转正时间",), cells.date, example="2016-07-01", kind="date",
           note="预备党员留空", export=lambda m: m.full_on),
    Column("phone", "联系电话", ("手机", "手机号", "电话", "手机号码"), lambda v: validation.clean_phone(cells.text(v)),
           example="13800138000", note="11位手机号或带区号的固定电话", export=lambda m: m.phone),
    Column("email", "电子邮箱", ("邮箱", "电子邮件", "联系邮箱", "Email", "E-mail"),
           lambda v: validation.clean_email(cells.text(v)), example="zhangsan@example.com", export=lambda m: m.email),
    Column("education", "学历", ("文化程度",), EDUCATION, choices=tuple(Education.labels), example="本科",
           export=lambda m: m.get_education_display()),
    Column("employer_code", "工作单位统一社会信用代码", ("工作单位信用代码", "单位统一社会信用代码"), _employer_code,
           note="工作单位须已在名录中登记", export=lambda m: m.employer.credit_code if m.employer_id else ""),
    Column("employed_since", "入职日期", ("入职时间", "进入单位时间"), cells.date, kind="date",
           export=lambda m: m.employed_since),
    Column("floating", "流动状态", ("是否流动党员", "流动党员"), FLOATING, choices=("流出", "流入"),
           note="非流动党员留空", export=lambda m: m.get_floating_display() if m.floating else ""),
    Column("floating_card_no", "流动党员活动证号", ("活动证号",), cells.text, export=lambda m: m.floating_card_no),
    Column("outflow_place", "流出地", (), cells.text, export=lambda m: m.outflow_place),
    Column("inflow_place", "流入地", (), cells.text, export=lambda m: m.inflow_place),
    Column("inflow_party_org", "流入地党组织", (), cells.text,
           export=lambda m: m.inflow_party_org.node.name if m.inflow_party_org_id else ""),
    Column("needs_help", "困难党员", ("是否困难党员",), cells.flag, choices=("是", "否"), example="否",
           export=lambda m: _yes(m.needs_help)),
    Column("dues_base", "党费计算基数", ("党费基数", "月工资收入", "党费计算基数（元/月）"), _base, kind="number",
           note="元/月", export=lambda m: float(m.dues_base) if m.dues_base is not None else None),
]  # fmt: skip
EXPORT_EXTRA = [
    ("性别", lambda m: m.get_sex_display(), "text"),
    ("出生日期", lambda m: m.birth_date, "date"),
    ("工作单位", lambda m: m.employer.name if m.employer_id else "", "text"),
]
COMPARED = [c.field for c in COLUMNS if c.field not in ("id_number", "employer_code")] + ["employer"]
REFERENCES = {"party_org", "employer", "inflow_party_org"}
ATTNAMES = {f: Member._meta.get_field(f).attname for f in COMPARED}
# 在册 is read, never written: an import must not take anyone off the roll nor put them back (党员减少)
STORED = ["pk", "id_hash", "name", "is_active", *ATTNAMES.values()]
OFF_ROLL = "该党员已不在册（见其党员减少记录），不能通过导入修改；恢复在册须由批准的党委撤销党员减少"


class MemberKind(Kind):
    name = "members"
    label = "党员"
    key_label = "公民身份号码"
    columns = COLUMNS
    export_extra = EXPORT_EXTRA
    export_related = ("party_org__node", "employer", "inflow_party_org__node")
    required = "can_edit_party"

    def missing_columns(self, header) -> list[str]:
        missing = list(header.missing)
        if "category" not in header.index and "full_on" not in header.index:
            missing.append("党员类别（或据以推定的转正日期）")
        return missing

    def notes(self, ctx: "Context", header) -> list[str]:
        if "category" not in header.index:
            return ["本文件无『党员类别』列，已按转正时间推定"]
        if ctx.derived_category:
            return [f"『党员类别』有 {ctx.derived_category} 行为空，已按转正时间推定"]
        return []

    def prepare(self, number: int, raw: list, values: dict) -> Prepared:
        row = super().prepare(number, raw, values)
        if not row.values.get("category") and "full_on" in values and "full_on" in row.values:
            # a blank 转正日期 means 预备党员 (DOMAIN.md): the category follows from the roll itself
            blank = "category" in values
            row.values["category"] = MemberCategory.FULL if row.values["full_on"] else MemberCategory.PROBATIONARY
            row.values["_derived"] = blank
        elif "category" in row.values and not row.values["category"]:
            row.errors.append(RowError("党员类别", "", "党员类别不能为空（本文件无转正日期列，无法推定）"))
        number_ = row.values.get("id_number")
        if number_:  # the costly parts, done here in the worker processes
            row.values["_id"] = {
                "id_hash": crypto.lookup_hash(number_),
                "id_number_enc": crypto.encrypt(number_),
                "id_masked": crypto.mask_id_number(number_),
                **validation.derived_from_id(number_),
            }
        return row

    def context(self, actor, scope):
        return Context(actor, scope)

    def remember(self, ctx: "Context", row: Prepared) -> None:
        if row.values.get("_id"):
            ctx.seen.setdefault(row.values["_id"]["id_hash"][:16], row.number)

    def apply(self, ctx: "Context", rows: list[Prepared], write: bool) -> list[Outcome]:
        employers = ctx.employers([r.values.get("employer_code") for r in rows])
        ready = []
        outcomes: dict[int, Outcome] = {}
        for row in rows:
            if row.values.pop("_derived", False):
                ctx.derived_category += 1
            self._resolve(ctx, row, employers)
            if not row.errors:
                errors = validation.check_member_fields(row.values, ctx.params)
                row.errors += self.errors_to_rowerrors(errors, row.values)
            if not row.errors:
                key = row.values["_id"]["id_hash"][:16]  # 64 bits: a million of them stay small
                first = ctx.seen.get(key)
                if first is not None:
                    reason = f"与第 {first} 行重复（公民身份号码相同），本行未导入"
                    row.errors.append(RowError("公民身份号码", crypto.mask_id_number(row.values["id_number"]), reason))
                else:
                    ctx.seen[key] = row.number
            if row.errors:
                outcomes[row.number] = Outcome(row.number, "rejected", _masked(row.errors, row.values))
            else:
                ready.append(row)
        known = bulk.ids_by(Member, "id_hash", [r.values["_id"]["id_hash"] for r in ready]) if ready else {}
        existing = (  # stored values, cheap to compare; the whole object only for one that changes
            {
                v["id_hash"]: SimpleNamespace(**v)
                for v in Member.objects.filter(pk__in=list(known.values())).values(*STORED)
            }
            if known
            else {}
        )
        creates, updates = [], []
        for row in ready:
            outcomes[row.number] = self._decide(ctx, row, existing.get(row.values["_id"]["id_hash"]), creates, updates)
        if write:
            if creates:
                bulk.insert(Member, [fields for _, fields in creates])
                ids = bulk.ids_by(Member, "id_hash", [fields["id_hash"] for _, fields in creates])
                for number, fields in creates:
                    outcomes[number].object_id = ids.get(fields["id_hash"])
            if updates:
                Member.objects.bulk_update([m for m, _ in updates], COMPARED, batch_size=500)
                audit.record_many(
                    [audit.build(ctx.actor, AuditAction.UPDATE, m, changes=changes) for m, changes in updates]
                )
        return [outcomes[r.number] for r in rows]

    def _resolve(self, ctx: "Context", row: Prepared, employers: dict) -> None:
        values = row.values
        for name, lookup in (("party_org", ctx.change_orgs), ("inflow_party_org", ctx.all_orgs)):
            text = values.get(name)
            values[name] = None
            if not text:
                continue
            try:
                node = lookup.find(text)
                values[name] = ctx.party_org_of_node[node.pk]
            except ValidationError as error:
                reason = error.messages[0]
                if name == "party_org" and cells.header_key(text) in ctx.existing_names:
                    reason = validation.PARTY_ORG_OUT_OF_SCOPE
                row.errors.append(RowError(self.header_of(name), text, reason))
        code = values.pop("employer_code", None)
        values["employer"] = None
        if code:
            employer = employers.get(code)
            if employer is None:
                row.errors.append(
                    RowError("工作单位统一社会信用代码", code, "名录中没有该统一社会信用代码的组织，请先登记工作单位")
                )
            values["employer"] = employer
        for name in ("phone", "education", "floating", "floating_card_no", "outflow_place", "inflow_place"):
            values.setdefault(name, "")

    def _decide(self, ctx: "Context", row: Prepared, current: Member | None, creates: list, updates: list) -> Outcome:
        values = row.values
        fields = {f: values[f] for f in COMPARED if f in values}
        if current is None:
            creates.append((row.number, {**fields, **values["_id"]}))
            return Outcome(row.number, "created", label=fields["name"])
        if current.party_org_id not in ctx.change_party_org_ids:
            current = Member.objects.select_related("party_org__node").get(pk=current.pk)
            visible = ctx.scope.members("view").filter(pk=current.pk).exists()
            who = f"{current.name}」（{current.party_org}" if visible else None
            return Outcome(row.number, "rejected", [RowError("公民身份号码", current.id_masked,
                                                             validation.id_number_taken(who))])  # fmt: skip
        if not current.is_active:
            return Outcome(row.number, "rejected", [RowError("公民身份号码", current.id_masked, OFF_ROLL)])
        if "phone" in fields:
            fields["phone"] = contact.same_or_new(current.phone, fields["phone"])
        changed = [f for f in fields if _value(fields[f], f) != getattr(current, ATTNAMES[f])]
        if not changed:
            return Outcome(row.number, "unchanged", object_id=current.pk, label=current.name)
        current = Member.objects.select_related("party_org__node").get(pk=current.pk)
        before = audit.snapshot(current, services.MEMBER_AUDITED)
        for f in changed:
            setattr(current, f, fields[f])
        updates.append((current, audit.diff(before, audit.snapshot(current, services.MEMBER_AUDITED))))
        return Outcome(row.number, "updated", object_id=current.pk, label=current.name)


def _value(value, name: str):
    return value.pk if name in REFERENCES and value is not None else value


def _masked(errors: list[RowError], values: dict) -> list[RowError]:
    """Reasons never repeat a full identity number (the error file keeps the user's own cell)."""
    number = values.get("id_number")
    if not number:
        return errors
    return [RowError(e.column, e.value.replace(number, crypto.mask_id_number(number)), e.reason) for e in errors]


class Context:
    def __init__(self, actor, scope) -> None:
        self.actor, self.scope = actor, scope
        change = scope.party_orgs("change").filter(node__is_active=True)
        every = scope.party_orgs("view").filter(node__is_active=True)
        self.party_org_of_node = {
            p.node_id: p for p in PartyOrganization.objects.filter(node__is_active=True).select_related("node")
        }
        self.existing_names = {cells.header_key(p.node.name) for p in self.party_org_of_node.values()}
        self.change_orgs = NodeLookup([p.node for p in change], "党组织")
        self.all_orgs = NodeLookup([p.node for p in every], "党组织")
        self.change_party_org_ids = {p.pk for p in change}
        self.params = policy.values()
        self.seen: dict[str, int] = {}
        self.today = timezone.localdate()
        self.derived_category = 0  # rows whose blank 党员类别 was derived from 转正日期

    @staticmethod
    def employers(codes: list) -> dict[str, Organization]:
        wanted = {c for c in codes if c}
        return {o.credit_code: o for o in Organization.objects.filter(credit_code__in=wanted)} if wanted else {}

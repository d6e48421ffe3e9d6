"""党费 pages: totals over the management subtree, the list behind each figure, a branch's month
sheet (record the whole month at once), a member's dues profile and history, arrears with the
6-month flag, the member's own dues, and the treasurer's Excel exports."""

import datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from liangxin.core import normalize
from liangxin.core.models import AuditEntry
from liangxin.core.params import id_or_none, parse_id
from liangxin.core.xlsx import Column
from liangxin.dues import exports, ledger, queries, rules, services
from liangxin.dues.models import DuesCategory, DuesPayment, DuesProfile
from liangxin.party import policy
from liangxin.party.models import PartyOrganization

from ..base import ExportView, ScopedView, deny, export_response, get_in_scope, paginate

# (label, url name, scope capability or None) for the left navigation's 日常工作 section
NAV = [
    ("党费收缴", "web:dues_totals", "can_read_party"),
    ("党费欠缴", "web:dues_arrears", "can_read_party"),
    ("我的党费", "web:dues_mine", "member"),
]


# -- parsing -----------------------------------------------------------------------------------
def _period(request):
    """The asked period, or a redirect-worthy ValueError turned into a 400 page message."""
    return ledger.period_for(request.GET, timezone.localdate())


def _node(scope, g):
    """The node asked (``node``) within the scope, else the user's home node; 404 outside."""
    pk = parse_id(g, "node", "管理节点")
    if pk is not None:
        return get_in_scope(scope.nodes("view"), pk=pk)
    node = scope.dues_home()
    if node is None:
        raise Http404("对象不存在")
    return node


def _date(raw, label: str) -> datetime.date | None:
    text = normalize.text(raw)
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{label}应为“年-月-日”格式，如 2024-05-10，收到「{raw}」") from None


def _query(**params) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _bad_request(request, text: str, back: str):
    return render(request, "web/dues/error.html", {"text": text, "back": back}, status=400)


# -- totals --------------------------------------------------------------------------------------
class DuesTotals(ScopedView):
    """党费收缴：本级及各下级的应缴、实缴、未缴；每个数字链接到其明细。"""

    required = "can_read_party"

    def get(self, request):
        node = _node(self.scope, request.GET)
        try:
            period = _period(request)
        except ValueError as exc:
            return _bad_request(request, str(exc), reverse("web:dues_totals"))
        rows, grand = ledger.node_totals(self.scope.members("view"), node, period, policy.values())
        sheets = _sheet_links(node, rows)
        period_q = period.query
        for row in [*rows, grand]:
            target = row.node_id if row.key != "self" else node.pk
            scope_q = {"node": target, **period_q}
            if row.key == "self":
                scope_q["own"] = "1"
            row.links = {
                status: reverse("web:dues_list") + "?" + _query(**scope_q, status=status) for status in ledger.STATUSES
            }
            row.sheet = sheets.get(row.key)
            row.drill = reverse("web:dues_totals") + "?" + _query(node=target, **period_q) if row.key != "self" else ""
        ancestors = [a for a in node.ancestors() if self.scope.nodes("view").filter(pk=a.pk).exists()]
        today = timezone.localdate()
        return render(
            request,
            "web/dues/totals.html",
            {
                "node": node,
                "ancestors": ancestors[:-1],
                "period": period,
                "rows": rows,
                "grand": grand,
                "month_value": period.query.get("month", ""),
                "year_value": period.query.get("year", ""),
                "this_month": f"{today:%Y-%m}",
                "own_orgs": self.scope.own_party_orgs(),
            },
        )


def _sheet_links(node, rows) -> dict[str, str]:
    """Rows that are party organizations link to their month sheet."""
    ids = [r.node_id for r in rows if r.key != "self"] + [node.pk]
    by_node = dict(PartyOrganization.objects.filter(node_id__in=ids).values_list("node_id", "pk"))
    out = {}
    for r in rows:
        target = node.pk if r.key == "self" else r.node_id
        if target in by_node:
            out[r.key] = reverse("web:dues_branch", args=[by_node[target]])
    return out


# -- the list behind each figure --------------------------------------------------------------------
class DuesList(ScopedView):
    """党费明细：汇总表中一个数字背后的逐人逐月记录，合计与该数字相同。"""

    required = "can_read_party"

    def get(self, request):
        try:
            node = _node(self.scope, request.GET)
            period, status, found, words = queries.month_entries(
                self.scope.members("view"), node, request.GET, timezone.localdate()
            )
        except ValueError as exc:
            return _bad_request(request, str(exc), reverse("web:dues_totals"))
        due, paid, owed = rules.sum_entries(e.entry for e in found)
        page, query = paginate(request, found, 100)
        return render(
            request,
            "web/dues/list.html",
            {
                "node": node,
                "period": period,
                "status": status,
                "statuses": ledger.STATUSES,
                "page": page,
                "sum": {"due": due, "paid": paid, "owed": owed, "count": len(found)},
                "words": words,
                "query": query,
                "base_query": _query(node=node.pk, own=request.GET.get("own"), **period.query),
            },
        )


class DuesListExport(ExportView):
    required = "can_read_party"

    def build(self, request):
        node = _node(self.scope, request.GET)
        return exports.entries_export(self.scope.members("view"), node, request.GET, timezone.localdate())

    def get(self, request):
        try:
            return super().get(request)
        except ValueError as exc:
            return _bad_request(request, str(exc), reverse("web:dues_totals"))


# -- a branch's month sheet -------------------------------------------------------------------------
def sheet_rows(party_org, month: datetime.date, params) -> list[dict]:
    """Every active member of the branch for ``month``: their current amount, the recorded row
    (if any), and whether the month is theirs to pay (joined by then)."""
    members = list(party_org.members.filter(is_active=True).select_related("dues_profile").order_by("name", "pk"))
    recorded = {
        p.member_id: p
        for p in DuesPayment.objects.filter(month=month, member__in=members).select_related("recorded_by")
    }
    rows = []
    for m in members:
        amount = rules.amount_for_profile(m.dues_base, getattr(m, "dues_profile", None), params)
        row = recorded.get(m.pk)
        rows.append(
            {
                "m": m,
                "amount": amount,
                "row": row,
                "eligible": month >= rules.month_start(m.joined_on),
                "paid_checked": (row.amount_paid > 0) if row else True,
                "amount_value": row.amount_paid if row and row.amount_paid > 0 else (amount.value or ""),
                "date_value": f"{row.paid_on:%Y-%m-%d}" if row and row.paid_on else "",
            }
        )
    return rows


def _sheet_month(raw, today) -> datetime.date:
    month = rules.parse_month(raw) if raw else rules.month_start(today)
    if month > rules.month_start(today):
        raise ValueError(f"{rules.month_label(month)}是未来月份，最晚只能登记本月（{rules.month_label(today)}）")
    return month


class DuesBranch(ScopedView):
    """党费登记：一个党组织一个月的全部党员，按规定金额预填；一次提交整月。"""

    required = "can_read_party"

    def _party_org(self, pk):
        return get_in_scope(self.scope.party_orgs("view").filter(node__is_active=True), pk=pk)

    def get(self, request, pk):
        po = self._party_org(pk)
        try:
            month = _sheet_month(request.GET.get("month"), timezone.localdate())
        except ValueError as exc:
            return _bad_request(request, str(exc), reverse("web:dues_branch", args=[pk]))
        return self._render(request, po, month, None, {})

    def _render(self, request, po, month, errors, posted, status=200):
        params, today = policy.values(), timezone.localdate()
        rows = sheet_rows(po, month, params)
        for r in rows:  # what was typed stays on a refused sheet
            key = str(r["m"].pk)
            if key in posted:
                r.update(posted[key])
        recorded = [r for r in rows if r["row"]]
        context = {
            "po": po,
            "month": month,
            "month_value": f"{month:%Y-%m}",
            "this_month": f"{today:%Y-%m}",
            "rows": rows,
            "errors": errors,
            "can_edit": self.scope.acts_for(po),
            "default_date": posted.get("_date", f"{today:%Y-%m-%d}"),
            "earliest": rules.earliest_payable(today, params),
            "backpay_months": int(params["dues_backpay_max_months"]),
            "summary": {
                "members": len(rows),
                "recorded": len(recorded),
                "due": sum((r["row"].amount_due for r in recorded), Decimal("0.00")),
                "paid": sum((r["row"].amount_paid for r in recorded), Decimal("0.00")),
                "unpaid": sum(1 for r in recorded if not r["row"].is_paid),
            },
            "year": month.year,
        }
        return render(request, "web/dues/branch.html", context, status=status)

    def post(self, request, pk):
        po = self._party_org(pk)
        if not self.scope.acts_for(po):
            deny("该党组织的党费由其书记或上级党委登记，您只能查看")
        today = timezone.localdate()
        members = {m.pk: m for m in po.members.filter(is_active=True)}
        errors, items, posted = [], [], {}
        try:
            month = _sheet_month(request.POST.get("month"), today)
        except ValueError as exc:
            return _bad_request(request, f"所属月份：{exc}", reverse("web:dues_branch", args=[pk]))
        try:
            default_date = _date(request.POST.get("paid_on"), "默认缴纳日期")
        except ValueError as exc:
            errors.append(str(exc))
            default_date = None
        posted["_date"] = request.POST.get("paid_on", "")
        for raw_id in request.POST.getlist("member"):
            member = members.get(id_or_none(raw_id))
            if member is None:
                raise Http404("对象不存在")  # not a member of this branch: as if missing
            key = str(member.pk)
            paid = request.POST.get(f"paid_{key}") == "1"
            raw_amount, raw_date = request.POST.get(f"amount_{key}"), request.POST.get(f"date_{key}")
            posted[key] = {"paid_checked": paid, "amount_value": raw_amount or "", "date_value": raw_date or ""}
            try:
                amount = rules.parse_amount(raw_amount, "实缴金额") if paid else Decimal("0.00")
                on = _date(raw_date, "缴纳日期") if paid else None
            except ValueError as exc:
                errors.append(f"{member.name}：{exc}")
                continue
            if paid and amount is None:
                errors.append(f"{member.name}：已勾选“已缴”，实缴金额不能为空")
                continue
            items.append(services.PaymentInput(member, amount, (on or default_date) if paid else None))
        if not items and not errors:
            errors.append("没有可登记的党员（请至少保留一行）")
        if not errors:
            try:
                result = services.record_month(request.user, po, month, items, today)
            except ValidationError as exc:
                errors = exc.message_dict.get("entries", exc.messages)
            else:
                messages.success(request, f"已登记{po.name}{rules.month_label(month)}党费：{result.text}")
                return redirect(reverse("web:dues_branch", args=[po.pk]) + f"?month={month:%Y-%m}")
        return self._render(request, po, month, errors, posted, status=400)


SHEET_COLUMNS = [
    Column("姓名", lambda r: r["m"].name, 10),
    Column("公民身份号码", lambda r: r["m"].id_masked, 20),
    Column("党费类别", lambda r: DuesCategory(r["category"]).label, 20),
    Column("计算基数（元/月）", lambda r: r["m"].dues_base, 12, "number"),
    Column("应缴（元）", lambda r: r["row"].amount_due if r["row"] else r["amount"].value, 10, "number"),
    Column("实缴（元）", lambda r: r["row"].amount_paid if r["row"] else None, 10, "number"),
    Column("缴纳日期", lambda r: r["row"].paid_on if r["row"] else None, 11, "date"),
    Column("状态", lambda r: ("已缴" if r["row"].is_paid else "未缴") if r["row"] else "未登记", 8),
    Column("登记人", lambda r: r["row"].recorded_by.display_name if r["row"] and r["row"].recorded_by else "", 10),
    Column("计算依据", lambda r: r["amount"].text, 60),
]


class DuesBranchExport(ScopedView):
    """一个党组织一个月的党费收缴表（交党费的党员都在表中；未登记的月份标明）。"""

    required = "can_read_party"

    def get(self, request, pk):
        po = get_in_scope(self.scope.party_orgs("view"), pk=pk)
        today = timezone.localdate()
        try:
            month = _sheet_month(request.GET.get("month"), today)
        except ValueError as exc:
            return _bad_request(request, str(exc), reverse("web:dues_branch", args=[pk]))
        rows = [r for r in sheet_rows(po, month, policy.values()) if r["eligible"]]
        for r in rows:
            profile = getattr(r["m"], "dues_profile", None)
            r["category"] = profile.category if profile else DuesCategory.EMPLOYED
        return export_response(
            request,
            title=f"{po.name}{rules.month_label(month)}党费收缴表",
            object_type="dues.duespayment",
            filter_text=f"党组织：{po.name}；月份：{rules.month_label(month)}",
            columns=SHEET_COLUMNS,
            rows=rows,
        )


class DuesLedgerExport(ScopedView):
    """党费台账：一个党组织一年中每名党员每月的实缴金额，及全年应缴、实缴、未缴。"""

    required = "can_read_party"

    def get(self, request, pk):
        po = get_in_scope(self.scope.party_orgs("view"), pk=pk)
        today = timezone.localdate()
        try:
            period = ledger.period_for({"year": request.GET.get("year") or str(today.year)}, today)
        except ValueError as exc:
            return _bad_request(request, str(exc), reverse("web:dues_branch", args=[pk]))
        lines = ledger.load(po.members.all(), policy.values(), period.first, period.last)
        by_line = {}
        for e in ledger.entries(lines, period):
            by_line.setdefault(e.line.member_id, []).append(e.entry)
        columns = [
            Column("姓名", lambda r: r[0].name, 10),
            Column("公民身份号码", lambda r: r[0].id_masked, 20),
            Column("党费类别", lambda r: DuesCategory(r[0].category).label, 18),
            Column("计算基数（元/月）", lambda r: r[0].base, 12, "number"),
            Column("现行月党费（元）", lambda r: r[0].amount.value, 12, "number"),
        ]
        for month in period.months:
            columns.append(Column(f"{month.month}月实缴", lambda r, m=month: _paid_cell(r[0], m), 9, "number"))
        columns += [
            Column("全年应缴（元）", lambda r: rules.sum_entries(r[1])[0], 12, "number"),
            Column("全年实缴（元）", lambda r: rules.sum_entries(r[1])[1], 12, "number"),
            Column("未缴（元）", lambda r: rules.sum_entries(r[1])[2], 10, "number"),
            Column("未缴月数", lambda r: sum(1 for e in r[1] if e.unpaid), 8, "number"),
        ]
        rows = [(line, by_line.get(line.member_id, [])) for line in lines]
        return export_response(
            request,
            title=f"{po.name}{period.label}党费台账",
            object_type="dues.duespayment",
            filter_text=f"党组织：{po.name}；{period.label}（月份栏为实缴金额，空白为未登记，0 为未缴）",
            columns=columns,
            rows=rows,
        )


def _paid_cell(line: ledger.Line, month: datetime.date):
    row = line.rows.get(month)
    return row.paid if row else None


# -- one member --------------------------------------------------------------------------------------
PROFILE_INPUTS = {
    "dues_base": "党费计算基数",
    "farmer_yuan": "农民党员每月党费",
    "override_amount": "手工核定月党费",
}


class DuesMember(ScopedView):
    """一名党员的党费：档案（基数、类别、手工核定及原因）、按规定的金额、逐月记录和欠缴；可补交。"""

    required = "can_read_party"

    def _member(self, pk):
        return get_in_scope(self.scope.members("view").filter(is_active=True), pk=pk)

    def get(self, request, pk):
        return self._render(request, self._member(pk))

    def post(self, request, pk):
        member = self._member(pk)
        if not self.scope.acts_for_member(member):
            deny("该党员由其他党组织管理，您只能查看")
        if request.POST.get("action") == "payment":
            return self._payment(request, member)
        return self._profile(request, member)

    def _profile(self, request, member):
        p = request.POST
        errors, values = {}, {}
        for key, label in PROFILE_INPUTS.items():
            try:
                values[key] = rules.parse_amount(p.get(key), label)
            except ValueError as exc:
                errors[key] = str(exc)
        if errors:
            return self._render(request, member, profile_errors=errors, posted=p, status=400)
        try:
            services.set_profile(
                request.user,
                member,
                dues_base=values["dues_base"],
                category=p.get("category") or "",
                farmer_yuan=values["farmer_yuan"],
                override_amount=values["override_amount"],
                override_reason=normalize.prose(p.get("override_reason")),
            )
        except ValidationError as exc:
            errors = {k: v[0] for k, v in exc.message_dict.items()}
            return self._render(request, member, profile_errors=errors, posted=p, status=400)
        messages.success(request, f"已保存{member.name}的党费档案")
        return redirect("web:dues_member", pk=member.pk)

    def _payment(self, request, member):
        p = request.POST
        errors = {}
        today = timezone.localdate()
        try:
            month = rules.parse_month(p.get("month"))
        except ValueError as exc:
            errors["month"], month = str(exc), None
        try:
            amount = rules.parse_amount(p.get("amount_paid"), "实缴金额")
        except ValueError as exc:
            errors["amount_paid"], amount = str(exc), None
        try:
            on = _date(p.get("paid_on"), "缴纳日期")
        except ValueError as exc:
            errors["paid_on"], on = str(exc), None
        if not errors:
            item = services.PaymentInput(member, amount, on, normalize.prose(p.get("note")))
            try:
                services.record_payment(request.user, member, month, item, today)
            except ValidationError as exc:
                errors = {k: v[0] for k, v in exc.message_dict.items()}
            else:
                messages.success(request, f"已登记{member.name}{rules.month_label(month)}党费")
                return redirect("web:dues_member", pk=member.pk)
        return self._render(request, member, payment_errors=errors, posted=p, status=400)

    def _render(self, request, member, profile_errors=None, payment_errors=None, posted=None, status=200):
        params, today = policy.values(), timezone.localdate()
        profile = DuesProfile.objects.filter(member=member).first()
        line = ledger.load(self.scope.members("view").filter(pk=member.pk), params)[0]
        owing = rules.arrears_of(line.start, rules.closed_through(today), line.rows, line.amount.value)
        payments = member.dues_payments.select_related("recorded_by", "party_org__node").order_by("-month")
        history = AuditEntry.objects.filter(object_type="dues.duesprofile", object_id=str(profile.pk if profile else 0))
        history = history | AuditEntry.objects.filter(
            object_type="dues.duespayment", object_id__in=[str(x) for x in payments.values_list("pk", flat=True)]
        )
        history = history | AuditEntry.objects.filter(
            object_type="party.member", object_id=str(member.pk), changes__has_key="党费计算基数（元/月）"
        )
        posted = posted or {}
        return render(
            request,
            "web/dues/member.html",
            {
                "m": member,
                "profile": profile,
                "amount": line.amount,
                "owing": owing,
                "lapsed": rules.is_lapsed(owing.run, params),
                "lapse_text": rules.lapse_text(owing.run, params) if owing.run else "",
                "start": line.start,
                "payments": payments,
                "categories": DuesCategory.choices,
                "can_edit": self.scope.acts_for_member(member),
                "profile_errors": profile_errors or {},
                "payment_errors": payment_errors or {},
                "form": _profile_form(member, profile, posted if profile_errors else {}),
                "pay": _payment_form(posted if payment_errors else {}, line.amount, today),
                "earliest": rules.earliest_payable(today, params),
                "backpay_months": int(params["dues_backpay_max_months"]),
                "history": history.order_by("-at", "-id")[:100],
            },
            status=status,
        )


def _payment_form(posted, amount: rules.Amount, today) -> dict:
    defaults = {
        "month": f"{today:%Y-%m}",
        "amount_paid": amount.value if amount.known else "",
        "paid_on": f"{today:%Y-%m-%d}",
        "note": "",
    }
    return {k: posted.get(k, v) for k, v in defaults.items()}


def _profile_form(member, profile, posted) -> dict:
    if posted:
        return {
            k: posted.get(k, "") for k in ["dues_base", "category", "farmer_yuan", "override_amount", "override_reason"]
        }
    return {
        "dues_base": member.dues_base if member.dues_base is not None else "",
        "category": profile.category if profile else DuesCategory.EMPLOYED,
        "farmer_yuan": profile.farmer_yuan if profile and profile.farmer_yuan is not None else "",
        "override_amount": profile.override_amount if profile and profile.override_amount is not None else "",
        "override_reason": profile.override_reason if profile else "",
    }


# -- arrears ----------------------------------------------------------------------------------------
class DuesArrears(ScopedView):
    """党费欠缴：有未缴月份的党员、月数、金额；连续 lapse_months 个月未交的标出（自行脱党核查）。"""

    required = "can_read_party"

    def get(self, request):
        today = timezone.localdate()
        node = _node(self.scope, request.GET)
        owing, lapsed_only, words, params = queries.arrears_list(self.scope.members("view"), node, request.GET, today)
        page, query = paginate(request, owing, 100)
        return render(
            request,
            "web/dues/arrears.html",
            {
                "node": node,
                "page": page,
                "count": len(owing),
                "lapsed_count": sum(1 for o in owing if o.lapsed),
                "owed": sum((o.arrears.owed for o in owing), Decimal("0.00")),
                "lapsed_only": lapsed_only,
                "lapse_months": int(params["lapse_months"]),
                "through": rules.closed_through(today),
                "query": query,
                "words": words,
            },
        )


class DuesArrearsExport(ExportView):
    required = "can_read_party"

    def build(self, request):
        node = _node(self.scope, request.GET)
        return exports.arrears_export(self.scope.members("view"), node, request.GET, timezone.localdate())


# -- the member's own dues ----------------------------------------------------------------------------
class DuesMine(ScopedView):
    """我的党费（党员本人）：每月应缴金额及依据、未缴月份和金额、缴纳记录。"""

    required = "member"

    def get(self, request):
        member = self.scope.member
        params, today = policy.values(), timezone.localdate()
        line = ledger.load(self.scope.dues_members().filter(pk=member.pk), params)
        if not line:
            raise Http404("对象不存在")
        line = line[0]
        owing = rules.arrears_of(line.start, rules.closed_through(today), line.rows, line.amount.value)
        current = line.rows.get(rules.month_start(today))
        return render(
            request,
            "web/dues/mine.html",
            {
                "m": member,
                "amount": line.amount,
                "owing": owing,
                "this_month": rules.month_start(today),
                "current": current,
                "payments": member.dues_payments.order_by("-month")[:36],
            },
        )


urlpatterns = [
    path("dues/", DuesTotals.as_view(), name="dues_totals"),
    path("dues/list/", DuesList.as_view(), name="dues_list"),
    path("dues/list/export.xlsx", DuesListExport.as_view(), name="dues_list_export"),
    path("dues/arrears/", DuesArrears.as_view(), name="dues_arrears"),
    path("dues/arrears/export.xlsx", DuesArrearsExport.as_view(), name="dues_arrears_export"),
    path("dues/branch/<int:pk>/", DuesBranch.as_view(), name="dues_branch"),
    path("dues/branch/<int:pk>/sheet.xlsx", DuesBranchExport.as_view(), name="dues_branch_export"),
    path("dues/branch/<int:pk>/ledger.xlsx", DuesLedgerExport.as_view(), name="dues_ledger_export"),
    path("dues/member/<int:pk>/", DuesMember.as_view(), name="dues_member"),
    path("dues/mine/", DuesMine.as_view(), name="dues_mine"),
]

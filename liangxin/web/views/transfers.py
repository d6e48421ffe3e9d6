"""组织关系转接与流动党员 pages: lists (with 超期 and 未排摸 flags and their exports), a transfer's
page with the steps its user may take, the forms that start a transfer or register a floating
member, and the members the 6-month rule says should have their membership moved (each with a
"发起组织关系转接" link prefilled with the party organization covering their employer)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from liangxin.core import normalize, word
from liangxin.core.pagination import keyset_page
from liangxin.core.params import id_or_none
from liangxin.party import policy
from liangxin.party import rules as party_rules
from liangxin.party.choices import FloatingStatus, MemberCategory
from liangxin.party.models import PartyOrganization
from liangxin.transfers import floating_card, letter, queries, rules, services
from liangxin.transfers.models import OPEN_STATES, Transfer, TransferKind, TransferState

from ..base import (
    ListExportView,
    ScopedView,
    SearchByPost,
    StepView,
    deny,
    get_in_scope,
    query_without,
    refused,
    word_response,
)
from ..forms import DATE, chinese_empty_choice, errors_to_form

# (label, url name, scope capability or None) for the left navigation's 日常工作 section
NAV: list[tuple[str, str, str | None]] = [
    ("组织关系转接", "web:transfers_list", "can_read_party"),
    ("流动党员", "web:transfers_floating", "can_read_party"),
]

PICKER_LIMIT = 20


# -- helpers ------------------------------------------------------------------------------------
def _int(value) -> int | None:
    return id_or_none(value)


def find_party_org(scope, value) -> tuple[PartyOrganization | None, str | None]:
    """A party organization of the whole platform by id (``Scope.transfer_targets``)."""
    pk = _int(value)
    if pk is None:
        return None, None
    found = scope.transfer_targets().filter(pk=pk).first()
    return found, (None if found else f"转入党组织不存在（编号 {pk}）")


def party_org_search(scope, q: str, exclude: int | None = None) -> list:
    """Active party organizations of the platform whose name contains ``q`` (names only: a
    transfer or an inflow may name any party organization; nothing of its members is shown)."""
    q = normalize.text(q)
    pk = id_or_none(q)
    if len(q) < 2 and pk is None:
        return []
    qs = scope.transfer_targets().filter(node__is_active=True)
    qs = qs.filter(pk=pk) if pk is not None else qs.filter(node__name__contains=q)
    return [p for p in qs.order_by("node__path")[:PICKER_LIMIT] if p.pk != exclude]


# -- lists ----------------------------------------------------------------------------------------
class TransferList(ScopedView):
    required = "can_read_party"

    def get(self, request):
        params, today = policy.values(), timezone.localdate()
        qs, _ = queries.filtered_transfers(self.scope, request.GET, params, today)
        page = keyset_page(qs, "id", True, request.GET.get("cursor"), 50)
        rows = [
            (t, rules.is_overdue(t, params, today), rules.letter_valid_until(t.issued_on, params)) for t in page.rows
        ]
        context = {
            "page": page,
            "rows": rows,
            "g": request.GET,
            "query": query_without(request, "cursor"),
            "states": TransferState.choices,
            "kinds": TransferKind.choices,
            "valid_months": rules.months(params, rules.LETTER_KEY),
        }
        return render(request, "web/transfers/list.html", context)


class TransferExport(ListExportView):
    required = "can_read_party"
    list_name, back = "transfers", "web:transfers_list"


class TransferDue(ScopedView):
    """工作满 6 个月、组织关系仍在别处的党员 (party rule ``member_transfer``), with the party
    organization covering their employer as the suggested target."""

    required = "can_read_party"

    def get(self, request):
        params, today = policy.values(), timezone.localdate()
        rule = party_rules.RULES["member_transfer"]
        qs = party_rules.candidates(rule, self.scope, params, today).select_related("employer", "party_org__node")
        page = keyset_page(qs, "id", False, request.GET.get("cursor"), 50)
        targets = rules.suggested_targets([m.employer_id for m in page.rows], today)
        open_ids = set(
            Transfer.objects.filter(member__in=page.rows, state__in=OPEN_STATES).values_list("member_id", flat=True)
        )
        editable = set(
            self.scope.members("change").filter(pk__in=[m.pk for m in page.rows]).values_list("pk", flat=True)
        )
        rows = []
        for m in page.rows:
            finding = rule.check(m, params, today)
            if finding is None:
                continue
            target = targets.get(m.employer_id)
            rows.append((m, finding, target if target and target.pk != m.party_org_id else None, m.pk in open_ids))
        context = {"rows": rows, "page": page, "editable": editable, "query": query_without(request, "cursor")}
        return render(request, "web/transfers/due.html", context)


# -- one transfer -----------------------------------------------------------------------------------
class StepForm(forms.Form):
    on = forms.DateField(label="办理日期", required=False, widget=DATE, help_text="不填为今天；不能晚于今天")
    note = forms.CharField(label="说明", required=False, max_length=500)
    reason = forms.CharField(label="退回原因", required=False, max_length=500)


class TransferDetail(ScopedView):
    def get(self, request, pk):
        if not self.scope.can_read_transfers:
            deny("无权访问该页面")
        transfer = get_in_scope(self.scope.transfers(), pk=pk)
        return self.render_page(request, transfer)

    def render_page(self, request, transfer):
        params, today = policy.values(), timezone.localdate()
        member_visible = bool(transfer.member_id and self.scope.members("view").filter(pk=transfer.member_id).exists())
        context = {
            "t": transfer,
            "steps": transfer.steps.all(),
            "overdue": rules.is_overdue(transfer, params, today),
            "overdue_text": rules.overdue_text(transfer, params),
            "valid_until": rules.letter_valid_until(transfer.issued_on, params),
            "valid_months": rules.months(params, rules.LETTER_KEY),
            "actions": self.scope.transfer_actions(transfer),
            "member_visible": member_visible,
            "today": today,
            "letter_refusal": letter.refusal(transfer),
        }
        return render(request, "web/transfers/detail.html", context)


class TransferLetter(ScopedView):
    """下载介绍信（Word）: whoever sees the transfer; refused with a message where no letter exists."""

    def get(self, request, pk):
        if not self.scope.can_read_transfers:
            deny("无权访问该页面")
        transfer = get_in_scope(self.scope.transfers(), pk=pk)
        try:
            name, data = services.letter_file(request.user, transfer, full_id=self.scope.sees_full_id_numbers)
        except word.Refused as refusal:
            messages.error(request, f"不能下载介绍信：{refusal}")
            return redirect("web:transfers_detail", pk=pk)
        return word_response(name, data)


class TransferAction(StepView):
    """审核 / 接收 / 退回."""

    required = "can_read_party"
    MAY = {"review": "is_transfer_reviewer", "accept": "may_accept_transfer", "return": "may_return_transfer"}
    detail = "web:transfers_detail"

    def objects(self):
        return self.scope.transfers()

    def perform(self, request, transfer) -> str:
        form = StepForm(request.POST)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        d = form.cleaned_data
        if self.action == "review":
            services.review(request.user, self.scope, transfer, on=d["on"], note=d["note"])
            return "已审核通过，等待接收"
        if self.action == "accept":
            services.accept(request.user, self.scope, transfer, on=d["on"], note=d["note"])
            return "已办理接收"
        services.return_transfer(request.user, self.scope, transfer, on=d["on"], reason=d["reason"])
        return "已退回"


# -- starting a transfer -----------------------------------------------------------------------------
class TransferForm(forms.Form):
    kind = forms.ChoiceField(
        label="转接类型",
        choices=[(TransferKind.INTERNAL, TransferKind.INTERNAL.label), (TransferKind.OUT, TransferKind.OUT.label)],
        widget=forms.RadioSelect,
        initial=TransferKind.INTERNAL,
    )
    to_party_org = forms.CharField(label="转入党组织", required=False, widget=forms.HiddenInput)
    to_org_name = forms.CharField(label="接收党组织名称（系统外）", required=False, max_length=100)
    letter_no = forms.CharField(
        label="介绍信编号", required=False, max_length=60, help_text="系统内转接可不填，自动编号"
    )
    issued_on = forms.DateField(label="介绍信开具日期", required=False, widget=DATE)
    reason = forms.CharField(label="转接原因", required=False, max_length=200)


class MemberFormView(ScopedView):
    """A form about one member, picked first: without ``member`` (GET or POST) the page lists
    the user's ``candidates`` to pick from; a picked member must pass the scope's ``may`` test
    (else 403). ``save`` calls the service; its refusal goes back onto the form (400)."""

    required = "can_edit_party"
    form_class: type[forms.Form] = forms.Form
    template = ""
    may = ""  # the Scope test the picked member must pass
    denied = ""  # the 403's text
    pick_first = ""  # the form's error when no member was picked

    def _member(self, value):
        pk = _int(value)
        if pk is None:
            return None
        member = get_in_scope(self.scope.members("view").select_related("employer"), pk=pk)
        if not getattr(self.scope, self.may)(member):
            deny(self.denied)
        return member

    def post(self, request):
        member = self._member(request.POST.get("member"))
        form = self.form_class(request.POST)
        if member is None:
            form.add_error(None, self.pick_first)
        elif form.is_valid():
            try:
                return self.save(request, member, form.cleaned_data)
            except ValidationError as error:
                errors_to_form(form, error)
        return self._render(request, member, form, status=400)

    def _render(self, request, member, form, status=200):
        g = request.GET
        context = {"member": member, "form": form, "g": g}
        if member is None:
            q = normalize.text(g.get("q"))
            mine = self.candidates().select_related("party_org__node")
            context["q"] = q
            context["candidates"] = (mine.filter(name__contains=q) if q else mine).order_by("name", "pk")[:50]
        else:
            context |= self.member_context(g, member, form)
        return render(request, self.template, context, status=status)

    def candidates(self):
        return self.scope.members("change").filter(is_active=True)

    def member_context(self, g, member, form) -> dict:
        raise NotImplementedError

    def save(self, request, member, d):
        raise NotImplementedError


def _add_found(scope, options: list, g, member) -> list:
    """``options`` and then the party organizations the picker's search (``to_q``) finds."""
    for po in party_org_search(scope, g.get("to_q", ""), exclude=member.party_org_id):
        if all(po.pk != o.pk for o, _ in options):
            options.append((po, ""))
    return options


class TransferCreate(MemberFormView):
    form_class, template = TransferForm, "web/transfers/create.html"
    may, denied = "may_initiate_transfer", "只有党员组织关系所在党组织或其上级党委可以发起转接"
    pick_first = "请先选择要转接的党员"

    def get(self, request):
        member = self._member(request.GET.get("member"))
        form = TransferForm(initial={"issued_on": timezone.localdate(), "to_party_org": request.GET.get("to", "")})
        return self._render(request, member, form)

    def save(self, request, member, d):
        # the page offers both at once: a party organization picked for an internal transfer only
        internal = d["kind"] == TransferKind.INTERNAL
        target, missing = find_party_org(self.scope, d["to_party_org"]) if internal else (None, None)
        if missing:
            raise ValidationError(missing)
        transfer = services.initiate(
            request.user, self.scope, member, kind=d["kind"], to_party_org=target,
            to_org_name=d["to_org_name"], letter_no=d["letter_no"], issued_on=d["issued_on"],
            reason=d["reason"],
        )  # fmt: skip
        messages.success(request, f"已发起「{transfer.person_name}」的组织关系转接")
        return redirect("web:transfers_detail", pk=transfer.pk)

    def member_context(self, g, member, form) -> dict:
        suggested = rules.suggested_targets([member.employer_id], timezone.localdate()).get(member.employer_id)
        if suggested is not None and suggested.pk == member.party_org_id:
            suggested = None
        chosen = form["to_party_org"].value() or g.get("to") or (suggested.pk if suggested else "")
        options = [(suggested, "覆盖其工作单位的党组织（建议）")] if suggested else []
        picked, _ = find_party_org(self.scope, chosen)
        if picked is not None and picked.node.is_active and all(picked.pk != o.pk for o, _ in options):
            options.append((picked, ""))
        return {
            "options": _add_found(self.scope, options, g, member),
            "chosen": str(chosen),
            "open_transfer": services.open_transfer_of(member),
            "to_q": g.get("to_q", ""),
        }


class PersonForm(forms.Form):
    """A person whose membership is held outside the platform, taken into one of the user's
    active party organizations (the field ``field_order`` puts first, ``required_text`` when
    missing); ``field_order`` places the form's own fields around the person's."""

    name = forms.CharField(label="姓名", max_length=50, required=False)
    id_number = forms.CharField(label="公民身份号码", max_length=30, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    category = forms.ChoiceField(
        label="党员类别", choices=[("", "— 请选择 —"), *MemberCategory.choices], required=False
    )
    joined_on = forms.DateField(label="入党日期", required=False, widget=DATE)
    full_on = forms.DateField(label="转正日期", required=False, widget=DATE)

    required_text = ""

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields[self.field_order[0]]
        field.queryset = scope.party_orgs("change").filter(node__is_active=True).order_by("node__path")
        field.error_messages["invalid_choice"] = "请选择您管辖的党组织"
        field.error_messages["required"] = self.required_text
        chinese_empty_choice(self)


PERSON_FIELDS = tuple(PersonForm.base_fields)


class IncomingForm(PersonForm):
    to_party_org = forms.ModelChoiceField(label="接收党组织", queryset=PartyOrganization.objects.none())
    from_org_name = forms.CharField(label="开具介绍信的党组织（系统外）", max_length=100, required=False)
    letter_no = forms.CharField(label="介绍信编号", max_length=60, required=False)
    issued_on = forms.DateField(label="介绍信开具日期", required=False, widget=DATE)
    reason = forms.CharField(label="转接原因", required=False, max_length=200)

    field_order = ["to_party_org", "from_org_name", "letter_no", "issued_on", "reason"]
    required_text = "请选择接收的党组织"


class TransferCreateIncoming(ScopedView):
    """从系统外转入: register the letter; the member is created when it is accepted."""

    required = "can_edit_party"

    def get(self, request):
        form = IncomingForm(
            scope=self.scope,
            initial={"issued_on": timezone.localdate(), "to_party_org": _int(request.GET.get("party_org"))},
        )
        return render(request, "web/transfers/create_in.html", {"form": form})

    def post(self, request):
        form = IncomingForm(request.POST, scope=self.scope)
        if form.is_valid():
            d = form.cleaned_data
            try:
                transfer = services.register_incoming(
                    request.user, self.scope, to_party_org=d["to_party_org"], from_org_name=d["from_org_name"],
                    letter_no=d["letter_no"], issued_on=d["issued_on"], reason=d["reason"],
                    person={k: d[k] for k in PERSON_FIELDS},
                )  # fmt: skip
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, f"已登记「{transfer.person_name}」的转入介绍信，待接收")
                return redirect("web:transfers_detail", pk=transfer.pk)
        return render(request, "web/transfers/create_in.html", {"form": form}, status=400)


# -- floating members -----------------------------------------------------------------------------
def _floating_rows(members, params, today):
    return [
        (m, rules.census_overdue(m.last_confirmed, params, today), rules.census_due_on(m.last_confirmed, params))
        for m in members
    ]


class FloatingList(SearchByPost, ScopedView):
    required = "can_read_party"

    def get(self, request):
        params, today = policy.values(), timezone.localdate()
        qs, _ = queries.filtered_floating(self.scope, request.GET, params, today)
        page = keyset_page(qs, "id", False, request.GET.get("cursor"), 50)
        context = {
            "page": page,
            "rows": _floating_rows(page.rows, params, today),
            "g": request.GET,
            "query": query_without(request, "cursor"),
            "census_months": rules.months(params, rules.CENSUS_KEY),
        }
        return render(request, "web/transfers/floating_list.html", context)


class FloatingExport(ListExportView):
    required = "can_read_party"
    list_name, back = "floating", "web:transfers_floating"


class CensusForm(forms.Form):
    confirmed_on = forms.DateField(label="排摸日期", required=False, widget=DATE)
    location = forms.CharField(label="目前所在地", required=False, max_length=100)
    contact_ok = forms.BooleanField(label="联系畅通", required=False, initial=True)
    note = forms.CharField(label="备注", required=False, max_length=200)


class EndForm(forms.Form):
    on = forms.DateField(label="结束日期", required=False, widget=DATE)
    reason = forms.CharField(label="原因", required=False, max_length=200)


class FloatingDetail(ScopedView):
    required = "can_read_party"

    def get(self, request, pk):
        member = get_in_scope(self.scope.floating_members().annotate(last_confirmed=queries.last_census()), pk=pk)
        return self.render_page(request, member)

    def render_page(self, request, member, census_form=None, status=200):
        params, today = policy.values(), timezone.localdate()
        context = {
            "m": member,
            "records": member.census_records.select_related("party_org__node")[:100],
            "overdue": rules.census_overdue(member.last_confirmed, params, today),
            "census_text": rules.census_text(member.last_confirmed, params),
            "due_on": rules.census_due_on(member.last_confirmed, params),
            "may_census": self.scope.may_census(member),
            "is_holder": self.scope.is_floating_holder(member),
            "member_visible": self.scope.members("view").filter(pk=member.pk).exists(),
            "census_form": census_form or CensusForm(initial={"confirmed_on": today, "location": member.inflow_place}),
            "end_form": EndForm(initial={"on": today}),
            "transfer": services.open_transfer_of(member),
            "card_refusal": floating_card.refusal(member),
        }
        return render(request, "web/transfers/floating_detail.html", context, status=status)


class FloatingCensus(FloatingDetail):
    def get(self, request, pk):
        return redirect("web:transfers_floating_detail", pk=pk)

    def post(self, request, pk):
        member = get_in_scope(self.scope.floating_members().annotate(last_confirmed=queries.last_census()), pk=pk)
        if not self.scope.may_census(member):
            deny("只有组织关系所在党组织或流入地党组织可以登记排摸")
        form = CensusForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.record_census(
                    request.user, self.scope, member, confirmed_on=d["confirmed_on"], location=d["location"],
                    contact_ok=d["contact_ok"], note=d["note"],
                )  # fmt: skip
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, "已登记排摸")
                return redirect("web:transfers_floating_detail", pk=pk)
        return self.render_page(request, member, census_form=form, status=400)


class FloatingEnd(FloatingDetail):
    def get(self, request, pk):
        return redirect("web:transfers_floating_detail", pk=pk)

    def post(self, request, pk):
        member = get_in_scope(self.scope.floating_members(), pk=pk)
        if not self.scope.is_floating_holder(member):
            deny("只有党员组织关系所在党组织或其上级党委可以结束流动")
        form = EndForm(request.POST)
        if not form.is_valid():
            messages.error(request, "结束日期格式错误")
            return redirect("web:transfers_floating_detail", pk=pk)
        try:
            services.end_floating(
                request.user, self.scope, member, on=form.cleaned_data["on"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            refused(request, error)
            return redirect("web:transfers_floating_detail", pk=pk)
        messages.success(request, f"「{member.name}」已结束流动")
        return redirect("web:transfers_floating")


class FloatingCard(ScopedView):
    """下载流动党员活动证（Word）: whoever sees the member's record; refused with a message on the
    member's page for one who is not an outflow floating member."""

    required = "can_read_party"

    def get(self, request, pk):
        member = get_in_scope(self.scope.members("view"), pk=pk)
        try:
            name, data = services.floating_card_file(request.user, member)
        except word.Refused as refusal:
            messages.error(request, f"不能下载流动党员活动证：{refusal}")
            return redirect("web:member_detail", pk=pk)
        return word_response(name, data)


class OutflowForm(forms.Form):
    card_no = forms.CharField(label="流动党员活动证号", required=False, max_length=40)
    outflow_place = forms.CharField(
        label="流出地", required=False, max_length=100, help_text="不填为组织关系所在党组织"
    )
    inflow_place = forms.CharField(label="流入地（外出务工经商所在地）", required=False, max_length=100)
    inflow_party_org = forms.CharField(label="流入地党组织", required=False, widget=forms.HiddenInput)
    on = forms.DateField(label="登记日期", required=False, widget=DATE)


class FloatingOutflow(MemberFormView):
    """流出登记 of a member of the holding side (also to change a registration)."""

    form_class, template = OutflowForm, "web/transfers/outflow.html"
    may, denied = "is_floating_holder", "只有党员组织关系所在党组织或其上级党委可以登记流出"
    pick_first = "请先选择党员"

    def get(self, request):
        member = self._member(request.GET.get("member"))
        initial = {"on": timezone.localdate()}
        if member is not None and member.floating == FloatingStatus.OUTFLOW:
            initial |= {
                "card_no": member.floating_card_no, "outflow_place": member.outflow_place,
                "inflow_place": member.inflow_place, "inflow_party_org": member.inflow_party_org_id or "",
            }  # fmt: skip
        return self._render(request, member, OutflowForm(initial=initial))

    def save(self, request, member, d):
        inflow_org, missing = find_party_org(self.scope, d["inflow_party_org"])
        if missing:
            raise ValidationError(missing.replace("转入党组织", "流入地党组织"))
        services.register_outflow(
            request.user, self.scope, member, card_no=d["card_no"], inflow_place=d["inflow_place"],
            outflow_place=d["outflow_place"], inflow_party_org=inflow_org, on=d["on"],
        )  # fmt: skip
        messages.success(request, f"已登记「{member.name}」流出")
        return redirect("web:transfers_floating_detail", pk=member.pk)

    def candidates(self):
        return super().candidates().exclude(floating=FloatingStatus.INFLOW)

    def member_context(self, g, member, form) -> dict:
        chosen = form["inflow_party_org"].value()
        picked, _ = find_party_org(self.scope, chosen)
        options = [(picked, "当前")] if picked is not None else []
        return {
            "options": _add_found(self.scope, options, g, member),
            "chosen": str(chosen or ""),
            "to_q": g.get("to_q", ""),
        }


class InflowForm(PersonForm):
    party_org = forms.ModelChoiceField(label="流入地党组织（本方）", queryset=PartyOrganization.objects.none())
    card_no = forms.CharField(label="流动党员活动证号", max_length=40, required=False)
    outflow_place = forms.CharField(label="流出地（组织关系所在党组织或地方）", max_length=100, required=False)
    inflow_place = forms.CharField(label="流入地", max_length=100, required=False, help_text="不填为本党组织名称")
    on = forms.DateField(label="登记日期", required=False, widget=DATE)

    field_order = ["party_org"]
    required_text = "请选择流入地党组织"


class FloatingInflow(ScopedView):
    """流入登记: a floating member whose membership is held outside the platform."""

    required = "can_edit_party"

    def get(self, request):
        initial = {"on": timezone.localdate(), "party_org": _int(request.GET.get("party_org"))}
        return render(request, "web/transfers/inflow.html", {"form": InflowForm(scope=self.scope, initial=initial)})

    def post(self, request):
        form = InflowForm(request.POST, scope=self.scope)
        if form.is_valid():
            d = form.cleaned_data
            try:
                member = services.register_inflow(
                    request.user, self.scope, party_org=d["party_org"], person={k: d[k] for k in PERSON_FIELDS},
                    card_no=d["card_no"], outflow_place=d["outflow_place"], inflow_place=d["inflow_place"], on=d["on"],
                )  # fmt: skip
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, f"已登记流入党员「{member.name}」")
                return redirect("web:transfers_floating_detail", pk=member.pk)
        return render(request, "web/transfers/inflow.html", {"form": form}, status=400)


urlpatterns = [
    path("transfers/", TransferList.as_view(), name="transfers_list"),
    path("transfers/export.xlsx", TransferExport.as_view(), name="transfers_export"),
    path("transfers/due/", TransferDue.as_view(), name="transfers_due"),
    path("transfers/new/", TransferCreate.as_view(), name="transfers_create"),
    path("transfers/new-in/", TransferCreateIncoming.as_view(), name="transfers_create_in"),
    path("transfers/<int:pk>/", TransferDetail.as_view(), name="transfers_detail"),
    path("transfers/<int:pk>/letter.docx", TransferLetter.as_view(), name="transfers_letter"),
    path("transfers/<int:pk>/review/", TransferAction.as_view(action="review"), name="transfers_review"),
    path("transfers/<int:pk>/accept/", TransferAction.as_view(action="accept"), name="transfers_accept"),
    path("transfers/<int:pk>/return/", TransferAction.as_view(action="return"), name="transfers_return"),
    path("members/<int:pk>/floating-card.docx", FloatingCard.as_view(), name="member_floating_card"),
    path("floating/", FloatingList.as_view(), name="transfers_floating"),
    path("floating/export.xlsx", FloatingExport.as_view(), name="transfers_floating_export"),
    path("floating/outflow/", FloatingOutflow.as_view(), name="transfers_floating_outflow"),
    path("floating/inflow/", FloatingInflow.as_view(), name="transfers_floating_inflow"),
    path("floating/<int:pk>/", FloatingDetail.as_view(), name="transfers_floating_detail"),
    path("floating/<int:pk>/census/", FloatingCensus.as_view(), name="transfers_floating_census"),
    path("floating/<int:pk>/end/", FloatingEnd.as_view(), name="transfers_floating_end"),
]

"""信息群发: the sender's pages (write, preview the reach, send or 签发, follow the delivery, remind,
recall, export the replies, templates, the node's 签发 setting) and the recipient's (read and
reply, from the inbox or from the e-mail's link). The rules are in ``messaging.compose``."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views import View

from liangxin.accounts.roles import REGISTRY_EDITORS
from liangxin.core import attachments, files
from liangxin.messaging import compose, content, exports, rates, services
from liangxin.messaging.channels import delivery_for_token
from liangxin.messaging.choices import ChannelKind, DeliveryState, MessageState, ReplyKind, Urgency
from liangxin.messaging.models import Delivery, Message
from liangxin.messaging.targets import MEMBER_KINDS, SAMPLE, NodePlace, OrgFilter, PeopleKind, RegionPlace, Target
from liangxin.messaging.tasks import start, start_sending
from liangxin.mgmt.models import COMMITTEE_KINDS, ManagementNode
from liangxin.orgs.choices import CoverageState, Industry, OrgKind
from liangxin.regions.models import CarrierKind, Region, RegionLevel

from ..base import ExportView, ScopedView, deny, get_in_scope, paginate, refused

SENDER = "can_send_messages"
MAX_NODE_CHOICES = 300  # beyond this the place list offers committees only (a party organization: by its street)
OPTIONAL_CHANNELS = [(c.value, c.label) for c in (ChannelKind.EMAIL, ChannelKind.SMS, ChannelKind.LOG)]


# -- the compose form ------------------------------------------------------------------------------
def _ints(values) -> list[int]:
    return [int(v) for v in values if str(v).isdecimal()]


def _below(data) -> bool:
    """含下级: the form sends a hidden "0" before the box, so checked gives both values; a client
    that sends neither means yes."""
    return "1" in data.getlist("descendants") or "descendants" not in data


def target_from(data) -> Target:
    """The 发送范围 the form describes (``data``: the POST, or a query string for ?segment=)."""
    below = _below(data)
    orgs = None
    if data.get("org_contacts") == "1":
        min_employees = data.get("min_employees", "").strip()
        orgs = OrgFilter(
            kinds=data.getlist("org_kind"),
            industries=data.getlist("industry"),
            min_employees=int(min_employees) if min_employees.isdecimal() else None,
            carrier_kinds=data.getlist("carrier_kind"),
            coverage=data.getlist("coverage"),
        )
    target = Target(
        nodes=[NodePlace(i, below) for i in _ints(data.getlist("nodes"))],
        regions=[RegionPlace(c, below) for c in data.getlist("regions") if c],
        people=data.getlist("people"),
        organizations=orgs,
        segments=_ints(data.getlist("segment")),
    )
    return target


def _scheduled(data) -> datetime.datetime | None:
    raw = (data.get("scheduled_at") or "").strip()
    if not raw:
        return None
    try:
        value = datetime.datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationError({"scheduled_at": ["定时发送时间：格式应为 年-月-日 时:分"]}) from None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def draft_from(data) -> compose.Draft:
    return compose.check_draft(
        data.get("title", ""),
        data.get("body", ""),
        target_from(data),
        data.getlist("channels"),
        data.get("urgency", Urgency.NORMAL),
        data.get("reply_kind", ReplyKind.NONE),
        _scheduled(data),
    )


def _choices(scope) -> dict:
    """What the form offers: the sender's nodes, the places they may name, the kinds."""
    senders = list(scope.sender_nodes())
    committee = scope.has_any(REGISTRY_EDITORS)
    if committee:
        nodes = scope.nodes("view").filter(is_active=True).order_by("path")
        if nodes.count() > MAX_NODE_CHOICES:  # a district or the city: committees only, a street's list is short
            nodes = nodes.filter(kind__in=COMMITTEE_KINDS)
        regions = scope.regions("view").filter(level__lte=RegionLevel.STREET).order_by("path")
        people = list(PeopleKind.choices)
    else:  # a secretary: their own party organizations and their members
        nodes, regions = senders, []
        people = [(k.value, k.label) for k in PeopleKind if k.value in {k.value for k in MEMBER_KINDS}]
    return {
        "senders": senders,
        "place_nodes": nodes,
        "place_regions": regions,
        "people_kinds": people,
        "committee": committee,
        "org_kinds": OrgKind.choices,
        "industries": Industry.choices,
        "carrier_kinds": CarrierKind.choices,
        "coverage_states": CoverageState.choices,
        "channels": OPTIONAL_CHANNELS,
        "urgencies": Urgency.choices,
        "reply_kinds": ReplyKind.choices,
        "templates": scope.message_templates(),
        "segments": scope.segments(),
        "placeholders": content.PLACEHOLDERS,
        "allowed_files": attachments.DOCUMENT_ALLOWED_TEXT,
        "max_files": compose.MAX_ATTACHMENTS,
    }


def _initial(request, scope, message: Message | None) -> dict:
    """The form's values: the message being edited, a template, a segment, or the defaults."""
    if message is not None:
        t = message.target
        orgs = t.get("organizations") or {}
        return {
            "node": message.node_id, "title": message.title, "body": message.body,
            "nodes": [n["id"] for n in t.get("nodes", [])], "regions": [r["code"] for r in t.get("regions", [])],
            "descendants": all(p.get("descendants", True) for p in t.get("nodes", []) + t.get("regions", [])),
            "people": t.get("people", []), "org_contacts": bool(t.get("organizations") is not None),
            "org_kind": orgs.get("kinds", []), "industry": orgs.get("industries", []),
            "min_employees": orgs.get("min_employees") or "", "carrier_kind": orgs.get("carrier_kinds", []),
            "coverage": orgs.get("coverage", []), "segment": t.get("segments", []),
            "channels": message.channels, "urgency": message.urgency, "reply_kind": message.reply_kind,
            "scheduled_at": timezone.localtime(message.scheduled_at).strftime("%Y-%m-%dT%H:%M")
            if message.scheduled_at else "",
        }  # fmt: skip
    values: dict = {"descendants": True, "channels": [ChannelKind.INBOX.value], "people": [], "segment": []}
    template_id = request.GET.get("template", "")
    if template_id.isdecimal():
        template = scope.message_templates().filter(pk=int(template_id)).first()
        if template is not None:
            values.update(title=template.title, body=template.body, reply_kind=template.reply_kind)
    segment = request.GET.get("segment", "")
    if segment.isdecimal():
        values["segment"] = [int(segment)]
    return values


def _posted(request) -> dict:
    data = request.POST
    return {
        "node": int(data["node"]) if data.get("node", "").isdecimal() else None,
        **{k: data.get(k, "") for k in ("title", "body", "min_employees", "urgency", "reply_kind", "scheduled_at")},
        **{k: data.getlist(k) for k in ("regions", "people", "org_kind", "industry", "carrier_kind", "coverage",
                                        "channels")},
        "nodes": _ints(data.getlist("nodes")), "segment": _ints(data.getlist("segment")),
        "descendants": _below(data), "org_contacts": data.get("org_contacts") == "1",
    }  # fmt: skip


class Compose(ScopedView):
    """写信息 (new, or a draft edited): 预览 shows how many the target reaches and a sample;
    保存草稿 keeps it; 发送 saves and sends (or submits it for 签发)."""

    required = SENDER

    def message(self, pk):
        return None

    def render_form(self, request, values, errors=None, resolution=None, message=None, status=200):
        context = {
            **_choices(self.scope), "v": values, "errors": errors or {}, "resolution": resolution,
            "message": message, "sample_size": SAMPLE,
            "needs_approval": any(compose.needs_approval(n) for n in self.scope.sender_nodes()),
        }  # fmt: skip
        return render(request, "web/messaging/compose.html", context, status=status)

    def get(self, request, pk=None):
        message = self.message(pk)
        return self.render_form(request, _initial(request, self.scope, message), message=message)

    def post(self, request, pk=None):
        message = self.message(pk)
        values = _posted(request)
        action = request.POST.get("action", "preview")
        try:
            draft = draft_from(request.POST)
            if action == "preview":
                resolution = compose.preview(self.scope, draft.target)
                return self.render_form(request, values, resolution=resolution, message=message)
            node = self.scope.sender_nodes().filter(pk=values["node"]).first() if values["node"] else None
            node = node or self.scope.sender_nodes().first()
            saved = compose.save_draft(
                request.user, self.scope, node, draft, request.FILES.getlist("attachments"), message
            )
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"target": error.messages}
            return self.render_form(request, values, errors=errors, message=message, status=400)
        if action == "send":
            try:
                messages.success(request, compose.submit(request.user, self.scope, saved, start=start))
            except ValidationError as error:
                refused(request, error)
        else:
            messages.success(request, "草稿已保存")
        return redirect("web:message_detail", pk=saved.pk)


class EditDraft(Compose):
    def message(self, pk):
        message = get_in_scope(self.scope.messages("change"), pk=pk)
        if message.state != MessageState.DRAFT:
            deny("只有草稿可以修改")
        return message


# -- the sender's list and detail ------------------------------------------------------------------
class MessageList(ScopedView):
    required = SENDER

    def get(self, request):
        qs = (
            self.scope.messages("view")
            .annotate(
                n_total=Count("deliveries"),
                n_read=Count("deliveries", filter=Q(deliveries__read_at__isnull=False)),
                n_replied=Count("deliveries", filter=Q(deliveries__replied_at__isnull=False)),
            )
            .order_by("-created_at", "-id")
        )
        state = request.GET.get("state", "")
        if state in MessageState.values:
            qs = qs.filter(state=state)
        page, query = paginate(request, qs, 30)
        pending = self.scope.messages("change").filter(state=MessageState.PENDING).exclude(sender=request.user)
        context = {"page": page, "query": query, "states": MessageState.choices, "state": state,
                   "pending": pending.count()}  # fmt: skip
        return render(request, "web/messaging/list.html", context)


class MessageDetail(ScopedView):
    required = SENDER

    def get(self, request, pk):
        message = get_in_scope(self.scope.messages("view"), pk=pk)
        counts = _progress(message)
        by_channel = (
            Delivery.objects.filter(message=message).values("channel")
            .annotate(total=Count("pk"), read=Count("pk", filter=Q(read_at__isnull=False)),
                      replied=Count("pk", filter=Q(replied_at__isnull=False)),
                      failed=Count("pk", filter=Q(state__in=[DeliveryState.FAILED, DeliveryState.UNKNOWN])))
            .order_by("channel")
        )  # fmt: skip
        channel_names = dict(ChannelKind.choices)
        manage = self.scope.messages("change").filter(pk=pk).exists()
        context = {
            "m": message, "counts": counts, "body": mark_safe(message.body),  # noqa: S308 — sanitised on save
            "by_channel": [{**row, "label": channel_names[row["channel"]]} for row in by_channel],
            "by_child": rates.by_child(message, message.node) if counts["total"] else None,
            "attachments": message.attachments.all(), "manage": manage,
            "channel_names": [channel_names.get(c, c) for c in message.channels or [ChannelKind.INBOX]],
            "may_approve": self.scope.may_approve(message), "target": describe_target(message.target),
            "failures": Delivery.objects.filter(message=message, state__in=[DeliveryState.FAILED,
                                                DeliveryState.UNKNOWN])[:20],
        }  # fmt: skip
        return render(request, "web/messaging/detail.html", context)


class MessageProgress(ScopedView):
    """The progress bar alone (HTMX polls it while the message is being sent)."""

    required = SENDER

    def get(self, request, pk):
        message = get_in_scope(self.scope.messages("view"), pk=pk)
        context = {"m": message, "counts": _progress(message)}
        return render(request, "web/messaging/_progress.html", context)


def _progress(message: Message) -> dict[str, int]:
    counts = services.progress(message.pk)
    counts["finished"] = counts["total"] - counts[DeliveryState.QUEUED] - counts[DeliveryState.SENDING]
    return counts


def describe_target(data: dict) -> list[str]:
    """The stored target in words, for the detail page."""
    words = []
    names = dict(
        ManagementNode.objects.filter(pk__in=[n["id"] for n in data.get("nodes", [])]).values_list("pk", "name")
    )
    for n in data.get("nodes", []):
        words.append(f"管理节点：{names.get(n['id'], n['id'])}{'（含下级）' if n.get('descendants', True) else ''}")
    regions = dict(
        Region.objects.filter(code__in=[r["code"] for r in data.get("regions", [])]).values_list("code", "name")
    )
    for r in data.get("regions", []):
        words.append(f"区划：{regions.get(r['code'], r['code'])}{'（含下级）' if r.get('descendants', True) else ''}")
    kinds = dict(PeopleKind.choices)
    if data.get("people"):
        words.append("人员：" + "、".join(kinds.get(p, p) for p in data["people"]))
    orgs = data.get("organizations")
    if orgs is not None:
        parts = []
        if orgs.get("kinds"):
            parts.append("类型 " + "、".join(dict(OrgKind.choices).get(k, k) for k in orgs["kinds"]))
        if orgs.get("industries"):
            parts.append("行业 " + "、".join(dict(Industry.choices).get(k, k) for k in orgs["industries"]))
        if orgs.get("min_employees") is not None:
            parts.append(f"从业人员不少于 {orgs['min_employees']} 人")
        if orgs.get("carrier_kinds"):
            parts.append("载体 " + "、".join(dict(CarrierKind.choices).get(k, k) for k in orgs["carrier_kinds"]))
        if orgs.get("coverage"):
            parts.append("覆盖状态 " + "、".join(dict(CoverageState.choices).get(k, k) for k in orgs["coverage"]))
        words.append("组织联系人：" + ("；".join(parts) if parts else "全部在营组织"))
    if data.get("segments"):
        words.append(f"常用发送对象 {len(data['segments'])} 个")
    return words or ["（未设定）"]


class MessageStep(ScopedView):
    """The sender's steps on a message (POST): 发送, 签发, 退回, 撤回, 提醒未读, 重新发送结果未知."""

    required = SENDER

    def post(self, request, pk, action):
        message = get_in_scope(self.scope.messages("view"), pk=pk)
        if not self.scope.messages("change").filter(pk=pk).exists():
            deny("只有发送单位的管理员可以办理")
        try:
            if action == "send":
                text = compose.submit(request.user, self.scope, message, start=start)
            elif action == "approve":
                text = compose.approve(request.user, self.scope, message, start=start)
            elif action == "reject":
                text = compose.reject(request.user, self.scope, message, request.POST.get("reason", ""))
            elif action == "recall":
                text = f"已撤回：{compose.recall(request.user, message)} 条未读投递不再显示"
            elif action == "remind":
                text = f"已提醒未读人员 {compose.remind_unread(request.user, message)} 人"
            elif action == "resend":
                count = services.resend_unknown(message, request.user)
                if count:
                    start_sending(message)
                text = f"已重新发送结果未知的投递 {count} 条"
            else:
                raise Http404
            messages.success(request, text)
        except ValidationError as error:
            refused(request, error)
        return redirect("web:message_detail", pk=pk)


class MessagePeople(ScopedView):
    """未读/已回复的人员: the deliveries of a message, narrowed by state (the drill-down)."""

    required = SENDER
    SHOWS = {
        "unread": ("未读人员", Q(read_at__isnull=True, state__in=[DeliveryState.SENT, DeliveryState.DELIVERED])),
        "replied": ("已回复", Q(replied_at__isnull=False)),
        "failed": ("发送失败或结果未知", Q(state__in=[DeliveryState.FAILED, DeliveryState.UNKNOWN])),
        "all": ("全部投递", Q()),
    }

    def get(self, request, pk):
        message = get_in_scope(self.scope.messages("view"), pk=pk)
        show = request.GET.get("show", "unread")
        if show not in self.SHOWS:
            show = "unread"
        label, where = self.SHOWS[show]
        qs = Delivery.objects.filter(where, message=message).select_related("member__party_org__node", "organization")
        child = request.GET.get("node", "")
        node = None
        if child.isdecimal():  # a child's row of the detail page: its people only
            node = self.scope.nodes("view").filter(pk=int(child), path__startswith=message.node.path).first()
            if node is not None:
                qs = rates.in_subtree(qs, node)
        page, query = paginate(request, qs.order_by("recipient_name", "pk"), 50)
        context = {"m": message, "page": page, "query": query, "show": show, "label": label, "node": node,
                   "shows": [(k, v[0]) for k, v in self.SHOWS.items()]}  # fmt: skip
        return render(request, "web/messaging/people.html", context)


class RepliesExport(ExportView):
    required = SENDER

    def build(self, request, pk):
        return exports.replies_export(get_in_scope(self.scope.messages("view"), pk=pk))


class SenderFile(ScopedView):
    required = SENDER

    def get(self, request, pk, file_pk):
        message = get_in_scope(self.scope.messages("view"), pk=pk)
        found = get_in_scope(message.attachments.all(), pk=file_pk)
        return _download(found)


def _download(found):
    return files.download(
        attachments.path_of(found.stored_name, compose.ATTACHMENT_FOLDER), found.name, found.content_type
    )


class RemoveFile(ScopedView):
    required = SENDER

    def post(self, request, pk, file_pk):
        message = get_in_scope(self.scope.messages("change"), pk=pk)
        try:
            compose.remove_attachment(request.user, message, file_pk)
            messages.success(request, "附件已删除")
        except ValidationError as error:
            refused(request, error)
        return redirect("web:message_edit", pk=pk)


# -- the recipient's side --------------------------------------------------------------------------
def _reader_context(delivery: Delivery) -> dict:
    message = delivery.message
    return {
        "d": delivery, "m": message, "title": content.title_for(delivery),
        "body": mark_safe(content.html_for(delivery)),  # noqa: S308 — sanitised on save, filled with escaped names
        "attachments": message.attachments.all(), "recalled": delivery.state == DeliveryState.RECALLED,
        "yes_no": compose.YES_NO, "can_reply": message.reply_kind != ReplyKind.NONE
        and delivery.state not in compose.CLOSED_STATES and message.state != MessageState.RECALLED,
    }  # fmt: skip


def _reply(request, delivery: Delivery) -> bool:
    try:
        compose.reply(delivery, request.POST.get("reply", ""))
    except ValidationError as error:
        refused(request, error)
        return False
    messages.success(request, "回复已提交")
    return True


class Received(ScopedView):
    """The recipient's page of a message (from the inbox): opening it marks it read."""

    def delivery(self, request, pk) -> Delivery:
        qs = Delivery.objects.filter(user=request.user).exclude(state=DeliveryState.QUEUED)
        return get_in_scope(qs.select_related("message__node", "member__party_org__node", "organization"), pk=pk)

    def get(self, request, pk):
        delivery = self.delivery(request, pk)
        if delivery.state == DeliveryState.RECALLED:
            return render(request, "web/messaging/received.html", _reader_context(delivery), status=410)
        compose.open_delivery(delivery)
        return render(request, "web/messaging/received.html", _reader_context(delivery))

    def post(self, request, pk):
        delivery = self.delivery(request, pk)
        _reply(request, delivery)
        return redirect("web:message_received", pk=pk)


class ReceivedFile(ScopedView):
    def get(self, request, pk, file_pk):
        delivery = get_in_scope(Delivery.objects.filter(user=request.user).exclude(state=DeliveryState.RECALLED), pk=pk)
        return _download(get_in_scope(delivery.message.attachments.all(), pk=file_pk))


class ReadLink(View):
    """The e-mail's link (no login: the signed token is the key, for this one delivery only)."""

    def delivery(self, token) -> Delivery:
        delivery = delivery_for_token(token)
        if delivery is None:
            raise Http404("链接无效或已过期")
        return delivery

    def get(self, request, token):
        delivery = self.delivery(token)
        if delivery.state != DeliveryState.RECALLED:
            compose.open_delivery(delivery)
        context = {**_reader_context(delivery), "token": token, "by_link": True}
        return render(request, "web/messaging/received.html", context, status=410 if context["recalled"] else 200)

    def post(self, request, token):
        _reply(request, self.delivery(token))
        return redirect("web:message_read_link", token=token)


class ReadLinkFile(ReadLink):
    def get(self, request, token, file_pk):
        delivery = self.delivery(token)
        if delivery.state == DeliveryState.RECALLED:
            raise Http404("该信息已撤回")
        return _download(get_in_scope(delivery.message.attachments.all(), pk=file_pk))


# -- templates and the node's setting --------------------------------------------------------------
class Templates(ScopedView):
    required = SENDER

    def get(self, request, errors=None, values=None, status=200):
        context = {"templates": self.scope.message_templates(), "senders": self.scope.sender_nodes(),
                   "reply_kinds": ReplyKind.choices, "errors": errors or {}, "v": values or {},
                   "placeholders": content.PLACEHOLDERS}  # fmt: skip
        return render(request, "web/messaging/templates.html", context, status=status)

    def post(self, request):
        data = request.POST
        node = self.scope.sender_nodes().filter(pk=data.get("node") or 0).first() or self.scope.sender_nodes().first()
        try:
            template = compose.save_template(
                request.user, self.scope, node, data.get("name", ""), data.get("title", ""), data.get("body", ""),
                data.get("reply_kind", ReplyKind.NONE),
            )  # fmt: skip
        except ValidationError as error:
            return self.get(request, errors=error.message_dict, values=data, status=400)
        messages.success(request, f"模板「{template.name}」已保存")
        return redirect("web:message_templates")


class TemplateDelete(ScopedView):
    required = SENDER

    def post(self, request, pk):
        template = get_in_scope(self.scope.message_templates(), pk=pk)
        if not self.scope.sender_nodes().filter(pk=template.node_id).exists():
            deny("上级单位的模板只能使用，不能删除")
        compose.delete_template(request.user, template)
        messages.success(request, f"模板「{template.name}」已删除")
        return redirect("web:message_templates")


class Settings(ScopedView):
    """群发设置: whether the node's messages need 签发 by a second administrator."""

    required = SENDER

    def get(self, request):
        nodes = [(n, compose.needs_approval(n)) for n in self.scope.sender_nodes()]
        return render(request, "web/messaging/settings.html", {"nodes": nodes})

    def post(self, request):
        node = get_in_scope(self.scope.sender_nodes(), pk=request.POST.get("node") or 0)
        wanted = request.POST.get("require_approval") == "1"
        changed = compose.set_policy(request.user, node, wanted)
        messages.success(request, ("已设为" if changed else "未变化：已是") + ("需审核签发" if wanted else "无需签发"))
        return redirect("web:message_settings")


NAV = [
    ("信息群发", "web:message_list", SENDER),
    ("写信息", "web:message_new", SENDER),
    ("信息模板", "web:message_templates", SENDER),
    ("常用发送对象", "web:segment_list", SENDER),
]

urlpatterns = [
    path("messages/", MessageList.as_view(), name="message_list"),
    path("messages/new/", Compose.as_view(), name="message_new"),
    path("messages/templates/", Templates.as_view(), name="message_templates"),
    path("messages/templates/<int:pk>/delete/", TemplateDelete.as_view(), name="message_template_delete"),
    path("messages/settings/", Settings.as_view(), name="message_settings"),
    path("messages/<int:pk>/", MessageDetail.as_view(), name="message_detail"),
    path("messages/<int:pk>/edit/", EditDraft.as_view(), name="message_edit"),
    path("messages/<int:pk>/progress/", MessageProgress.as_view(), name="message_progress"),
    path("messages/<int:pk>/people/", MessagePeople.as_view(), name="message_people"),
    path("messages/<int:pk>/replies.xlsx", RepliesExport.as_view(), name="message_replies_export"),
    path("messages/<int:pk>/files/<int:file_pk>/", SenderFile.as_view(), name="message_file"),
    path("messages/<int:pk>/files/<int:file_pk>/delete/", RemoveFile.as_view(), name="message_file_delete"),
    path("messages/<int:pk>/<slug:action>/", MessageStep.as_view(), name="message_step"),
    path("messages/in/<int:pk>/", Received.as_view(), name="message_received"),
    path("messages/in/<int:pk>/files/<int:file_pk>/", ReceivedFile.as_view(), name="message_received_file"),
    path("m/read/<str:token>/", ReadLink.as_view(), name="message_read_link"),
    path("m/read/<str:token>/files/<int:file_pk>/", ReadLinkFile.as_view(), name="message_read_link_file"),
]

"""通知下达: the receiving node's pages (收文 list, the notice with its forwarding chain, 签收, 转发)
and the sender's (发文 list, compose, the tracking page per level with 催办). The rules are in
``circulars.services``; who sees what in ``Scope`` (``circulars_sent``, ``receipts``)."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.safestring import mark_safe

from liangxin.circulars import services, tasks
from liangxin.circulars.choices import AddressMode, ReceiptState
from liangxin.circulars.models import Circular, CircularAttachment, CircularReceipt
from liangxin.circulars.services import Addressees
from liangxin.core import attachments, files
from liangxin.mgmt.models import NodeKind

from ..base import ScopedView, deny, get_in_scope, paginate, refused

SENDER = "can_send_circulars"
RECEIVER = "can_receive_circulars"
# what a drill-down on the tracking page may show (``?show=``)
SHOWS = {
    "all": "全部收文单位",
    "not_opened": "未读单位",
    "unsigned": "未签收单位",
    "overdue": "逾期未签收单位",
}


# -- the forms' values -----------------------------------------------------------------------------
def _ints(values) -> tuple[int, ...]:
    return tuple(int(v) for v in values if str(v).isdecimal())


def addressees_from(data) -> Addressees:
    """收文单位 as the compose or forward form names them."""
    return Addressees(
        mode=data.get("mode", AddressMode.CHILDREN), kinds=tuple(data.getlist("kinds")),
        node_ids=_ints(data.getlist("nodes")),
    )  # fmt: skip


def _deadline(raw: str) -> datetime.date | str | None:
    """The date typed, or the text itself when it is none: the service refuses it beside the
    other fields' reasons."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        return raw


def _kinds_below(node) -> list[tuple[str, str]]:
    """The kinds of node present below ``node`` (what "every node of a kind" may name)."""
    present = set(services.below(node).values_list("kind", flat=True).distinct())
    return [(k.value, k.label) for k in NodeKind if k.value in present]


def _errors(error: ValidationError) -> dict:
    return error.message_dict if hasattr(error, "error_dict") else {"general": error.messages}


def _body(circular: Circular):
    return mark_safe(circular.body)  # noqa: S308 — sanitised on save (core.richtext.clean_html)


# -- the receiving side ----------------------------------------------------------------------------
class ReceivedList(ScopedView):
    """收文: the notices addressed to the nodes the user administers; unread ones first and bold."""

    required = RECEIVER

    def get(self, request):
        qs = self.scope.receipts().order_by("-circular__sent_at", "-id")
        state = request.GET.get("state", "")
        if state in ReceiptState.values:
            qs = qs.filter(state=state)
        page, query = paginate(request, qs, 30)
        unread = self.scope.receipts().filter(state=ReceiptState.UNREAD).count()
        context = {"page": page, "query": query, "states": ReceiptState.choices, "state": state, "unread": unread,
                   "today": timezone.localdate()}  # fmt: skip
        return render(request, "web/circulars/received.html", context)


def _receipt_context(scope, receipt: CircularReceipt, errors=None, values=None) -> dict:
    chain = services.chain(receipt.circular)
    return {
        "r": receipt, "c": receipt.circular, "chain": chain, "body": _body(chain[0]),
        "files": [(link, list(link.attachments.all())) for link in chain],
        "may_act": scope.may_sign(receipt), "kinds": _kinds_below(receipt.node),
        "children": services.below(receipt.node).filter(parent=receipt.node).count(),
        "errors": errors or {}, "v": values or {"mode": AddressMode.CHILDREN},
        "allowed_files": attachments.DOCUMENT_ALLOWED_TEXT, "max_files": services.MAX_ATTACHMENTS,
        "overdue": services.is_overdue(receipt, receipt.circular.deadline, timezone.localdate()),
    }  # fmt: skip


class ReceiptDetail(ScopedView):
    """One notice as the addressed node reads it: opening it marks it read."""

    required = RECEIVER

    def get(self, request, pk):
        receipt = get_in_scope(self.scope.receipts(), pk=pk)
        services.open_receipt(request.user, receipt)
        return render(request, "web/circulars/receipt.html", _receipt_context(self.scope, receipt))


class ReceiptSign(ScopedView):
    required = RECEIVER

    def post(self, request, pk):
        receipt = get_in_scope(self.scope.receipts(), pk=pk)
        if not self.scope.may_sign(receipt):
            deny("只有收文单位的管理员可以签收")
        try:
            services.sign(request.user, receipt)
            messages.success(request, "已签收")
        except ValidationError as error:
            refused(request, error)
        return redirect("web:circular_receipt", pk=pk)


class ReceiptForward(ScopedView):
    """转发 to the node's own lower nodes, with its additions and attachments."""

    required = RECEIVER

    def post(self, request, pk):
        receipt = get_in_scope(self.scope.receipts(), pk=pk)
        if not self.scope.may_sign(receipt):
            deny("只有收文单位的管理员可以转发")
        data = request.POST
        try:
            forward = services.forward(
                request.user, receipt, data.get("additions", ""), request.FILES.getlist("attachments"),
                addressees_from(data),
            )  # fmt: skip
            tasks.start_delivery(forward)
        except ValidationError as error:
            values = {
                "mode": data.get("mode", ""),
                "kinds": data.getlist("kinds"),
                "additions": data.get("additions", ""),
            }
            context = _receipt_context(self.scope, receipt, _errors(error), values)
            return render(request, "web/circulars/receipt.html", context, status=400)
        messages.success(request, f"已转发至 {forward.receipts.count()} 个单位")
        return redirect("web:circular_receipt", pk=pk)


def _download(found):
    return files.download(
        attachments.path_of(found.stored_name, services.ATTACHMENT_FOLDER), found.name, found.content_type
    )


def _chain_file(circular: Circular, file_pk: int):
    """An attachment of the notice or of one it forwards (a receiver reads the whole chain)."""
    ids = [link.pk for link in services.chain(circular)]
    return get_in_scope(CircularAttachment.objects.filter(circular_id__in=ids), pk=file_pk)


class ReceiptFile(ScopedView):
    required = RECEIVER

    def get(self, request, pk, file_pk):
        receipt = get_in_scope(self.scope.receipts(), pk=pk)
        return _download(_chain_file(receipt.circular, file_pk))


# -- the sending side ------------------------------------------------------------------------------
class SentList(ScopedView):
    """发文: the notices sent from the user's nodes and below, and the user's own nodes' forwards,
    with their figures (a forward by a lower node is read on its original's tracking page)."""

    required = SENDER

    def get(self, request):
        own = Q(parent__isnull=True) | Q(node_id__in=self.scope.circular_admin_node_ids())
        qs = (
            self.scope.circulars_sent("view")
            .filter(own)
            .annotate(
                n_total=Count("receipts"),
                n_signed=Count("receipts", filter=Q(receipts__state__in=[ReceiptState.SIGNED, ReceiptState.FORWARDED])),
                n_unread=Count("receipts", filter=Q(receipts__opened_at__isnull=True)),
            )
            .order_by("-sent_at", "-id")
        )
        page, query = paginate(request, qs, 30)
        return render(request, "web/circulars/list.html", {"page": page, "query": query})


def _compose_choices(scope) -> dict:
    senders = list(scope.circular_sender_nodes())
    below = []
    for node in senders:
        below += list(services.below(node).order_by("path")[:300])
    kinds = {k for node in senders for k, _ in _kinds_below(node)}
    return {
        "senders": senders, "below": below, "kinds": [(k.value, k.label) for k in NodeKind if k.value in kinds],
        "allowed_files": attachments.DOCUMENT_ALLOWED_TEXT, "max_files": services.MAX_ATTACHMENTS,
        "modes": AddressMode.choices,
    }  # fmt: skip


class Compose(ScopedView):
    """下发通知: number, issuer, title, body, attachments, addressees, deadline."""

    required = SENDER

    def render_form(self, request, values, errors=None, status=200):
        context = {**_compose_choices(self.scope), "v": values, "errors": errors or {}}
        return render(request, "web/circulars/compose.html", context, status=status)

    def get(self, request):
        return self.render_form(request, {"mode": AddressMode.CHILDREN, "kinds": [], "nodes": []})

    def post(self, request):
        data = request.POST
        values = {
            **{k: data.get(k, "") for k in ("title", "number", "issuer", "body", "deadline", "mode")},
            "kinds": data.getlist("kinds"), "nodes": list(_ints(data.getlist("nodes"))),
            "node": int(data["node"]) if data.get("node", "").isdecimal() else None,
        }  # fmt: skip
        senders = self.scope.circular_sender_nodes()
        node = senders.filter(pk=values["node"]).first() if values["node"] else senders.first()
        try:
            circular = services.send_circular(
                request.user, senders, node, {**values, "deadline": _deadline(values["deadline"])},
                request.FILES.getlist("attachments"), addressees_from(data),
            )  # fmt: skip
            tasks.start_delivery(circular)
        except ValidationError as error:
            return self.render_form(request, values, _errors(error), status=400)
        messages.success(request, f"通知已下发至 {circular.receipts.count()} 个单位")
        return redirect("web:circular_detail", pk=circular.pk)


class Tracking(ScopedView):
    """The originator's page: the notice, and per level of the tree how many nodes were addressed,
    opened, signed, forwarded, not opened and overdue; a drill-down to the nodes; 催办."""

    required = RECEIVER

    def get(self, request, pk):
        circular = get_in_scope(self.scope.circulars_sent("view"), pk=pk)
        progress = services.progress_by_level(circular)
        show = request.GET.get("show", "all")
        show = show if show in SHOWS else "all"
        level = request.GET.get("level", "")
        rows = progress.nodes
        if level.isdecimal():
            rows = [r for r in rows if r.depth == int(level)]
        if show == "not_opened":
            rows = [r for r in rows if r.receipt.opened_at is None]
        elif show == "unsigned":
            rows = [r for r in rows if not r.receipt.is_signed]
        elif show == "overdue":
            rows = [r for r in rows if r.overdue]
        chain = services.chain(circular)
        context = {
            "c": circular, "progress": progress, "rows": rows, "show": show, "shows": SHOWS.items(),
            "level": int(level) if level.isdecimal() else None, "chain": chain, "body": _body(chain[0]),
            "files": [(link, list(link.attachments.all())) for link in chain],
            "manage": self.scope.circulars_sent("change").filter(pk=pk).exists(),
            "waiting": sum(1 for r in progress.nodes if not r.receipt.is_signed and r.receipt.reminded_at is None),
        }  # fmt: skip
        return render(request, "web/circulars/tracking.html", context)


class Remind(ScopedView):
    """一键催办: every node of the forwarding tree that has not signed is reminded, once."""

    required = RECEIVER

    def post(self, request, pk):
        circular = get_in_scope(self.scope.circulars_sent("view"), pk=pk)
        if not self.scope.circulars_sent("change").filter(pk=pk).exists():
            deny("只有发文单位的管理员可以催办")
        try:
            messages.success(request, f"已催办 {services.remind_overdue(request.user, circular)} 个单位")
        except ValidationError as error:
            refused(request, error)
        return redirect("web:circular_detail", pk=pk)


class SentFile(ScopedView):
    required = RECEIVER

    def get(self, request, pk, file_pk):
        circular = get_in_scope(self.scope.circulars_sent("view"), pk=pk)
        return _download(_chain_file(circular, file_pk))


NAV = [
    ("收文", "web:circular_inbox", RECEIVER),
    ("发文", "web:circular_list", SENDER),
    ("下发通知", "web:circular_new", SENDER),
]

urlpatterns = [
    path("circulars/", SentList.as_view(), name="circular_list"),
    path("circulars/new/", Compose.as_view(), name="circular_new"),
    path("circulars/<int:pk>/", Tracking.as_view(), name="circular_detail"),
    path("circulars/<int:pk>/remind/", Remind.as_view(), name="circular_remind"),
    path("circulars/<int:pk>/files/<int:file_pk>/", SentFile.as_view(), name="circular_file"),
    path("circulars/in/", ReceivedList.as_view(), name="circular_inbox"),
    path("circulars/in/<int:pk>/", ReceiptDetail.as_view(), name="circular_receipt"),
    path("circulars/in/<int:pk>/sign/", ReceiptSign.as_view(), name="circular_sign"),
    path("circulars/in/<int:pk>/forward/", ReceiptForward.as_view(), name="circular_forward"),
    path("circulars/in/<int:pk>/files/<int:file_pk>/", ReceiptFile.as_view(), name="circular_receipt_file"),
]

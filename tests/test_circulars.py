"""通知下达: addressing down the tree, scope, 签收 and 转发, the originator's figures, 催办, the inbox
deliveries behind them, and refused input (Chinese, nothing stored)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks import default_task_backend

from liangxin.accounts.models import RoleAssignment, User
from liangxin.accounts.scoping import scope_for
from liangxin.circulars import services, tasks
from liangxin.circulars.choices import SIGNED_STATES, AddressMode, ReceiptState
from liangxin.circulars.models import Circular, CircularAttachment, CircularReceipt
from liangxin.circulars.services import Addressees
from liangxin.core.models import AuditEntry
from liangxin.inbox.models import Notice
from liangxin.messaging.choices import DeliveryState, MessageSource
from liangxin.messaging.models import Delivery, Message

from .conftest import PASSWORD, client_for
from .party_helpers import make_party_org

PDF = b"%PDF-1.4\n%%EOF\n"
CHILDREN = Addressees(AddressMode.CHILDREN)
VALUES = {
    "title": "关于开展主题党日活动的通知",
    "number": "黄社工委〔2026〕12号",
    "issuer": "",
    "body": "请各单位认真组织。",
}


@pytest.fixture
def tree(party_cast):
    """The cast plus a branch under 外滩 with its secretary, and a second secretary of 嘉信's branch."""
    c = party_cast
    c.waitan_branch = make_party_org(c, name="外滩餐饮党支部", parent=c.waitan_node, covered=[c.waitan_org])
    c.waitan_secretary = User.objects.create_user(username="waitan_secretary", password=PASSWORD, full_name="外滩书记")
    RoleAssignment.objects.create(user=c.waitan_secretary, role="secretary", node=c.waitan_branch.node)
    c.deputy = User.objects.create_user(username="jiaxin_deputy", password=PASSWORD, full_name="嘉信副书记")
    RoleAssignment.objects.create(user=c.deputy, role="secretary", node=c.branch.node)
    return c


def send(c, actor=None, node=None, addressees=CHILDREN, values=None, files=(), **overrides):
    actor = actor or c.district_admin
    node = node or c.huangpu_node
    return services.send_circular(
        actor, scope_for(actor).circular_sender_nodes(), node, {**VALUES, **(values or {}), **overrides}, files,
        addressees,
    )  # fmt: skip


def receipt_of(circular, node):
    return CircularReceipt.objects.get(circular=circular, node=node)


# -- addressing ------------------------------------------------------------------------------------
def test_children_are_the_direct_children_only(tree):
    c = tree
    circular = send(c)
    addressed = set(circular.receipts.values_list("node_id", flat=True))
    assert addressed == {c.nanjing_node.pk, c.waitan_node.pk}
    assert circular.issuer == c.huangpu_node.name  # left blank: the sending node's name


def test_every_grassroots_node_of_the_subtree(tree):
    c = tree
    circular = send(c, addressees=Addressees(AddressMode.KINDS, kinds=("grassroots",)))
    addressed = set(circular.receipts.values_list("node_id", flat=True))
    assert addressed == {c.branch.node.pk, c.waitan_branch.node.pk}


def test_explicit_nodes_below_the_sender(tree):
    c = tree
    circular = send(c, addressees=Addressees(AddressMode.NODES, node_ids=(c.waitan_branch.node.pk,)))
    assert list(circular.receipts.values_list("node_id", flat=True)) == [c.waitan_branch.node.pk]


def test_a_street_cannot_address_another_streets_nodes(tree):
    c = tree
    with pytest.raises(ValidationError) as error:
        send(c, c.street_admin, c.nanjing_node, Addressees(AddressMode.NODES, node_ids=(c.waitan_branch.node.pk,)))
    assert error.value.message_dict == {"addressees": ["收文单位：所选单位中有 1 个不是本单位的下级单位"]}
    assert not Circular.objects.exists()


def test_a_street_cannot_address_its_own_node_or_send_for_another(tree):
    c = tree
    with pytest.raises(ValidationError) as own:
        send(c, c.street_admin, c.nanjing_node, Addressees(AddressMode.NODES, node_ids=(c.nanjing_node.pk,)))
    assert "不是本单位的下级单位" in own.value.message_dict["addressees"][0]
    with pytest.raises(ValidationError) as other:
        send(c, c.street_admin, c.waitan_node)
    assert other.value.message_dict == {"node": ["发送单位：您不能以该单位的名义发文"]}
    assert not Circular.objects.exists()


# -- deliveries ------------------------------------------------------------------------------------
def test_every_admin_of_each_addressed_node_gets_one_inbox_delivery(tree):
    c = tree
    circular = send(c, addressees=Addressees(AddressMode.KINDS, kinds=("grassroots",)))
    message = circular.message
    assert message.source == MessageSource.NOTICE
    deliveries = Delivery.objects.filter(message=message)
    assert sorted(deliveries.values_list("user__username", flat=True)) == sorted(
        ["jiaxin_secretary", "jiaxin_deputy", "waitan_secretary"]
    )
    assert set(deliveries.values_list("state", flat=True)) == {DeliveryState.DELIVERED}
    notice = Notice.objects.get(recipient=c.secretary)
    assert notice.url == f"/circulars/in/{receipt_of(circular, c.branch.node).pk}/"


def test_a_notice_to_many_nodes_is_delivered_by_the_worker_once_it_commits(
    tree, monkeypatch, settings, django_capture_on_commit_callbacks
):
    c = tree
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    monkeypatch.setattr(services, "INLINE_NODES", 1)  # two grassroots nodes: more than inline
    district = client_for(c.district_admin)
    form = {**VALUES, "mode": "kinds", "kinds": ["grassroots"], "deadline": ""}
    with django_capture_on_commit_callbacks(execute=True):
        assert district.post("/circulars/new/", form).status_code == 302
    circular = Circular.objects.get()
    assert circular.receipts.count() == 2 and not Delivery.objects.filter(message=circular.message).exists()
    assert "正在后台发送" in district.get(f"/circulars/{circular.pk}/").content.decode()
    [queued] = default_task_backend.results
    assert queued.task.name == "deliver_notice" and queued.args == [circular.pk]
    for _ in range(2):  # the worker's run, and a second one (a retry): nobody gets two
        tasks.deliver_notice.call(circular.pk)
    deliveries = Delivery.objects.filter(message=circular.message)
    assert sorted(deliveries.values_list("user__username", flat=True)) == sorted(
        ["jiaxin_secretary", "jiaxin_deputy", "waitan_secretary"]
    )
    assert Notice.objects.get(recipient=c.secretary).url == f"/circulars/in/{receipt_of(circular, c.branch.node).pk}/"
    assert "正在后台发送" not in district.get(f"/circulars/{circular.pk}/").content.decode()


def test_opening_marks_the_node_read_and_the_openers_delivery_read(tree):
    c = tree
    circular = send(c, addressees=Addressees(AddressMode.KINDS, kinds=("grassroots",)))
    receipt = receipt_of(circular, c.branch.node)
    assert services.open_receipt(c.secretary, receipt) is True
    receipt.refresh_from_db()
    assert (receipt.state, receipt.opened_by) == (ReceiptState.READ, c.secretary)
    mine = Delivery.objects.get(message=circular.message, user=c.secretary)
    deputy = Delivery.objects.get(message=circular.message, user=c.deputy)
    assert (mine.state, mine.read_at is not None) == (DeliveryState.READ, True)
    assert deputy.read_at is None  # only who opened it read it
    assert Notice.objects.get(recipient=c.secretary).read_at is not None
    assert services.open_receipt(c.deputy, receipt) is False  # the node's first opening stays the secretary's
    receipt.refresh_from_db()
    assert receipt.opened_by == c.secretary
    assert Delivery.objects.get(pk=deputy.pk).read_at is not None


# -- 签收 and 转发 ------------------------------------------------------------------------------------
def test_sign_by_any_admin_once(tree):
    c = tree
    circular = send(c, addressees=Addressees(AddressMode.KINDS, kinds=("grassroots",)))
    receipt = receipt_of(circular, c.branch.node)
    services.sign(c.deputy, receipt)
    assert (receipt.state, receipt.signed_by, receipt.opened_by) == (ReceiptState.SIGNED, c.deputy, c.deputy)
    with pytest.raises(ValidationError, match="已签收"):
        services.sign(c.secretary, receipt)
    with pytest.raises(ValidationError, match="只有收文单位的管理员"):
        services.sign(c.waitan_secretary, receipt_of(circular, c.branch.node))
    entry = AuditEntry.objects.filter(object_type="circulars.circularreceipt").get()
    assert entry.changes == {"状态": ["未读", "已签收"]}


def test_forward_makes_a_child_notice_and_the_receipt_counts_as_signed(tree):
    c = tree
    circular = send(c)
    receipt = receipt_of(circular, c.nanjing_node)
    upload = SimpleUploadedFile("实施方案.pdf", PDF)
    forward = services.forward(c.street_admin, receipt, "请各支部于月底前完成。", [upload], CHILDREN)
    assert (forward.parent, forward.root_id, forward.node) == (circular, circular.pk, c.nanjing_node)
    assert (forward.title, forward.number, forward.additions) == (
        circular.title,
        circular.number,
        "请各支部于月底前完成。",
    )
    assert list(forward.receipts.values_list("node_id", flat=True)) == [c.branch.node.pk]
    assert forward.attachments.get().name == "实施方案.pdf"
    receipt.refresh_from_db()
    assert receipt.state == ReceiptState.FORWARDED and receipt.forward == forward
    assert receipt.signed_by == c.street_admin and receipt.is_signed
    with pytest.raises(ValidationError, match="已转发过"):
        services.forward(c.street_admin, receipt, "", [], CHILDREN)
    assert services.chain(forward) == [circular, forward]
    assert services.tree_ids(circular) == [circular.pk, forward.pk]


def test_a_forward_goes_only_below_the_forwarding_node(tree):
    c = tree
    receipt = receipt_of(send(c), c.nanjing_node)
    with pytest.raises(ValidationError) as error:
        services.forward(
            c.street_admin, receipt, "", [], Addressees(AddressMode.NODES, node_ids=(c.waitan_branch.node.pk,))
        )
    assert "不是本单位的下级单位" in error.value.message_dict["addressees"][0]
    receipt.refresh_from_db()
    assert receipt.state == ReceiptState.UNREAD and Circular.objects.count() == 1


# -- scope ---------------------------------------------------------------------------------------
def test_another_streets_receipt_is_404_to_open_and_to_sign(tree):
    c = tree
    circular = send(c)
    waitans = receipt_of(circular, c.waitan_node)
    assert client_for(c.other_street_admin).get(f"/circulars/in/{waitans.pk}/").status_code == 200
    waitans.refresh_from_db()
    assert waitans.state == ReceiptState.READ  # its own administrator opened it
    CircularReceipt.objects.filter(pk=waitans.pk).update(state=ReceiptState.UNREAD, opened_at=None, opened_by=None)
    nanjing = client_for(c.street_admin)
    assert nanjing.get(f"/circulars/in/{waitans.pk}/").status_code == 404
    assert nanjing.post(f"/circulars/in/{waitans.pk}/sign/").status_code == 404
    waitans.refresh_from_db()
    assert (waitans.state, waitans.opened_at) == (ReceiptState.UNREAD, None)
    assert not scope_for(c.street_admin).may_sign(waitans)
    assert scope_for(c.other_street_admin).may_sign(waitans)


def test_a_notice_is_tracked_by_its_node_and_those_above_only(tree):
    c = tree
    circular = send(c)
    forward = services.forward(c.street_admin, receipt_of(circular, c.nanjing_node), "", [], CHILDREN)
    assert set(scope_for(c.city_admin).circulars_sent()) == {circular, forward}
    assert set(scope_for(c.district_admin).circulars_sent()) == {circular, forward}
    assert set(scope_for(c.street_admin).circulars_sent()) == {forward}
    assert set(scope_for(c.other_street_admin).circulars_sent()) == set()
    assert set(scope_for(c.xuhui_admin).circulars_sent()) == set()
    assert set(scope_for(c.district_admin).circulars_sent("change")) == {circular}


# -- the originator's figures ----------------------------------------------------------------------
def _recount(circular, today):
    """The figures counted again from the raw receipt rows: per node its furthest receipt."""
    rank = [ReceiptState.UNREAD, ReceiptState.READ, ReceiptState.SIGNED, ReceiptState.FORWARDED]
    ids = [circular.pk] + list(Circular.objects.filter(root=circular).values_list("pk", flat=True))
    best = {}
    for r in CircularReceipt.objects.filter(circular_id__in=ids).select_related("node", "circular"):
        if r.node_id not in best or rank.index(r.state) > rank.index(best[r.node_id].state):
            best[r.node_id] = r
    levels = {}
    for r in best.values():
        depth = len([p for p in r.node.path.split("/") if p])
        row = levels.setdefault(depth, [0, 0, 0, 0, 0, 0])
        overdue = r.circular.deadline is not None and r.circular.deadline < today and r.state not in SIGNED_STATES
        for i, counted in enumerate(
            [
                True,
                r.opened_at is not None,
                r.state in SIGNED_STATES,
                r.state == "forwarded",
                r.opened_at is None,
                overdue,
            ]
        ):
            row[i] += counted
    return levels


def test_progress_equals_a_recount_of_the_receipt_rows(tree):
    c = tree
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    circular = send(c, deadline=tomorrow)
    services.forward(c.street_admin, receipt_of(circular, c.nanjing_node), "落实意见", [], CHILDREN)
    services.forward(
        c.other_street_admin,
        receipt_of(circular, c.waitan_node),
        "",
        [],
        Addressees(AddressMode.KINDS, ("grassroots",)),
    )
    branch = CircularReceipt.objects.get(node=c.branch.node)
    services.sign(c.secretary, branch)
    later = tomorrow + datetime.timedelta(days=1)  # the deadline has passed: the unsigned branch is overdue
    progress = services.progress_by_level(circular, today=later)
    got = {
        lv.depth: [lv.addressed, lv.opened, lv.signed, lv.forwarded, lv.not_opened, lv.overdue]
        for lv in progress.levels
    }
    assert got == _recount(circular, later)
    assert got == {3: [2, 2, 2, 2, 0, 0], 4: [2, 1, 1, 0, 1, 1]}
    assert [lv.label for lv in progress.levels] == ["街道/镇综合党委", "基层党组织"]
    overdue = [row.receipt.node for row in progress.nodes if row.overdue]
    assert overdue == [c.waitan_branch.node]


def test_a_node_addressed_twice_counts_once_by_its_furthest_receipt(tree):
    c = tree
    circular = send(c, addressees=Addressees(AddressMode.KINDS, kinds=("street", "grassroots")))
    forward = services.forward(c.street_admin, receipt_of(circular, c.nanjing_node), "", [], CHILDREN)
    services.sign(c.secretary, receipt_of(forward, c.branch.node))
    progress = services.progress_by_level(circular)
    grassroots = progress.levels[-1]
    assert (grassroots.addressed, grassroots.signed) == (2, 1)
    assert services.progress_by_level(circular).levels[-1].addressed == _recount(circular, timezone.localdate())[4][0]


# -- 催办 -------------------------------------------------------------------------------------------
def test_unsigned_nodes_are_reminded_once(tree):
    c = tree
    circular = send(c, deadline=timezone.localdate())
    forward = services.forward(c.street_admin, receipt_of(circular, c.nanjing_node), "", [], CHILDREN)
    assert forward.receipts.get().node == c.branch.node
    assert services.remind_overdue(c.district_admin, circular) == 2  # 外滩 (unread) and 嘉信's branch
    reminded = Notice.objects.filter(key__startswith="circular-remind-")
    assert sorted(reminded.values_list("recipient__username", flat=True)) == sorted(
        ["waitan_admin", "jiaxin_secretary", "jiaxin_deputy"]
    )
    assert reminded.filter(recipient=c.secretary).get().title.startswith("催办：请签收")
    with pytest.raises(ValidationError, match="都已催办过一次"):
        services.remind_overdue(c.district_admin, circular)
    assert reminded.count() == 3
    assert not CircularReceipt.objects.filter(node=c.nanjing_node, reminded_at__isnull=False).exists()  # it forwarded


# -- refused input ---------------------------------------------------------------------------------
def test_no_addressee_is_refused_in_chinese_and_nothing_is_stored(tree):
    c = tree
    with pytest.raises(ValidationError) as error:
        send(c, addressees=Addressees(AddressMode.NODES), title="")
    assert error.value.message_dict == {"title": ["标题：请填写"], "addressees": ["收文单位：请选择至少一个单位"]}
    assert not Circular.objects.exists() and not Message.objects.exists() and not Notice.objects.exists()


def test_a_forbidden_file_renamed_pdf_is_refused_and_nothing_is_stored(tree):
    c = tree
    script = SimpleUploadedFile("通知.pdf", b"#!/bin/sh\nrm -rf /\n")
    with pytest.raises(ValidationError) as error:
        send(c, files=[script])
    assert list(error.value.message_dict) == ["attachments"]
    assert error.value.message_dict["attachments"][0].startswith("附件：附件「通知.pdf」的内容不是允许的类型")
    assert not Circular.objects.exists() and not CircularAttachment.objects.exists()
    assert not Delivery.objects.exists() and not CircularReceipt.objects.exists()


def test_a_past_deadline_is_refused(tree):
    c = tree
    with pytest.raises(ValidationError) as error:
        send(c, deadline=timezone.localdate() - datetime.timedelta(days=1))
    assert error.value.message_dict == {"deadline": ["签收期限：不能早于今天"]}


# -- the pages ------------------------------------------------------------------------------------
def test_the_compose_page_sends_and_the_tracking_page_counts(tree):
    c = tree
    district = client_for(c.district_admin)
    form = {**VALUES, "mode": "kinds", "kinds": ["grassroots"], "deadline": ""}
    response = district.post("/circulars/new/", {**form, "attachments": [SimpleUploadedFile("方案.pdf", PDF)]})
    circular = Circular.objects.get()
    assert response.status_code == 302 and response.url == f"/circulars/{circular.pk}/"
    assert circular.receipts.count() == 2 and circular.attachments.count() == 1
    services.sign(c.secretary, receipt_of(circular, c.branch.node))
    page = district.get(f"/circulars/{circular.pk}/").content.decode()
    assert '<td class="num">2</td><td class="num">1</td><td class="num">1</td>' in page  # addressed, opened, signed
    refused = district.post("/circulars/new/", {**form, "title": "", "mode": "nodes"})
    assert refused.status_code == 400
    assert "标题：请填写" in refused.content.decode() and "收文单位：请选择至少一个单位" in refused.content.decode()
    assert Circular.objects.count() == 1


def test_the_received_list_shows_unread_in_bold_and_the_forward_form_refuses_in_chinese(tree):
    c = tree
    circular = send(c, addressees=Addressees(AddressMode.KINDS, kinds=("grassroots",)))
    receipt = receipt_of(circular, c.branch.node)
    secretary = client_for(c.secretary)
    assert '<tr class="unread">' in secretary.get("/circulars/in/").content.decode()
    answer = secretary.post(f"/circulars/in/{receipt.pk}/forward/", {"mode": "children", "additions": "x"})
    assert answer.status_code == 400 and "收文单位：本单位没有符合条件的下级单位" in answer.content.decode()
    receipt.refresh_from_db()
    assert receipt.state == ReceiptState.UNREAD  # nothing was forwarded (nor signed)
    assert Circular.objects.count() == 1


# -- the API ----------------------------------------------------------------------------------------
def _api(user):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_the_api_leaves_a_notice_to_many_nodes_to_the_worker_and_delivers_a_small_one_at_once(
    tree, monkeypatch, settings, django_capture_on_commit_callbacks
):
    c = tree
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    monkeypatch.setattr(services, "INLINE_NODES", 1)
    with django_capture_on_commit_callbacks(execute=True):
        created = _api(c.district_admin).post(
            "/api/v1/circulars/", {"title": "接口通知", "body": "请落实。"}, format="json"
        )  # to the district's two streets
    assert created.status_code == 201, created.content
    circular = Circular.objects.get(pk=created.json()["id"])
    assert not services.delivered(circular) and [r.args for r in default_task_backend.results] == [[circular.pk]]
    tasks.deliver_notice.call(circular.pk)
    receipt = receipt_of(circular, c.nanjing_node)
    monkeypatch.setattr(services, "INLINE_NODES", 300)
    with django_capture_on_commit_callbacks(execute=True):
        forwarded = _api(c.street_admin).post(
            f"/api/v1/circular-receipts/{receipt.pk}/forward/", {"additions": "街道落实意见"}, format="json"
        )  # to a few nodes: delivered at once, nothing queued
    assert forwarded.status_code == 200, forwarded.content
    assert services.delivered(Circular.objects.get(pk=forwarded.json()["id"]))
    assert len(default_task_backend.results) == 1


def test_the_api_sends_forwards_signs_and_reports_progress(tree):
    c = tree
    created = _api(c.district_admin).post(
        "/api/v1/circulars/", {"title": "接口通知", "body": "请落实。", "number": "黄〔2026〕3号"}, format="json"
    )
    assert created.status_code == 201, created.content
    circular = Circular.objects.get(pk=created.json()["id"])
    street = _api(c.street_admin)
    mine = street.get("/api/v1/circular-receipts/").json()["results"]
    assert [r["node"] for r in mine] == [c.nanjing_node.pk]
    opened = street.get(f"/api/v1/circular-receipts/{mine[0]['id']}/").json()
    assert opened["state"] == ReceiptState.READ
    forwarded = street.post(
        f"/api/v1/circular-receipts/{mine[0]['id']}/forward/",
        {"additions": "月底前完成", "mode": "children"},
        format="json",
    )
    assert forwarded.status_code == 200 and forwarded.json()["parent"] == circular.pk
    branch = _api(c.secretary).get("/api/v1/circular-receipts/").json()["results"][0]
    assert _api(c.secretary).post(f"/api/v1/circular-receipts/{branch['id']}/sign/").json()["state"] == "signed"
    again = _api(c.deputy).post(f"/api/v1/circular-receipts/{branch['id']}/sign/")
    assert again.status_code == 400 and "已签收" in str(again.json())
    progress = _api(c.district_admin).get(f"/api/v1/circulars/{circular.pk}/").json()
    levels = {lv["label"]: (lv["addressed"], lv["signed"], lv["forwarded"]) for lv in progress["levels"]}
    assert levels == {"街道/镇综合党委": (2, 1, 1), "基层党组织": (1, 1, 0)}
    assert _api(c.other_street_admin).get(f"/api/v1/circular-receipts/{branch['id']}/").status_code == 404


def test_the_api_refuses_a_receiver_who_is_no_sender_and_an_addressee_outside(tree):
    c = tree
    assert _api(c.secretary).post("/api/v1/circulars/", {"title": "x"}, format="json").status_code == 403
    refused = _api(c.street_admin).post(
        "/api/v1/circulars/",
        {"title": "越界", "body": "x", "mode": "nodes", "nodes": [c.waitan_branch.node.pk]},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"addressees": ["收文单位：所选单位中有 1 个不是本单位的下级单位"]}
    assert not Circular.objects.exists()


def test_the_api_sends_and_forwards_with_attachments_that_receivers_download(tree):
    c = tree
    created = _api(c.district_admin).post(
        "/api/v1/circulars/",
        {"title": "带附件的通知", "body": "见附件。", "mode": "nodes", "nodes": [c.nanjing_node.pk],
         "attachments": [SimpleUploadedFile("实施方案.pdf", PDF)]},
        format="multipart",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    sent = created.json()
    assert [a["name"] for a in sent["attachments"]] == ["实施方案.pdf"]
    file_id = sent["attachments"][0]["id"]
    assert list(Circular.objects.get(pk=sent["id"]).receipts.values_list("node_id", flat=True)) == [c.nanjing_node.pk]
    own = _api(c.district_admin).get(f"/api/v1/circulars/{sent['id']}/attachments/{file_id}/")
    assert own.status_code == 200 and b"".join(own.streaming_content) == PDF
    street = _api(c.street_admin)
    receipt = street.get("/api/v1/circular-receipts/").json()["results"][0]
    forwarded = street.post(
        f"/api/v1/circular-receipts/{receipt['id']}/forward/",
        {"additions": "按此执行", "mode": "children", "attachments": [SimpleUploadedFile("街道细则.pdf", PDF)]},
        format="multipart",
    )
    assert forwarded.status_code == 200, forwarded.content
    # the branch below reads the whole chain: the district's file and the street's
    branch = _api(c.secretary)
    mine = branch.get("/api/v1/circular-receipts/").json()["results"][0]
    names = [a["name"] for a in mine["circular"]["attachments"]]
    assert names == ["街道细则.pdf"]
    upstream = branch.get(f"/api/v1/circular-receipts/{mine['id']}/attachments/{file_id}/")
    assert upstream.status_code == 200 and b"".join(upstream.streaming_content) == PDF
    # another street's admin sees neither the receipt nor its files; a file of another notice is 404
    assert (
        _api(c.other_street_admin).get(f"/api/v1/circular-receipts/{receipt['id']}/attachments/{file_id}/").status_code
        == 404
    )
    assert street.get(f"/api/v1/circular-receipts/{receipt['id']}/attachments/{file_id + 1}/").status_code == 404


def test_the_api_refuses_a_forbidden_attachment_in_chinese_and_stores_nothing(tree):
    c = tree
    refused = _api(c.district_admin).post(
        "/api/v1/circulars/",
        {"title": "坏附件", "body": "x", "attachments": [SimpleUploadedFile("通知.pdf", b"#!/bin/sh\nrm -rf /\n")]},
        format="multipart",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"]["attachments"][0].startswith("附件：附件「通知.pdf」的内容不是允许的类型")
    assert not Circular.objects.exists() and not CircularAttachment.objects.exists()


def test_an_unsigned_notice_is_due_from_the_parameters_days_before_its_deadline(tree):
    from liangxin.inbox import reminders

    c = tree
    today = timezone.localdate()
    grassroots = Addressees(AddressMode.KINDS, kinds=("grassroots",))
    soon = send(c, addressees=grassroots, title="近期通知", deadline=today + datetime.timedelta(days=3))
    send(c, addressees=grassroots, title="远期通知", deadline=today + datetime.timedelta(days=4))
    send(c, addressees=grassroots, title="不设期限的通知")
    due = [r for r in reminders.due_for(c.secretary, scope_for(c.secretary), today) if r.key.startswith("circulars:")]
    assert [(r.title, r.overdue) for r in due] == [
        (
            "上海嘉信信息科技有限公司党支部：通知「近期通知」待签收（期限 "
            + f"{today + datetime.timedelta(days=3):%Y-%m-%d}）",
            False,
        )
    ]
    later = today + datetime.timedelta(days=5)
    late = [r for r in reminders.due_for(c.secretary, scope_for(c.secretary), later) if r.key.startswith("circulars:")]
    assert [(r.due_on, r.overdue) for r in late] == [(soon.deadline, True), (today + datetime.timedelta(days=4), True)]
    services.sign(c.secretary, receipt_of(soon, c.branch.node))
    after = [r for r in reminders.due_for(c.secretary, scope_for(c.secretary), later) if r.key.startswith("circulars:")]
    assert [r.due_on for r in after] == [today + datetime.timedelta(days=4)]
    assert reminders.due_for(c.auditor, scope_for(c.auditor), later) == []


def test_a_deadline_that_is_no_date_is_refused_beside_the_other_fields(tree):
    c = tree
    answer = client_for(c.district_admin).post("/circulars/new/", {"title": "", "body": "x", "deadline": "明天"})
    page = answer.content.decode()
    assert answer.status_code == 400
    assert "签收期限：格式应为 年-月-日" in page and "标题：请填写" in page
    assert not Circular.objects.exists()


def _docx() -> SimpleUploadedFile:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return SimpleUploadedFile("实施方案.docx", buffer.getvalue())


def test_an_office_document_is_kept_with_its_whole_content_type(tree):
    """The Word type's name (71 characters) is longer than a stored file's usual 40: kept whole
    (PostgreSQL would refuse a longer value; SQLite would not notice)."""
    c = tree
    circular = send(c, files=[_docx()])
    stored = circular.attachments.get()
    assert stored.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

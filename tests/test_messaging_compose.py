"""信息群发 through the pages: write, preview, send (or 签发), deliver to the inbox, read, reply,
recall, remind once, schedule, attachments checked by content, templates filled per recipient,
the e-mail's read link; scope (a street never sees or reaches another street's)."""

import datetime
import io
import zipfile

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from liangxin.accounts.models import RoleAssignment, User
from liangxin.accounts.scoping import scope_for
from liangxin.inbox.models import Notice
from liangxin.messaging import compose
from liangxin.messaging.channels import read_token
from liangxin.messaging.choices import ChannelKind, DeliveryState, MessageState
from liangxin.messaging.models import Delivery, Message, MessagingPolicy, ReachFact
from liangxin.messaging.targets import NodePlace, Target
from liangxin.party.models import Member

from .conftest import _user, client_for
from .party_helpers import make_member

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def street(party_cast, django_capture_on_commit_callbacks):
    c = party_cast
    c.reader_user = User.objects.create_user(username="wanghong", password="x-Test@pass-2026", full_name="王红")
    Member.objects.filter(pk=c.member.pk).update(user=c.reader_user, email="wanghong@example.cn")
    RoleAssignment.objects.create(user=c.reader_user, role="member", node=c.branch.node)
    c.second = make_member(c, c.branch, name="李明", employer=c.org, phone="13700000009")
    c.capture = django_capture_on_commit_callbacks
    return c


def _form(c, **extra) -> dict:
    values = {
        "node": str(c.nanjing_node.pk),
        "title": "关于开展十二月主题党日的通知",
        "body": "各位同志：\n\n请于{月份}底前参加主题党日。<script>alert(1)</script>",
        "nodes": [str(c.nanjing_node.pk)],
        "descendants": "1",
        "people": ["members"],
        "urgency": "normal",
        "reply_kind": "yes_no",
        "action": "send",
    }
    values.update(extra)
    return values


def _send(c, client=None, **extra):
    client = client or client_for(c.street_admin)
    with c.capture(execute=True):
        response = client.post(reverse("web:message_new"), _form(c, **extra))
    return response


def test_preview_counts_and_sends_nothing(street):
    c = street
    response = client_for(c.street_admin).post(reverse("web:message_new"), _form(c, action="preview"))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="reach-people">2<' in text  # 王红 and 李明, the branch's members
    assert "王红" in text and "李明" in text
    assert not Message.objects.exists()


def test_send_delivers_to_the_inbox_and_the_member_reads_and_replies(street):
    c = street
    response = _send(c)
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.state == MessageState.DONE
    assert "<script>" not in message.body and "alert" not in message.body  # sanitised on save
    inbox = Delivery.objects.get(message=message, channel=ChannelKind.INBOX)
    assert inbox.user == c.reader_user and inbox.state == DeliveryState.DELIVERED
    # 李明 has no account: no inbox delivery, and no address on another channel was chosen
    assert Delivery.objects.filter(message=message).count() == 1
    notice = Notice.objects.get(recipient=c.reader_user)
    assert notice.title == message.title and "主题党日" in notice.body

    reader = client_for(c.reader_user)
    opened = reader.get(reverse("web:inbox_open", args=[notice.pk]), follow=True)
    assert opened.status_code == 200
    month = f"{timezone.localtime(message.sent_at).month}月"
    assert f"请于{month}底前参加主题党日" in opened.content.decode()  # the placeholder filled
    inbox.refresh_from_db()
    assert inbox.state == DeliveryState.READ and inbox.read_at is not None

    bad = reader.post(reverse("web:message_received", args=[inbox.pk]), {"reply": "也许"}, follow=True)
    assert "请选择“是”或“否”" in bad.content.decode()
    reader.post(reverse("web:message_received", args=[inbox.pk]), {"reply": "是"})
    inbox.refresh_from_db()
    assert (inbox.state, inbox.reply) == (DeliveryState.REPLIED, "是")


def test_another_user_cannot_open_someone_elses_delivery(street):
    c = street
    _send(c)
    delivery = Delivery.objects.get()
    assert client_for(c.secretary).get(reverse("web:message_received", args=[delivery.pk])).status_code == 404


def test_recall_withdraws_the_unread_and_refuses_a_reply(street):
    c = street
    _send(c)
    message = Message.objects.get()
    delivery = Delivery.objects.get()
    with c.capture(execute=True):
        client_for(c.street_admin).post(reverse("web:message_step", args=[message.pk, "recall"]))
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.RECALLED
    assert not Notice.objects.filter(recipient=c.reader_user).exists()  # unread: gone from the inbox
    page = client_for(c.reader_user).get(reverse("web:message_received", args=[delivery.pk]))
    assert page.status_code == 410 and "已撤回" in page.content.decode()
    with pytest.raises(Exception, match="已被发送单位撤回"):
        compose.reply(delivery, "是")


def test_recall_keeps_what_was_read(street):
    c = street
    _send(c)
    delivery = Delivery.objects.get()
    compose.open_delivery(delivery)
    compose.recall(c.street_admin, Message.objects.get())
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.READ
    assert Notice.objects.filter(recipient=c.reader_user).exists()


def test_remind_unread_once(street):
    c = street
    _send(c)
    message = Message.objects.get()
    admin = client_for(c.street_admin)
    admin.post(reverse("web:message_step", args=[message.pk, "remind"]))
    assert Notice.objects.filter(recipient=c.reader_user, title__startswith="提醒").count() == 1
    again = admin.post(reverse("web:message_step", args=[message.pk, "remind"]), follow=True)
    assert "提醒过一次" in again.content.decode()
    assert Notice.objects.filter(recipient=c.reader_user, title__startswith="提醒").count() == 1


def test_a_read_delivery_is_not_reminded(street):
    c = street
    _send(c)
    compose.open_delivery(Delivery.objects.get())
    assert compose.remind_unread(c.street_admin, Message.objects.get()) == 0


def test_approval_needs_a_second_administrator(street):
    c = street
    MessagingPolicy.objects.create(node=c.nanjing_node, require_approval=True)
    second = _user("nanjing_admin2", "street_admin", c.nanjing_node)
    _send(c)
    message = Message.objects.get()
    assert message.state == MessageState.PENDING and not Delivery.objects.exists()
    assert Notice.objects.filter(recipient=second, title__startswith="待签发").exists()
    own = client_for(c.street_admin).post(reverse("web:message_step", args=[message.pk, "approve"]), follow=True)
    assert "另一名管理员" in own.content.decode()
    assert Message.objects.get().state == MessageState.PENDING
    with c.capture(execute=True):
        client_for(second).post(reverse("web:message_step", args=[message.pk, "approve"]))
    message.refresh_from_db()
    assert message.state == MessageState.DONE and message.approved_by == second
    assert Delivery.objects.filter(message=message).count() == 1


def test_approval_without_a_second_administrator_is_refused(street):
    c = street
    MessagingPolicy.objects.create(node=c.nanjing_node, require_approval=True)
    response = _send(c)
    assert response.status_code == 302
    assert Message.objects.get().state == MessageState.DRAFT


def test_scheduled_message_waits_for_its_time(street):
    c = street
    when = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    _send(c, scheduled_at=when)
    message = Message.objects.get()
    assert message.state == MessageState.SCHEDULED and not Delivery.objects.exists()
    call_command("send_messages", stdout=io.StringIO())
    assert not Delivery.objects.exists()  # not yet
    Message.objects.filter(pk=message.pk).update(scheduled_at=timezone.now() - datetime.timedelta(minutes=1))
    call_command("send_messages", stdout=io.StringIO())
    message.refresh_from_db()
    assert message.state == MessageState.DONE and Delivery.objects.filter(message=message).count() == 1


def test_a_scheduled_time_in_the_past_is_refused(street):
    c = street
    when = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = _send(c, scheduled_at=when)
    assert response.status_code == 400 and "应晚于当前时间" in response.content.decode()
    assert not Message.objects.exists()


def test_attachments_are_checked_by_content(street):
    c = street
    client = client_for(c.street_admin)
    fake = io.BytesIO(b"#!/bin/sh\nrm -rf /\n")
    fake.name = "通知.pdf"
    response = client.post(reverse("web:message_new"), {**_form(c, action="save"), "attachments": [fake]})
    assert response.status_code == 400 and "不是允许的类型" in response.content.decode()
    renamed_zip = io.BytesIO()
    with zipfile.ZipFile(renamed_zip, "w") as z:
        z.writestr("readme.txt", "x")
    renamed_zip.seek(0)
    renamed_zip.name = "方案.docx"
    response = client.post(reverse("web:message_new"), {**_form(c, action="save"), "attachments": [renamed_zip]})
    assert response.status_code == 400 and "不是有效的 docx 文件" in response.content.decode()
    assert not Message.objects.exists()
    good = io.BytesIO(PDF)
    good.name = "实施方案.pdf"
    response = client.post(reverse("web:message_new"), {**_form(c, action="save"), "attachments": [good]})
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.state == MessageState.DRAFT and [a.name for a in message.attachments.all()] == ["实施方案.pdf"]
    file_url = reverse("web:message_file", args=[message.pk, message.attachments.get().pk])
    assert b"".join(client.get(file_url).streaming_content) == PDF
    assert client_for(c.other_street_admin).get(file_url).status_code == 404


def test_a_target_outside_the_scope_is_refused_in_chinese(street):
    c = street
    response = client_for(c.street_admin).post(
        reverse("web:message_new"), _form(c, nodes=[str(c.waitan_node.pk)], action="preview")
    )
    assert response.status_code == 400
    assert "外滩街道综合党委" in response.content.decode() and "不在您的权限范围内" in response.content.decode()


def test_another_street_sees_no_message(street):
    c = street
    _send(c)
    message = Message.objects.get()
    for name in ("web:message_detail", "web:message_people", "web:message_replies_export"):
        assert client_for(c.other_street_admin).get(reverse(name, args=[message.pk])).status_code == 404
    assert client_for(c.district_admin).get(reverse("web:message_detail", args=[message.pk])).status_code == 200
    # the district reads it but does not manage it
    refused = client_for(c.district_admin).post(reverse("web:message_step", args=[message.pk, "recall"]))
    assert refused.status_code == 403


def test_a_secretary_sends_to_their_members_only(street):
    c = street
    client = client_for(c.secretary)
    response = client.post(
        reverse("web:message_new"),
        _form(c, node=str(c.branch.node.pk), nodes=[str(c.branch.node.pk)], people=["applicants"], action="preview"),
    )
    assert response.status_code == 400 and "党组织书记只能向本党组织的党员群发信息" in response.content.decode()
    response = client.post(
        reverse("web:message_new"), _form(c, node=str(c.branch.node.pk), nodes=[str(c.branch.node.pk)])
    )
    assert response.status_code == 302 and Message.objects.get().node == c.branch.node


def test_email_read_link_marks_read_and_takes_a_reply(street):
    c = street
    _send(c, channels=["email"])
    email = Delivery.objects.get(channel=ChannelKind.EMAIL)
    assert email.state == DeliveryState.SENT and email.address == "wanghong@example.cn"
    assert len(mail.outbox) == 1 and "/m/read/" in mail.outbox[0].body
    link = reverse("web:message_read_link", args=[read_token(email)])
    page = client_for(None).get(link)
    assert page.status_code == 200 and "主题党日" in page.content.decode()
    email.refresh_from_db()
    assert email.state == DeliveryState.READ
    client_for(None).post(link, {"reply": "否"})
    email.refresh_from_db()
    assert email.reply == "否"
    assert client_for(None).get(reverse("web:message_read_link", args=["forged"])).status_code == 404


def test_template_placeholders_filled_per_recipient(street):
    c = street
    template = compose.save_template(
        c.street_admin, scope_for(c.street_admin), c.nanjing_node, "党费提醒", "{姓名}同志：党费提醒",
        "{姓名}同志，请于{月份}按时交纳党费（{组织}）。",
    )  # fmt: skip
    page = client_for(c.street_admin).get(reverse("web:message_new") + f"?template={template.pk}")
    assert "{姓名}同志：党费提醒" in page.content.decode()
    _send(c, title=template.title, body=template.body)
    notice = Notice.objects.get(recipient=c.reader_user)
    assert notice.title == "王红同志：党费提醒"
    assert "王红同志，请于" in notice.body and c.branch.node.name in notice.body


def test_replies_export(street):
    c = street
    _send(c)
    delivery = Delivery.objects.get()
    compose.reply(delivery, "是")
    response = client_for(c.street_admin).get(reverse("web:message_replies_export", args=[Message.objects.get().pk]))
    assert response.status_code == 200
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.worksheets[-1].values)
    assert rows[0][0] == "接收人" and rows[1][0] == "王红" and "是" in rows[1]


def test_fan_out_resolves_again_at_send_time(street):
    """A member who left before the scheduled time is not reached; the target is a description."""
    c = street
    scope = scope_for(c.street_admin)
    draft = compose.check_draft(
        "通知", "正文", Target(nodes=[NodePlace(c.nanjing_node.pk)], people=["members"]),
        scheduled_at=timezone.now() + datetime.timedelta(hours=1),
    )  # fmt: skip
    message = compose.save_draft(c.street_admin, scope, c.nanjing_node, draft)
    compose.submit(c.street_admin, scope, message, start=lambda m: None)
    Member.objects.filter(pk=c.member.pk).update(is_active=False)
    Message.objects.filter(pk=message.pk).update(scheduled_at=timezone.now())
    assert compose.fan_out(message, scope) == 0  # 李明 has no account and no address on the inbox
    assert not Delivery.objects.filter(message=message, user=c.reader_user).exists()


def test_a_template_from_above_is_used_not_deleted(street):
    c = street
    template = compose.save_template(
        c.street_admin, scope_for(c.street_admin), c.nanjing_node, "月度主题党日", "主题党日通知", "请参加。"
    )
    secretary = client_for(c.secretary)
    assert "主题党日通知" in secretary.get(reverse("web:message_new") + f"?template={template.pk}").content.decode()
    assert secretary.post(reverse("web:message_template_delete", args=[template.pk])).status_code == 403
    other = client_for(c.other_street_admin)
    assert other.post(reverse("web:message_template_delete", args=[template.pk])).status_code == 404


def test_the_api_drafts_previews_sends_and_the_member_replies(street):
    c = street
    admin = client_for(c.street_admin)
    target = {"nodes": [{"id": c.nanjing_node.pk}], "people": ["members"]}
    preview = admin.post("/api/v1/messages/preview/", {"target": target}, content_type="application/json")
    assert preview.status_code == 200 and preview.json()["people"] == 2
    outside = admin.post(
        "/api/v1/messages/preview/",
        {"target": {"nodes": [{"id": c.waitan_node.pk}], "people": ["members"]}},
        content_type="application/json",
    )
    assert outside.status_code == 400 and "不在您的权限范围内" in str(outside.json())
    body = {"title": "API 通知", "body": "请回复", "target": target, "reply_kind": "text"}
    created = admin.post("/api/v1/messages/", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["state"] == "draft"
    pk = created.json()["id"]
    with c.capture(execute=True):
        sent = admin.post(f"/api/v1/messages/{pk}/send/")
    assert sent.status_code == 200
    assert admin.get(f"/api/v1/messages/{pk}/progress/").json()["states"]["delivered"] == 1

    reader = client_for(c.reader_user)
    (item,) = reader.get("/api/v1/received-messages/").json()["results"]
    assert reader.get(f"/api/v1/received-messages/{item['id']}/").json()["state"] == "read"
    empty = reader.post(
        f"/api/v1/received-messages/{item['id']}/reply/", {"reply": ""}, content_type="application/json"
    )
    assert empty.status_code == 400 and "回复：请填写" in str(empty.json())
    ok = reader.post(
        f"/api/v1/received-messages/{item['id']}/reply/", {"reply": "收到，按时参加"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["reply"] == "收到，按时参加"

    admin.post(f"/api/v1/messages/{pk}/recall/")  # what was read stays; nothing unread is left
    assert Delivery.objects.get().state == DeliveryState.REPLIED


def test_the_api_attaches_files_to_a_draft_that_the_reader_downloads(street):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from liangxin.messaging.models import MessageAttachment

    c = street
    admin = client_for(c.street_admin)
    target = {"nodes": [{"id": c.nanjing_node.pk}], "people": ["members"]}
    body = {"title": "带附件", "body": "见附件", "target": target}
    pk = admin.post("/api/v1/messages/", body, content_type="application/json").json()["id"]
    bad = admin.post(f"/api/v1/messages/{pk}/attachments/", {"files": [SimpleUploadedFile("方案.pdf", b"MZ\x90")]})
    assert bad.status_code == 400 and "内容不是允许的类型" in str(bad.json())
    assert not MessageAttachment.objects.exists()
    assert admin.post(f"/api/v1/messages/{pk}/attachments/", {}).status_code == 400  # no file: a reason, no row
    uploaded = admin.post(
        f"/api/v1/messages/{pk}/attachments/",
        {"files": [SimpleUploadedFile("方案.pdf", PDF), SimpleUploadedFile("多余.pdf", PDF)]},
    )
    assert uploaded.status_code == 201 and [f["name"] for f in uploaded.json()] == ["方案.pdf", "多余.pdf"]
    spare = uploaded.json()[1]["id"]
    assert admin.delete(f"/api/v1/messages/{pk}/attachments/{spare}/").status_code == 204
    assert [f["name"] for f in admin.get(f"/api/v1/messages/{pk}/").json()["attachments"]] == ["方案.pdf"]
    other = client_for(c.other_street_admin)
    (kept,) = MessageAttachment.objects.all()
    assert other.get(f"/api/v1/messages/{pk}/attachments/{kept.pk}/").status_code == 404
    with c.capture(execute=True):
        admin.post(f"/api/v1/messages/{pk}/send/")
    late = admin.post(f"/api/v1/messages/{pk}/attachments/", {"files": [SimpleUploadedFile("晚.pdf", PDF)]})
    assert late.status_code == 400 and "只有草稿可以添加附件" in str(late.json())
    assert admin.delete(f"/api/v1/messages/{pk}/attachments/{kept.pk}/").status_code == 400

    reader = client_for(c.reader_user)
    (item,) = reader.get("/api/v1/received-messages/").json()["results"]
    assert [f["id"] for f in item["attachments"]] == [kept.pk]
    got = reader.get(f"/api/v1/received-messages/{item['id']}/attachments/{kept.pk}/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    compose.recall(c.street_admin, Message.objects.get())
    assert Delivery.objects.get(pk=item["id"]).state == DeliveryState.RECALLED  # never opened: recalled
    assert reader.get(f"/api/v1/received-messages/{item['id']}/attachments/{kept.pk}/").status_code == 404


def test_the_api_refuses_a_reply_to_a_recalled_message(street):
    c = street
    _send(c)
    compose.recall(c.street_admin, Message.objects.get())
    delivery = Delivery.objects.get()
    reader = client_for(c.reader_user)
    answer = reader.post(
        f"/api/v1/received-messages/{delivery.pk}/reply/", {"reply": "是"}, content_type="application/json"
    )
    assert answer.status_code == 400 and "已被发送单位撤回" in str(answer.json())


def test_a_fan_out_killed_midway_is_redone_and_nobody_gets_two(street, monkeypatch):
    """The worker dies after the first batch of deliveries: the message is not 已发送, the cron run
    redoes the fan-out (adding only what is missing) and every recipient has one delivery and one
    notice."""
    from liangxin.messaging import services

    c = street
    for i in range(4):  # more members with accounts: several batches of one
        user = User.objects.create_user(username=f"m{i}", password="x-Test@pass-2026", full_name=f"党员{i}")
        make_member(c, c.branch, name=f"党员{i}", employer=c.org, user=user)
    monkeypatch.setattr(services, "BATCH", 1)
    real = services.bulk.insert
    calls = {"n": 0}

    def dies_on_the_third_batch(model, rows, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("worker killed")
        return real(model, rows, **kwargs)

    monkeypatch.setattr(services.bulk, "insert", dies_on_the_third_batch)
    _send(c)  # the background task fails (the task backend records it)
    message = Message.objects.get()
    assert message.state == MessageState.QUEUED and message.fanned_out_at is None
    assert 0 < Delivery.objects.filter(message=message).count() < 5  # part of them
    services.send_pending(message.pk)  # what exists is sent; the message is not 已发送
    assert Message.objects.get().state == MessageState.SENDING
    monkeypatch.setattr(services.bulk, "insert", real)
    call_command("send_messages", stdout=io.StringIO())
    message.refresh_from_db()
    assert message.state == MessageState.DONE and message.fanned_out_at is not None
    keys = list(Delivery.objects.filter(message=message).values_list("recipient_key", flat=True))
    assert len(keys) == len(set(keys)) == 5  # 王红 and four more with accounts; 李明 has none
    for user_id in Delivery.objects.filter(message=message).values_list("user_id", flat=True):
        assert Notice.objects.filter(recipient_id=user_id).count() == 1
    # every batch wrote its 到达事实 with it: each delivery reached its member's employer, once
    facts = list(ReachFact.objects.filter(delivery__message=message).values_list("delivery_id", "organization_id"))
    assert sorted(d for d, _ in facts) == sorted(Delivery.objects.filter(message=message).values_list("pk", flat=True))
    assert {o for _, o in facts} == {c.org.pk}
    assert not Delivery.objects.filter(message=message, recipient_node__isnull=True).exists()


def test_the_descendants_box_as_the_browser_sends_it(street):
    """The page sends a hidden 0 before the 含下级 box: checked is ["0", "1"], unchecked ["0"]."""
    c = street
    client = client_for(c.street_admin)
    below = client.post(reverse("web:message_new"), _form(c, descendants=["0", "1"], action="preview"))
    assert below.status_code == 200 and 'id="reach-people">2<' in below.content.decode()
    only_the_node = client.post(reverse("web:message_new"), _form(c, descendants=["0"], action="preview"))
    # the branch's members sit in the party organization below the street's node
    assert only_the_node.status_code == 400 and "没有可接收的人员" in only_the_node.content.decode()


def test_the_detail_page_counts_per_sub_node_and_drills_to_its_unread(street):
    """黄浦 messages its members: the row of 南京东路 counts the branch's delivery, and its
    未读人员 lists 王红 until she reads it."""
    c = street
    target = {"nodes": [{"id": c.huangpu_node.pk}], "people": ["members"]}
    admin = client_for(c.district_admin)
    created = admin.post(
        "/api/v1/messages/", {"title": "区委通知", "body": "请阅", "target": target}, content_type="application/json"
    )
    with c.capture(execute=True):
        admin.post(f"/api/v1/messages/{created.json()['id']}/send/")
    message = Message.objects.get()
    page = admin.get(reverse("web:message_detail", args=[message.pk])).content.decode()
    assert "南京东路街道综合党委" in page and "未读人员" in page
    people = reverse("web:message_people", args=[message.pk]) + f"?show=unread&node={c.nanjing_node.pk}"
    assert "王红" in admin.get(people).content.decode()
    assert "王红" not in admin.get(people.replace(str(c.nanjing_node.pk), str(c.waitan_node.pk))).content.decode()
    compose.open_delivery(Delivery.objects.get(message=message))
    assert "王红" not in admin.get(people).content.decode()


def test_an_office_document_is_attached(street):
    """A .docx: a zip holding its Word parts; its type (71 characters) fits on both databases."""
    c = street
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    docx.seek(0)
    docx.name = "实施方案.docx"
    response = client_for(c.street_admin).post(
        reverse("web:message_new"), {**_form(c, action="save"), "attachments": [docx]}
    )
    assert response.status_code == 302
    assert Message.objects.get().attachments.get().content_type.endswith("wordprocessingml.document")

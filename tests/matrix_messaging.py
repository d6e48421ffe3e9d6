"""Permission matrix entries for 信息群发 (merged into tests/test_permission_matrix.py's MATRIX).

A message sent from 南京东路's committee is read by the committees on its path (city, 黄浦,
南京东路) and managed by 南京东路 alone (the city and 黄浦 get 403 on a step); everyone else gets
404, as if missing. The auditor and the user without a role are no senders (403). A delivery's
page belongs to its recipient (here the branch secretary) and nobody else; the e-mail's read link
is its own key (no login)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from .test_permission_matrix import API, expect, invalid_body

PDF = b"%PDF-1.4\n%%EOF\n"

SENDERS = expect(200, auditor=403, nobody=403, secretary=200)
MSG_VIEW = expect(404, city=200, huangpu=200, nanjing=200, auditor=403, nobody=403)
MSG_STEP = {**MSG_VIEW, "city": 403, "huangpu": 403, "nanjing": 302}
DRAFT_EDIT = expect(404, nanjing=200, auditor=403, nobody=403)
DRAFT_STEP = {**DRAFT_EDIT, "city": 403, "huangpu": 403}  # the API: visible but not changeable
RECIPIENT = expect(404, secretary=200)
EVERYONE_BY_LINK = {user: 200 for user in expect(200)}


def _message(c, state="done"):
    from liangxin.messaging.models import Message

    return Message.objects.create(
        title="通知", body="<p>正文</p>", sender=c.street_admin, node=c.nanjing_node, state=state,
        target={"nodes": [{"id": c.nanjing_node.pk}], "people": ["members"]},
    )  # fmt: skip


def _with_file(c, state="done"):
    from liangxin.core import attachments
    from liangxin.messaging.models import MessageAttachment

    message = _message(c, state)
    upload = SimpleUploadedFile("方案.pdf", PDF)
    kind = attachments.check_upload(upload)
    attachments.store_all(MessageAttachment, {"message": message}, c.street_admin, [upload], [kind], "messages")
    return message


def _delivery(c):
    from liangxin.messaging.models import Delivery

    message = _with_file(c)
    return Delivery.objects.create(
        message=message, recipient_key=f"user:{c.secretary.pk}", recipient_name="书记", user=c.secretary,
        channel="inbox", state="delivered", idempotency_key=f"lx-matrix-{message.pk}",
    )  # fmt: skip


def sent(c) -> dict:
    return {"pk": _message(c).pk}


def draft(c) -> dict:
    return {"pk": _message(c, "draft").pk}


def remind(c) -> dict:
    return {"pk": _message(c).pk, "action": "remind"}


def sent_file(c) -> dict:
    message = _with_file(c)
    return {"pk": message.pk, "file_pk": message.attachments.get().pk}


def draft_file(c) -> dict:
    message = _with_file(c, "draft")
    return {"pk": message.pk, "file_pk": message.attachments.get().pk}


def received(c) -> dict:
    return {"pk": _delivery(c).pk}


def received_file(c) -> dict:
    delivery = _delivery(c)
    return {"pk": delivery.pk, "file_pk": delivery.message.attachments.get().pk}


def read_link(c) -> dict:
    from liangxin.messaging.channels import read_token

    return {"token": read_token(_delivery(c))}


def read_link_file(c) -> dict:
    from liangxin.messaging.channels import read_token

    delivery = _delivery(c)
    return {"token": read_token(delivery), "file_pk": delivery.message.attachments.get().pk}


def sent_api_file(c) -> dict:
    found = sent_file(c)
    return {"pk": found["pk"], "attachment_pk": found["file_pk"]}


def draft_api_file(c) -> dict:
    found = draft_file(c)
    return {"pk": found["pk"], "attachment_pk": found["file_pk"]}


def received_api_file(c) -> dict:
    found = received_file(c)
    return {"pk": found["pk"], "attachment_pk": found["file_pk"]}


def nanjing_template(c) -> dict:
    from liangxin.messaging.models import MessageTemplate

    template = MessageTemplate.objects.create(node=c.nanjing_node, name="模板", title="标题", body="<p>正文</p>")
    return {"pk": template.pk}


def nanjing_members(c) -> dict:
    return {"target": {"nodes": [{"id": c.nanjing_node.pk}], "people": ["members"]}}


ENTRIES: dict = {
    "web:message_list": ("get", None, None, SENDERS),
    "web:message_new": ("get", None, None, SENDERS),
    "web:message_new POST": ("post", None, {}, invalid_body(SENDERS)),
    "web:message_templates": ("get", None, None, SENDERS),
    "web:message_templates POST": ("post", None, {}, invalid_body(SENDERS)),
    # a template of 南京东路, deleted by 南京东路 (the branch secretary below, who may use it but not
    # delete it, comes after 南京东路 in the loop: see test_a_template_from_above_is_used_not_deleted)
    "web:message_template_delete POST": (
        "post",
        nanjing_template,
        {},
        expect(404, nanjing=302, auditor=403, nobody=403),
    ),  # fmt: skip
    "web:message_settings": ("get", None, None, SENDERS),
    # no node named: not one of the sender's nodes (404); others keep their refusal
    "web:message_settings POST": ("post", None, {}, {**SENDERS, **{k: 404 for k, v in SENDERS.items() if v == 200}}),
    "web:message_detail": ("get", sent, None, MSG_VIEW),
    "web:message_progress": ("get", sent, None, MSG_VIEW),
    "web:message_people": ("get", sent, None, MSG_VIEW),
    "web:message_replies_export": ("get", sent, None, MSG_VIEW),
    "web:message_file": ("get", sent_file, None, MSG_VIEW),
    "web:message_file_delete POST": ("post", draft_file, {}, {**DRAFT_EDIT, "nanjing": 302}),
    "web:message_edit": ("get", draft, None, DRAFT_EDIT),
    "web:message_edit POST": ("post", draft, {}, invalid_body(DRAFT_EDIT)),
    "web:message_step POST": ("post", remind, {}, MSG_STEP),
    "web:message_received": ("get", received, None, RECIPIENT),
    "web:message_received POST": ("post", received, {}, {**RECIPIENT, "secretary": 302}),
    "web:message_received_file": ("get", received_file, None, RECIPIENT),
    "web:message_read_link": ("get", read_link, None, EVERYONE_BY_LINK),
    "web:message_read_link_file": ("get", read_link_file, None, EVERYONE_BY_LINK),
    # the API: the same answers, 401 for no token
    "message-list": ("get", None, None, {**SENDERS, **API}),
    "message-list POST": ("post", None, {}, {**invalid_body(SENDERS), **API}),
    "message-preview POST": ("post", None, {}, {**invalid_body(SENDERS), **API}),
    "message-detail": ("get", sent, None, {**MSG_VIEW, **API}),
    "message-progress": ("get", sent, None, {**MSG_VIEW, **API}),
    # a step refused by the rules is 400 (a draft cannot be recalled…); the city and 黄浦 read but do not manage
    "message-send POST": ("post", sent, {}, {**MSG_VIEW, "city": 403, "huangpu": 403, "nanjing": 400, **API}),
    "message-approve POST": ("post", sent, {}, {**MSG_VIEW, "city": 403, "huangpu": 403, "nanjing": 400, **API}),
    "message-reject POST": ("post", sent, {}, {**MSG_VIEW, "city": 403, "huangpu": 403, "nanjing": 400, **API}),
    "message-recall POST": ("post", draft, {}, {**MSG_VIEW, "city": 403, "huangpu": 403, "nanjing": 400, **API}),
    "message-remind POST": ("post", sent, {}, {**MSG_VIEW, "city": 403, "huangpu": 403, "nanjing": 200, **API}),
    "received-message-list": ("get", None, None, {**{u: 200 for u in expect(200)}, **API}),
    "received-message-detail": ("get", received, None, {**RECIPIENT, **API}),
    "received-message-reply POST": ("post", received, {}, {**invalid_body(RECIPIENT), **API}),
    # no file: refused (400) for 南京东路; the committees above read the draft but do not change it (403)
    "message-attachments POST": ("post", draft, None, {**invalid_body(DRAFT_STEP), **API}),
    "message-attachment": ("get", sent_api_file, None, {**MSG_VIEW, **API}),
    "message-attachment DELETE": ("delete", draft_api_file, None, {**DRAFT_STEP, "nanjing": 204, **API}),
    "received-message-attachment": ("get", received_api_file, None, {**RECIPIENT, **API}),
}

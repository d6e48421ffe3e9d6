"""Permission matrix entries for 通知下达 (merged into tests/test_permission_matrix.py's MATRIX).

黄浦's committee sends a notice to its streets (南京东路, 外滩); 南京东路 forwards it to its branch
(嘉信's, whose secretary is the cast's). The notice is tracked by the committees on its path
(city, 黄浦) and 催办 by 黄浦 alone (the city reads it: 403 on the step); a receipt belongs to the
addressed node's administrators and answers 404 to everyone else. The auditor and the user without
a role neither send nor receive (403)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from .test_permission_matrix import API, expect, invalid_body

PDF = b"%PDF-1.4\n%%EOF\n"

SENDERS = expect(200, auditor=403, nobody=403)
RECEIVERS = expect(200, auditor=403, nobody=403, secretary=200)
TRACK = expect(404, city=200, huangpu=200, auditor=403, nobody=403)
TRACK_FORWARD = expect(404, city=200, huangpu=200, nanjing=200, auditor=403, nobody=403)
NANJING_RECEIPT = expect(404, nanjing=200, auditor=403, nobody=403)
BRANCH_RECEIPT = expect(404, secretary=200, auditor=403, nobody=403)


def _sent(c):
    from liangxin.accounts.scoping import scope_for
    from liangxin.circulars import services

    upload = SimpleUploadedFile("通知.pdf", PDF)
    return services.send_circular(
        c.district_admin, scope_for(c.district_admin).circular_sender_nodes(), c.huangpu_node,
        {"title": "关于开展主题党日活动的通知", "number": "黄社工委〔2026〕1号", "body": "请认真组织。"},
        [upload], services.Addressees(),
    )  # fmt: skip


def _forwarded(c):
    from liangxin.circulars import services
    from liangxin.circulars.models import CircularReceipt

    circular = _sent(c)
    receipt = CircularReceipt.objects.get(circular=circular, node=c.nanjing_node)
    return services.forward(c.street_admin, receipt, "请各支部落实。", [], services.Addressees())


def sent(c) -> dict:
    return {"pk": _sent(c).pk}


def forwarded(c) -> dict:
    return {"pk": _forwarded(c).pk}


def sent_file(c) -> dict:
    circular = _sent(c)
    return {"pk": circular.pk, "file_pk": circular.attachments.get().pk}


def nanjing_receipt(c) -> dict:
    return {"pk": _sent(c).receipts.get(node=c.nanjing_node).pk}


def branch_receipt(c) -> dict:
    return {"pk": _forwarded(c).receipts.get(node=c.branch.node).pk}


def branch_receipt_file(c) -> dict:
    forward = _forwarded(c)
    # the original's attachment, read through the branch's copy of the forward
    return {"pk": forward.receipts.get(node=c.branch.node).pk, "file_pk": forward.parent.attachments.get().pk}


def sent_api_file(c) -> dict:
    found = sent_file(c)
    return {"pk": found["pk"], "attachment_pk": found["file_pk"]}


def branch_receipt_api_file(c) -> dict:
    found = branch_receipt_file(c)
    return {"pk": found["pk"], "attachment_pk": found["file_pk"]}


ENTRIES: dict = {
    "web:circular_inbox": ("get", None, None, RECEIVERS),
    "web:circular_list": ("get", None, None, SENDERS),
    "web:circular_new": ("get", None, None, SENDERS),
    "web:circular_new POST": ("post", None, {}, invalid_body(SENDERS)),
    "web:circular_detail": ("get", sent, None, TRACK),
    "web:circular_detail FORWARD": ("get", forwarded, None, TRACK_FORWARD),
    "web:circular_file": ("get", sent_file, None, TRACK),
    "web:circular_remind POST": ("post", sent, {}, {**TRACK, "city": 403, "huangpu": 302}),
    "web:circular_receipt": ("get", nanjing_receipt, None, NANJING_RECEIPT),
    "web:circular_sign POST": ("post", nanjing_receipt, {}, {**NANJING_RECEIPT, "nanjing": 302}),
    # the branch has no lower node: its forward is refused (400) and nothing changes between users
    "web:circular_forward POST": ("post", branch_receipt, {}, invalid_body(BRANCH_RECEIPT)),
    "web:circular_receipt_file": ("get", branch_receipt_file, None, BRANCH_RECEIPT),
}

ENTRIES.update(
    {
        # the API: the same answers, 401 for no token
        "circular-list": ("get", None, None, {**RECEIVERS, **API}),
        "circular-list POST": ("post", None, {}, {**invalid_body(SENDERS), **API}),
        "circular-detail": ("get", sent, None, {**TRACK, **API}),
        "circular-remind POST": ("post", sent, {}, {**TRACK, "city": 403, "huangpu": 200, **API}),
        "circular-receipt-list": ("get", None, None, {**RECEIVERS, **API}),
        "circular-receipt-detail": ("get", nanjing_receipt, None, {**NANJING_RECEIPT, **API}),
        "circular-receipt-sign POST": ("post", nanjing_receipt, {}, {**NANJING_RECEIPT, **API}),
        "circular-receipt-forward POST": ("post", branch_receipt, {}, {**invalid_body(BRANCH_RECEIPT), **API}),
        "circular-attachment": ("get", sent_api_file, None, {**TRACK, **API}),
        "circular-receipt-attachment": ("get", branch_receipt_api_file, None, {**BRANCH_RECEIPT, **API}),
    }
)

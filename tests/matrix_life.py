"""Permission matrix entries for 组织生活 (merged into tests/test_permission_matrix.py's MATRIX).

The cast's branch (南京东路街道) and its meetings are seen by the city, 黄浦, 南京东路, 黄浦's
auditor and the branch secretary; 徐汇, 外滩 and the lawyers' committee get 404, as if missing.
Those who may change the branch (the admins above it, its secretary) schedule, record and
attach; the auditor gets 403. Bodies of changes are incomplete on purpose, so those allowed get
400 (or 302 back with a message) and nothing changes between users. The roll-up is for readers
of the registry; a unit outside the reader's subtree is 404.
"""

import datetime

from django.utils import timezone

from .test_permission_matrix import (
    API,
    ORG_READERS,
    PARTY_EDIT,
    PARTY_EDITORS,
    PARTY_VIEW,
    READERS,
    expect,
    invalid_body,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _meeting(c, status: str, days: int):
    from liangxin.life.models import Meeting

    return Meeting.objects.create(
        party_org=c.branch, kind="theme_day", status=status, topic="学习党章", place="会议室",
        date=timezone.localdate() + datetime.timedelta(days=days),
    )  # fmt: skip


def planned(c) -> dict:
    return {"pk": _meeting(c, "planned", 10).pk}


def held(c) -> dict:
    return {"pk": _meeting(c, "held", -3).pk}


def _attachment(c):
    from liangxin.life import attachments
    from liangxin.life.models import Attachment

    meeting = _meeting(c, "held", -3)
    stored = f"matrix{meeting.pk}.png"
    attachments.path_of(stored).write_bytes(PNG)
    return Attachment.objects.create(
        meeting=meeting, name="合影.png", content_type="image/png", size=len(PNG), sha256="0" * 64, stored_name=stored
    )


def attachment(c) -> dict:
    return {"pk": _attachment(c).pk}


def api_attachment(c) -> dict:
    found = _attachment(c)
    return {"pk": found.meeting_id, "attachment_pk": found.pk}


def branch(c) -> dict:
    return {"pk": c.branch.pk}


def branch_query(c) -> dict:
    return {"?": {"party_org": str(c.branch.pk)}}


def bad_year(c) -> dict:
    return {"pk": c.branch.pk, "?": {"year": "两千"}}


def waitan_node(c) -> dict:
    return {"?": {"node": str(c.waitan_node.pk)}}


def waitan_drill(c) -> dict:
    return {"?": {"node": str(c.waitan_node.pk), "state": "missing"}}


def bad_period(c) -> dict:
    return {"?": {"period": "q5"}}


def branch_in(table: dict[str, int], status: int) -> dict[str, int]:
    """Those allowed get ``status`` instead of 200; the others keep their refusal."""
    return {user: status if code == 200 else code for user, code in table.items()}


# a unit in 外滩: open to the city, 黄浦 (and its auditor) and 外滩; 404 to other readers
WAITAN = expect(404, city=200, huangpu=200, waitan=200, auditor=200, nobody=403, secretary=403)
# deleting a file: the first editor (the city, in USERS order) deletes it; it is gone for everyone after
# (tests/test_life_pages.py checks the auditor's 403 and the secretary's own delete on fresh files)
DELETED_ONCE = expect(404, city=302, auditor=403, nobody=403)  # the auditor: refused before the lookup

ENTRIES: dict = {
    "web:life_meetings": ("get", None, None, ORG_READERS),
    "web:life_meetings BRANCH": ("get", branch_query, None, ORG_READERS),
    "web:life_meeting_create": ("get", None, None, PARTY_EDITORS),
    "web:life_meeting_create BRANCH": ("get", branch_query, None, PARTY_EDIT),
    "web:life_meeting_create POST": ("post", branch_query, None, branch_in(PARTY_EDIT, 400)),
    "web:life_meeting_detail": ("get", held, None, PARTY_VIEW),
    "web:life_meeting_edit": ("get", planned, None, PARTY_EDIT),
    "web:life_meeting_edit POST": ("post", planned, None, branch_in(PARTY_EDIT, 400)),
    "web:life_meeting_record": ("get", planned, None, PARTY_EDIT),
    "web:life_meeting_record POST": ("post", planned, None, branch_in(PARTY_EDIT, 400)),
    "web:life_meeting_cancel": ("post", planned, None, branch_in(PARTY_EDIT, 302)),  # no reason: refused
    "web:life_attachment_upload": ("post", held, None, branch_in(PARTY_EDIT, 302)),  # no file: refused
    "web:life_attachment_download": ("get", attachment, None, PARTY_VIEW),
    "web:life_attachment_delete": ("post", attachment, None, DELETED_ONCE),
    "web:life_compliance": ("get", branch, None, PARTY_VIEW),
    "web:life_compliance BAD_YEAR": ("get", bad_year, None, branch_in(PARTY_VIEW, 400)),
    "web:life_rollup": ("get", None, None, READERS),
    "web:life_rollup WAITAN": ("get", waitan_node, None, WAITAN),
    "web:life_rollup BAD_PERIOD": ("get", bad_period, None, branch_in(READERS, 400)),
    "web:life_rollup_export": ("get", None, None, READERS),
    "web:life_rollup_export WAITAN": ("get", waitan_node, None, WAITAN),
    "web:life_rollup_orgs": ("get", None, None, READERS),
    "web:life_rollup_orgs WAITAN": ("get", waitan_drill, None, WAITAN),
    "web:life_rollup_orgs_export": ("get", None, None, READERS),
    "web:life_rollup_orgs_export WAITAN": ("get", waitan_drill, None, WAITAN),
    "web:life_my_meetings": ("get", None, None, expect(403)),  # the member role only: tests/test_life_pages.py
    "life-meeting-list": ("get", None, None, {**ORG_READERS, **API}),
    "life-meeting-list BRANCH": ("get", branch_query, None, {**ORG_READERS, **API}),
    "life-meeting-list POST": ("post", None, {"topic": "x"}, {**invalid_body(PARTY_EDITORS), **API}),
    "life-meeting-detail": ("get", held, None, {**PARTY_VIEW, **API}),
    "life-meeting-detail PATCH": ("patch", planned, {"topic": "学习新党章"}, {**PARTY_EDIT, **API}),
    "life-meeting-detail PATCH_BAD": ("patch", planned, {"date": "2000-01-01"}, {**branch_in(PARTY_EDIT, 400), **API}),
    "life-meeting-attachments": ("post", held, None, {**branch_in(PARTY_EDIT, 400), **API}),  # no file
    "life-meeting-attachment": ("get", api_attachment, None, {**PARTY_VIEW, **API}),
    "life-compliance-list": ("get", branch_query, None, {**PARTY_VIEW, **API}),
    "life-rollup-list": ("get", None, None, {**READERS, **API}),
    "life-rollup-list WAITAN": ("get", waitan_node, None, {**WAITAN, **API}),
    "life-rollup-list BAD_PERIOD": ("get", bad_period, None, {**branch_in(READERS, 400), **API}),
}

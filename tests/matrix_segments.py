"""Permission matrix entries for 常用发送对象 (segments; merged into tests/test_permission_matrix.py's MATRIX).

Every user who may send mass messages (the administrators and the branch secretary) has the
pages; the auditor and a user without a role get 403. A segment is its owner's (南京东路's street
admin): anyone else who may send gets 404, as if it did not exist.
"""

from .test_permission_matrix import API, expect

# who may send mass messages, and so save segments
SENDERS = expect(200, auditor=403, nobody=403, secretary=200)
SENDERS_ACTION = expect(302, auditor=403, nobody=403)
# a POST without source or query: each sender is told the list is missing (400)
SENDERS_INVALID = expect(400, auditor=403, nobody=403)
# the street admin's own segment
OWN = expect(404, nanjing=200, auditor=403, nobody=403)
OWN_ACTION = expect(404, nanjing=302, auditor=403, nobody=403)


def nanjing_segment(c) -> dict:
    from liangxin.accounts.scoping import scope_for
    from liangxin.messaging import segments

    segment = segments.save_segment(
        c.street_admin, scope_for(c.street_admin), "organizations", "coverage=none", "南京东路未覆盖组织"
    )
    return {"pk": segment.pk}


ENTRIES: dict = {
    "web:segment_list": ("get", None, None, SENDERS),
    "web:segment_new": ("get", None, None, SENDERS_ACTION),
    "web:segment_new POST": ("post", None, None, SENDERS_INVALID),
    "web:segment_detail": ("get", nanjing_segment, None, OWN),
    "web:segment_delete": ("get", nanjing_segment, None, OWN_ACTION),
    "web:segment_delete POST": ("post", nanjing_segment, None, OWN_ACTION),
    "message-segment-list": ("get", None, None, {**SENDERS, **API}),
    "message-segment-list POST": ("post", None, {"name": ""}, {**SENDERS_INVALID, **API}),
    "message-segment-detail": ("get", nanjing_segment, None, {**OWN, **API}),
    "message-segment-detail DELETE": ("delete", nanjing_segment, None, {**OWN, "nanjing": 204, **API}),
    "message-segment-preview": ("get", nanjing_segment, None, {**OWN, **API}),
}

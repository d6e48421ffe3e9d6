"""Permission matrix entries for 党员减少 (merged into tests/test_permission_matrix.py's MATRIX).

The world: the cast's branch (南京东路, its secretary) proposes an exit of 王红. Readers of the
branch see it (黄浦's auditor too); 徐汇, 外滩 and the lawyers' committee get 404. The committees
above the branch (南京东路, 黄浦, the city) approve or return it; the branch itself and the
auditor get 403. An approved exit is reversed by the approving level (南京东路 here) or above.
Web steps answer 302 whether they succeed or are refused with a message. API bodies are invalid
on purpose (a missing reason) so those allowed get 400 and nothing changes between users; the
API's 批准 has no body: the city approves (200), the next committees are told it is decided (400).
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from liangxin.accounts.scoping import scope_for

USERS = ["anon", "city", "huangpu", "xuhui", "nanjing", "waitan", "lawyers", "auditor", "secretary", "nobody"]
API = {"anon": 401}


def table(default: int, anon: int = 302, **overrides) -> dict[str, int]:
    out = {u: default for u in USERS}
    out["anon"] = anon
    out.update(overrides)
    return out


READERS = table(200, nobody=403)  # party readers: every admin, the auditor, the secretary
EDITORS_BAD_INPUT = table(400, auditor=403, nobody=403)  # may propose: an empty body is refused in Chinese
VISIBLE = table(200, xuhui=404, waitan=404, lawyers=404, nobody=403)  # the branch's exit
HOLDER = table(200, xuhui=404, waitan=404, lawyers=404, auditor=403, nobody=403)  # the branch's member
HOLDER_BAD_INPUT = {u: 400 if s == 200 else s for u, s in HOLDER.items()}
DECIDERS_WEB = {**VISIBLE, "city": 302, "huangpu": 302, "nanjing": 302, "auditor": 403, "secretary": 403}


def _propose(c, files=()):
    from django.utils import timezone

    from liangxin.party import exits

    values = {"kind": "death", "on": timezone.localdate(), "reason": "病故"}
    return exits.propose(c.secretary, scope_for(c.secretary), c.member, values, files)


def proposed(c) -> dict:
    return {"pk": _propose(c).pk}


def approved(c) -> dict:
    from liangxin.party import exits

    exit_ = _propose(c)
    exits.approve(c.street_admin, scope_for(c.street_admin), exit_)
    return {"pk": exit_.pk}


def attachment(c) -> dict:
    exit_ = _propose(c, [SimpleUploadedFile("死亡证明.pdf", b"%PDF-1.4 matrix")])
    return {"pk": exit_.attachments.get().pk}


def member(c) -> dict:
    return {"pk": c.member.pk}


def api_step(web: dict[str, int]) -> dict[str, int]:
    return {**{u: 400 if s == 302 else s for u, s in web.items()}, **API}


ENTRIES: dict = {
    "web:exit_list": ("get", None, None, READERS),
    "web:exit_export": ("get", None, None, READERS),
    "web:exit_create": ("get", member, None, HOLDER),
    "web:exit_create POST": ("post", member, None, HOLDER_BAD_INPUT),
    "web:exit_detail": ("get", proposed, None, VISIBLE),
    "web:exit_detail APPROVED": ("get", approved, None, VISIBLE),
    "web:exit_approve": ("post", proposed, None, DECIDERS_WEB),
    "web:exit_return": ("post", proposed, None, DECIDERS_WEB),
    "web:exit_reverse": ("post", approved, None, DECIDERS_WEB),
    "web:exit_attachment": ("get", attachment, None, VISIBLE),
    "member-exit-list": ("get", None, None, {**READERS, **API}),
    "member-exit-list POST": ("post", None, {"kind": "death"}, {**EDITORS_BAD_INPUT, **API}),
    "member-exit-detail": ("get", proposed, None, {**VISIBLE, **API}),
    "member-exit-approve": ("post", proposed, {}, {**api_step(DECIDERS_WEB), "city": 200}),
    "member-exit-return": ("post", proposed, {}, api_step(DECIDERS_WEB)),
    "member-exit-reverse": ("post", approved, {}, api_step(DECIDERS_WEB)),
}

"""Permission matrix entries for 组织关系转接与流动党员 (merged into tests/test_permission_matrix.py's MATRIX).

The world: the cast's branch (南京东路, its secretary) and a branch in 外滩. A transfer belongs to
both its ends: readers of either party organization see it (黄浦's auditor too), 徐汇 and the
lawyers' committee get 404. The sending side's committee (南京东路, 黄浦, the city) reviews; the
receiving side (外滩 or the branch, with the committees above) accepts; anyone else who sees the
transfer gets 403. Web steps answer 302 whether they succeed or are refused with a message; API
bodies are invalid on purpose (a future date, a missing reason) so those allowed get 400 and
nothing changes between users.
"""

from liangxin.accounts.scoping import scope_for

from .party_helpers import make_member, make_party_org

USERS = ["anon", "city", "huangpu", "xuhui", "nanjing", "waitan", "lawyers", "auditor", "secretary", "nobody"]
API = {"anon": 401}
FUTURE = "2999-01-01"


def table(default: int, anon: int = 302, **overrides) -> dict[str, int]:
    out = {u: default for u in USERS}
    out["anon"] = anon
    out.update(overrides)
    return out


READERS = table(200, nobody=403)  # party readers: every admin, the auditor, the secretary
EDITORS = table(200, auditor=403, nobody=403)  # may start a transfer or register a floating member
BOTH_ENDS = table(200, xuhui=404, lawyers=404, nobody=403)  # a transfer 南京东路 ↔ 外滩
HOLDER_ONLY = table(200, xuhui=404, waitan=404, lawyers=404, auditor=403, nobody=403)  # the branch's member
EDITORS_BAD_INPUT = {u: 400 if s == 200 else s for u, s in EDITORS.items()}  # an empty form: refused in Chinese


def waitan_branch(c):
    return make_party_org(c, name="外滩餐饮管理有限公司党支部", parent=c.waitan_node, covered=[c.waitan_org])


def _services():
    from liangxin.transfers import services

    return services


def outgoing(c, reviewed: bool = False) -> dict:
    """The branch's secretary sends 王红 to 外滩 (waits for 南京东路's review, or reviewed)."""
    services = _services()
    target = waitan_branch(c)
    transfer = services.initiate(c.secretary, scope_for(c.secretary), c.member, kind="internal", to_party_org=target,
                                 issued_on=_today(), reason="工作调动")  # fmt: skip
    if reviewed:
        services.review(c.street_admin, scope_for(c.street_admin), transfer)
    return {"pk": transfer.pk}


def outgoing_reviewed(c) -> dict:
    return outgoing(c, reviewed=True)


def incoming(c) -> dict:
    """外滩's committee sends one of its members to the branch (no review needed: a committee started it)."""
    services = _services()
    source = waitan_branch(c)
    member = make_member(c, source, name="李明", employer=c.waitan_org)
    scope = scope_for(c.other_street_admin)
    transfer = services.initiate(c.other_street_admin, scope, member, kind="internal", to_party_org=c.branch,
                                 issued_on=_today())  # fmt: skip
    return {"pk": transfer.pk}


def floating(c) -> dict:
    """王红 flows out to 外滩, whose branch manages her there (流入地为主)."""
    services = _services()
    target = waitan_branch(c)
    services.register_outflow(c.city_admin, scope_for(c.city_admin), c.member, card_no="3101012024000001",
                              inflow_place="上海市黄浦区外滩街道", inflow_party_org=target)  # fmt: skip
    return {"pk": c.member.pk}


def member_query(c) -> dict:
    return {"?": {"member": str(c.member.pk)}}


def _today():
    from django.utils import timezone

    return timezone.localdate()


# review: the sending side's committee only; accept: the receiving end only; return: either of those
REVIEWERS_WEB = {**BOTH_ENDS, "city": 302, "huangpu": 302, "nanjing": 302, "waitan": 403, "auditor": 403,
                 "secretary": 403}  # fmt: skip
RECEIVERS_WEB = {**BOTH_ENDS, "city": 302, "huangpu": 302, "waitan": 302, "nanjing": 403, "auditor": 403,
                 "secretary": 403}  # fmt: skip
RETURNERS_WEB = {**RECEIVERS_WEB, "nanjing": 302}
INTO_BRANCH_WEB = {**BOTH_ENDS, "city": 302, "huangpu": 302, "nanjing": 302, "secretary": 302, "waitan": 403,
                   "auditor": 403}  # fmt: skip


def api_step(web: dict[str, int]) -> dict[str, int]:
    """The same people through the API with an invalid body: 400 where the web step answered 302."""
    return {**{u: 400 if s == 302 else s for u, s in web.items()}, **API}


FLOATING_VIEW = BOTH_ENDS  # the holding side (南京东路 and above) and the inflow side (外滩)
CENSUS_WEB = {**FLOATING_VIEW, "city": 400, "huangpu": 400, "nanjing": 400, "waitan": 400, "secretary": 400,
              "auditor": 403}  # fmt: skip
END_WEB = {**FLOATING_VIEW, "city": 302, "huangpu": 302, "nanjing": 302, "secretary": 302, "waitan": 403,
           "auditor": 403}  # fmt: skip

# the Word forms: the letter for whoever sees the transfer, the card for whoever sees the member's
# record (the holding side: the inflow side 外滩 gets 404 like the member page); where the record has
# no form, a page answers 302 back to the record with the reason, the API 409
MEMBER_VIEW = {**HOLDER_ONLY, "auditor": 200}
REFUSED_WEB = {u: 302 if s == 200 else s for u, s in BOTH_ENDS.items()}
REFUSED_API = {**{u: 409 if s == 200 else s for u, s in BOTH_ENDS.items()}, **API}


def not_floating(c) -> dict:
    return {"pk": c.member.pk}


ENTRIES: dict = {
    "web:transfers_list": ("get", None, None, READERS),
    "web:transfers_export": ("get", None, None, READERS),
    "web:transfers_due": ("get", None, None, READERS),
    "web:transfers_create": ("get", None, None, EDITORS),
    "web:transfers_create MEMBER": ("get", member_query, None, HOLDER_ONLY),
    "web:transfers_create POST": ("post", None, None, EDITORS_BAD_INPUT),
    "web:transfers_create_in": ("get", None, None, EDITORS),
    "web:transfers_create_in POST": ("post", None, None, EDITORS_BAD_INPUT),
    "web:transfers_detail": ("get", outgoing, None, BOTH_ENDS),
    "web:transfers_detail INCOMING": ("get", incoming, None, BOTH_ENDS),
    "web:transfers_review": ("post", outgoing, None, REVIEWERS_WEB),
    "web:transfers_accept": ("post", outgoing_reviewed, None, RECEIVERS_WEB),
    "web:transfers_accept INCOMING": ("post", incoming, None, INTO_BRANCH_WEB),
    "web:transfers_return": ("post", outgoing_reviewed, None, RETURNERS_WEB),
    "web:transfers_letter": ("get", outgoing_reviewed, None, BOTH_ENDS),
    "web:transfers_letter UNREVIEWED": ("get", outgoing, None, REFUSED_WEB),
    "web:member_floating_card": ("get", floating, None, MEMBER_VIEW),
    "web:member_floating_card NOT_FLOATING": (
        "get",
        not_floating,
        None,
        {u: 302 if s == 200 else s for u, s in MEMBER_VIEW.items()},
    ),
    "web:transfers_floating": ("get", None, None, READERS),
    "web:transfers_floating_export": ("get", None, None, READERS),
    "web:transfers_floating_outflow": ("get", None, None, EDITORS),
    "web:transfers_floating_outflow MEMBER": ("get", member_query, None, HOLDER_ONLY),
    "web:transfers_floating_outflow POST": ("post", None, None, EDITORS_BAD_INPUT),
    "web:transfers_floating_inflow": ("get", None, None, EDITORS),
    "web:transfers_floating_inflow POST": ("post", None, None, EDITORS_BAD_INPUT),
    "web:transfers_floating_detail": ("get", floating, None, FLOATING_VIEW),
    "web:transfers_floating_census": ("post", floating, None, CENSUS_WEB),
    "web:transfers_floating_end": ("post", floating, None, END_WEB),
    # the API: the same people, bodies invalid on purpose (see the module's docstring)
    "transfers-list": ("get", None, None, {**READERS, **API}),
    "transfers-list POST": ("post", None, {"kind": "internal"}, {**EDITORS_BAD_INPUT, **API}),
    "transfers-detail": ("get", outgoing, None, {**BOTH_ENDS, **API}),
    "transfers-review": ("post", outgoing, {"on": FUTURE}, api_step(REVIEWERS_WEB)),
    "transfers-accept": ("post", outgoing_reviewed, {"on": FUTURE}, api_step(RECEIVERS_WEB)),
    "transfers-accept INCOMING": ("post", incoming, {"on": FUTURE}, api_step(INTO_BRANCH_WEB)),
    "transfers-return": ("post", outgoing_reviewed, {}, api_step(RETURNERS_WEB)),
    "transfers-letter": ("get", outgoing_reviewed, None, {**BOTH_ENDS, **API}),
    "transfers-letter UNREVIEWED": ("get", outgoing, None, REFUSED_API),
    "member-floating-card": ("get", floating, None, {**MEMBER_VIEW, **API}),
    "member-floating-card NOT_FLOATING": (
        "get",
        not_floating,
        None,
        {**{u: 409 if s == 200 else s for u, s in MEMBER_VIEW.items()}, **API},
    ),
    "transfers-floating-list": ("get", None, None, {**READERS, **API}),
    "transfers-floating-list POST": ("post", None, {"kind": "outflow"}, {**EDITORS_BAD_INPUT, **API}),
    "transfers-floating-detail": ("get", floating, None, {**FLOATING_VIEW, **API}),
    "transfers-floating-census": (
        "post",
        floating,
        {"confirmed_on": FUTURE, "location": "外滩"},
        api_step({u: 302 if s == 400 else s for u, s in CENSUS_WEB.items()}),
    ),
    "transfers-floating-end": ("post", floating, {}, api_step(END_WEB)),
}

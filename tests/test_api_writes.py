# ruff: noqa: E501 (CASES is a table: one endpoint a row)
"""Every write of the API goes through the same service as the page, and so leaves its audit
entry: one case per POST/PUT/PATCH/DELETE route of the API. A route added without a case here
fails ``test_every_write_endpoint_has_a_case``."""

import datetime
import io

import pytest
from django.utils import timezone
from drf_spectacular.generators import EndpointEnumerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from liangxin.core.dates import add_months
from liangxin.core.models import AuditEntry
from liangxin.imports.models import ImportJob
from liangxin.inbox.models import Notice
from liangxin.party.models import Member
from liangxin.portal import reports
from liangxin.portal.models import InfoReport

from .conftest import CODES
from .party_helpers import id_number, make_instructor, make_party_org
from .test_permission_matrix import MATRIX

# the permission matrix's objects (a branch applicant, a plan, meetings, transfers, a floating member)
branch_applicant = MATRIX["develop-applicant-detail"][1]
nanjing_quota = MATRIX["develop-quota-detail"][1]
planned, held = MATRIX["life-meeting-detail PATCH"][1], MATRIX["life-meeting-detail"][1]
outgoing, outgoing_reviewed = MATRIX["transfers-detail"][1], MATRIX["transfers-accept"][1]
floating = MATRIX["transfers-floating-detail"][1]
nanjing_policy = MATRIX["policy-document-detail"][1]
public_question = MATRIX["question-answer"][1]
private_answer = MATRIX["qa-answer-detail"][1]
nanjing_prompt = MATRIX["content-prompt-detail"][1]
duty_draft, duty_submitted = MATRIX["duty-report-detail PATCH"][1], MATRIX["duty-report-detail"][1]
huangpu_template, template_assignment = MATRIX["report-template-detail"][1], MATRIX["report-assignment-template"][1]
POLICY = {"title": "关于做好两个覆盖工作的通知", "number": "黄社工委〔2025〕3号", "issuer": "南京东路街道综合党委",
          "issued_on": "2025-03-01", "category": "street", "body": "请各党组织做好两个覆盖工作。"}  # fmt: skip
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

TODAY = timezone.localdate()
LAST_MONTH = f"{add_months(TODAY, -1):%Y-%m}"


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _with_dues_base(c) -> int:
    """The member's dues base is set (so a month's amount due is known), as on the dues page first."""
    Member.objects.filter(pk=c.member.pk).update(dues_base=5000)
    return c.member.pk


def duty_written(c) -> dict:
    """南京东路's draft with its three sections written (ready to submit)."""
    from liangxin.duty_reports import services

    report = services.create(c.street_admin, c.nanjing_node, TODAY.year)
    services.update_text(
        c.street_admin, report, {"practice": "抓覆盖。", "problems": "空白点多。", "plans": "补空白。"}
    )
    return {"pk": report.pk}


def _pk(builder):
    return lambda c: builder(c)["pk"]


def _read(c, user, url) -> dict:
    return api(user).get(url).json()


# "METHOD path" → (actor attribute, url builder, body builder); a body may be "multipart:" + dict
def _applicant(c):
    return branch_applicant(c)["pk"]


def _assigned(c):
    instructor = make_instructor(c)
    from liangxin.party import services

    services.assign_instructor(c.city_admin, instructor, c.org, TODAY)
    return instructor


def _segment(c) -> int:
    """A segment (常用发送对象) the street admin saved from the organization list."""
    return MATRIX["message-segment-detail"][1](c)["pk"]


def _message(c, state="draft", sender=None) -> int:
    """A message of 南京东路's committee to its members (sent by the street admin unless named)."""
    from liangxin.messaging.models import Message

    return Message.objects.create(
        title="通知",
        body="<p>正文</p>",
        sender=sender or c.street_admin,
        node=c.nanjing_node,
        state=state,
        target={"nodes": [{"id": c.nanjing_node.pk}], "people": ["members"]},
    ).pk


def _received(c) -> int:
    """A message delivered to the street admin's inbox, asking for a short reply."""
    from liangxin.messaging.models import Delivery, Message

    message = Message.objects.get(pk=_message(c, "done", sender=c.district_admin))
    Message.objects.filter(pk=message.pk).update(reply_kind="text")
    return Delivery.objects.create(
        message=message,
        recipient_key=f"user:{c.street_admin.pk}",
        user=c.street_admin,
        channel="inbox",
        state="delivered",
        idempotency_key=f"lx-api-{message.pk}",
    ).pk


def _exit(c, approved=False) -> int:
    """A proposed (or approved) 党员减少 record of the branch's member."""
    from liangxin.accounts.scoping import scope_for
    from liangxin.party import exits

    values = {"kind": "death", "on": TODAY - datetime.timedelta(days=3), "reason": "病故"}
    record = exits.propose(c.secretary, scope_for(c.secretary), c.member, values, ())
    if approved:
        exits.approve(c.street_admin, scope_for(c.street_admin), record)
    return record.pk


CASES = {
    "POST /api/v1/organizations/{pk}/opt-out/": ("street_admin", lambda c: f"/api/v1/organizations/{c.org.pk}/opt-out/",
                                                 lambda c, u: {"channel": "sms", "opt_out": True}),
    "POST /api/v1/members/{pk}/opt-out/": ("street_admin", lambda c: f"/api/v1/members/{c.member.pk}/opt-out/",
                                           lambda c, u: {"channel": "email", "opt_out": True}),
    "POST /api/v1/develop/applicants/": ("city_admin", lambda c: "/api/v1/develop/applicants/", lambda c, u: {
        "name": "赵敏", "id_number": id_number("19990101"), "party_org": c.branch.pk,
        "applied_on": str(TODAY - datetime.timedelta(days=10))}),
    "PUT /api/v1/develop/applicants/{pk}/": ("city_admin", lambda c: f"/api/v1/develop/applicants/{_applicant(c)}/",
                                             lambda c, u: {**_read(c, c.city_admin, u), "phone": "13800000001"}),
    "PATCH /api/v1/develop/applicants/{pk}/": ("city_admin", lambda c: f"/api/v1/develop/applicants/{_applicant(c)}/",
                                               lambda c, u: {"phone": "13800000002"}),
    "POST /api/v1/develop/applicants/{pk}/steps/": (
        "city_admin", lambda c: f"/api/v1/develop/applicants/{_applicant(c)}/steps/",
        lambda c, u: {"step": "talk", "on": str(TODAY - datetime.timedelta(days=1))}),
    "POST /api/v1/develop/quotas/": ("city_admin", lambda c: "/api/v1/develop/quotas/",
                                     lambda c, u: {"node": c.nanjing_node.pk, "year": TODAY.year, "quota": 3}),
    "PUT /api/v1/develop/quotas/{pk}/": ("city_admin", lambda c: f"/api/v1/develop/quotas/{_pk(nanjing_quota)(c)}/",
                                         lambda c, u: {"node": c.nanjing_node.pk, "year": TODAY.year, "quota": 5}),
    "PATCH /api/v1/develop/quotas/{pk}/": ("city_admin",
                                           lambda c: f"/api/v1/develop/quotas/{_pk(nanjing_quota)(c)}/",
                                           lambda c, u: {"quota": 4}),
    "POST /api/v1/dues/payments/": ("city_admin", lambda c: "/api/v1/dues/payments/", lambda c, u: {
        "member": _with_dues_base(c), "month": LAST_MONTH, "amount_paid": "10", "paid_on": str(TODAY)}),
    "POST /api/v1/dues/payments/bulk/": ("city_admin", lambda c: "/api/v1/dues/payments/bulk/", lambda c, u: {
        "party_org": c.branch.pk, "month": LAST_MONTH, "paid_on": str(TODAY),
        "entries": [{"member": _with_dues_base(c), "amount_paid": "10"}]}),
    "PUT /api/v1/dues/profiles/{pk}/": ("city_admin", lambda c: f"/api/v1/dues/profiles/{c.member.pk}/",
                                        lambda c, u: {"dues_base": "5000", "category": "employed"}),
    "PATCH /api/v1/dues/profiles/{pk}/": ("city_admin", lambda c: f"/api/v1/dues/profiles/{c.member.pk}/",
                                          lambda c, u: {"dues_base": "6000"}),
    "POST /api/v1/floating-members/": ("city_admin", lambda c: "/api/v1/floating-members/", lambda c, u: {
        "kind": "outflow", "member": c.member.pk, "card_no": "3101012024000009", "inflow_place": "上海市黄浦区外滩街道"}),
    "POST /api/v1/floating-members/{pk}/census/": (
        "city_admin", lambda c: f"/api/v1/floating-members/{_pk(floating)(c)}/census/",
        lambda c, u: {"location": "外滩街道", "contact_ok": True}),
    "POST /api/v1/floating-members/{pk}/end/": (
        "city_admin", lambda c: f"/api/v1/floating-members/{_pk(floating)(c)}/end/",
        lambda c, u: {"reason": "已返回"}),
    "POST /api/v1/imports/": ("district_admin", lambda c: "/api/v1/imports/", lambda c, u: (
        "multipart", {"kind": "organizations", "file": _csv(), "dry_run": "true"})),
    "POST /api/v1/inbox/{pk}/read/": ("district_admin", lambda c: f"/api/v1/inbox/{_notice(c)}/read/", lambda c, u: {}),
    "POST /api/v1/life/meetings/": ("city_admin", lambda c: "/api/v1/life/meetings/", lambda c, u: {
        "party_org": c.branch.pk, "kind": "theme_day", "status": "planned", "topic": "学习党章", "place": "会议室",
        "date": str(TODAY + datetime.timedelta(days=7))}),
    "PUT /api/v1/life/meetings/{pk}/": ("city_admin", lambda c: f"/api/v1/life/meetings/{_pk(planned)(c)}/",
                                        lambda c, u: {"kind": "theme_day", "status": "planned", "topic": "学习新党章",
                                                      "place": "会议室", "date": str(TODAY + datetime.timedelta(days=9))}),
    "PATCH /api/v1/life/meetings/{pk}/": ("city_admin",
                                          lambda c: f"/api/v1/life/meetings/{_pk(planned)(c)}/",
                                          lambda c, u: {"topic": "学习新党章"}),
    "POST /api/v1/life/meetings/{pk}/attachments/": (
        "city_admin", lambda c: f"/api/v1/life/meetings/{_pk(held)(c)}/attachments/",
        lambda c, u: ("multipart", {"files": [_png()]})),
    "POST /api/v1/members/": ("city_admin", lambda c: "/api/v1/members/", lambda c, u: {
        "name": "李明", "id_number": id_number("19880808"), "party_org": c.branch.pk, "category": "full",
        "joined_on": "2010-07-01", "full_on": "2011-07-01", "employer": c.org.pk}),
    "PUT /api/v1/members/{pk}/": ("city_admin", lambda c: f"/api/v1/members/{c.member.pk}/",
                                  lambda c, u: {**_read(c, c.city_admin, u), "phone": "13800000003"}),
    "PATCH /api/v1/members/{pk}/": ("city_admin", lambda c: f"/api/v1/members/{c.member.pk}/",
                                    lambda c, u: {"phone": "13800000004"}),
    "POST /api/v1/organizations/": ("street_admin", lambda c: "/api/v1/organizations/", lambda c, u: {
        "name": "上海接口测试有限公司", "credit_code": CODES[3], "kind": "private", "industry": "C", "employees": 12,
        "operating_region": "310101002"}),
    "PUT /api/v1/organizations/{pk}/": ("city_admin", lambda c: f"/api/v1/organizations/{c.org.pk}/",
                                        lambda c, u: _without_nulls({**_read(c, c.city_admin, u), "employees": 130})),
    "PATCH /api/v1/organizations/{pk}/": ("city_admin", lambda c: f"/api/v1/organizations/{c.org.pk}/",
                                          lambda c, u: {"employees": 131}),
    "POST /api/v1/party-organizations/": ("city_admin", lambda c: "/api/v1/party-organizations/", lambda c, u: {
        "name": "接口新建党支部", "parent": c.nanjing_node.pk, "org_type": "branch", "setup_mode": "single",
        "covers": []}),
    "PUT /api/v1/party-organizations/{pk}/": (
        "city_admin", lambda c: f"/api/v1/party-organizations/{c.branch.pk}/",
        lambda c, u: _without_nulls({**_read(c, c.city_admin, u), "name": "嘉信党支部"})),
    "PATCH /api/v1/party-organizations/{pk}/": ("city_admin", lambda c: f"/api/v1/party-organizations/{c.branch.pk}/",
                                                lambda c, u: {"approval_doc_no": "沪委〔2024〕1号"}),
    "POST /api/v1/transfers/": ("secretary", lambda c: "/api/v1/transfers/", lambda c, u: {
        "kind": "internal", "member": c.member.pk, "to_party_org": make_party_org(c, name="外滩党支部", parent=c.waitan_node, covered=[c.waitan_org]).pk,
        "reason": "工作调动"}),
    "POST /api/v1/transfers/{pk}/review/": (
        "street_admin", lambda c: f"/api/v1/transfers/{_pk(outgoing)(c)}/review/", lambda c, u: {}),
    "POST /api/v1/transfers/{pk}/accept/": (
        "other_street_admin", lambda c: f"/api/v1/transfers/{_pk(outgoing_reviewed)(c)}/accept/",
        lambda c, u: {}),
    "POST /api/v1/transfers/{pk}/return/": (
        "other_street_admin", lambda c: f"/api/v1/transfers/{_pk(outgoing_reviewed)(c)}/return/",
        lambda c, u: {"reason": "介绍信信息有误"}),
    "POST /api/v1/instructors/": ("street_admin", lambda c: "/api/v1/instructors/",
                                  lambda c, u: {"name": "王指导", "node": c.nanjing_node.pk, "phone": "13800000005"}),
    "POST /api/v1/instructors/{pk}/assign/": ("street_admin", lambda c: f"/api/v1/instructors/{make_instructor(c).pk}/assign/",
                                              lambda c, u: {"organization": c.org.pk}),
    "POST /api/v1/instructors/{pk}/end-assignment/": (
        "street_admin", lambda c: f"/api/v1/instructors/{_assigned(c).pk}/end-assignment/",
        lambda c, u: {"assignment": c.org.instructor_assignments.get(end_on__isnull=True).pk}),
    "POST /api/v1/member-exits/": ("secretary", lambda c: "/api/v1/member-exits/",
                                   lambda c, u: {"member": c.member.pk, "kind": "withdrew", "on": str(TODAY), "reason": "本人书面申请退党"}),
    "POST /api/v1/member-exits/{pk}/approve/": ("street_admin", lambda c: f"/api/v1/member-exits/{_exit(c)}/approve/", lambda c, u: {}),
    "POST /api/v1/member-exits/{pk}/return/": ("street_admin", lambda c: f"/api/v1/member-exits/{_exit(c)}/return/",
                                              lambda c, u: {"reason": "缺本人申请书"}),
    "POST /api/v1/member-exits/{pk}/reverse/": ("street_admin", lambda c: f"/api/v1/member-exits/{_exit(c, approved=True)}/reverse/",
                                               lambda c, u: {"reason": "本人撤回申请"}),
    "POST /api/v1/message-segments/": ("street_admin", lambda c: "/api/v1/message-segments/",
                                       lambda c, u: {"name": "未覆盖组织", "source": "organizations", "query": "coverage=none"}),
    "DELETE /api/v1/message-segments/{pk}/": ("street_admin", lambda c: f"/api/v1/message-segments/{_segment(c)}/", lambda c, u: None),
    "POST /api/v1/messages/": ("street_admin", lambda c: "/api/v1/messages/",
                               lambda c, u: {"title": "通知", "body": "请参加", "target": {"nodes": [{"id": c.nanjing_node.pk}], "people": ["members"]}}),
    "POST /api/v1/messages/preview/": ("street_admin", lambda c: "/api/v1/messages/preview/",
                                       lambda c, u: {"target": {"nodes": [{"id": c.nanjing_node.pk}], "people": ["members"]}}),
    "POST /api/v1/messages/{pk}/send/": ("street_admin", lambda c: f"/api/v1/messages/{_message(c)}/send/", lambda c, u: {}),
    "POST /api/v1/messages/{pk}/approve/": ("street_admin", lambda c: f"/api/v1/messages/{_message(c, 'pending', c.city_admin)}/approve/", lambda c, u: {}),
    "POST /api/v1/messages/{pk}/reject/": ("street_admin", lambda c: f"/api/v1/messages/{_message(c, 'pending', c.city_admin)}/reject/",
                                           lambda c, u: {"reason": "范围过大"}),
    "POST /api/v1/messages/{pk}/recall/": ("street_admin", lambda c: f"/api/v1/messages/{_message(c, 'done')}/recall/", lambda c, u: {}),
    "POST /api/v1/messages/{pk}/remind/": ("street_admin", lambda c: f"/api/v1/messages/{_message(c, 'done')}/remind/", lambda c, u: {}),
    "POST /api/v1/messages/{pk}/attachments/": ("street_admin", lambda c: f"/api/v1/messages/{_message(c)}/attachments/",
                                                lambda c, u: ("multipart", {"files": [_png()]})),
    "DELETE /api/v1/messages/{pk}/attachments/{attachment_pk}/": ("street_admin", lambda c: _draft_file_url(c), lambda c, u: None),
    "POST /api/v1/received-messages/{pk}/reply/": ("street_admin", lambda c: f"/api/v1/received-messages/{_received(c)}/reply/",
                                                   lambda c, u: {"reply": "收到"}),
    "POST /api/v1/policy-documents/": ("street_admin", lambda c: "/api/v1/policy-documents/",
                                       lambda c, u: {**POLICY, "node": c.nanjing_node.pk}),
    "PUT /api/v1/policy-documents/{pk}/": ("street_admin", lambda c: f"/api/v1/policy-documents/{_pk(nanjing_policy)(c)}/",
                                           lambda c, u: {**POLICY, "title": "关于做好两个覆盖工作的补充通知"}),
    "PATCH /api/v1/policy-documents/{pk}/": ("street_admin", lambda c: f"/api/v1/policy-documents/{_pk(nanjing_policy)(c)}/",
                                             lambda c, u: {"to_everyone": True}),
    "DELETE /api/v1/policy-documents/{pk}/": ("street_admin", lambda c: f"/api/v1/policy-documents/{_pk(nanjing_policy)(c)}/",
                                              lambda c, u: None),
    "POST /api/v1/duty-reports/": ("street_admin", lambda c: "/api/v1/duty-reports/", lambda c, u: {"year": TODAY.year}),
    "PATCH /api/v1/duty-reports/{pk}/": ("street_admin", lambda c: f"/api/v1/duty-reports/{_pk(duty_draft)(c)}/",
                                         lambda c, u: {"practice": "<p>抓覆盖。</p>"}),
    "POST /api/v1/duty-reports/{pk}/refresh/": ("street_admin", lambda c: f"/api/v1/duty-reports/{_pk(duty_draft)(c)}/refresh/",
                                                lambda c, u: {}),
    "POST /api/v1/duty-reports/{pk}/submit/": ("street_admin", lambda c: f"/api/v1/duty-reports/{_pk(duty_written)(c)}/submit/",
                                               lambda c, u: {}),
    "POST /api/v1/duty-reports/{pk}/review/": ("district_admin", lambda c: f"/api/v1/duty-reports/{_pk(duty_submitted)(c)}/review/",
                                               lambda c, u: {"decision": "return", "comment": "请补充空白点消除情况"}),
    "POST /api/v1/questions/": ("secretary", lambda c: "/api/v1/questions/",
                                lambda c, u: {"title": "党费按什么基数交纳？", "text": "工资每月变动。", "is_public": False}),
    "POST /api/v1/questions/{pk}/answer/": ("street_admin", lambda c: f"/api/v1/questions/{_pk(public_question)(c)}/answer/",
                                            lambda c, u: {"text": "按月交纳。", "official": True}),
    "POST /api/v1/questions/{pk}/moderate/": ("street_admin", lambda c: f"/api/v1/questions/{_pk(public_question)(c)}/moderate/",
                                              lambda c, u: {"action": "hide", "note": "含有个人信息"}),
    "PATCH /api/v1/question-answers/{pk}/": ("street_admin", lambda c: f"/api/v1/question-answers/{_pk(private_answer)(c)}/",
                                             lambda c, u: {"official": True}),
    "POST /api/v1/question-answers/{pk}/withdraw/": ("street_admin", lambda c: f"/api/v1/question-answers/{_pk(private_answer)(c)}/withdraw/",
                                                     lambda c, u: {"note": "答复有误"}),
    "POST /api/v1/content-prompts/{pk}/withdraw/": ("street_admin", lambda c: f"/api/v1/content-prompts/{_pk(nanjing_prompt)(c)}/withdraw/",
                                                    lambda c, u: {"reason": "主题有误"}),
    "POST /api/v1/report-tasks/": ("district_admin", lambda c: "/api/v1/report-tasks/", lambda c, u: _report_task_body()),
    "POST /api/v1/report-tasks/{pk}/remind/": ("district_admin", lambda c: f"/api/v1/report-tasks/{_report_task(c)}/remind/", lambda c, u: {}),
    "POST /api/v1/report-tasks/{pk}/close/": ("district_admin", lambda c: f"/api/v1/report-tasks/{_report_task(c)}/close/", lambda c, u: {}),
    "POST /api/v1/report-tasks/{pk}/return/": ("district_admin", lambda c: f"/api/v1/report-tasks/{_report_task(c, submitted=True)}/return/",
                                               lambda c, u: {"assignment": c.nanjing_assignment, "reason": "请核实"}),
    "POST /api/v1/report-assignments/{pk}/rollup/": ("district_admin", lambda c: f"/api/v1/report-assignments/{_rolled_up(c)}/rollup/",
                                                     lambda c, u: {"source": c.report_task.pk}),
    "POST /api/v1/report-templates/": ("district_admin", lambda c: "/api/v1/report-templates/",
                                       lambda c, u: ("multipart", {"node": c.huangpu_node.pk, "name": "活动清单",
                                                                   "file": _xlsx([["活动名称", "参加人数"]])})),
    "POST /api/v1/report-templates/{pk}/columns/": ("district_admin", lambda c: f"/api/v1/report-templates/{_pk(huangpu_template)(c)}/columns/",
                                                    lambda c, u: {"columns": {"c1": {"kind": "text", "required": True},
                                                                              "c2": {"kind": "number", "required": True}}}),
    "POST /api/v1/report-assignments/{pk}/workbook/": ("street_admin", lambda c: f"/api/v1/report-assignments/{_pk(template_assignment)(c)}/workbook/",
                                                       lambda c, u: ("multipart", {"workbook": _filled(c)})),
    "POST /api/v1/report-assignments/{pk}/submit/": ("street_admin", lambda c: f"/api/v1/report-assignments/{_nanjing_assignment(c)}/submit/",
                                                     lambda c, u: {"values": {"new_party_orgs": "1", "progress": "按计划推进"}}),
}  # fmt: skip

# 通知下达: the district's notice to its streets (tests/matrix_circulars.py), 南京东路's copy of it
circular_sent, nanjing_receipt = MATRIX["circular-detail"][1], MATRIX["circular-receipt-detail"][1]
CASES.update({
    "POST /api/v1/circulars/": ("district_admin", lambda c: "/api/v1/circulars/", lambda c, u: {
        "node": c.huangpu_node.pk, "title": "接口下发的通知", "body": "请各街道落实。", "mode": "children"}),
    "POST /api/v1/circulars/{pk}/remind/": (
        "district_admin", lambda c: f"/api/v1/circulars/{_pk(circular_sent)(c)}/remind/", lambda c, u: {}),
    "POST /api/v1/circular-receipts/{pk}/sign/": (
        "street_admin", lambda c: f"/api/v1/circular-receipts/{_pk(nanjing_receipt)(c)}/sign/", lambda c, u: {}),
    "POST /api/v1/circular-receipts/{pk}/forward/": (
        "street_admin", lambda c: f"/api/v1/circular-receipts/{_pk(nanjing_receipt)(c)}/forward/",
        lambda c, u: {"additions": "请各支部月底前完成。", "mode": "children"}),
})  # fmt: skip

# 互动网 — 工作动态 and 信息报送 (tests/matrix_news.py): a street's item waiting for 黄浦, a branch's report at 南京东路
waiting_news, branch_report = MATRIX["news-item-approve"][1], MATRIX["info-report-adopt"][1]
published_news = MATRIX["news-item-detail"][1]


def _adopted_report(c) -> int:
    pk = _pk(branch_report)(c)
    reports.adopt(c.street_admin, InfoReport.objects.get(pk=pk), "normal")
    return pk


CASES.update({
    "POST /api/v1/news/": ("street_admin", lambda c: "/api/v1/news/",
                           lambda c, u: ("multipart", {"node": c.nanjing_node.pk, "category": "news", "title": "街道动态",
                                                       "body": "正文", "cover": _png()})),
    "POST /api/v1/news/{pk}/approve/": ("district_admin", lambda c: f"/api/v1/news/{_pk(waiting_news)(c)}/approve/", lambda c, u: {}),
    "POST /api/v1/news/{pk}/return/": ("district_admin", lambda c: f"/api/v1/news/{_pk(waiting_news)(c)}/return/",
                                       lambda c, u: {"reason": "请补充时间地点"}),
    "PATCH /api/v1/news/{pk}/": ("street_admin", lambda c: f"/api/v1/news/{_pk(waiting_news)(c)}/",
                                 lambda c, u: {"title": "改过的标题", "remove": []}),
    "DELETE /api/v1/news/{pk}/": ("street_admin", lambda c: f"/api/v1/news/{_pk(waiting_news)(c)}/", lambda c, u: None),
    "POST /api/v1/news/{pk}/withdraw/": ("district_admin", lambda c: f"/api/v1/news/{_pk(published_news)(c)}/withdraw/",
                                         lambda c, u: {"reason": "时间有误"}),
    "POST /api/v1/info-reports/": ("secretary", lambda c: "/api/v1/info-reports/",
                                   lambda c, u: {"kind": "event", "title": "主题党日", "body": "走进社区。"}),
    "POST /api/v1/info-reports/{pk}/adopt/": ("street_admin", lambda c: f"/api/v1/info-reports/{_pk(branch_report)(c)}/adopt/",
                                              lambda c, u: {"grade": "key"}),
    "POST /api/v1/info-reports/{pk}/return/": ("street_admin", lambda c: f"/api/v1/info-reports/{_pk(branch_report)(c)}/return/",
                                               lambda c, u: {"reason": "请写明参加人数"}),
    "POST /api/v1/info-reports/{pk}/pass-up/": ("street_admin", lambda c: f"/api/v1/info-reports/{_adopted_report(c)}/pass-up/", lambda c, u: {}),
    "POST /api/v1/info-reports/{pk}/publish/": ("street_admin", lambda c: f"/api/v1/info-reports/{_adopted_report(c)}/publish/",
                                                lambda c, u: {"to_everyone": False}),
})  # fmt: skip

# 考核评估 — 指标体系 (tests/matrix_assessment.py): the city's draft of 五个好, copied from the published version
assessment_published, assessment_draft = (
    MATRIX["assessment-version-detail"][1],
    MATRIX["web:assessment_version DRAFT"][1],
)
assessment_item = MATRIX["assessment-indicator-detail"][1]
LEAF = {"name": "走访群众", "weight": "50", "method": "scored", "rule_kind": "scale", "rule_params": {"max": "10"},
        "item_source": "市级设定（细化指标）", "note_required": True}  # fmt: skip


def _first_leader_item(c) -> int:
    from liangxin.assessment.models import Indicator

    return Indicator.objects.get(version_id=_pk(assessment_draft)(c), parent__name="领导班子好", order=1).pk


CASES.update({
    "POST /api/v1/assessment/versions/{pk}/indicators/": (
        "city_admin", lambda c: f"/api/v1/assessment/versions/{_pk(assessment_draft)(c)}/indicators/", lambda c, u: LEAF),
    "POST /api/v1/assessment/versions/{pk}/publish/": (
        "city_admin", lambda c: f"/api/v1/assessment/versions/{_pk(assessment_draft)(c)}/publish/", lambda c, u: {}),
    "POST /api/v1/assessment/versions/{pk}/new-draft/": (
        "city_admin", lambda c: f"/api/v1/assessment/versions/{_pk(assessment_published)(c)}/new-draft/",
        lambda c, u: {"note": "调整权重"}),
    "PATCH /api/v1/assessment/indicators/{pk}/": (
        "city_admin", lambda c: f"/api/v1/assessment/indicators/{_pk(assessment_item)(c)}/", lambda c, u: {"weight": "100", "name": "群众满意度"}),
    "DELETE /api/v1/assessment/indicators/{pk}/": (
        "city_admin", lambda c: f"/api/v1/assessment/indicators/{_pk(assessment_item)(c)}/", lambda c, u: None),
    "POST /api/v1/assessment/indicators/{pk}/move/": (
        "city_admin", lambda c: f"/api/v1/assessment/indicators/{_first_leader_item(c)}/move/", lambda c, u: {"step": 1}),
})  # fmt: skip

# 考核评估 — 考核轮次 (tests/matrix_assessment.py): the round on 五个好 over the branch, driven by the
# services to the stage each step needs
assessment_round, assessment_entry = MATRIX["assessment-round-detail"][1], MATRIX["assessment-entry-detail"][1]
assessment_score = MATRIX["assessment-score-detail"][1]


def _round_at(c, stage: str) -> int:
    """The branch's entry with the round at ``stage``: self (filled), review (submitted), confirm, published."""
    from liangxin.accounts.scoping import scope_for
    from liangxin.assessment import rounds
    from liangxin.assessment.models import RoundEntry

    entry = RoundEntry.objects.get(pk=_pk(assessment_entry)(c))
    sec, city = scope_for(c.secretary), scope_for(c.city_admin)
    for row in entry.scores.select_related("indicator").filter(indicator__method="scored"):
        rounds.save_self(c.secretary, sec, row, "8", "自评说明")
    if stage == "self":
        return entry.pk
    rounds.submit(c.secretary, sec, entry)
    rounds.advance(c.city_admin, city, entry.round)
    if stage == "review":
        return entry.pk
    rounds.pass_review(c.street_admin, scope_for(c.street_admin), entry)
    rounds.advance(c.city_admin, city, entry.round)
    if stage == "confirm":
        return entry.pk
    rounds.confirm(c.district_admin, scope_for(c.district_admin), entry)
    rounds.advance(c.city_admin, city, entry.round)
    return entry.pk


def _objection(c) -> int:
    from liangxin.accounts.scoping import scope_for
    from liangxin.assessment import rounds
    from liangxin.assessment.models import RoundEntry

    entry = RoundEntry.objects.get(pk=_round_at(c, "published"))
    return rounds.raise_objection(c.secretary, scope_for(c.secretary), entry, "有异议").pk


def _round_body(c, u) -> dict:
    from liangxin.assessment.models import IndicatorSet

    version = IndicatorSet.objects.get(code="five-good").versions.get(number=1)
    return {
        "name": "2025年度五个好",
        "version": str(version.pk),
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
    }


E = "/api/v1/assessment/entries"
CASES.update({
    "POST /api/v1/assessment/rounds/": ("city_admin", lambda c: "/api/v1/assessment/rounds/", _round_body),
    "POST /api/v1/assessment/rounds/{pk}/advance/": (
        "city_admin", lambda c: f"/api/v1/assessment/rounds/{_pk(assessment_round)(c)}/advance/", lambda c, u: {}),
    "POST /api/v1/assessment/rounds/{pk}/refresh/": (
        "city_admin", lambda c: f"/api/v1/assessment/rounds/{_pk(assessment_round)(c)}/refresh/", lambda c, u: {}),
    "POST /api/v1/assessment/entries/{pk}/submit/": ("secretary", lambda c: f"{E}/{_round_at(c, 'self')}/submit/", lambda c, u: {}),
    "POST /api/v1/assessment/entries/{pk}/return/": (
        "street_admin", lambda c: f"{E}/{_round_at(c, 'review')}/return/", lambda c, u: {"reason": "请补充材料"}),
    "POST /api/v1/assessment/entries/{pk}/pass/": ("street_admin", lambda c: f"{E}/{_round_at(c, 'review')}/pass/", lambda c, u: {}),
    "POST /api/v1/assessment/entries/{pk}/confirm/": (
        "district_admin", lambda c: f"{E}/{_round_at(c, 'confirm')}/confirm/", lambda c, u: {}),
    "POST /api/v1/assessment/entries/{pk}/object/": (
        "secretary", lambda c: f"{E}/{_round_at(c, 'published')}/object/", lambda c, u: {"text": "会议次数漏计"}),
    "POST /api/v1/assessment/scores/{pk}/self/": (
        "secretary", lambda c: f"/api/v1/assessment/scores/{_pk(assessment_score)(c)}/self/", lambda c, u: {"value": "8", "note": "好"}),
    "POST /api/v1/assessment/scores/{pk}/adjust/": (
        "street_admin", lambda c: f"/api/v1/assessment/scores/{_round_at(c, 'review') and _pk(assessment_score)(c)}/adjust/",
        lambda c, u: {"value": "6", "reason": "依据不足"}),
    "POST /api/v1/assessment/objections/{pk}/answer/": (
        "district_admin", lambda c: f"/api/v1/assessment/objections/{_objection(c)}/answer/", lambda c, u: {"answer": "维持原结果"}),
})  # fmt: skip

# Two writes record something other than an audit entry, as their pages do: reading one's own
# notice changes only that notice's read time; an upload is an import job (who, which file and
# its checksum, when), and every row the job writes is audited when it runs.
NOT_AUDITED = {
    "POST /api/v1/inbox/{pk}/read/": lambda c: Notice.objects.filter(recipient=c.district_admin, read_at__isnull=False),
    # a recipient's reply changes only their own delivery (the sender reads it, exports it)
    "POST /api/v1/received-messages/{pk}/reply/": lambda c: _replied(c),
    # the preview stores nothing: it answers how many a target reaches
    "POST /api/v1/messages/preview/": lambda c: _nothing_stored(),
    "POST /api/v1/imports/": lambda c: ImportJob.objects.filter(actor=c.district_admin),
}


def _replied(c):
    from liangxin.messaging.models import Delivery

    return Delivery.objects.filter(user=c.street_admin, reply="收到")


def _nothing_stored():
    from liangxin.messaging.models import Message

    assert not Message.objects.exists() and not AuditEntry.objects.filter(object_type__contains="信息").exists()
    return AuditEntry.objects.all()  # the cast's own entries: .exists() holds


def _report_task_body() -> dict:
    from liangxin.reporting.models import ReportForm

    return {"form": ReportForm.objects.get(name="两新组织覆盖情况月报").pk, "title": "月报", "addressee_rule": "children",
            "period_start": TODAY.replace(day=1).isoformat(), "period_end": TODAY.isoformat(),
            "deadline": (TODAY + datetime.timedelta(days=7)).isoformat()}  # fmt: skip


def _draft_file_url(c) -> str:
    from liangxin.messaging import compose
    from liangxin.messaging.models import Message

    message = Message.objects.get(pk=_message(c))
    from django.core.files.uploadedfile import SimpleUploadedFile

    (stored,) = compose.add_attachments(c.street_admin, message, [SimpleUploadedFile("合影.png", PNG)])
    return f"/api/v1/messages/{message.pk}/attachments/{stored.pk}/"


def _report_task(c, submitted: bool = False) -> int:
    """黄浦's monthly task to its streets (as the permission matrix builds it); with 南京东路's answer."""
    from liangxin.reporting import services

    MATRIX["report-task-detail"][1](c)
    c.nanjing_assignment = c.report_task.assignments.get(node=c.nanjing_node).pk
    if submitted:
        a = c.report_task.assignments.get(pk=c.nanjing_assignment)
        services.submit(c.street_admin, a, services.Answer(values={"new_party_orgs": "1", "progress": "按计划推进"}))
    return c.report_task.pk


def _rolled_up(c) -> int:
    """黄浦's assignment in the city's task of the same form, its own task answered by 南京东路."""
    from liangxin.reporting import services

    _report_task(c, submitted=True)
    task = c.report_task
    city = services.create_task(c.city_admin, c.city_node, task.form, title="全市月报", period_start=task.period_start,
                                period_end=task.period_end, deadline=task.deadline, rule="children")  # fmt: skip
    return city.assignments.get(node=c.huangpu_node).pk


def _nanjing_assignment(c) -> int:
    _report_task(c)
    return c.nanjing_assignment


def _without_nulls(data: dict) -> dict:
    return {k: v for k, v in data.items() if v is not None}


def _notice(c) -> int:
    return Notice.objects.create(recipient=c.district_admin, kind="message", title="通知").pk


def _csv():
    handle = io.BytesIO("名称,统一社会信用代码\n上海测试有限公司,91310101MA1FPX0003\n".encode())
    handle.name = "ledger.csv"
    return handle


def _xlsx(rows: list[list]) -> io.BytesIO:
    import xlsxwriter

    handle = io.BytesIO()
    book = xlsxwriter.Workbook(handle, {"in_memory": True})
    sheet = book.add_worksheet("填报")
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()
    handle.seek(0)
    handle.name = "清单.xlsx"
    return handle


def _filled(c) -> io.BytesIO:
    """南京东路's answer to 黄浦's 项目清单 (the permission matrix's template: 项目名称, 参与人数)."""
    from liangxin.reporting import workbooks

    code = workbooks.node_code(c.nanjing_node)
    return _xlsx([[*workbooks.FIXED_HEADERS, "项目名称", "参与人数"], [c.nanjing_node.name, code, "楼宇党建", 12]])


def _png():
    handle = io.BytesIO(PNG)
    handle.name = "合影.png"
    return handle


def write_endpoints() -> set[str]:
    found = set()
    for path, _, method, _ in EndpointEnumerator().get_api_endpoints():
        if method in ("POST", "PUT", "PATCH", "DELETE") and path.startswith("/api/"):
            found.add(f"{method} {path}")
    return found


def test_every_write_endpoint_has_a_case():
    assert sorted(write_endpoints() - set(CASES)) == []
    assert sorted(set(CASES) - write_endpoints()) == []


@pytest.mark.parametrize("endpoint", sorted(CASES))
def test_each_write_endpoint_leaves_its_audit_entry(party_cast, endpoint):
    c = party_cast
    method, _ = endpoint.split(" ", 1)
    actor, url_of, body_of = CASES[endpoint]
    user = getattr(c, actor)
    url = url_of(c)
    body = body_of(c, url)
    before = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    client = api(user)
    if isinstance(body, tuple):
        response = getattr(client, method.lower())(url, body[1], format="multipart")
    else:
        response = getattr(client, method.lower())(url, body, format="json")
    assert response.status_code < 300, response.content.decode()[:500]
    if endpoint in NOT_AUDITED:
        assert NOT_AUDITED[endpoint](c).exists()
        return
    entries = AuditEntry.objects.filter(id__gt=before, actor=user)
    assert entries.exists(), f"{endpoint}: no audit entry"
    assert all(e.origin.startswith("API ") for e in entries)


def _huge(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return 10**22
    if isinstance(value, list):
        return [_huge(v) for v in value]
    if isinstance(value, dict):
        return {k: _huge(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize("endpoint", sorted(e for e in CASES if e not in NOT_AUDITED))
def test_a_number_too_large_for_the_database_in_a_body_is_refused_not_a_server_error(party_cast, endpoint):
    c = party_cast
    method, _ = endpoint.split(" ", 1)
    actor, url_of, body_of = CASES[endpoint]
    url = url_of(c)
    body = body_of(c, url)
    client = api(getattr(c, actor))
    client.raise_request_exception = False
    if isinstance(body, tuple):
        response = getattr(client, method.lower())(url, body[1], format="multipart")
    else:
        response = getattr(client, method.lower())(url, _huge(body), format="json")
    assert response.status_code < 500, response.content.decode()[:300]

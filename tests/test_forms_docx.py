"""The two official forms as Word files: 中国共产党党员组织关系介绍信 (存根, 介绍信, 回执 on one A4
page) from a transfer and 流动党员活动证 from an outflow member. Each file is opened with
python-docx and read back: the record's values in each part, the page, who gets the full identity
number (and the audit entry that says so), scope (404 like the record's page) and the Chinese
refusals where the record has no form."""

import datetime
import io
import json
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.utils import timezone
from docx import Document

from liangxin.accounts.scoping import scope_for
from liangxin.core import crypto, word
from liangxin.core.models import AuditEntry
from liangxin.dues import ledger
from liangxin.dues.models import DuesPayment
from liangxin.party import services as party_services
from liangxin.party.models import PartyOrganization
from liangxin.transfers import floating_card, services
from liangxin.transfers.models import CensusRecord, Transfer

from .conftest import _user, client_for
from .party_helpers import id_number, make_member, make_party_org

TODAY = timezone.localdate
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ISSUED = datetime.date(2025, 11, 30)  # valid 3 months: through 2026-02-28, 90 days (a month end)


@pytest.fixture
def world(party_cast):
    c = party_cast
    c.waitan_branch = make_party_org(c, name="外滩餐饮管理有限公司党支部", parent=c.waitan_node, covered=[c.waitan_org])
    c.waitan_secretary = _user("waitan_secretary", "secretary", c.waitan_branch.node)
    return c


def transfer_of(c, *, reviewed: bool = True, issued_on: datetime.date = ISSUED) -> Transfer:
    """The branch's secretary sends 王红 to 外滩 (南京东路 reviews), the letter dated ``issued_on``."""
    transfer = services.initiate(c.secretary, scope_for(c.secretary), c.member, kind="internal",
                                 to_party_org=c.waitan_branch, issued_on=TODAY(), reason="工作调动")  # fmt: skip
    if reviewed:
        services.review(c.street_admin, scope_for(c.street_admin), transfer)
    Transfer.objects.filter(pk=transfer.pk).update(issued_on=issued_on)
    transfer.refresh_from_db()
    return transfer


def parts(data: bytes) -> list[str]:
    """The document's text cut at its cut lines: one string per part."""
    out, current = [], []
    for p in Document(io.BytesIO(data)).paragraphs:
        if p.text == word.CUT_LINE_TEXT:
            out.append("\n".join(current))
            current = []
        else:
            current.append(p.text)
    return [*out, "\n".join(current)]


def mm(*lengths) -> tuple:
    """Lengths in whole millimetres (Word stores twips: 210 mm reads back as 209.99…)."""
    return tuple(round(length.mm) for length in lengths)


def download(user, url):
    response = client_for(user).get(url)
    assert response.status_code == 200, getattr(response, "content", b"")[:300]
    return response, b"".join(response.streaming_content)


def letter_url(t: Transfer, api: bool = False) -> str:
    return f"/api/v1/transfers/{t.pk}/letter/" if api else f"/transfers/{t.pk}/letter.docx"


def card_url(member, api: bool = False) -> str:
    return f"/api/v1/members/{member.pk}/floating-card/" if api else f"/members/{member.pk}/floating-card.docx"


# -- 介绍信 ----------------------------------------------------------------------------------------
def test_the_letter_has_three_parts_each_with_the_records_values(world):
    c = world
    t = transfer_of(c)
    response, data = download(c.city_admin, letter_url(t))
    assert response["Content-Type"] == DOCX
    stub, letter, receipt = parts(data)
    full = crypto.decrypt(c.member.id_number_enc)
    sex = c.member.get_sex_display()
    person = f"王红同志，{sex}，35岁"  # born 1990-01-01, 35 on 2025-11-30
    for part in (stub, letter):
        assert person in part
        assert f"公民身份号码{full}" in part
        assert "由上海嘉信信息科技有限公司党支部转到外滩餐饮管理有限公司党支部" in part
        assert "系中共正式党员" in part
        assert "有效期90天（至2026年2月28日）" in part
    for part in (stub, letter, receipt):
        assert f"第 {t.letter_no} 号" in part
    assert stub.startswith("中国共产党党员组织关系介绍信（存根）")
    assert "开具日期：2025年11月30日" in stub
    assert letter.startswith("中国共产党党员组织关系介绍信\n")
    assert "外滩餐饮管理有限公司党支部：" in letter  # addressed to the receiving side
    assert "南京东路街道综合党委（盖章）\n2025年11月30日" in letter  # issued by the reviewing committee
    assert receipt.startswith("中国共产党党员组织关系介绍信（回执）")
    assert "南京东路街道综合党委：" in receipt  # sent back to the issuer
    assert "王红同志的党员组织关系已转达我处，特此回执。" in receipt
    assert "外滩餐饮管理有限公司党支部（盖章）" in receipt
    assert full not in receipt


def test_the_letter_is_one_a4_page_with_its_margins(world):
    _, data = download(world.city_admin, letter_url(transfer_of(world)))
    document = Document(io.BytesIO(data))
    assert len(document.sections) == 1
    s = document.sections[0]
    assert mm(s.page_width, s.page_height) == (210, 297)  # A4 portrait
    assert mm(s.top_margin, s.bottom_margin, s.left_margin, s.right_margin) == (15, 15, 20, 20)
    assert 'w:type="page"' not in document.element.xml  # no page break: the three parts share the page
    assert [p.text for p in document.paragraphs].count(word.CUT_LINE_TEXT) == 2


def test_the_body_text_is_set_in_fangsong_on_the_east_asian_slot(world):
    _, data = download(world.city_admin, letter_url(transfer_of(world)))
    document = Document(io.BytesIO(data))
    body = next(p for p in document.paragraphs if "请接转组织关系" in p.text)
    fonts = body.runs[0]._element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "仿宋_GB2312"


@pytest.mark.parametrize(("issued_on", "age"), [(datetime.date(2025, 12, 31), 35), (datetime.date(2026, 1, 1), 36)])
def test_the_age_is_counted_on_the_issue_date(world, issued_on, age):
    stub = parts(download(world.city_admin, letter_url(transfer_of(world, issued_on=issued_on)))[1])[0]
    assert f"王红同志，{world.member.get_sex_display()}，{age}岁" in stub  # born 1990-01-01


def test_validity_follows_the_policy_parameter(world):
    c = world
    party_services.set_parameter(c.city_admin, "transfer_letter_valid_months", Decimal(2))
    t = transfer_of(c, issued_on=datetime.date(2025, 12, 31))  # + 2 months: 2026-02-28, 59 days
    stub, letter, _ = parts(download(c.city_admin, letter_url(t))[1])
    assert "有效期59天（至2026年2月28日）" in stub and "有效期59天（至2026年2月28日）" in letter


def test_a_reader_without_the_full_number_gets_the_masked_one_and_each_download_is_audited(world):
    c = world
    t = transfer_of(c)
    full = crypto.decrypt(c.member.id_number_enc)
    _, data = download(c.auditor, letter_url(t))  # 黄浦's auditor sees the transfer, not full numbers
    stub, letter, _ = parts(data)
    assert f"公民身份号码{c.member.id_masked}" in stub and f"公民身份号码{c.member.id_masked}" in letter
    assert full not in data.decode("latin-1") and full not in stub + letter
    export = AuditEntry.objects.get(object_type="transfers.transfer", object_id=str(t.pk), action="export")
    assert export.actor == c.auditor and t.letter_no in export.detail
    assert not AuditEntry.objects.filter(action="view_sensitive").exists()
    download(c.secretary, letter_url(t))  # the branch's secretary may see full numbers: audited like 显示完整号码
    sensitive = AuditEntry.objects.get(action="view_sensitive", object_type="party.member")
    assert (sensitive.actor, sensitive.object_id) == (c.secretary, str(c.member.pk))
    assert "介绍信" in sensitive.detail and "完整公民身份号码" in sensitive.detail


def test_dues_paid_up_to_comes_from_the_ledger_or_is_left_blank(world):
    c = world
    t = transfer_of(c)
    letter = parts(download(c.city_admin, letter_url(t))[1])[1]
    assert "该同志党费已交到＿＿＿年＿＿月。" in letter  # nothing recorded: written by hand
    this = TODAY().replace(day=1)
    months = [datetime.date(this.year - (this.month <= k), (this.month - k - 1) % 12 + 1, 1) for k in (4, 3, 2, 1)]
    for month, paid in zip(months, ("40", "40", "0", "40"), strict=True):
        DuesPayment.objects.create(member=c.member, party_org=c.branch, month=month, amount_due=Decimal("40"),
                                   amount_paid=Decimal(paid))  # fmt: skip
    letter = parts(download(c.city_admin, letter_url(t))[1])[1]
    assert f"该同志党费已交到{months[1].year}年{months[1].month}月。" in letter  # the month before the gap


def test_paid_through_stops_at_the_first_month_not_paid_and_counts_months_paid_ahead(world):
    c = world
    this = TODAY().replace(day=1)
    last = (this - datetime.timedelta(days=1)).replace(day=1)
    ahead = (this + datetime.timedelta(days=32)).replace(day=1)

    def pay(month, paid="40"):
        DuesPayment.objects.update_or_create(member=c.member, month=month, defaults={
            "party_org": c.branch, "amount_due": Decimal("40"), "amount_paid": Decimal(paid)})  # fmt: skip

    assert ledger.paid_through(c.member) is None  # nothing recorded
    pay(last, "0")
    assert ledger.paid_through(c.member) is None  # the first month owed is unpaid
    pay(last, "39.99")
    assert ledger.paid_through(c.member) is None  # a cent short is not paid
    pay(last)
    assert ledger.paid_through(c.member) == last  # this month: no row and no base, so not paid
    pay(ahead)
    assert ledger.paid_through(c.member) == last  # paid ahead, but this month is still open
    pay(this)
    assert ledger.paid_through(c.member) == ahead


@pytest.mark.parametrize("api", [False, True])
def test_the_file_name_is_chinese_with_the_letter_number(world, api):
    c = world
    t = transfer_of(c)
    response, _ = download(c.city_admin, letter_url(t, api))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert unquote(disposition.split("''", 1)[1]) == f"组织关系介绍信_{t.letter_no}.docx"


def test_the_api_gives_the_same_letter(world):
    c = world
    t = transfer_of(c)
    response, data = download(c.street_admin, letter_url(t, api=True))
    assert response["Content-Type"] == DOCX
    stub, letter, receipt = parts(data)
    assert f"第 {t.letter_no} 号" in receipt and "请接转组织关系" in letter
    assert f"公民身份号码{crypto.decrypt(c.member.id_number_enc)}" in stub


def test_a_member_downloads_the_letter_of_their_own_transfer(world):
    c = world
    t = transfer_of(c)
    c.member.user = _user("wanghong", "member", c.branch.node)
    c.member.save(update_fields=["user"])
    _, data = download(c.member.user, letter_url(t))
    assert f"公民身份号码{c.member.id_masked}" in parts(data)[1]  # a member role never sees full numbers


@pytest.mark.parametrize("api", [False, True])
def test_outside_scope_is_404_like_the_transfer(world, api):
    c = world
    t = transfer_of(c)
    for user in (c.xuhui_admin, c.industry_admin):
        assert client_for(user).get(letter_url(t, api)).status_code == 404
        assert client_for(user).get(f"/transfers/{t.pk}/").status_code == 404
    assert not AuditEntry.objects.filter(object_type="transfers.transfer", action="export").exists()


def test_no_letter_while_the_committee_has_not_reviewed(world):
    c = world
    t = transfer_of(c, reviewed=False)
    page = client_for(c.secretary).get(f"/transfers/{t.pk}/")
    assert "审核通过后才能打印介绍信" in page.content.decode() and 'id="letter-download"' not in page.content.decode()
    response = client_for(c.secretary).get(letter_url(t), follow=True)
    assert response.redirect_chain == [(f"/transfers/{t.pk}/", 302)]
    assert "不能下载介绍信：该转接尚待南京东路街道综合党委审核" in response.content.decode()
    api = client_for(c.secretary).get(letter_url(t, api=True))
    assert api.status_code == 409
    assert api.json() == {"detail": "该转接尚待南京东路街道综合党委审核，审核通过后才能打印介绍信"}
    assert not AuditEntry.objects.filter(action__in=["export", "view_sensitive"]).exists()
    services.review(c.street_admin, scope_for(c.street_admin), t)  # reviewed: the letter exists
    assert client_for(c.secretary).get(letter_url(t, api=True)).status_code == 200


def test_a_letter_from_a_committee_needs_no_review(world):
    c = world
    t = services.initiate(c.street_admin, scope_for(c.street_admin), c.member, kind="out", to_org_name="北京市某党支部",
                          letter_no="沪黄〔2025〕7号", issued_on=TODAY())  # fmt: skip
    response, data = download(c.street_admin, letter_url(t))
    stub, letter, receipt = parts(data)
    assert "由上海嘉信信息科技有限公司党支部转到北京市某党支部" in letter and "北京市某党支部：" in letter
    assert "第 沪黄〔2025〕7号 号" in receipt
    assert unquote(response["Content-Disposition"].split("''", 1)[1]) == "组织关系介绍信_沪黄〔2025〕7号.docx"


def test_a_returned_transfer_has_no_letter(world):
    c = world
    t = transfer_of(c, issued_on=TODAY())
    services.return_transfer(c.waitan_secretary, scope_for(c.waitan_secretary), t, reason="单位信息有误")
    api = client_for(c.city_admin).get(letter_url(t, api=True))
    assert api.status_code == 409
    assert api.json()["detail"] == "该转接已退回（退回原因：单位信息有误），介绍信已作废，不能打印"


def test_an_accepted_transfer_keeps_its_letter(world):
    c = world
    t = transfer_of(c, issued_on=TODAY())
    services.accept(c.waitan_secretary, scope_for(c.waitan_secretary), t)
    _, data = download(c.waitan_secretary, letter_url(t, api=True))
    assert f"第 {t.letter_no} 号" in parts(data)[2]


def test_a_letter_from_outside_the_platform_is_not_reprinted(world):
    c = world
    person = {"name": "赵六", "id_number": id_number("19900307"), "category": "full",
              "joined_on": datetime.date(2015, 7, 1), "full_on": datetime.date(2016, 7, 1)}  # fmt: skip
    scope = scope_for(c.secretary)
    t = services.register_incoming(c.secretary, scope, to_party_org=c.branch, from_org_name="北京某支部",
                                   letter_no="京组〔2025〕3号", issued_on=TODAY(), person=person)  # fmt: skip
    api = client_for(c.secretary).get(letter_url(t, api=True))
    assert api.status_code == 409 and "系统外党组织（北京某支部）开具" in api.json()["detail"]


# -- 流动党员活动证 -------------------------------------------------------------------------------------
def outflow(c, on=datetime.date(2025, 3, 15)):
    party_services.save_member(c.city_admin, c.member, {"phone": "13900001111"}, None)
    secretary = make_member(c, c.branch, name="李书记", phone="13800002222")
    PartyOrganization.objects.filter(pk=c.branch.pk).update(secretary=secretary)
    services.register_outflow(c.secretary, scope_for(c.secretary), c.member, card_no="3101012025000042",
                              inflow_place="浙江省杭州市西湖区", inflow_party_org=c.waitan_branch, on=on)  # fmt: skip
    c.member.refresh_from_db()
    return c.member


def card_text(data: bytes) -> tuple[str, list]:
    document = Document(io.BytesIO(data))
    return "\n".join(p.text for p in document.paragraphs), document.tables


def cells(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_the_card_holds_the_card_number_and_the_holders_data(world):
    c = world
    member = outflow(c)
    response, data = download(c.secretary, card_url(member))
    assert response["Content-Type"] == DOCX
    text, tables = card_text(data)
    assert text.startswith("流动党员活动证\n证号：3101012025000042")
    holder = cells(tables[0])
    by_label = {row[i]: row[i + 1] for row in holder for i in (0, 2) if row[i]}
    birth = member.birth_date
    assert by_label["姓名"] == "王红" and by_label["性别"] == member.get_sex_display()
    assert by_label["出生年月"] == f"{birth.year}年{birth.month}月"
    joined = (by_label["入党时间"], by_label["党员类别"], by_label["转正时间"])
    assert joined == ("2015年7月1日", "正式党员", "2016年7月1日")
    assert by_label["组织关系所在党组织"] == "上海嘉信信息科技有限公司党支部"
    assert (by_label["流入地"], by_label["流入地党组织"]) == ("浙江省杭州市西湖区", "外滩餐饮管理有限公司党支部")
    assert by_label["外出时间"].startswith("2025年3月15日 至 ")
    assert (by_label["发证党组织"], by_label["发证日期"]) == ("上海嘉信信息科技有限公司党支部（盖章）", "2025年3月15日")
    assert (by_label["联系人"], by_label["联系电话"]) == ("李书记", "13800002222")  # the issuing side's secretary
    assert by_label["党费交至"] == ""  # no dues recorded: written by hand
    assert crypto.decrypt(member.id_number_enc) not in data.decode("latin-1")


def test_the_card_has_pages_of_blank_rows_for_the_inflow_side(world):
    member = outflow(world)
    text, tables = card_text(download(world.secretary, card_url(member))[1])
    assert "参加组织生活情况记录" in text and "党费交纳记录" in text
    activities = next(t for t in tables if cells(t)[0][:2] == ["日期", "活动内容"])
    dues = next(t for t in tables if cells(t)[0][0] == "交纳月份")
    assert len(activities.rows) == 1 + floating_card.ACTIVITY_ROWS
    assert len(dues.rows) == 1 + floating_card.DUES_ROWS
    assert all(cell == "" for row in cells(activities)[1:] + cells(dues)[1:] for cell in row)
    document = Document(io.BytesIO(download(world.secretary, card_url(member))[1]))
    s = document.sections[0]
    assert mm(s.page_width, s.page_height, s.left_margin, s.top_margin) == (210, 297, 25, 25)
    assert document.element.xml.count('w:type="page"') == 2  # three pages


def test_the_card_carries_the_dues_month(world):
    c = world
    member = outflow(c)
    last = (TODAY().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    DuesPayment.objects.create(member=member, party_org=c.branch, month=last, amount_due=Decimal("20"),
                               amount_paid=Decimal("20"))  # fmt: skip
    text, tables = card_text(download(c.secretary, card_url(member, api=True))[1])
    assert cells(tables[0])[6][3] == f"{last.year}年{last.month}月"


def test_the_card_download_is_audited_and_named_with_the_card_number(world):
    c = world
    member = outflow(c)
    response, _ = download(c.street_admin, card_url(member, api=True))
    assert unquote(response["Content-Disposition"].split("''", 1)[1]) == "流动党员活动证_3101012025000042.docx"
    entry = AuditEntry.objects.get(object_type="party.member", object_id=str(member.pk), action="export")
    assert entry.actor == c.street_admin and "3101012025000042" in entry.detail


def test_the_member_page_offers_the_card_only_for_an_outflow_member(world):
    c = world
    page = client_for(c.secretary).get(f"/members/{c.member.pk}/").content.decode()
    assert "下载流动党员活动证" not in page
    outflow(c)
    page = client_for(c.secretary).get(f"/members/{c.member.pk}/").content.decode()
    assert f'href="/members/{c.member.pk}/floating-card.docx">下载流动党员活动证（Word）' in page


def test_a_member_who_is_not_floating_is_refused_in_chinese(world):
    c = world
    response = client_for(c.secretary).get(card_url(c.member), follow=True)
    assert response.redirect_chain == [(f"/members/{c.member.pk}/", 302)]
    assert "不能下载流动党员活动证：王红不是流动党员（未登记流出）" in response.content.decode()
    api = client_for(c.secretary).get(card_url(c.member, api=True))
    assert api.status_code == 409
    assert api.json() == {"detail": "王红不是流动党员（未登记流出），没有流动党员活动证；请先办理流出登记"}
    assert not AuditEntry.objects.filter(action="export").exists()


def test_an_inflow_members_card_is_the_outflow_sides(world):
    c = world
    person = {"name": "钱七", "id_number": id_number("19900307"), "category": "full",
              "joined_on": datetime.date(2015, 7, 1), "full_on": datetime.date(2016, 7, 1)}  # fmt: skip
    member = services.register_inflow(c.secretary, scope_for(c.secretary), party_org=c.branch, person=person,
                                      card_no="1101012024000009", outflow_place="北京市东城区某党支部")  # fmt: skip
    api = client_for(c.secretary).get(card_url(member, api=True))
    assert api.status_code == 409 and "由流出地党组织（北京市东城区某党支部）发放" in api.json()["detail"]
    page = client_for(c.secretary).get(f"/members/{member.pk}/").content.decode()
    assert 'id="card-refusal"' in page and "下载流动党员活动证" not in page


@pytest.mark.parametrize("api", [False, True])
def test_the_card_outside_the_members_scope_is_404(world, api):
    c = world
    member = outflow(c)
    # 外滩's side manages her as the inflow party organization but does not hold her record
    for user in (c.xuhui_admin, c.industry_admin, c.other_street_admin, c.waitan_secretary):
        assert client_for(user).get(card_url(member, api)).status_code == 404
        assert client_for(user).get(f"/members/{member.pk}/").status_code == 404
    assert CensusRecord.objects.filter(member=member).count() == 1


def test_the_api_documents_both_downloads_as_binary(world):
    c = world
    client = client_for(c.city_admin)
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    for path in ("/api/v1/transfers/{id}/letter/", "/api/v1/members/{id}/floating-card/"):
        responses = schema["paths"][path]["get"]["responses"]
        assert responses["200"]["content"][DOCX]["schema"] == {"type": "string", "format": "binary"}
        assert "409" in responses

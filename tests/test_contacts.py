"""Who can be reached (issue 14 §1): phones checked as mainland mobile or fixed-line numbers, e-mail
beside them, the same cleaners in the form, the API and the import, and the per-channel opt-outs
recorded with their day and audited."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from liangxin.accounts.scoping import scope_for
from liangxin.core import contact
from liangxin.core.models import AuditEntry
from liangxin.orgs import services as org_services
from liangxin.orgs.models import Organization
from liangxin.party import policy
from liangxin.party.models import Member
from liangxin.transfers.services import check_person
from liangxin.web.party_forms import MemberForm

from .conftest import CODES, client_for
from .ledgers import code_for, write_csv
from .party_helpers import id_number
from .test_imports import reasons, run
from .test_org_pages import post_form


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),  # full-width digits
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("19912345678", "13812345678".replace("138", "199")),
        ("021-62345678", "021-62345678"),  # a 3-digit area code (with its 0), 8 digits
        ("(021)62345678", "021-62345678"),
        ("０２１－６２３４５６７８", "021-62345678"),
        ("+86 21 63210000", "021-63210000"),
        ("0755-81234567", "0755-81234567"),  # 4-digit area code, 8 digits
        ("0310-1234567", "0310-1234567"),  # 4-digit area code, 7 digits (邯郸)
        ("021-62345678-123", "021-62345678转123"),  # an extension, however written
        ("021-62345678转123", "021-62345678转123"),
        ("021 6234 5678 ext 12", "021-62345678转12"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_valid_phones_are_stored_in_one_canonical_form(typed, stored):
    assert contact.clean_phone(typed) == stored


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("1381234567", "联系电话格式不正确：手机号应为11位，当前为10位"),
        ("138123456789", "联系电话格式不正确：手机号应为11位，当前为12位"),
        ("12345678901", "联系电话格式不正确：「123」不是大陆手机号段"),
        ("63210000", "联系电话格式不正确：应为11位手机号或带区号的固定电话（固定电话请加区号，如021-63210000）"),
        ("0755-1234567", "联系电话格式不正确：固定电话应为区号（以0开头，3–4位）加该地区的7–8位号码，请核对区号和位数"),
        ("021-6234567", "联系电话格式不正确：固定电话应为区号（以0开头，3–4位）加该地区的7–8位号码，请核对区号和位数"),
        ("01-2345678", "联系电话格式不正确：固定电话应为区号（以0开头，3–4位）加该地区的7–8位号码，请核对区号和位数"),
        ("13812345678转12", "联系电话格式不正确：手机号不能带分机号"),
        ("138a1234567", "联系电话含有无效字符「a」：应为11位手机号或带区号的固定电话"),
        ("+1 415 555 0100", "联系电话格式不正确：仅支持中国大陆号码（+86）"),
    ],
)
def test_invalid_phones_are_refused_naming_the_field_and_reason(typed, reason):
    with pytest.raises(ValidationError) as caught:
        contact.clean_phone(typed)
    assert caught.value.messages == [reason]


def test_emails_lower_case_the_domain_only_and_refuse_in_chinese():
    assert contact.clean_email(" Zhang.Wei@Example.COM ") == "Zhang.Wei@example.com"
    assert contact.clean_email("ｌｉ＠ｅｘａｍｐｌｅ．ｏｒｇ") == "li@example.org"
    assert contact.clean_email("") == ""
    for typed, reason in [
        ("zhang@", "电子邮箱格式不正确：应如 name@example.com"),
        ("zhang wei@example.com", "电子邮箱格式不正确：不能含有空格"),
        ("a" * 250 + "@example.com", "电子邮箱过长：不能超过254个字符"),
    ]:
        with pytest.raises(ValidationError) as caught:
            contact.clean_email(typed)
        assert caught.value.messages == [reason]


def test_a_stored_spelling_of_the_same_number_is_kept():
    assert contact.same_or_new("+86 21 63210000", "021-63210000") == "+86 21 63210000"
    assert contact.same_or_new("021-63210000", "021-63219999") == "021-63219999"
    assert contact.same_or_new("不详", "021-63210000") == "021-63210000"


def test_the_organization_form_refuses_a_bad_phone_and_email_and_saves_good_ones(cast):
    client = client_for(cast.street_admin)
    response = post_form(client, cast, "/orgs/new/", contact_phone="021-6234567", contact_email="zhang@")
    page = response.content.decode()
    assert response.status_code == 400
    assert "固定电话应为区号" in page and "联系邮箱格式不正确" in page
    assert not Organization.objects.filter(credit_code=CODES[3]).exists()
    post_form(client, cast, "/orgs/new/", contact_phone="０２１ ６２３４ ５６７８", contact_email="Li@Example.com")
    org = Organization.objects.get(credit_code=CODES[3])
    assert (org.contact_phone, org.contact_email) == ("021-62345678", "Li@example.com")


def test_a_stored_phone_that_does_not_pass_never_blocks_another_edit(cast):
    Organization.objects.filter(pk=cast.org.pk).update(contact_phone="6321 0000")
    client = client_for(cast.street_admin)
    assert "6321 0000" in client.get(f"/orgs/{cast.org.pk}/").content.decode()
    data = {"name": cast.org.name, "credit_code": cast.org.credit_code, "contact_phone": "6321 0000"}
    response = post_form(client, cast, f"/orgs/{cast.org.pk}/edit/", **data, employees="77")
    assert response.status_code == 302
    assert Organization.objects.get(pk=cast.org.pk).employees == 77


def test_the_member_form_runs_the_same_cleaners(party_cast):
    c = party_cast
    data = {
        "name": "王红", "party_org": c.branch.pk, "category": "full", "joined_on": "2015-07-01",
        "full_on": "2016-07-01", "phone": "1381234567", "email": "wang@@example.com",
    }  # fmt: skip
    form = MemberForm(data, instance=c.member, scope=scope_for(c.street_admin))
    assert not form.is_valid()
    assert form.errors["phone"] == ["联系电话格式不正确：手机号应为11位，当前为10位"]
    assert form.errors["email"] == ["电子邮箱格式不正确：应如 name@example.com"]
    good = MemberForm(
        {**data, "phone": "+86 139 1234 5678", "email": "Wang.Hong@Example.com"},
        instance=c.member,
        scope=scope_for(c.street_admin),
    )
    assert good.is_valid(), good.errors
    assert (good.cleaned_data["phone"], good.cleaned_data["email"]) == ("13912345678", "Wang.Hong@example.com")


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_the_api_refuses_bad_values_in_chinese_and_stores_good_ones(party_cast):
    c = party_cast
    client = api(c.street_admin)
    bad = client.patch(
        f"/api/v1/organizations/{c.org.pk}/", {"contact_phone": "12345", "contact_email": "x@"}, format="json"
    )
    assert bad.status_code == 400
    assert bad.json()["errors"] == {
        "contact_phone": ["联系电话格式不正确：手机号应为11位，当前为5位"],
        "contact_email": ["联系邮箱格式不正确：应如 name@example.com"],
    }
    assert Organization.objects.get(pk=c.org.pk).contact_phone == ""
    good = client.patch(
        f"/api/v1/organizations/{c.org.pk}/", {"contact_phone": "0755 8123 4567", "contact_email": "hr@EXAMPLE.cn"},
        format="json",
    )  # fmt: skip
    assert good.status_code == 200, good.json()
    assert (good.json()["contact_phone"], good.json()["contact_email"]) == ("0755-81234567", "hr@example.cn")
    member = client.patch(f"/api/v1/members/{c.member.pk}/", {"phone": "021-1234", "email": "ok@example.com"},
                          format="json")  # fmt: skip
    assert member.status_code == 400 and list(member.json()["errors"]) == ["phone"]
    assert Member.objects.get(pk=c.member.pk).email == ""
    opt_out = client.patch(f"/api/v1/members/{c.member.pk}/", {"sms_opt_out_on": "2026-01-01"}, format="json")
    assert opt_out.status_code == 200 and Member.objects.get(pk=c.member.pk).sms_opt_out_on is None  # read-only


ORG_HEADER = ["组织名称", "统一社会信用代码", "组织类型", "所属行业", "经营地区划代码", "联系电话", "电子邮箱"]


def test_the_organization_import_refuses_row_field_and_reason_and_writes_nothing_half(cast, tmp_path):
    rows = [
        ORG_HEADER,
        ["上海联络一号公司", code_for(31), "私营企业", "I", "310101002", "１３８１２３４５６７８", "Hr@Example.com"],
        ["上海联络二号公司", code_for(32), "私营企业", "I", "310101002", "0755-1234567", "hr@"],
    ]
    job = run(cast.district_admin, "organizations", write_csv(tmp_path / "a.csv", rows), all_or_nothing=True)
    assert reasons(job) == {
        3: [
            "联系电话:联系电话格式不正确：固定电话应为区号（以0开头，3–4位）加该地区的7–8位号码，请核对区号和位数",
            "联系邮箱:联系邮箱格式不正确：应如 name@example.com",
        ]
    }
    assert not Organization.objects.filter(credit_code__in=[code_for(31), code_for(32)]).exists()
    job = run(cast.district_admin, "organizations", write_csv(tmp_path / "b.csv", rows[:2]))
    org = Organization.objects.get(credit_code=code_for(31))
    assert (job.created, org.contact_phone, org.contact_email) == (1, "13812345678", "Hr@example.com")


def test_the_member_import_reads_the_email_column_and_refuses_bad_values(party_cast, tmp_path):
    c = party_cast
    header = ["姓名", "公民身份号码", "所在党组织", "入党日期", "转正日期", "手机号", "邮箱"]
    branch = c.branch.node.name
    rows = [
        header,
        ["李明", id_number("19850203"), branch, "2010-07-01", "2011-07-01", "13912345678", "li.ming@example.com"],
        ["赵刚", id_number("19860304"), branch, "2010-07-01", "2011-07-01", "139123456", "zhao@example.com"],
    ]
    job = run(c.district_admin, "members", write_csv(tmp_path / "m.csv", rows))
    assert reasons(job) == {3: ["联系电话:联系电话格式不正确：手机号应为11位，当前为9位"]}
    li = Member.objects.get(name="李明")
    assert (li.phone, li.email) == ("13912345678", "li.ming@example.com")
    assert not Member.objects.filter(name="赵刚").exists()


def test_the_export_carries_the_email_and_imports_back_unchanged(cast, tmp_path):
    Organization.objects.filter(pk=cast.org.pk).update(contact_phone="021-63210000", contact_email="hr@example.com")
    response = client_for(cast.district_admin).get("/orgs/export.xlsx")
    exported = tmp_path / "export.xlsx"
    exported.write_bytes(b"".join(response.streaming_content))
    job = run(cast.district_admin, "organizations", str(exported))
    assert (job.created, job.updated, job.rejected) == (0, 0, 0)
    assert Organization.objects.get(pk=cast.org.pk).contact_email == "hr@example.com"


def test_an_opt_out_is_recorded_with_its_day_audited_and_undone(party_cast):
    c = party_cast
    client = client_for(c.street_admin)
    today = datetime.date.today()
    response = client.post(f"/orgs/{c.org.pk}/opt-out/", {"channel": "sms", "opt_out": "1"})
    assert response.status_code == 302
    org = Organization.objects.get(pk=c.org.pk)
    assert (org.sms_opt_out_on, org.email_opt_out_on) == (today, None)
    entry = AuditEntry.objects.filter(object_type="orgs.organization", object_id=str(org.pk)).latest("id")
    assert (entry.action, entry.changes) == ("update", {"不接收短信（登记日期）": [None, today.isoformat()]})
    page = client.get(f"/orgs/{c.org.pk}/").content.decode()
    assert f"不接收短信（{today:%Y-%m-%d}登记）" in page and "登记不接收邮件" in page
    client.post(f"/orgs/{c.org.pk}/opt-out/", {"channel": "sms", "opt_out": "0"})
    assert Organization.objects.get(pk=c.org.pk).sms_opt_out_on is None

    client.post(f"/members/{c.member.pk}/opt-out/", {"channel": "email", "opt_out": "1"})
    member = Member.objects.get(pk=c.member.pk)
    assert (member.sms_opt_out_on, member.email_opt_out_on) == (None, today)
    entry = AuditEntry.objects.filter(object_type="party.member", object_id=str(member.pk)).latest("id")
    assert entry.changes == {"不接收邮件（登记日期）": [None, today.isoformat()]}


def test_recording_an_opt_out_again_keeps_the_first_day(cast):
    first = datetime.date(2026, 1, 5)
    assert org_services.set_contact_opt_out(cast.city_admin, cast.org, "email", True, today=first)
    assert not org_services.set_contact_opt_out(cast.city_admin, cast.org, "email", True)
    assert Organization.objects.get(pk=cast.org.pk).email_opt_out_on == first


def test_outside_scope_cannot_set_opt_outs(party_cast):
    c = party_cast
    body = {"channel": "sms", "opt_out": "1"}
    assert client_for(c.xuhui_admin).post(f"/orgs/{c.org.pk}/opt-out/", body).status_code == 404
    assert client_for(c.other_street_admin).post(f"/members/{c.member.pk}/opt-out/", body).status_code == 404
    assert client_for(c.auditor).post(f"/members/{c.member.pk}/opt-out/", body).status_code == 403
    assert (
        client_for(c.street_admin).post(f"/orgs/{c.org.pk}/opt-out/", {"channel": "fax", "opt_out": "1"}).status_code
        == 400
    )
    assert Organization.objects.get(pk=c.org.pk).sms_opt_out_on is None
    assert Member.objects.get(pk=c.member.pk).sms_opt_out_on is None


def test_the_api_records_and_clears_an_opt_out_through_the_same_service(party_cast):
    c = party_cast
    client = api(c.street_admin)
    today = datetime.date.today().isoformat()
    url = f"/api/v1/members/{c.member.pk}/opt-out/"
    response = client.post(url, {"channel": "sms", "opt_out": True}, format="json")
    assert response.status_code == 200 and response.json()["sms_opt_out_on"] == today
    entry = AuditEntry.objects.filter(object_type="party.member", object_id=str(c.member.pk)).latest("id")
    assert entry.changes == {"不接收短信（登记日期）": [None, today]} and entry.origin.startswith("API ")
    assert client.post(url, {"channel": "sms", "opt_out": False}, format="json").json()["sms_opt_out_on"] is None
    refused = client.post(url, {"channel": "fax", "opt_out": True}, format="json")
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["channel"]
    outside = api(c.xuhui_admin).post(f"/api/v1/organizations/{c.org.pk}/opt-out/", {"channel": "sms", "opt_out": True})
    assert outside.status_code == 404
    assert Organization.objects.get(pk=c.org.pk).sms_opt_out_on is None


def test_a_member_coming_from_outside_has_the_phone_checked_like_the_member_form(cast):
    person = {"name": "赵强", "id_number": id_number("19880808"), "category": "full",
              "joined_on": datetime.date(2012, 7, 1), "full_on": datetime.date(2013, 7, 1)}  # fmt: skip
    _, errors = check_person({**person, "phone": "1380000111"}, policy.values())
    assert errors == {"phone": "联系电话格式不正确：手机号应为11位，当前为10位"}
    clean, errors = check_person({**person, "phone": "+86 138 0000 1111"}, policy.values())
    assert (errors, clean["phone"]) == ({}, "13800001111")

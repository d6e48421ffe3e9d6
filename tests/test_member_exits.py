"""党员减少: leaving the roll is a workflow (propose → approve / return → reverse), never a checkbox."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from liangxin.accounts.scoping import scope_for
from liangxin.core import audit
from liangxin.core.dates import add_months
from liangxin.core.models import AuditEntry
from liangxin.inbox.models import Notice
from liangxin.party import exits, services
from liangxin.party.models import Member, MemberExit

from .conftest import client_for
from .party_helpers import make_member

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def today() -> datetime.date:
    return timezone.localdate()


def propose(c, member=None, actor=None, **values):
    actor = actor or c.secretary
    values = {"kind": "death", "on": today() - datetime.timedelta(days=3), "reason": "病故", **values}
    files = values.pop("files", ())
    return exits.propose(actor, scope_for(actor), member or c.member, values, files)


def reload(member) -> Member:
    return Member.objects.get(pk=member.pk)


# -- the service -----------------------------------------------------------------------------------
def test_a_proposal_leaves_the_member_on_the_roll_until_the_committee_approves(party_cast):
    c = party_cast
    exit_ = propose(c)
    assert (exit_.state, reload(c.member).is_active) == ("proposed", True)
    exits.approve(c.street_admin, scope_for(c.street_admin), exit_)
    exit_.refresh_from_db()
    member = reload(c.member)
    assert (exit_.state, member.is_active, exit_.approved_node) == ("approved", False, c.nanjing_node)
    assert exits.standing_exit(member).status_label == "已去世"
    # member counts (the organization's, kept by triggers) no longer include her
    c.org.refresh_from_db()
    assert c.org.member_count == 0


def test_every_step_is_audited_and_announced_to_both_sides(party_cast):
    c = party_cast
    exit_ = propose(c)
    assert Notice.objects.filter(recipient=c.street_admin, title__startswith="党员减少待审批").count() == 1
    exits.approve(c.street_admin, scope_for(c.street_admin), exit_)
    assert Notice.objects.filter(recipient=c.secretary, title__startswith="党员减少已批准").count() == 1
    entries = AuditEntry.objects.filter(object_type="party.memberexit", object_id=str(exit_.pk))
    assert entries.count() == 2
    member_entries = AuditEntry.objects.filter(object_type="party.member", object_id=str(c.member.pk))
    assert any(e.changes.get("在册") == [True, False] for e in member_entries)


def test_the_branch_cannot_approve_its_own_proposal_and_an_outside_committee_cannot_either(party_cast):
    c = party_cast
    exit_ = propose(c)
    for user in (c.secretary, c.other_street_admin, c.auditor):
        with pytest.raises(PermissionDenied):
            exits.approve(user, scope_for(user), exit_)
    assert reload(c.member).is_active


def test_a_returned_proposal_keeps_the_member_and_the_record(party_cast):
    c = party_cast
    exit_ = propose(c)
    with pytest.raises(ValidationError) as error:
        exits.return_exit(c.street_admin, scope_for(c.street_admin), exit_, "")
    assert "return_reason" in error.value.message_dict
    exits.return_exit(c.street_admin, scope_for(c.street_admin), exit_, "死亡证明未附")
    exit_.refresh_from_db()
    assert (exit_.state, exit_.return_reason, reload(c.member).is_active) == ("returned", "死亡证明未附", True)
    assert Notice.objects.filter(recipient=c.secretary, title__startswith="党员减少被退回").count() == 1
    with pytest.raises(ValidationError):  # nothing left to decide
        exits.approve(c.street_admin, scope_for(c.street_admin), exit_)
    # the branch proposes anew; the returned record stays
    again = propose(c, files=[SimpleUploadedFile("死亡证明.png", PNG)])
    exits.approve(c.district_admin, scope_for(c.district_admin), again)
    assert MemberExit.objects.filter(member=c.member).count() == 2
    assert not reload(c.member).is_active


def test_a_reversed_exit_puts_the_member_back_and_only_the_approving_level_may_reverse(party_cast):
    c = party_cast
    exit_ = propose(c)
    exits.approve(c.district_admin, scope_for(c.district_admin), exit_)
    exit_.refresh_from_db()
    assert exit_.approved_node == c.huangpu_node
    # the street committee below the approving district may not undo the district's decision
    with pytest.raises(PermissionDenied):
        exits.reverse_exit(c.street_admin, scope_for(c.street_admin), exit_, "误报")
    with pytest.raises(ValidationError):
        exits.reverse_exit(c.district_admin, scope_for(c.district_admin), exit_, "")
    exits.reverse_exit(c.city_admin, scope_for(c.city_admin), exit_, "经核实系误报")
    exit_.refresh_from_db()
    assert (exit_.state, exit_.reverse_reason, reload(c.member).is_active) == ("reversed", "经核实系误报", True)
    assert exits.standing_exit(reload(c.member)) is None
    assert Notice.objects.filter(recipient=c.district_admin, title__startswith="党员减少已撤销").count() == 1
    assert MemberExit.objects.filter(member=c.member).count() == 1


def test_an_exit_is_never_deleted(party_cast):
    c = party_cast
    exit_ = propose(c)
    with pytest.raises(PermissionError):
        exit_.delete()


def test_an_exit_of_a_member_whose_branch_moved_is_decided_by_the_committee_above_it_now(party_cast):
    c = party_cast
    exit_ = propose(c)
    services.move_party_org(c.city_admin, c.branch, c.waitan_node)
    exit_ = MemberExit.objects.get(pk=exit_.pk)
    assert exits.approving_committee(exit_) == c.waitan_node
    with pytest.raises(PermissionDenied):
        exits.approve(c.street_admin, scope_for(c.street_admin), exit_)
    exits.approve(c.other_street_admin, scope_for(c.other_street_admin), exit_)
    exit_.refresh_from_db()
    assert exit_.approved_node == c.waitan_node
    # the branch moves back: 外滩 decided, so 外滩 (not 南京东路) may reverse, and still sees the record
    services.move_party_org(c.city_admin, c.branch, c.nanjing_node)
    exit_ = MemberExit.objects.get(pk=exit_.pk)
    assert scope_for(c.other_street_admin).member_exits().filter(pk=exit_.pk).exists()
    with pytest.raises(PermissionDenied):
        exits.reverse_exit(c.street_admin, scope_for(c.street_admin), exit_, "误报")
    exits.reverse_exit(c.other_street_admin, scope_for(c.other_street_admin), exit_, "误报")
    assert reload(c.member).is_active


def test_expulsion_needs_the_disciplinary_decision(party_cast):
    c = party_cast
    with pytest.raises(ValidationError) as error:
        propose(c, kind="expelled", reason="严重违纪")
    assert "decision_ref" in error.value.message_dict
    exit_ = propose(c, kind="expelled", reason="严重违纪", decision_ref="沪黄纪〔2025〕12号")
    assert exit_.decision_ref == "沪黄纪〔2025〕12号"


def test_lapse_is_allowed_only_after_six_months_without_dues_and_with_the_branch_check(party_cast):
    from liangxin.dues.models import DuesPayment

    c = party_cast
    month = add_months(today().replace(day=1), -4)
    DuesPayment.objects.create(
        member=c.member, party_org=c.branch, month=month, amount_due=Decimal(40), amount_paid=Decimal(40)
    )
    with pytest.raises(ValidationError) as error:
        propose(c, kind="lapsed", reason="长期不交党费", check_note="多次联系未果")
    assert "连续 6 个月" in error.value.message_dict["kind"][0]
    DuesPayment.objects.filter(member=c.member).update(month=add_months(today().replace(day=1), -8))
    with pytest.raises(ValidationError) as error:
        propose(c, kind="lapsed", reason="长期不交党费")
    assert list(error.value.message_dict) == ["check_note"]
    exit_ = propose(c, kind="lapsed", reason="长期不交党费", check_note="支部三次上门联系，本人表示不再参加")
    assert exit_.kind == "lapsed"


def test_lapse_counts_organization_life_missed_without_reason(party_cast):
    from liangxin.life.models import Attendance, Meeting

    c = party_cast
    meeting = Meeting.objects.create(
        party_org=c.branch, kind="theme_day", status="held", topic="学习", place="会议室",
        date=today() - datetime.timedelta(days=20),
    )  # fmt: skip
    Attendance.objects.create(meeting=meeting, member=c.member, status="excused", reason="出差")
    assert exits.lapse_refusal(c.member, today()) is not None
    Attendance.objects.filter(member=c.member).update(status="absent")
    assert exits.lapse_refusal(c.member, today()) is None


def test_proposal_fields_are_checked(party_cast):
    c = party_cast
    with pytest.raises(ValidationError) as error:
        propose(c, kind="transfer_out", on=today() + datetime.timedelta(days=1), reason="")
    assert set(error.value.message_dict) == {"kind", "on", "reason"}
    propose(c)
    with pytest.raises(ValidationError) as error:
        propose(c)
    assert "待审批" in error.value.message_dict["member"][0]


def test_evidence_is_checked_by_its_content(party_cast):
    c = party_cast
    with pytest.raises(ValidationError) as error:
        propose(c, files=[SimpleUploadedFile("证明.png", b"MZ\x90\x00" + b"\0" * 40)])
    assert "证明材料" in error.value.message_dict["attachments"][0]
    assert not MemberExit.objects.exists()


def test_the_secretary_seat_ends_when_the_member_leaves_the_roll(party_cast):
    c = party_cast
    services.seat_member(c.city_admin, c.branch, c.member.pk, "书记")
    exits.approve(c.street_admin, scope_for(c.street_admin), propose(c))
    assert not c.branch.committee.exists()


# -- the other workflows record their exits -----------------------------------------------------------
def test_a_transfer_out_of_the_platform_records_an_approved_exit(party_cast):
    from liangxin.transfers import services as transfer_services

    c = party_cast
    scope = scope_for(c.street_admin)
    transfer = transfer_services.initiate(
        c.street_admin,
        scope,
        c.member,
        kind="out",
        to_org_name="北京某公司党支部",
        issued_on=today(),
        letter_no="京2026-001",
    )
    transfer_services.accept(c.street_admin, scope, transfer)
    exit_ = MemberExit.objects.get(member=c.member)
    assert (exit_.kind, exit_.state, exit_.transfer_id, reload(c.member).is_active) == (
        "transfer_out", "approved", transfer.pk, False
    )  # fmt: skip
    with pytest.raises(ValidationError):  # back only by a transfer in
        exits.reverse_exit(c.city_admin, scope_for(c.city_admin), exit_, "误操作")


def test_a_member_with_a_pending_exit_is_not_transferred_meanwhile(party_cast):
    from liangxin.transfers import services as transfer_services

    c = party_cast
    propose(c)
    with pytest.raises(ValidationError) as error:
        transfer_services.initiate(
            c.street_admin, scope_for(c.street_admin), c.member, kind="out", to_org_name="北京某公司党支部",
            issued_on=today(), letter_no="京2026-002",
        )  # fmt: skip
    assert "待审批的党员减少" in error.value.message_dict["member"][0]


def test_the_roll_cannot_be_changed_by_saving_a_member(party_cast):
    c = party_cast
    with pytest.raises(ValueError):
        services.save_member(c.city_admin, c.member, {"is_active": False}, None)
    assert reload(c.member).is_active


# -- the faces: no checkbox, no import column, read-only in the API ---------------------------------
def test_the_member_form_has_no_roll_checkbox_and_ignores_a_posted_one(party_cast):
    c = party_cast
    client = client_for(c.secretary)
    page = client.get(f"/members/{c.member.pk}/edit/").content.decode()
    assert 'name="is_active"' not in page
    from liangxin.web.party_forms import MemberForm

    assert "is_active" not in MemberForm(scope=scope_for(c.secretary)).fields


def test_the_api_shows_the_roll_but_does_not_write_it(party_cast):
    c = party_cast
    client = client_for(c.secretary)
    response = client.patch(
        f"/api/v1/members/{c.member.pk}/", data={"is_active": False, "phone": "13800000000"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 200
    assert response.json()["is_active"] is True
    assert reload(c.member).is_active


def test_the_member_import_has_no_roll_column_and_never_takes_anyone_off(party_cast):
    from liangxin.imports.kinds import KINDS

    kind = KINDS["members"]
    assert "在册" not in [col.header for col in kind.columns]
    assert all("在册" not in col.aliases for col in kind.columns)


def test_a_member_off_the_roll_is_shown_as_such_on_their_page(party_cast):
    c = party_cast
    exit_ = propose(c, kind="removed", reason="不履行党员义务，经教育不改")
    exits.approve(c.street_admin, scope_for(c.street_admin), exit_)
    page = client_for(c.street_admin).get(f"/members/{c.member.pk}/").content.decode()
    assert "已出党（除名）" in page
    assert str(exit_.on) in page
    assert f"/members/{c.member.pk}/edit/" not in page and f"/members/{c.member.pk}/exit/" not in page
    assert f"/dues/member/{c.member.pk}/" not in page  # a page for members on the roll only
    assert client_for(c.street_admin).get(f"/members/{c.member.pk}/edit/").status_code == 403


# -- the API -----------------------------------------------------------------------------------------
def api_post(user, url, body=None):
    return client_for(user).post(url, data=body or {}, content_type="application/json")


def test_the_api_proposes_approves_returns_and_reverses_with_audit_entries(party_cast):
    c = party_cast
    body = {"member": c.member.pk, "kind": "withdrew", "on": str(today()), "reason": "本人书面申请退党"}
    created = api_post(c.secretary, "/api/v1/member-exits/", body)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["state"] == "proposed"
    assert api_post(c.secretary, f"/api/v1/member-exits/{pk}/approve/").status_code == 403
    assert api_post(c.xuhui_admin, f"/api/v1/member-exits/{pk}/approve/").status_code == 404
    returned = api_post(c.street_admin, f"/api/v1/member-exits/{pk}/return/", {"reason": ""})
    assert returned.status_code == 400 and "return_reason" in returned.json()["errors"]
    assert (
        api_post(c.street_admin, f"/api/v1/member-exits/{pk}/return/", {"reason": "缺本人申请书"}).json()["state"]
        == "returned"
    )
    again = api_post(c.secretary, "/api/v1/member-exits/", body).json()["id"]
    approved = api_post(c.street_admin, f"/api/v1/member-exits/{again}/approve/")
    assert approved.json()["status_label"] == "已出党（退党）"
    assert not reload(c.member).is_active
    reversed_ = api_post(c.street_admin, f"/api/v1/member-exits/{again}/reverse/", {"reason": "本人撤回申请"})
    assert reversed_.json()["state"] == "reversed" and reload(c.member).is_active
    actions = AuditEntry.objects.filter(object_type="party.memberexit").values_list("object_id", "action")
    assert sorted(actions) == sorted(
        [(str(pk), "create"), (str(pk), "update"), (str(again), "create"), (str(again), "update"),
         (str(again), "update")]
    )  # fmt: skip
    listed = client_for(c.street_admin).get("/api/v1/member-exits/?state=reversed").json()
    assert [r["id"] for r in listed["results"]] == [again]


def test_the_api_takes_evidence_as_multipart(party_cast):
    c = party_cast
    upload = SimpleUploadedFile("死亡证明.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    data = {"member": c.member.pk, "kind": "death", "on": str(today()), "reason": "病故", "attachments": [upload]}
    response = client_for(c.secretary).post("/api/v1/member-exits/", data=data)
    assert response.status_code == 201, response.content
    assert [a["name"] for a in response.json()["attachments"]] == ["死亡证明.pdf"]
    attachment = MemberExit.objects.get().attachments.get()
    assert client_for(c.street_admin).get(f"/exits/attachments/{attachment.pk}/").status_code == 200
    assert client_for(c.other_street_admin).get(f"/exits/attachments/{attachment.pk}/").status_code == 404


# -- the pages -----------------------------------------------------------------------------------------
def test_the_pages_propose_approve_and_list_exits_counted_by_year_and_kind(party_cast):
    c = party_cast
    page = client_for(c.secretary).get(f"/members/{c.member.pk}/").content.decode()
    assert f"/members/{c.member.pk}/exit/" in page
    response = client_for(c.secretary).post(
        f"/members/{c.member.pk}/exit/",
        {"kind": "death", "on": str(today()), "reason": "病故", "attachments": [SimpleUploadedFile("a.png", PNG)]},
    )
    assert response.status_code == 302
    exit_ = MemberExit.objects.get()
    listing = client_for(c.street_admin).get("/exits/").content.decode()
    assert "待您审批" in listing and "王红" in listing
    assert client_for(c.street_admin).post(f"/exits/{exit_.pk}/approve/").status_code == 302
    assert not reload(c.member).is_active
    listing = client_for(c.district_admin).get("/exits/?state=approved").content.decode()
    year = str(exit_.on.year)
    assert f'<a href="?year={year}&amp;state=approved">{year}</a>' in listing
    counted = exits.counts_by_year(scope_for(c.district_admin).member_exits())
    assert counted == (["死亡"], [{"year": year, "counts": [1], "total": 1}])
    members = client_for(c.district_admin).get("/members/").content.decode()
    assert "王红" not in members  # off the roll: in no member list or count
    export = client_for(c.district_admin).get("/exits/export.xlsx")
    assert export.status_code == 200
    assert AuditEntry.objects.filter(action="export", object_type="party.memberexit").count() == 1


# -- the migration of history ----------------------------------------------------------------------
def test_members_already_off_the_roll_get_a_historical_exit_dated_by_the_audit_log(party_cast):
    import importlib

    from django.apps import apps

    c = party_cast
    dated = make_member(c, c.branch, name="李历史")
    undated = make_member(c, c.branch, name="赵历史")
    # before exits existed: a bare 在册 checkbox, recorded in the audit log for one of them
    Member.objects.filter(pk__in=[dated.pk, undated.pk]).update(is_active=False)
    entry = audit.build(
        None, "update", object_type="party.member", object_repr="李历史", changes={"在册": [True, False]}
    )
    entry.object_id, entry.at = str(dated.pk), datetime.datetime(2021, 5, 6, 3, 0, tzinfo=datetime.UTC)
    audit.record_many([entry])
    migration = importlib.import_module("liangxin.party.migrations.0007_historical_member_exits")
    migration.forwards(apps, None)
    migration.forwards(apps, None)  # twice: still one record each
    rows = MemberExit.objects.order_by("member__name").values_list(
        "member__name", "kind", "state", "reason", "on", "approved_node"
    )
    assert list(rows) == [
        ("李历史", "historical", "approved", "历史数据", datetime.date(2021, 5, 6), c.nanjing_node.pk),
        ("赵历史", "historical", "approved", "历史数据", None, c.nanjing_node.pk),
    ]
    assert reload(c.member).is_active and not c.member.exits.exists()
    page = client_for(c.street_admin).get(f"/members/{undated.pk}/").content.decode()
    assert "不在册（历史数据）" in page and "日期不详" in page


def test_a_member_off_the_roll_is_offered_for_no_post(party_cast):
    from liangxin.web.party_forms import PartyOrgForm

    c = party_cast
    exits.approve(c.street_admin, scope_for(c.street_admin), propose(c))
    form = PartyOrgForm(instance=c.branch, scope=scope_for(c.street_admin))
    assert list(form.fields["secretary"].queryset) == []

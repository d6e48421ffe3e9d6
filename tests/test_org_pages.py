"""The registry through the pages: create, edit, deactivate, restore, history, list."""

import io

from openpyxl import load_workbook

from liangxin.core.models import AuditEntry
from liangxin.orgs.models import Organization

from .conftest import CODES, client_for

FORM = {
    "name": "上海新页面科技有限公司", "credit_code": CODES[3].lower(), "kind": "private", "industry": "I",
    "employees": "35", "founded_on": "2020-05-01",
}  # fmt: skip


def post_form(client, cast, url, **changes):
    data = {**FORM, "operating_region": cast.nanjing.pk, "registered_region": cast.huangpu.pk, **changes}
    return client.post(url, data)


def test_create_with_wrong_code_keeps_input_and_marks_field(cast):
    client = client_for(cast.street_admin)
    response = post_form(client, cast, "/orgs/new/", credit_code="91310101MA1FPX0004")
    page = response.content.decode()
    assert response.status_code == 400
    assert "校验位错误" in page and "上海新页面科技有限公司" in page and "has-error" in page
    assert not Organization.objects.filter(name=FORM["name"]).exists()


def test_create_edit_and_history(cast):
    client = client_for(cast.street_admin)
    response = post_form(client, cast, "/orgs/new/")
    org = Organization.objects.get(name=FORM["name"])
    assert response.status_code == 302 and org.credit_code == CODES[3]
    assert org.pinyin_initials.startswith("SHXYMKJ") and org.responsible_node == cast.nanjing_node
    post_form(client, cast, f"/orgs/{org.pk}/edit/", employees="135")
    entries = list(AuditEntry.objects.filter(object_type="orgs.organization", object_id=str(org.pk)).order_by("id"))
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].changes == {"从业人员数": [35, 135]}
    assert entries[1].actor == cast.street_admin and entries[1].origin.startswith("网页 ")
    page = client.get(f"/orgs/{org.pk}/").content.decode()
    assert "从业人员数" in page and "135" in page


def test_unchanged_save_writes_no_audit_entry(cast):
    client = client_for(cast.city_admin)
    before = AuditEntry.objects.count()
    org = cast.org
    data = {k: getattr(org, k) or "" for k in ["name", "credit_code", "kind", "industry", "employees"]}
    data.update(operating_region=org.operating_region_id, registered_region=org.registered_region_id,
                founded_on=org.founded_on.isoformat())  # fmt: skip
    assert client.post(f"/orgs/{org.pk}/edit/", data).status_code == 302
    assert AuditEntry.objects.count() == before


def test_deactivate_needs_reason_and_keeps_the_record(cast):
    client = client_for(cast.street_admin)
    url = f"/orgs/{cast.org.pk}/deactivate/"
    client.post(url, {"status": "deregistered", "on": "2026-01-05", "reason": ""})
    cast.org.refresh_from_db()
    assert cast.org.status == "operating"
    client.post(url, {"status": "deregistered", "on": "2026-01-05", "reason": "经营期满注销"})
    cast.org.refresh_from_db()
    assert (cast.org.status, str(cast.org.status_date), cast.org.status_reason) == (
        "deregistered", "2026-01-05", "经营期满注销")  # fmt: skip
    assert "上海嘉信" not in client.get("/orgs/").content.decode().split('id="orgs"')[1]
    assert "上海嘉信" in client.get("/orgs/", {"status": "deregistered"}).content.decode()
    client.post(f"/orgs/{cast.org.pk}/restore/", {"on": "2026-02-01", "reason": "误操作恢复"})
    cast.org.refresh_from_db()
    assert cast.org.status == "operating"
    actions = list(AuditEntry.objects.filter(object_id=str(cast.org.pk)).values_list("action", flat=True))
    assert "deactivate" in actions


def test_list_filters_search_and_unknown_values(cast):
    client = client_for(cast.city_admin)
    table = lambda **p: client.get("/orgs/", p).content.decode().split('id="orgs"')[1]  # noqa: E731
    assert "天平软件" in table(region="310104") and "上海嘉信" not in table(region="310104")
    assert "上海嘉信" in table(q="shjx")
    assert "上海嘉信" in table(q=CODES[0].lower())
    assert "天平软件" in table(carrier=cast.park.pk) and "上海嘉信" not in table(carrier=cast.park.pk)
    page = client.get("/orgs/", {"kind": "martian", "region": "999999"}).content.decode()
    assert "组织类型「martian」不存在" in page and "区划代码「999999」不存在" in page


def test_export_has_cover_sheet_and_is_audited(cast):
    response = client_for(cast.district_admin).get("/orgs/export.xlsx", {"region": "310101"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cover = {row[0]: row[1] for row in book["导出说明"].iter_rows(min_row=3, values_only=True)}
    assert cover["导出人"] == "huangpu_admin" and "黄浦区" in cover["筛选条件"]
    sheet = book["数据"]
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "组织名称" and len(rows) == 3
    assert isinstance(rows[1][5], int)
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor == cast.district_admin and "导出 2 条" in entry.detail


def test_list_query_count_does_not_grow_with_rows(cast):
    """Two list sizes, the same number of queries: no query per row (carrier, party links, places)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .party_helpers import make_party_org, new_org

    client = client_for(cast.city_admin)

    def queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            page = client.get("/orgs/")
        assert page.status_code == 200
        return len(ctx.captured_queries), page.content.decode()

    client.get("/orgs/")  # warm the session
    few, _ = queries()
    added = [
        new_org(cast, f"行数测试{i}号商店", None, kind="individual", carrier=cast.building if i % 2 else None)
        for i in range(12)
    ]
    make_party_org(cast, name="行数测试联合党支部", mode="joint", org_type="joint_branch", covered=added[:5])
    many, shown = queries()
    assert all(o.name in shown for o in added)  # the rows are really on the page
    assert many == few

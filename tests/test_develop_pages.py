"""发展党员 pages: the list and its export, registering, an applicant's page with its steps (a refusal
shows every reason and keeps what was typed), the pipeline per party organization, the plans."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from liangxin.accounts.scoping import scope_for
from liangxin.core.dates import add_months
from liangxin.develop import services
from liangxin.develop.models import Applicant, Quota

from .conftest import client_for
from .party_helpers import id_number, make_member

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def world(party_cast):
    c = party_cast
    c.zhang = make_member(c, c.branch, name="张伟")
    c.applicant = services.register(
        c.secretary, scope_for(c.secretary), {"name": "刘洋", "party_org": c.branch, "applied_on": days(-400)},
        id_number("19980315"),
    )  # fmt: skip
    return c


def html(response) -> str:
    return response.content.decode()


def test_the_list_shows_applicants_with_their_next_deadline_and_filters_by_stage(world):
    c = world
    page = html(client_for(c.secretary).get("/develop/"))
    assert "刘洋" in page and "入党谈话期限" in page and "已逾期" in page and "310101********" in page
    assert "刘洋" not in html(client_for(c.secretary).get("/develop/?stage=activist"))
    assert "刘洋" not in html(client_for(c.xuhui_admin).get("/develop/"))
    assert "发展党员统计" in html(client_for(c.secretary).get("/"))  # in the navigation


def test_the_export_is_the_list_as_filtered_with_a_cover_sheet(world):
    c = world
    response = client_for(c.district_admin).get("/develop/export.xlsx?stage=applicant")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.worksheets[1].iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名", "公民身份号码", "性别") and rows[1][0] == "刘洋" and "*" in rows[1][1]
    assert len(rows) == 2


def test_registering_checks_the_age_and_keeps_what_was_typed(world):
    c = world
    client = client_for(c.secretary)
    form = {"party_org": c.branch.pk, "name": "小周", "id_number": id_number("20080101"), "applied_on": "2025-12-31"}
    response = client.post("/develop/new/", form)
    assert response.status_code == 400
    assert "递交申请时未满 18 周岁（规则：「入党最低年龄」18 周岁（《中国共产党章程》））" in html(
        response
    ) and 'value="小周"' in html(response)
    response = client.post("/develop/new/", {**form, "applied_on": "2026-01-01"})
    assert response.status_code == 302
    assert Applicant.objects.get(name="小周").birth_date == datetime.date(2008, 1, 1)


def test_editing_the_application_date_after_the_talk_is_refused(world):
    c = world
    services.record_step(c.secretary, scope_for(c.secretary), c.applicant, "talk", {"on": days(-390)})
    client = client_for(c.secretary)
    form = {"party_org": c.branch.pk, "name": "刘洋", "applied_on": days(-399)}
    response = client.post(f"/develop/{c.applicant.pk}/edit/", form)
    assert response.status_code == 400 and "入党谈话，递交申请日期不能再修改" in html(response)
    assert client.post(f"/develop/{c.applicant.pk}/edit/", {**form, "applied_on": days(-400),
                                                             "phone": "13911112222"}).status_code == 302  # fmt: skip
    assert Applicant.objects.get(pk=c.applicant.pk).phone == "13911112222"


def test_the_page_offers_the_next_steps_and_a_refusal_lists_every_reason(world):
    c = world
    client = client_for(c.secretary)
    url = f"/develop/{c.applicant.pk}/"
    page = html(client.get(url))
    assert 'id="step-talk"' in page and 'id="step-activist"' not in page
    assert "「收到入党申请后谈话期限」1 个月（《中国共产党发展党员工作细则》）" in page
    response = client.post(url + "steps/", {"step": "talk", "on": str(days(2)), "talker": "王红"})
    assert response.status_code == 400
    page = html(response)
    assert "不能晚于今天" in page and 'id="refusal"' in page and 'value="王红"' in page
    response = client.post(url + "steps/", {"step": "talk", "on": str(days(-360)), "talker": "王红"}, follow=True)
    page = html(response)
    assert "已登记「入党谈话」" in page and "谈话逾期" in page  # late: recorded with the warning
    assert 'id="step-activist"' in page and "张伟" in page  # the pool of full members to pick from
    response = client.post(url + "steps/", {"step": "activist", "on": str(days(-300)), "contacts": []})
    assert "请选择培养联系人" in html(response)
    client.post(url + "steps/", {"step": "activist", "on": str(days(-300)), "contacts": [c.zhang.pk]})
    response = client.post(url + "steps/", {"step": "candidate", "on": str(days(-1))})
    ready = add_months(days(-300), 12)
    assert f"还差 {(ready - days(-1)).days} 天" in html(response)


def test_upper_committee_steps_are_not_offered_to_the_secretary(world):
    c = world
    Applicant.objects.filter(pk=c.applicant.pk).update(
        stage="candidate", talked_on=days(-390), activist_on=days(-380), candidate_on=days(-10),
        introducers_on=days(-9), reviewed_on=days(-8), trained_on=days(-7), publicized_on=days(-2),
    )  # fmt: skip
    url = f"/develop/{c.applicant.pk}/"
    assert 'id="step-prereview"' not in html(client_for(c.secretary).get(url))
    assert 'id="step-prereview"' in html(client_for(c.street_admin).get(url))
    response = client_for(c.secretary).post(
        url + "steps/", {"step": "prereview", "on": str(days(-1)), "result": "pass"}
    )
    assert response.status_code == 403
    assert client_for(c.auditor).get(url).status_code == 200
    assert 'id="steps"' not in html(client_for(c.auditor).get(url))


def test_pipeline_page_counts_link_to_lists_of_the_same_size(world):
    c = world
    page = html(client_for(c.district_admin).get("/develop/pipeline/"))
    assert "上海嘉信信息科技有限公司党支部" in page
    link = f"/develop/?party_org={c.branch.pk}&stage=applicant"
    assert f'<a href="{link}">1</a>' in page
    listed = html(client_for(c.district_admin).get(link))
    assert listed.count("/develop/" + str(c.applicant.pk) + "/") == 1
    page = html(client_for(c.district_admin).get(f"/develop/pipeline/?node={c.nanjing_node.pk}"))
    assert "南京东路街道综合党委" in page and "发展党员计划" in page


def test_plans_page_sets_a_quota_for_a_committee_in_reach(world):
    c = world
    year = TODAY.year
    client = client_for(c.street_admin)
    page = html(client.get("/develop/quotas/"))
    assert "南京东路街道综合党委" in page and "黄浦区社会工作党委" not in page
    response = client.post("/develop/quotas/", {"node": c.nanjing_node.pk, "year": year, "quota": "12"}, follow=True)
    assert f"已设定 南京东路街道综合党委 {year} 年发展党员计划 12 名" in html(response)
    assert Quota.objects.get(node=c.nanjing_node, year=year).quota == 12
    response = client.post("/develop/quotas/", {"node": c.huangpu_node.pk, "year": year, "quota": "3"}, follow=True)
    assert "请选择您管辖的党委" in html(response)
    response = client.post("/develop/quotas/", {"node": c.nanjing_node.pk, "year": year, "quota": "-1"}, follow=True)
    assert "计划数应为不小于 0 的整数" in html(response)
    page = html(client_for(c.district_admin).get("/develop/quotas/"))
    assert "黄浦区社会工作党委" in page and "南京东路街道综合党委" in page
    assert client_for(c.auditor).post("/develop/quotas/", {"node": c.nanjing_node.pk, "quota": "1"}).status_code == 403


def test_the_secretary_home_page_lists_the_talk_due(world):
    c = world
    home = html(client_for(c.secretary).get("/"))
    assert "刘洋 应在" in home and "前入党谈话" in home


def test_list_pages_cost_the_same_queries_for_few_or_many_rows(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = world
    client = client_for(c.district_admin)

    def cost(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    urls = ["/develop/", "/api/v1/develop/applicants/", "/develop/pipeline/", "/api/v1/develop/pipeline/"]
    few = [cost(u) for u in urls]
    for n in range(6):
        services.register(
            c.secretary, scope_for(c.secretary), {"name": f"申请人{n}", "party_org": c.branch, "applied_on": days(-n)},
            id_number("19990101"),
        )  # fmt: skip
    assert [cost(u) for u in urls] == few


def test_the_edit_page_opens_for_an_applicant_the_user_owns_with_their_values(world):
    c = world
    c.applicant.employer = c.org
    c.applicant.save()
    response = client_for(c.secretary).get(f"/develop/{c.applicant.pk}/edit/")
    assert response.status_code == 200
    assert 'value="刘洋"' in html(response) and c.org.credit_code in html(response)

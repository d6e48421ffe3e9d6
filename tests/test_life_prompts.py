"""组织生活内容提示: a committee publishes a month's prompt for its subtree; every secretary below sees
the prompts of all their committees above on the home page in that month (not the month after, not
another street's), and they are offered on the meeting form, a topic filling 会议主题."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from liangxin.core.dates import add_months
from liangxin.core.models import AuditEntry
from liangxin.life import prompts
from liangxin.life.models import ContentPrompt

from .conftest import client_for
from .test_api_writes import api

TODAY = timezone.localdate()
THIS_MONTH = f"{TODAY:%Y-%m}"


def publish(c, node, actor, title, month=THIS_MONTH, topics="学习《中国共产党支部工作条例》\n讨论本单位发展"):
    values = {"month": month, "title": title, "text": "结合本单位实际开展。", "topics": topics}
    return prompts.publish(actor, node, values, TODAY)


def test_a_published_prompt_shows_on_the_secretary_home_page_in_its_month_only(party_cast, monkeypatch):
    c = party_cast
    page = client_for(c.street_admin).post(
        "/life/prompts/new/",
        {
            "node": c.nanjing_node.pk,
            "month": THIS_MONTH,
            "title": "南京东路街道本月提示",
            "text": "学习。",
            "topics": "",
        },
    )
    prompt = ContentPrompt.objects.get()
    assert page.status_code == 302 and prompt.month == TODAY.replace(day=1) and prompt.node == c.nanjing_node
    assert AuditEntry.objects.filter(object_type="life.contentprompt", actor=c.street_admin).count() == 1
    publish(c, c.city_node, c.city_admin, "全市本月提示")
    publish(c, c.waitan_node, c.other_street_admin, "外滩街道本月提示")
    publish(c, c.nanjing_node, c.street_admin, "下月提示", month=f"{add_months(TODAY, 1):%Y-%m}")
    home = client_for(c.secretary).get("/").content.decode()
    assert "本月内容提示" in home
    assert "南京东路街道本月提示" in home and "全市本月提示" in home
    assert "外滩街道本月提示" not in home and "下月提示" not in home
    # the month after: this month's prompts are gone, next month's appear
    monkeypatch.setattr(timezone, "localdate", lambda *a: add_months(TODAY, 1).replace(day=1))
    later = client_for(c.secretary).get("/").content.decode()
    assert "南京东路街道本月提示" not in later and "全市本月提示" not in later and "下月提示" in later


def test_the_prompts_are_offered_on_the_meeting_form_with_topics_that_fill_the_topic(party_cast):
    c = party_cast
    publish(c, c.huangpu_node, c.district_admin, "黄浦区本月提示")
    form = client_for(c.secretary).get(f"/life/new/?party_org={c.branch.pk}").content.decode()
    assert "本月内容提示" in form and "黄浦区本月提示" in form
    assert 'data-fill-topic="学习《中国共产党支部工作条例》"' in form
    held = client_for(c.secretary).get(f"/life/new/?party_org={c.branch.pk}&status=held").content.decode()
    assert "黄浦区本月提示" in held


def test_a_prompt_is_read_below_its_committee_and_changed_by_it_or_above(party_cast):
    c = party_cast
    prompt = publish(c, c.nanjing_node, c.street_admin, "南京东路街道本月提示")
    assert client_for(c.secretary).get(f"/life/prompts/{prompt.pk}/").status_code == 200
    assert client_for(c.other_street_admin).get(f"/life/prompts/{prompt.pk}/").status_code == 404
    assert client_for(c.secretary).get(f"/life/prompts/{prompt.pk}/edit/").status_code == 403
    values = {"month": THIS_MONTH, "title": "改后的提示", "text": "改。", "topics": "甲\n乙"}
    assert client_for(c.district_admin).post(f"/life/prompts/{prompt.pk}/edit/", values).status_code == 302
    prompt.refresh_from_db()
    assert (prompt.title, prompt.topic_list) == ("改后的提示", ["甲", "乙"])
    listed = api(c.secretary).get("/api/v1/content-prompts/").json()["results"]
    assert [(p["title"], p["topic_list"]) for p in listed] == [("改后的提示", ["甲", "乙"])]
    assert api(c.secretary).get("/api/v1/content-prompts/", {"month": "2025-13"}).status_code == 400


def test_a_withdrawn_prompt_is_no_longer_shown_below_but_kept_for_its_committees(party_cast):
    c = party_cast
    prompt = publish(c, c.nanjing_node, c.street_admin, "南京东路街道本月提示")
    kept = publish(c, c.huangpu_node, c.district_admin, "黄浦区本月提示")
    url = f"/life/prompts/{prompt.pk}/withdraw/"
    assert client_for(c.other_street_admin).post(url, {"reason": "x"}).status_code == 404
    assert client_for(c.secretary).post(url, {"reason": "x"}).status_code == 403
    assert client_for(c.street_admin).post(url, {"reason": ""}).status_code == 302
    prompt.refresh_from_db()
    assert prompt.withdrawn_at is None  # refused: no reason
    response = api(c.district_admin).post(f"/api/v1/content-prompts/{kept.pk}/withdraw/", {}, format="json")
    assert response.status_code == 400 and response.json()["errors"] == {"reason": ["撤回原因：必填"]}
    assert api(c.street_admin).post(f"/api/v1/content-prompts/{kept.pk}/withdraw/", {"reason": "x"}).status_code == 403
    assert client_for(c.street_admin).post(url, {"reason": "主题与区里重复"}).status_code == 302
    prompt.refresh_from_db()
    assert (prompt.withdrawn_by, prompt.withdraw_reason) == (c.street_admin, "主题与区里重复")
    # below: gone from the home page, the meeting form, the month's list and the API
    home = client_for(c.secretary).get("/").content.decode()
    assert "黄浦区本月提示" in home and "南京东路街道本月提示" not in home
    form = client_for(c.secretary).get(f"/life/new/?party_org={c.branch.pk}").content.decode()
    assert "南京东路街道本月提示" not in form
    assert client_for(c.secretary).get(f"/life/prompts/{prompt.pk}/").status_code == 404
    assert [p["title"] for p in api(c.secretary).get("/api/v1/content-prompts/").json()["results"]] == [
        "黄浦区本月提示"
    ]
    # its committee and those above still read it, marked, with its history; it is no longer changed
    page = client_for(c.district_admin).get(f"/life/prompts/{prompt.pk}/").content.decode()
    assert "已撤回" in page and "撤回原因：主题与区里重复" in page
    listed = {
        p["title"]: p["withdraw_reason"] for p in api(c.street_admin).get("/api/v1/content-prompts/").json()["results"]
    }
    assert listed == {"南京东路街道本月提示": "主题与区里重复", "黄浦区本月提示": ""}
    values = {"month": THIS_MONTH, "title": "改", "text": "改。"}
    assert client_for(c.street_admin).get(f"/life/prompts/{prompt.pk}/edit/").status_code == 302
    assert client_for(c.street_admin).post(f"/life/prompts/{prompt.pk}/edit/", values).status_code == 400
    with pytest.raises(ValidationError, match="已撤回"):
        prompts.withdraw(c.district_admin, prompt, "再撤一次")
    assert ContentPrompt.objects.filter(pk=prompt.pk).exists()
    entry = (
        AuditEntry.objects.filter(object_type="life.contentprompt", object_id=str(prompt.pk)).order_by("-id").first()
    )
    assert entry.detail.startswith("撤回组织生活内容提示") and entry.actor == c.street_admin


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"month": "", "title": "提示", "text": "内容"}, "month", "月份：必填"),
        ({"month": "2025-3", "title": "", "text": "内容"}, "title", "标题：必填"),
        ({"month": THIS_MONTH, "title": "提示", "text": ""}, "text", "内容：必填"),
        ({"month": "2020-01", "title": "提示", "text": "内容"}, "month", "月份：不能早于一年前"),
        (
            {"month": THIS_MONTH, "title": "提示", "text": "内容", "topics": "长" * 201},
            "topics",
            "建议主题：每个不超过",
        ),
    ],
)
def test_a_prompt_with_a_missing_or_wrong_field_is_refused_in_chinese(values, field, message):
    with pytest.raises(ValidationError) as caught:
        prompts.clean_prompt(values, datetime.date(2025, 6, 15) if values["month"] != THIS_MONTH else TODAY)
    assert caught.value.message_dict[field][0].startswith(message)

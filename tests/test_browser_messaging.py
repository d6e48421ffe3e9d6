"""A street messages its members and every 空白点 over 50 employees (their contacts), sees the reach
before sending, sends; a member opens it from the inbox and replies; the street sees the reply
(Playwright on Debian chromium)."""

import pytest

from liangxin.accounts.models import RoleAssignment, User
from liangxin.messaging.models import Delivery
from liangxin.party.models import Member

from .conftest import PASSWORD, client_for
from .party_helpers import new_org
from .test_browser import browser, expect, log_in, page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser]


@pytest.fixture
def site(transactional_db, live_server, party_cast, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    c = party_cast
    c.reader = User.objects.create_user(username="wanghong", password=PASSWORD, full_name="王红")
    RoleAssignment.objects.create(user=c.reader, role="member", node=c.branch.node)
    Member.objects.filter(pk=c.member.pk).update(user=c.reader)
    c.big_blank = new_org(
        c, "南京东路大型空白企业", "91310101MA1FPX004F", employees=60, contact_name="钱经理",
        contact_phone="13900000001",
    )  # fmt: skip
    c.small_blank = new_org(
        c, "南京东路小型空白企业", "91310101MA1FPX005J", employees=30, contact_name="孙经理",
        contact_phone="13900000002",
    )  # fmt: skip
    c.url = lambda path: live_server.url + path
    return c


def test_a_street_messages_blank_spots_and_members_and_a_member_replies(site, page):  # noqa: F811
    log_in(page, site, site.street_admin)
    page.get_by_role("navigation").get_by_role("link", name="写信息").click()
    page.get_by_label("标题").fill("关于开展“两个覆盖”攻坚的通知")
    page.get_by_label("正文").fill("请各单位负责人于本月底前联系街道综合党委。\n\n请回复联系人姓名。")
    page.get_by_label("党员", exact=True).check()
    page.get_by_label("发送给组织联系人（在营组织，按下列条件）").check()
    page.get_by_label("空白点").check()
    page.get_by_label("从业人员不少于（人）").fill("50")
    page.get_by_label("记录（无网关）").check()
    page.get_by_label("回复要求").select_option(label="简短回复")
    page.get_by_role("button", name="预览发送范围").click()
    # 王红 (a member) and 钱经理 (the contact of the one blank spot over 50); not 孙经理
    expect(page.locator("#reach-people")).to_have_text("2")
    expect(page.locator("#preview")).to_contain_text("钱经理")
    expect(page.locator("#preview")).not_to_contain_text("孙经理")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="发送", exact=True).click()
    expect(page.locator(".msg-success")).to_contain_text("已发送")
    expect(page.locator("#progress")).to_contain_text("状态：已发送")

    page.context.clear_cookies()
    log_in(page, site, site.reader)
    page.locator(".inbox-link").click()
    page.get_by_role("link", name="关于开展“两个覆盖”攻坚的通知").click()
    expect(page.locator("#message")).to_contain_text("请各单位负责人于本月底前联系街道综合党委")
    page.get_by_label("回复内容（200 字以内）").fill("联系人：王红")
    page.get_by_role("button", name="提交回复").click()
    expect(page.locator(".msg-success")).to_contain_text("回复已提交")
    expect(page.locator("#reply")).to_contain_text("联系人：王红")

    reply = Delivery.objects.get(user=site.reader, channel="inbox")
    assert reply.reply == "联系人：王红" and reply.read_at is not None
    contact = Delivery.objects.get(organization=site.big_blank)
    assert contact.channel == "log" and contact.address == "13900000001"
    assert not Delivery.objects.filter(organization=site.small_blank).exists()
    people = client_for(site.street_admin).get(f"/messages/{reply.message_id}/people/?show=replied")
    assert "联系人：王红" in people.content.decode()

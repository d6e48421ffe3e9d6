"""站内消息 and reminders: notices are the recipient's only; reminders are sent once."""

import datetime
import io

from django.core.management import call_command
from django.utils import timezone

from liangxin.accounts.scoping import scope_for
from liangxin.inbox import reminders, services
from liangxin.inbox.models import Notice

from .conftest import client_for


def test_notify_once_per_key_and_only_to_the_recipient(cast):
    assert services.notify([cast.street_admin, cast.district_admin, None], "message", "会议通知", key="k1") == 2
    assert services.notify([cast.street_admin], "message", "会议通知", key="k1") == 0  # already had it
    assert services.notify([cast.street_admin], "message", "另一条") == 1
    assert services.unread_count(cast.street_admin) == 2
    mine = Notice.objects.filter(recipient=cast.street_admin).first()
    other = Notice.objects.get(recipient=cast.district_admin)
    client = client_for(cast.street_admin)
    assert client.get(f"/inbox/{other.pk}/").status_code == 404
    assert client.post(f"/api/v1/inbox/{other.pk}/read/").status_code == 404
    assert client.post(f"/api/v1/inbox/{mine.pk}/read/").json()["read_at"]
    page = client.get("/inbox/")
    assert "另一条" in page.content.decode() and "未读 1 条" in page.content.decode()
    client.post("/inbox/")
    assert services.unread_count(cast.street_admin) == 0
    assert services.unread_count(cast.district_admin) == 1


def test_opening_a_notice_goes_to_its_page_never_off_site(cast):
    services.notify([cast.street_admin], "message", "站内", url="/stats/")
    services.notify([cast.street_admin], "message", "站外", url="https://evil.example/")
    client = client_for(cast.street_admin)
    inside, outside = Notice.objects.filter(recipient=cast.street_admin).order_by("pk")
    assert client.get(f"/inbox/{inside.pk}/")["Location"] == "/stats/"
    assert client.get(f"/inbox/{outside.pk}/")["Location"] == "/inbox/"


def test_term_reminders_reach_the_secretary_once(party_cast):
    cast = party_cast
    today = timezone.localdate()
    cast.branch.term_end = today + datetime.timedelta(days=20)
    cast.branch.save()
    due = reminders.due_for(cast.secretary, scope_for(cast.secretary), today)
    terms = [r for r in due if r.kind == "term"]
    assert len(terms) == 1 and "提前 1 个月" in terms[0].title
    call_command("send_reminders", stdout=io.StringIO())
    call_command("send_reminders", stdout=io.StringIO())
    assert Notice.objects.filter(recipient=cast.secretary, kind="term").count() == 1
    home = client_for(cast.secretary).get("/").content.decode()
    assert "任期将于" in home


def test_a_member_sees_their_own_record_and_nothing_else(party_cast):
    from liangxin.accounts.models import RoleAssignment, User

    cast = party_cast
    user = User.objects.create_user(username="wanghong", password="x" * 12, full_name="王红")
    RoleAssignment.objects.create(user=user, role="member", node=cast.branch.node)
    cast.member.user = user
    cast.member.save()
    client = client_for(user)
    page = client.get("/me/membership/")
    assert (
        page.status_code == 200 and "王红" in page.content.decode() and cast.member.id_masked in page.content.decode()
    )
    assert client.get(f"/members/{cast.member.pk}/").status_code == 403  # no member list, not even their own entry
    assert client.get("/orgs/").status_code == 403
    assert client.get("/stats/").status_code == 403
    assert client_for(cast.secretary).get("/me/membership/").status_code == 403

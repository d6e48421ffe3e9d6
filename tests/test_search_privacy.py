"""Issue 12 §3: a search by full identity number never puts the number in a URL (access logs,
browser history), and request lines in logs have identity numbers masked."""

import logging

import pytest

from liangxin.core import crypto

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/members/", "/develop/", "/floating/"])
def test_search_forms_send_the_search_by_post(party_cast, url):
    page = client_for(party_cast.city_admin).get(url).content.decode()
    form = page[page.index('<form class="filters"') :].split(">", 1)[0]
    assert 'method="post"' in form


def test_a_search_by_identity_number_is_posted_and_redirected_without_it(party_cast):
    c = party_cast
    number = crypto.decrypt(c.member.id_number_enc)
    client = client_for(c.city_admin)
    response = client.post("/members/", {"q": number, "category": "full"})
    assert response.status_code == 303
    location = response["Location"]
    assert number not in location and number[:-1] not in location and "category=full" in location
    page = client.get(location).content.decode()
    assert "王红" in page and number not in page
    by_name = client.post("/members/", {"q": "王"})
    assert by_name.status_code == 303 and "q=%E7%8E%8B" in by_name["Location"]


def test_request_lines_in_logs_have_identity_numbers_masked(caplog):
    from liangxin.core.logmask import MaskPersonalData

    line = "GET /members/?q=11010119900307451X HTTP/1.1"
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s %s', (line, 200, 5), None)
    assert MaskPersonalData().filter(record)
    assert "11010119900307451X" not in record.getMessage() and "110101********451X" in record.getMessage()


def test_every_log_handler_masks_personal_data(settings):
    handlers = settings.LOGGING["handlers"]
    assert all("personal_data" in h.get("filters", []) for h in handlers.values())
    assert "django.server" in settings.LOGGING["loggers"]


def test_a_csv_export_with_full_numbers_carries_the_notice_and_the_audit_entry(party_cast, tmp_path):
    from urllib.parse import unquote

    from django.urls import reverse

    from liangxin.core.models import AuditAction, AuditEntry

    c = party_cast
    number = crypto.decrypt(c.member.id_number_enc)
    response = client_for(c.city_admin).get(reverse("web:member_export") + "?format=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert number in text
    first = text.splitlines()[0]
    assert "含完整公民身份号码" in first and "导出人" in first
    assert "含完整公民身份号码" in unquote(response["Content-Disposition"])
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT).first()
    assert "含完整公民身份号码" in entry.detail and "csv" in entry.detail
    from liangxin.party.models import Member

    from .test_imports import run

    (tmp_path / "m.csv").write_text(text, encoding="utf-8-sig")
    back = run(c.city_admin, "members", str(tmp_path / "m.csv"))  # the notice line is read past
    assert (back.created, back.rejected, back.unchanged) == (0, 0, Member.objects.count())
    masked = client_for(c.auditor).get(reverse("web:member_export") + "?format=csv")
    masked_text = b"".join(masked.streaming_content).decode("utf-8-sig")
    assert "含完整公民身份号码" not in unquote(masked["Content-Disposition"])
    assert masked_text.splitlines()[0].startswith('"姓名"') or "含完整" not in masked_text.splitlines()[0]

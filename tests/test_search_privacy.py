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

"""Members: identity numbers validated, derived, encrypted, masked, unique, and never stored plain."""

import datetime
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from stdnum.cn import ric

from liangxin.core import crypto
from liangxin.core.models import AuditEntry
from liangxin.party.models import Member

from .conftest import client_for
from .party_helpers import id_number, make_member

NUMBER = "11010519491231002X"  # the GB 11643 example


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def body(cast, **changes):
    data = {
        "name": "李明",
        "id_number": NUMBER.lower(),
        "party_org": cast.branch.pk,
        "category": "full",
        "joined_on": "2010-07-01",
        "full_on": "2011-07-01",
        "employer": cast.org.pk,
    }
    data.update(changes)
    return data


def test_create_through_api_derives_masks_and_encrypts(party_cast):
    cast = party_cast
    response = api(cast.secretary).post("/api/v1/members/", body(cast), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["id_masked"] == "110105********002X" and "id_number" not in data
    assert (data["birth_date"], data["sex"]) == ("1949-12-31", "F")
    member = Member.objects.get(pk=data["id"])
    assert NUMBER not in member.id_number_enc and crypto.decrypt(member.id_number_enc) == NUMBER
    found = api(cast.city_admin).get("/api/v1/members/", {"id_number": NUMBER}).json()["results"]
    assert [m["id"] for m in found] == [member.pk]


@pytest.mark.parametrize(
    "changes, field, text",
    [
        ({"id_number": "110105194912310021"}, "id_number", "校验位错误"),
        ({"id_number": "1101051949"}, "id_number", "18位"),
        ({"id_number": "11010519491331002" + ric.calc_check_digit("110105194913310020")}, "id_number", "出生日期无效"),
        ({"full_on": "2009-01-01"}, "full_on", "不能早于入党日期"),
        ({"joined_on": "1960-01-01", "full_on": "1961-01-01"}, "joined_on", "未满18周岁"),
        ({"category": "probationary"}, "full_on", "尚未转正"),
    ],
)
def test_bad_member_input_is_refused_in_chinese(party_cast, changes, field, text):
    response = api(party_cast.secretary).post("/api/v1/members/", body(party_cast, **changes), format="json")
    assert response.status_code == 400 and text in response.json()["errors"][field][0]
    assert not Member.objects.filter(name="李明").exists()


def test_one_person_is_one_member_and_the_holder_is_named_only_in_scope(party_cast):
    cast = party_cast
    api(cast.secretary).post("/api/v1/members/", body(cast), format="json")
    from .party_helpers import make_party_org

    other = make_party_org(cast, name="外滩党支部", parent=cast.waitan_node)
    inside = api(cast.city_admin).post("/api/v1/members/", body(cast, party_org=other.pk), format="json")
    assert "李明" in inside.json()["errors"]["id_number"][0]
    outside = api(cast.other_street_admin).post(
        "/api/v1/members/", body(cast, party_org=other.pk, employer=None), format="json"
    )
    message = outside.json()["errors"]["id_number"][0]
    assert "其他党组织" in message and "李明" not in message


def test_masked_in_pages_and_reveal_is_audited(party_cast):
    cast = party_cast
    member = Member.objects.get(pk=cast.member.pk)
    full = crypto.decrypt(member.id_number_enc)
    page = client_for(cast.auditor).get(f"/members/{member.pk}/").content.decode()
    assert full not in page and member.id_masked in page
    assert client_for(cast.auditor).post(f"/members/{member.pk}/").status_code == 403
    revealed = client_for(cast.street_admin).post(f"/members/{member.pk}/").content.decode()
    assert full in revealed
    assert AuditEntry.objects.filter(action="view_sensitive", object_id=str(member.pk)).count() == 1


@pytest.mark.django_db(transaction=True)
def test_no_plain_identity_number_in_database_or_audit_log(party_cast):
    cast = party_cast
    number = id_number("19850315")
    from liangxin.party import services

    services.save_member(
        cast.city_admin,
        Member(),
        {
            "name": "赵六",
            "party_org": cast.branch,
            "category": "full",
            "joined_on": datetime.date(2010, 1, 1),
            "full_on": datetime.date(2011, 1, 1),
        },
        number,
    )
    assert not AuditEntry.objects.filter(changes__icontains=number).exists()
    assert all(number not in str(e.changes) + e.detail for e in AuditEntry.objects.all())
    for table in ("party_member", "core_auditentry"):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            assert number not in repr(cursor.fetchall())
    if connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"])
        raw = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
        assert "赵六".encode() in raw  # the check can see what was written…
        assert number.encode() not in raw  # …and the number is not there
    else:
        settings = connection.settings_dict
        dump = subprocess.run(
            [
                "pg_dump",
                "--data-only",
                "-h",
                settings["HOST"],
                "-p",
                str(settings["PORT"]),
                "-U",
                settings["USER"],
                settings["NAME"],
            ],
            capture_output=True,
            check=True,
        )
        assert "赵六".encode() in dump.stdout and number.encode() not in dump.stdout


def test_key_rotation_keeps_numbers_readable(party_cast, monkeypatch):
    from cryptography.fernet import Fernet

    member = Member.objects.get(pk=party_cast.member.pk)
    number = crypto.decrypt(member.id_number_enc)
    old = crypto._fernet()._fernets[0]
    new_key = Fernet.generate_key().decode()
    monkeypatch.setenv("LIANGXIN_FIELD_KEYS", f"{new_key},{_key_of(old)}")
    call_command("rotate_field_keys")
    member.refresh_from_db()
    monkeypatch.setenv("LIANGXIN_FIELD_KEYS", new_key)
    crypto.reset_keys()
    assert crypto.decrypt(member.id_number_enc) == number
    monkeypatch.delenv("LIANGXIN_FIELD_KEYS")
    crypto.reset_keys()


def _key_of(fernet) -> str:
    import base64

    return base64.urlsafe_b64encode(fernet._signing_key + fernet._encryption_key).decode()


def test_secretary_manages_only_their_branch(party_cast):
    cast = party_cast
    assert set(client_for(cast.secretary).get("/members/").context["page"].rows) == {cast.member}
    make_member(cast, cast.branch, name="新党员")
    assert client_for(cast.other_street_admin).get(f"/members/{cast.member.pk}/").status_code == 404


def test_genuine_numbers_with_a_later_area_code_are_accepted():
    from liangxin.party.validation import clean_id_number

    number = "31011519800101001" + ric.calc_check_digit("310115198001010010")  # 浦东 code, born 1980
    assert clean_id_number(number) == number


def test_an_outflow_member_can_get_an_inflow_party_org(party_cast):
    from .party_helpers import make_party_org

    cast = party_cast
    inflow = make_party_org(cast, name="流入地党支部", parent=cast.waitan_node)
    data = {"floating": "outflow", "floating_card_no": "LD-9", "inflow_party_org": inflow.pk}
    client = api(cast.city_admin)
    response = client.patch(f"/api/v1/members/{cast.member.pk}/", data, format="json")
    assert response.status_code == 200, response.json()
    no_float = client.patch(
        f"/api/v1/members/{cast.member.pk}/", {"floating": "", "floating_card_no": ""}, format="json"
    )
    assert "只有流动党员" in no_float.json()["errors"]["inflow_party_org"][0]

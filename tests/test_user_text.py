"""What users read names things in Chinese: a policy parameter by its Chinese name and the document it
comes from (``policy.cite``), never its code name; no page points at a command or a file."""

import datetime
import re
from decimal import Decimal

import pytest

from liangxin.develop import rules as develop_rules
from liangxin.dues import rules as dues_rules
from liangxin.life import compliance
from liangxin.life.choices import MeetingKind
from liangxin.party import policy

from .conftest import client_for

CODE_NAME = re.compile(r"[A-Za-z]+_[A-Za-z0-9_]+")
# the national rules, the source documents of DOMAIN.md by title, or the city's own choice
SOURCES = {
    "《中国共产党章程》",
    "《中国共产党支部工作条例（试行）》",
    "《中国共产党发展党员工作细则》",
    "《中国共产党基层组织选举工作条例》",
    "《关于中国共产党党费收缴、使用和管理的规定》（2008年）",
    "《探索实践 破解难题——上海新经济组织和新社会组织工作调研文选（2007）》",
    "《大力推进新社会组织党建工作》（义乌）",
    "《以改革创新精神加强和改进北京社会领域党建工作》",
    "《上海组织工作调研文选（2005）》",
    "《黄浦区2015年“两新”组织党建工作要点》",
    "市级设定",
}


def test_every_parameter_cites_a_real_document_or_the_city():
    assert {p.key: p.source for p in policy.PARAMETERS if p.source not in SOURCES} == {}


def test_cite_gives_the_chinese_name_and_the_source():
    assert policy.cite("lapse_months") == "「连续未交党费或未参加组织生活（自行脱党核查）」（《中国共产党章程》）"
    params = defaults()
    assert policy.cite("dues_retired_bracket", "dues_retired_rate_1", params=params) == (
        "「离退休党员党费：分档线（月收入）」5000 元、「离退休党员：分档线以下比例」0.5 %"
        "（《关于中国共产党党费收缴、使用和管理的规定》（2008年））"
    )


def defaults() -> dict:
    return {p.key: p.default for p in policy.PARAMETERS}


def test_rule_messages_never_show_a_code_name():
    params = defaults()
    texts = [dues_rules.rule_amount(c, Decimal(b), params).text for c in dues_rules.DuesCategory for b in (2000, 9000)]
    texts += [dues_rules.rule_amount("employed", Decimal(b), params).text for b in (4000, 12000)]
    texts += [compliance.rule_text(kind, params) for kind in MeetingKind]
    texts.append(develop_rules.check_age(datetime.date(2010, 1, 1), datetime.date(2020, 1, 1), params))
    leaks = [t for t in texts if CODE_NAME.search(t)]
    assert leaks == []
    assert all("（《" in t or "市级设定" in t for t in texts if "党费" not in t or "元" in t), texts


@pytest.mark.django_db
def test_pages_name_no_command_file_or_parameter_code(party_cast):
    c = party_cast
    pages = {
        "/policy/": client_for(c.city_admin),
        "/stats/": client_for(c.district_admin),
        "/dues/arrears/": client_for(c.street_admin),
        f"/life/compliance/{c.branch.pk}/": client_for(c.secretary),
    }
    for url, client in pages.items():
        html = client.get(url).content.decode()
        text = re.sub(r"<[^>]+>", " ", re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html))  # what is read
        for word in ("seeds", "manage.py", "snapshot_stats", "lapse_months", "（参数 "):
            assert word not in text, (url, word)


@pytest.mark.django_db
def test_the_audit_log_says_yes_or_no_on_the_page_and_in_the_export(cast):
    import io

    import openpyxl

    from liangxin.orgs import services

    values = {f.name: getattr(cast.org, f.name) for f in cast.org._meta.fields if f.name != "id"}
    services.update_organization(cast.city_admin, cast.org, {**values, "above_scale": True})
    client = client_for(cast.district_admin)
    page = client.get("/audit/", {"action": "update"}).content.decode()
    assert "规模以上</b>：否 → 是" in page and "True" not in page and "False" not in page
    response = client.get("/audit/export.xlsx", {"action": "update"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [str(c.value) for row in book.worksheets[-1].iter_rows() for c in row if c.value is not None]
    assert any("规模以上：否 → 是" in c for c in cells), cells
    assert not any("True" in c or "False" in c for c in cells)

"""年度统计报表: the PDF's and the workbook's figures against the statistics API's for the same node
and date, the members' tables against a recount over raw rows, the change from the previous
year-end against two API answers, and the scope (tests/matrix_yearend.py has the matrix)."""

import datetime
import io
import random
import re
from decimal import Decimal

import openpyxl
import pytest
from pypdf import PdfReader

from liangxin.core.models import AuditEntry
from liangxin.party import services
from liangxin.party.models import Member
from liangxin.reporting import yearend
from liangxin.transfers.models import Transfer

from . import stats_world
from .conftest import client_for
from .party_helpers import id_number, make_party_org

YEAR = 2025
AS_OF, PREVIOUS = f"{YEAR}-12-31", f"{YEAR - 1}-12-31"


@pytest.fixture
def world(cast):
    stats_world.build(cast, random.Random(20251231))
    return cast


def _coverage_api(client, node, day: str) -> dict:
    response = client.get("/api/v1/stats/coverage/", {"node": node.pk, "as_of": day})
    assert response.status_code == 200, response.content
    return response.json()


def _rates(body: dict) -> dict[str, dict]:
    return {r["key"]: r for r in body["rates"]}


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{Decimal(str(value)):.1f}"


def _change(now: float | None, then: float | None) -> str:
    if now is None or then is None:
        return "—"
    return str(Decimal(str(now)).quantize(Decimal("0.1")) - Decimal(str(then)).quantize(Decimal("0.1")))


def _pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_renders_with_the_api_figures_charts_and_page_numbers(world):
    cast = world
    client = client_for(cast.city_admin)
    now, then = _coverage_api(client, cast.city_node, AS_OF), _coverage_api(client, cast.city_node, PREVIOUS)
    assert now["measures"]["counted"]["value"] > 0, "the world has organizations at the year-end"
    response = client.get("/api/v1/stats/yearend.pdf", {"node": cast.city_node.pk, "year": YEAR})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader, text = _pdf_text(response.content)
    flat = re.sub(r"\s+", " ", text)

    # the cover, the footer of every page, the signature block
    assert "上海市社会工作党委" in text and f"{YEAR}年度两新组织党建工作统计报表" in text
    assert "填报单位：上海市社会工作党委" in text and "统计截止日期：2025年12月31日" in text
    pages = len(reader.pages)
    assert pages >= 3
    for number, page in enumerate(reader.pages, start=1):
        assert f"第 {number} 页 共 {pages} 页" in page.extract_text()
    for word in ("单位负责人", "填表人", "审核人", "日期", "盖章"):
        assert word in text

    # every coverage rate: this year-end's and last year-end's numerator, denominator and
    # percentage as the statistics API gives them for the same node and dates, and the change
    now_rates, then_rates = _rates(now), _rates(then)
    for key in yearend.COVERAGE_RATES:
        a, b = now_rates[key], then_rates[key]
        change = _change(a["percent"], b["percent"])
        figures = (f"{a['numerator']} {a['denominator']} {_pct(a['percent'])} "
                   f"{b['numerator']} {b['denominator']} {_pct(b['percent'])} {change}")  # fmt: skip
        assert figures in flat, (key, figures)
    counted = now["measures"]["counted"]["value"]
    blank, blank_before = now["measures"]["blank"]["value"], then["measures"]["blank"]["value"]
    assert f"空白点（个） {blank} — — {blank_before} — — {blank - blank_before}" in flat
    # the organization tables' totals and the party organizations' total
    covered, work = now["measures"]["org_covered"]["value"], now["measures"]["work_covered"]["value"]
    assert flat.count(f"合计 {counted} {covered} {work} {blank}") == 2  # by kind, by size band
    assert re.search(rf"合计( \d+)* {now['party_orgs']} 注：按统计日期前成立的党组织计", flat)
    # each sub-node's coverage as the API's breakdown gives it
    for row in now["children"]:
        rates = {r["key"]: r for r in row["rates"]}
        line = (f"{row['label']} {row['measures']['counted']} {_pct(rates['org_coverage']['percent'])} "
                f"{_pct(rates['work_coverage']['percent'])} {row['measures']['blank']}")  # fmt: skip
        assert line in flat, line

    # the two charts, drawn on the server, are images in the PDF
    images = {image.name: image for page in reader.pages for image in page.images}
    assert len(images) >= 2
    assert all(image.image.width > 300 for image in images.values())
    # the CJK font is embedded (subset), not referenced
    fonts = [font for page in reader.pages for font in page["/Resources"]["/Font"].values()]
    assert any("/FontFile3" in f.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"] for f in fonts)
    # the download is an export in the audit log
    assert AuditEntry.objects.filter(object_type="reporting.yearend", actor=cast.city_admin).count() == 1


def test_the_workbook_has_one_sheet_per_table_with_the_same_figures(world):
    cast = world
    client = client_for(cast.district_admin)
    body = client.get("/api/v1/stats/yearend/", {"node": cast.huangpu_node.pk, "year": YEAR}).json()
    response = client.get("/api/v1/stats/yearend.xlsx", {"node": cast.huangpu_node.pk, "year": YEAR})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == len(body["tables"])
    for sheet_name, table in zip(book.sheetnames, body["tables"], strict=True):
        sheet = book[sheet_name]
        assert table["title"] in sheet.cell(2, 1).value
        assert sheet.cell(3, 1).value == "填报单位：黄浦区社会工作党委"
        assert AS_OF in sheet.cell(4, 1).value
        assert [c.value for c in sheet[6][: len(table["columns"])]] == table["columns"]
        for r, row in enumerate(table["rows"], start=7):
            got = [c.value for c in sheet[r][: len(row)]]
            assert got == [None if v == "" else v for v in row], (table["key"], row, got)  # blank: an empty cell
    # and the JSON's coverage figures are the statistics API's
    api = _rates(_coverage_api(client, cast.huangpu_node, AS_OF))
    coverage = next(t for t in body["tables"] if t["key"] == "coverage")
    for key, row in zip(yearend.COVERAGE_RATES, coverage["rows"], strict=False):
        assert row[1:4] == [api[key]["numerator"], api[key]["denominator"], api[key]["percent"]]


def test_the_change_column_is_the_difference_of_the_two_year_ends(world):
    cast = world
    client = client_for(cast.city_admin)
    report = yearend.build(cast.xuhui_node, YEAR)
    now, then = (
        _rates(_coverage_api(client, cast.xuhui_node, AS_OF)),
        _rates(_coverage_api(client, cast.xuhui_node, PREVIOUS)),
    )
    table = report.table("coverage")
    changed = 0
    for key in yearend.COVERAGE_RATES:
        label = now[key]["label"]
        a, b = now[key]["percent"], then[key]["percent"]
        assert table.cell(label, "上年末分子") == then[key]["numerator"]
        assert table.cell(label, "上年末分母") == then[key]["denominator"]
        got = table.cell(label, "比上年末增减（百分点/个）")
        if a is None or b is None:
            assert got is None
        else:
            assert got == Decimal(str(a)) - Decimal(str(b))
            changed += got != 0
    assert changed, "the world changes between the two year-ends: a zero column would prove nothing"


def test_members_tables_recount_the_roll_from_raw_rows(world):
    cast = world
    node = cast.huangpu_node
    report = yearend.build(node, YEAR)
    roll = [m for m in Member.objects.select_related("party_org__node", "employer")
            if m.is_active and m.party_org.node.path.startswith(node.path)]  # fmt: skip
    assert roll, "the world has members under the district"
    as_of = datetime.date(YEAR, 12, 31)

    def age(m) -> int:
        b = m.birth_date
        return as_of.year - b.year - ((as_of.month, as_of.day) < (b.month, b.day))

    category = report.table("members_category")
    assert category.cell("正式党员", "人数") == sum(m.category == "full" for m in roll)
    assert category.cell("预备党员", "人数") == sum(m.category == "probationary" for m in roll)
    assert category.cell("合计", "人数") == len(roll)
    ages = report.table("members_age")
    assert ages.cell("30岁及以下", "人数") == sum(age(m) <= 30 for m in roll)
    assert ages.cell("31–40岁", "人数") == sum(31 <= age(m) <= 40 for m in roll)
    assert ages.cell("61岁及以上", "人数") == sum(age(m) >= 61 for m in roll)
    assert sum(r[1] for r in ages.rows[:-1]) == len(roll)
    sex = report.table("members_sex")
    assert sex.cell("男", "人数") == sum(m.sex == "M" for m in roll)
    employment = report.table("members_employment")
    assert employment.cell("在新经济组织就业", "人数") == sum(
        bool(m.employer) and m.employer.sector == "economic" for m in roll
    )
    assert employment.cell("未登记在两新组织就业", "人数") == sum(m.employer is None for m in roll)
    # a share is of the total, to one decimal place
    full = category.cell("正式党员", "人数")
    assert category.cell("正式党员", "占比（%）") == (Decimal(full) * 100 / len(roll)).quantize(Decimal("0.1"))
    # the roll is today's: the note says so rather than passing it off as the year-end's
    assert "截至统计日期的数字无法得出" in category.note


def test_size_bands_add_up_to_the_kinds_and_the_engine(world):
    cast = world
    client = client_for(cast.city_admin)
    report = yearend.build(cast.city_node, YEAR)
    api = _coverage_api(client, cast.city_node, AS_OF)
    sizes, kinds = report.table("orgs_by_size"), report.table("orgs_by_kind")
    for column, measure in yearend.ORG_COLUMNS:
        total = api["measures"][column]["value"]
        assert sizes.cell("合计", measure) == total == kinds.cell("合计", measure)
        assert sum(r[sizes.columns.index(measure)] for r in sizes.rows[:-1]) == total
    assert report.table("party_orgs").cell("合计", "合计") == api["party_orgs"]


def test_scope_and_bad_input_are_chinese_refusals(world):
    cast = world
    street = client_for(cast.street_admin)
    # inside: the street's own committee, also by default
    assert street.get("/api/v1/stats/yearend/").json()["node"]["id"] == cast.nanjing_node.pk
    ok = street.get("/api/v1/stats/yearend/", {"node": cast.nanjing_node.pk, "year": YEAR})
    assert ok.status_code == 200 and ok.json()["as_of"] == AS_OF
    # outside: another street, the district above, the lawyers' committee — refused, no figures
    for node in (cast.waitan_node, cast.huangpu_node, cast.lawyers_node):
        for url in ("/api/v1/stats/yearend/", "/api/v1/stats/yearend.pdf", "/api/v1/stats/yearend.xlsx"):
            refused = street.get(url, {"node": node.pk, "year": YEAR})
            assert refused.status_code == 400, (node, url)
            assert "不在您的统计范围内" in refused.json()["errors"]["node"][0]
        page = street.get("/stats/yearend/", {"node": node.pk})
        assert page.status_code == 400 and "不在您的统计范围内" in page.content.decode()
    lawyers = client_for(cast.industry_admin)
    assert lawyers.get("/api/v1/stats/yearend/", {"node": cast.lawyers_node.pk}).status_code == 200
    assert lawyers.get("/api/v1/stats/yearend/", {"node": cast.huangpu_node.pk}).status_code == 400
    # a year not yet ended, a word for a number, a year too early
    this_year = datetime.date.today().year
    bad = {"year": str(this_year), "node": "abc"}
    errors = street.get("/api/v1/stats/yearend/", bad).json()["errors"]
    assert errors["year"] == [f"统计年度须为已经结束的年度（{this_year - 1}年或以前）"]
    assert "统计单位" in errors["node"][0]
    assert "统计年度" in street.get("/api/v1/stats/yearend/", {"year": "1999"}).json()["errors"]["year"][0]
    # nothing refused was written to the audit log as an export
    assert not AuditEntry.objects.filter(object_type="reporting.yearend").exists()


def test_the_page_previews_the_tables_and_links_the_downloads(world):
    cast = world
    client = client_for(cast.district_admin)
    page = client.get("/stats/yearend/", {"node": cast.huangpu_node.pk, "year": YEAR})
    assert page.status_code == 200
    html = page.content.decode()
    report = page.context["report"]
    for table in report.tables:
        assert table.title in html
    assert f"/stats/yearend/export.pdf?node={cast.huangpu_node.pk}&amp;year={YEAR}" in html
    assert f"/stats/yearend/export.xlsx?node={cast.huangpu_node.pk}&amp;year={YEAR}" in html
    # the picker offers the district's committees, not the other district's
    offered = {c.pk for c in page.context["committees"]}
    assert {cast.huangpu_node.pk, cast.nanjing_node.pk, cast.waitan_node.pk} <= offered
    assert cast.xuhui_node.pk not in offered and cast.city_node.pk not in offered
    pdf = client.get("/stats/yearend/export.pdf", {"node": cast.waitan_node.pk, "year": YEAR})
    assert pdf.status_code == 200 and "外滩街道综合党委" in _pdf_text(pdf.content)[1]


def test_age_bands_at_their_boundaries_on_the_report_date(cast):
    branch = make_party_org(cast, name="年龄测试党支部")
    born = {
        "19950101": "30岁及以下",  # 30 on 2025-12-31
        "19941231": "31–40岁",  # 31 that very day
        "19850101": "31–40岁",  # 40
        "19841231": "41–50岁",  # 41
        "19650101": "51–60岁",  # 60
        "19641231": "61岁及以上",  # 61 that very day
    }
    for birth in born:
        values = {"name": f"党员{birth}", "party_org": branch, "category": "full",
                  "joined_on": datetime.date(2015, 7, 1), "full_on": datetime.date(2016, 7, 1)}  # fmt: skip
        services.save_member(cast.city_admin, Member(), values, id_number(birth))
    ages = yearend.build(cast.nanjing_node, YEAR).table("members_age")
    for label, _, _ in yearend.AGE_BANDS:
        assert ages.cell(label, "人数") == sum(band == label for band in born.values()), label
    assert ages.cell("合计", "人数") == len(born)


def test_transfers_are_those_accepted_within_the_year_by_side(cast):
    inside = make_party_org(cast, name="南京东路测试党支部")
    outside = make_party_org(cast, name="外滩测试党支部", parent=cast.waitan_node)

    def transfer(kind, closed_on, state="accepted", to=None, frm=None):
        Transfer.objects.create(kind=kind, state=state, person_name="李四", to_party_org=to, from_party_org=frm,
                                from_org_name="甲", to_org_name="乙", issued_on=datetime.date(2025, 1, 2),
                                closed_on=closed_on)  # fmt: skip

    transfer("in", datetime.date(2025, 1, 1), to=inside)  # the year's first day
    transfer("in", datetime.date(2025, 12, 31), to=inside)  # its last
    transfer("in", datetime.date(2026, 1, 1), to=inside)  # the next year
    transfer("in", datetime.date(2024, 12, 31), to=inside)  # the year before
    transfer("in", None, state="reviewed", to=inside)  # not accepted
    transfer("internal", datetime.date(2025, 5, 1), to=inside, frm=outside)  # into the street
    transfer("internal", datetime.date(2025, 5, 1), to=outside, frm=inside)  # out of it
    transfer("out", datetime.date(2025, 6, 1), frm=inside)
    transfer("out", datetime.date(2025, 6, 1), frm=outside)  # another street's
    table = yearend.build(cast.nanjing_node, YEAR).table("transfers")
    assert table.cell("从系统外转入", "转入（名）") == 2
    assert table.cell("系统内转接", "转入（名）") == 1 and table.cell("系统内转接", "转出（名）") == 1
    assert table.cell("转出至系统外", "转出（名）") == 1
    assert table.cell("合计", "转入（名）") == 3 and table.cell("合计", "转出（名）") == 2


def test_monthly_brief_is_one_page_with_the_engine_figures_and_the_due_list(world):
    cast = world
    client = client_for(cast.city_admin)
    month = "2025-11"
    now = _coverage_api(client, cast.huangpu_node, "2025-11-30")
    then = _coverage_api(client, cast.huangpu_node, "2025-10-31")
    response = client.get("/stats/brief.pdf", {"node": cast.huangpu_node.pk, "month": month})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader, text = _pdf_text(response.content)
    flat = re.sub(r"\s+", " ", text)
    assert len(reader.pages) == 1
    assert "黄浦区社会工作党委2025年11月党建工作简报" in flat and "截至：2025年11月30日" in flat
    for label, measure in (("纳入统计的在营组织（个）", "counted"), ("空白点（个）", "blank")):
        a, b = now["measures"][measure]["value"], then["measures"][measure]["value"]
        assert f"{label} {a} {b} {a - b}" in flat
    a, b = _rates(now)["org_coverage"]["percent"], _rates(then)["org_coverage"]["percent"]
    assert f"党的组织覆盖率（%） {_pct(a)} {_pct(b)} {_change(a, b)}" in flat
    # what is due: the home page's list for the same user (inbox.reminders.due_for), overdue first
    from liangxin.accounts.scoping import scope_for
    from liangxin.inbox.reminders import due_for

    due = due_for(cast.city_admin, scope_for(cast.city_admin), datetime.date.today())
    if due:
        assert re.sub(r"\s+", " ", due[0].title)[:12] in flat
    else:
        assert "制表日没有待办或逾期事项" in flat
    # a month not yet ended, a wrong month, a node outside the scope
    street = client_for(cast.street_admin)
    for params in ({"month": datetime.date.today().strftime("%Y-%m")}, {"month": "2025-13"},
                   {"node": cast.waitan_node.pk}):  # fmt: skip
        assert street.get("/stats/brief.pdf", params).status_code == 400, params


def test_month_ends():
    from liangxin.reporting import brief

    assert brief.month_end(2025, 12) == datetime.date(2025, 12, 31)
    assert brief.month_end(2024, 2) == datetime.date(2024, 2, 29)
    assert brief.default_month_end(datetime.date(2026, 1, 15)) == datetime.date(2025, 12, 31)
    assert brief.default_month_end(datetime.date(2026, 3, 1)) == datetime.date(2026, 2, 28)

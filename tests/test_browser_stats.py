"""End to end in Debian's chromium: a district admin opens 覆盖统计 from the left navigation, sees the
district's coverage rate, clicks one street's 空白点 segment of the ECharts bar chart (a real mouse click
on the canvas) and a figure of the per-street table, lands on the organization list behind each, and
exports it. Every number is checked against ``stats_world.recount``, which shares no code with the engine."""

import random
import re
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest

from liangxin.orgs.models import Organization

from . import stats_world
from .test_browser import browser, expect, log_in, page  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
]

BLANK_SERIES = "空白点"  # the series name in static/js/stats.js

# The pixel (relative to the chart's canvas) of one street's segment of one stacked series in
# #chart-children, from the chart's own option and coordinate system: the segment spans the sum of the
# series stacked before it to that sum plus its value. The click point is the segment's pixel farthest
# from the street's coverage-rate dot (a scatter drawn on top, which opens another list), at least 3 px
# inside the segment. ``ready``: the element under that pixel has the segment's final width (the bars
# grow in an animation; a click before it ends could miss).
SEGMENT_PIXEL_JS = """([category, seriesName]) => {
  if (typeof echarts === "undefined") return null;
  const chart = echarts.getInstanceByDom(document.getElementById("chart-children"));
  if (!chart) return null;
  const option = chart.getOption();
  const row = option.yAxis[0].data.indexOf(category);
  const series = option.series;
  const index = series.findIndex((s) => s.name === seriesName);
  if (row < 0 || index < 0) return {row, index};
  const valueOf = (s) => { const d = s.data[row]; return d && typeof d === "object" ? d.value : d; };
  let start = 0;
  for (let i = 0; i < index; i++) {
    if (series[i].type === "bar" && series[i].stack === series[index].stack) start += valueOf(series[i]);
  }
  const value = valueOf(series[index]);
  const [x0, y] = chart.convertToPixel({seriesIndex: index}, [start, category]);
  const [x1] = chart.convertToPixel({seriesIndex: index}, [start + value, category]);
  const dotIndex = series.findIndex((s) => s.type === "scatter");
  const [dot] = chart.convertToPixel({seriesIndex: dotIndex}, [valueOf(series[dotIndex]), category]);
  const [low, high] = [Math.min(x0, x1) + 3, Math.max(x0, x1) - 3];
  const candidates = [low, (x0 + x1) / 2, high].filter((x) => x >= low && x <= high);
  const away = (x) => (Number.isFinite(dot) ? Math.abs(x - dot) : Infinity);  // no rate: no dot
  const x = candidates.sort((a, b) => away(b) - away(a))[0];
  const hit = x === undefined ? null : chart.getZr().handler.findHover(x, y).target;
  const ready = !!(hit && hit.shape && Math.abs(Math.abs(hit.shape.width) - Math.abs(x1 - x0)) < 0.5);
  return {row, index, value, url: series[index].data[row].url, x, y, x0, x1, ready, clear: away(x)};
}"""


@pytest.fixture
def site(transactional_db, live_server, cast):
    cast.url = lambda path: live_server.url + path
    cast.world = stats_world.build(cast, random.Random(5))
    return cast


def percent(numerator: int, denominator: int) -> str:
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value}%"


def names_of(ids) -> list[str]:
    return sorted(Organization.objects.filter(pk__in=ids).values_list("name", flat=True))


def query_of(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}


def click_segment(tab, category: str, series_name: str) -> dict:
    """A real mouse click on the canvas, inside ``category``'s ``series_name`` segment."""
    chart = tab.locator("#chart-children")
    chart.scroll_into_view_if_needed()
    tab.wait_for_function(f"(arg) => ({SEGMENT_PIXEL_JS})(arg)?.ready === true", arg=[category, series_name])
    segment = tab.evaluate(SEGMENT_PIXEL_JS, [category, series_name])
    assert segment["value"] > 0, segment  # a segment of no width cannot be clicked
    assert segment["clear"] > 6, segment  # else the coverage-rate dot (9 px, drawn on top) takes the click
    box = chart.locator("canvas").first.bounding_box()
    tab.mouse.click(box["x"] + segment["x"], box["y"] + segment["y"])
    return segment


def export_names(tab, tmp_path, name: str) -> list[str]:
    """Click the list's 导出 Excel link; the organization names of the workbook's data sheet."""
    with tab.expect_download() as download_info:
        tab.locator("#export-link").click()
    saved = tmp_path / name
    download_info.value.save_as(saved)
    book = openpyxl.load_workbook(saved, read_only=True)
    assert book.sheetnames[0] == "导出说明"  # the cover sheet first
    rows = list(book["数据"].iter_rows(values_only=True))
    column = rows[0].index("组织名称")
    return sorted(row[column] for row in rows[1:])


def test_dashboard_chart_and_figures_open_the_lists_behind_them(site, page, tmp_path):  # noqa: F811
    district = stats_world.recount({"region": site.huangpu}, {})
    nanjing = stats_world.recount({"region": site.nanjing}, {})
    waitan = stats_world.recount({"region": site.waitan}, {})
    assert nanjing["blank"] and waitan["counted"]  # the world gives every click something to find

    log_in(page, site, site.district_admin)
    page.get_by_role("navigation", name="功能导航").get_by_role("link", name="覆盖统计", exact=True).click()
    expect(page.locator("h1")).to_have_text(f"“两个覆盖”统计：{site.huangpu.name}")

    rate = page.locator(".rates .rate").filter(has=page.locator(".rate-label", has_text=re.compile("^党的组织覆盖率$")))
    expect(rate.locator(".rate-value")).to_have_text(percent(len(district["org_covered"]), len(district["counted"])))
    expect(rate.locator(".rate-parts")).to_have_text(f"{len(district['org_covered'])} / {len(district['counted'])}")

    # the chart: 南京东路街道's 空白点 segment
    segment = click_segment(page, site.nanjing.name, BLANK_SERIES)
    assert segment["value"] == len(nanjing["blank"]), segment
    expect(page).to_have_url(re.compile(r"/orgs/\?"))
    assert query_of(page.url) == {"region": site.nanjing.code, "stat": "blank"}
    expect(page.locator("#total")).to_have_text(str(len(nanjing["blank"])))
    assert export_names(page, tmp_path, "blank.xlsx") == names_of(nanjing["blank"])

    # the table: 外滩街道's 纳入统计 figure
    page.go_back()
    expect(page.locator("h1")).to_have_text(f"“两个覆盖”统计：{site.huangpu.name}")
    table = page.locator("section.card", has=page.locator("#chart-children")).locator("table.stats")
    row = table.locator("tbody tr").filter(has=page.get_by_role("link", name=site.waitan.name, exact=True))
    figure = row.locator("td").nth(1).get_by_role("link")
    expect(figure).to_have_text(str(len(waitan["counted"])))
    figure.click()
    expect(page).to_have_url(re.compile(r"/orgs/\?"))
    assert query_of(page.url) == {"region": site.waitan.code, "stat": "counted"}
    expect(page.locator("#total")).to_have_text(str(len(waitan["counted"])))
    assert export_names(page, tmp_path, "counted.xlsx") == names_of(waitan["counted"])

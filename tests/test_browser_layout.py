"""Tables and charts as rendered in Debian's chromium (with a CJK font): short columns are never squeezed
to one character per line, labels never wrap inside a word, the charts show whole names and keep the
target's label off the axis labels; and the audit log says 是/否, never True/False."""

# ruff: noqa: F811 (the fixtures imported from test_browser share their names with the arguments)

import pytest

from liangxin.inbox.models import Notice
from liangxin.mgmt.models import NodeKind
from liangxin.orgs import services
from liangxin.regions.models import RegionLevel

from .conftest import _node, _region
from .test_browser import CHROMIUM, browser, expect, log_in, page, site  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not found on PATH"),
]

LONG_DISTRICT = "上海市临港新片区管理委员会所辖各镇"  # longer than the chart's old 140 px labels

# The width of one CJK character in the cell's own font, and the cell's rendered box and line count.
CELL_JS = """(cell) => {
  const probe = document.createElement("span");
  probe.textContent = "国";
  probe.style.font = getComputedStyle(cell).font;
  document.body.appendChild(probe);
  const em = probe.getBoundingClientRect().width;
  probe.remove();
  const lineHeight = parseFloat(getComputedStyle(cell).lineHeight) || em * 1.5;
  const range = document.createRange();
  range.selectNodeContents(cell);
  const lines = new Set(Array.from(range.getClientRects(), (r) => Math.round(r.top))).size;
  return {em, width: cell.getBoundingClientRect().width, lines, lineHeight};
}"""


def column_cells(page, table: str, header: str):
    """The body cells of ``table`` under the header whose text is ``header``."""
    headers = page.locator(f"{table} thead th").all_inner_texts()
    index = [h.strip() for h in headers].index(header) + 1
    return page.locator(f"{table} tbody tr td:nth-child({index})")


def assert_on_one_line(page, table: str, header: str, minimum_chars: int = 2):
    cells = column_cells(page, table, header)
    assert cells.count() > 0, header
    for i in range(cells.count()):
        box = cells.nth(i).evaluate(CELL_JS)
        assert box["width"] >= minimum_chars * box["em"], (header, i, box)
        assert box["lines"] == 1, (header, i, box, cells.nth(i).inner_text())


@pytest.fixture
def named(site):
    for user, name in ((site.city_admin, "市级管理员"), (site.district_admin, "黄浦区管理员")):
        user.full_name = name
        user.save()
    return site


def test_the_audit_log_keeps_its_short_columns_on_one_line_and_says_yes_or_no(page, named):
    site = named
    values = {f.name: getattr(site.org, f.name) for f in site.org._meta.fields if f.name != "id"}
    long_address = "上海市黄浦区南京东路街道" + "某某路某某弄某某号某某室" * 8  # a wide 内容 column
    changed = {**values, "above_scale": True, "owner_is_member": True, "address": long_address}
    services.update_organization(site.city_admin, site.org, changed)
    log_in(page, site, site.district_admin)
    page.goto(site.url("/audit/"))
    expect(page.locator("table.grid tbody")).to_contain_text("规模以上")
    for header in ("操作人", "来源", "操作"):
        assert_on_one_line(page, "table.grid", header)
    text = page.locator("table.grid tbody").inner_text()
    assert "True" not in text and "False" not in text
    assert "规模以上：否 → 是" in text


def test_the_inbox_keeps_category_and_state_on_one_line(page, named):
    site = named
    for i in range(3):
        Notice.objects.create(recipient=site.district_admin, kind="message", title="很长的通知标题" * 12 + str(i))
    log_in(page, site, site.district_admin)
    page.goto(site.url("/inbox/"))
    for header in ("类别", "状态"):
        assert_on_one_line(page, "#notices", header)


def test_the_blank_spot_list_keeps_the_coverage_state_on_one_line(page, named):
    site = named
    values = {f.name: getattr(site.org, f.name) for f in site.org._meta.fields if f.name != "id"}
    long_name = "上海" + "嘉信信息科技发展" * 6 + "有限公司"  # a wide table
    services.update_organization(site.city_admin, site.org, {**values, "name": long_name})
    log_in(page, site, site.district_admin)
    page.goto(site.url(f"/stats/blank-spots/?region={site.huangpu.code}&list=blank"))
    assert_on_one_line(page, "table.grid", "覆盖状态", minimum_chars=3)


# Every text drawn on the chart's canvas, with its box in the chart's pixels.
CHART_TEXTS_JS = """(id) => {
  const chart = echarts.getInstanceByDom(document.getElementById(id));
  const out = [];
  chart.getZr().storage.getDisplayList(true).forEach((el) => {
    if (!el.style || typeof el.style.text !== "string" || el.ignore || el.invisible) return;
    const rect = el.getBoundingRect().clone();
    const m = el.getComputedTransform();
    if (m) rect.applyTransform(m);
    out.push({text: el.style.text, x: rect.x, y: rect.y, width: rect.width, height: rect.height});
  });
  return out;
}"""


def overlaps(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_the_chart_shows_whole_names_and_keeps_the_target_off_the_axis_labels(page, named):
    site = named
    district = _region("310199", LONG_DISTRICT, RegionLevel.DISTRICT, site.city)
    _node(LONG_DISTRICT + "党委", NodeKind.DISTRICT, site.city_node, district)
    log_in(page, site, site.city_admin)
    page.goto(site.url("/stats/"))
    page.wait_for_function(
        "() => typeof echarts !== 'undefined' && echarts.getInstanceByDom(document.getElementById('chart-children'))"
    )
    page.wait_for_timeout(1200)  # the bars' entry animation
    texts = page.evaluate(CHART_TEXTS_JS, "chart-children")
    shown = [t["text"] for t in texts]
    for name in ("黄浦区", "徐汇区", LONG_DISTRICT):
        assert name in shown or any(name == "".join(t.split()) for t in shown), (name, shown)
    target = [t for t in texts if t["text"].startswith("目标")]
    assert len(target) == 1, shown
    others = [t for t in texts if t is not target[0]]
    assert [t["text"] for t in others if overlaps(t, target[0])] == []

"""Bulk import of the small kinds: regions, carriers, party organizations, instructor
assignments. Messy ledgers, exact reports, idempotence, scope, dry runs, all-or-nothing and
export → import round trips."""

import datetime

import pytest

from liangxin.accounts.scoping import scope_for
from liangxin.core.models import AuditAction, AuditEntry
from liangxin.core.xlsx import write_workbook
from liangxin.imports import engine
from liangxin.imports.kinds import get_kind
from liangxin.imports.models import JobStatus
from liangxin.mgmt.models import ManagementNode
from liangxin.orgs.models import Organization
from liangxin.party.models import Instructor, InstructorAssignment, PartyOrganization
from liangxin.regions.models import Carrier, Region

from .ledgers import code_for, write_csv, write_xlsx
from .party_helpers import make_instructor, new_org


def run(actor, kind, path, **options):
    with open(path, "rb") as handle:
        job = engine.create_job(actor, kind, handle, str(path).rsplit("/", 1)[-1], **options)
    return engine.run(job.pk, scope_for(actor))


def counts(job) -> tuple[int, int, int, int]:
    return job.created, job.updated, job.unchanged, job.rejected


def reasons(job) -> dict[int, list[str]]:
    return {r.number: [f"{c}:{why}" for c, _, why in r.errors] for r in job.rejected_rows.order_by("number")}


def export_then_import(actor, kind_name, rows, tmp_path):
    """The list export's columns (kind.export_columns) written as the export writes them, imported back."""
    kind = get_kind(kind_name)
    path = str(tmp_path / f"{kind_name}-export.xlsx")
    written = write_workbook(path, kind.label, [("导出人", "测试")], kind.export_columns(), rows)
    return written, run(actor, kind_name, path)


def changes_of(model_label: str) -> list:
    entries = AuditEntry.objects.filter(object_type=model_label).order_by("pk")
    return list(entries.values_list("action", "object_repr", "changes"))


# -- regions ---------------------------------------------------------------------------------
REGION_ROWS = [
    ["上海市行政区划（2026）"],
    ["序号", "行政区划代码", "区划名称", "级别", "上级代码", "排序号", "是否有效"],
    [1, "310105", "长宁区", "", "", "", ""],
    [2, "310105001", "华阳路街道", "", "", "", ""],
    [3, "３１０１０５００１００１", "华阳第一网格", "网格", "华阳路街道", "3", "√"],
    [4, "310101002", "南京东路街道", "街道/镇", "310101", "", "是"],
    [5, "310101013", "外滩街道", "街道", "", "2", "否"],
    [6, "310105", "长宁区（重复）", "", "", "", ""],
    [7, "31010A", "", "省", "", "-1", "也许"],
    [8, "310106001", "某某街道", "", "", "", ""],
    [9, "310101002999", "错挂网格", "网格", "310104003", "", ""],
    [10, "310107", "普陀区", "街道", "", "", ""],
    [11, "310101", "黄浦区", "", "第一网格", "", ""],
]
REGION_REJECTED = {
    8: ["区划代码:与第 3 行重复（区划代码相同），本行未导入"],
    9: [
        "区划代码:区划代码应为数字，收到「31010A」",
        "名称:名称不能为空",
        "层级:层级「省」不在可选范围内（可选：市；区/县；街道/镇；网格）",
        "排序:排序不能为负数",
        "有效:应填写“是”或“否”，收到「也许」",
    ],
    10: [
        "上级区划代码:未填写上级区划代码，按区划代码推定的上级「310106」不存在："
        "请先导入上级区划（在本文件中列在本行之前），或填写上级区划代码"
    ],
    11: ["区划代码:区划代码应以上级代码 310104 开头"],
    12: ["区划代码:街道/镇的区划代码应为9位数字"],
    13: ["上级区划代码:网格之下不能再设区划"],
}


def test_regions_import_derives_levels_and_parents_and_reports_exactly(cast, tmp_path):
    path = write_csv(tmp_path / "区划.csv", REGION_ROWS)
    job = run(cast.city_admin, "regions", path)
    assert job.status == JobStatus.DONE, job.message
    assert (job.header_row, job.ignored_columns) == (2, ["序号"])
    assert counts(job) == (3, 1, 1, 6)
    assert reasons(job) == REGION_REJECTED
    changning = Region.objects.get(code="310105")
    assert (changning.level, changning.parent, changning.path) == (2, cast.city, "/310000/310105/")
    street = Region.objects.get(code="310105001")
    assert (street.level, street.parent, street.path) == (3, changning, "/310000/310105/310105001/")
    grid = Region.objects.get(code="310105001001")
    assert (grid.level, grid.parent, grid.sort_order, grid.is_active) == (4, street, 3, True)
    waitan = Region.objects.get(code="310101013")
    assert (waitan.sort_order, waitan.is_active) == (2, False)
    assert changes_of("regions.region") == [
        (AuditAction.CREATE, "长宁区", {"区划代码": [None, "310105"], "名称": [None, "长宁区"], "层级": [None, "区/县"],
                                        "上级": [None, "上海市"], "排序": [None, 0], "有效": [None, True]}),
        (AuditAction.CREATE, "华阳路街道", {"区划代码": [None, "310105001"], "名称": [None, "华阳路街道"],
                                            "层级": [None, "街道/镇"], "上级": [None, "长宁区"], "排序": [None, 0],
                                            "有效": [None, True]}),
        (AuditAction.CREATE, "华阳第一网格", {"区划代码": [None, "310105001001"], "名称": [None, "华阳第一网格"],
                                              "层级": [None, "网格"], "上级": [None, "华阳路街道"], "排序": [None, 3],
                                              "有效": [None, True]}),
        (AuditAction.UPDATE, "外滩街道", {"排序": [0, 2], "有效": [True, False]}),
    ]  # fmt: skip
    again = run(cast.city_admin, "regions", path)
    assert counts(again) == (0, 0, 5, 6)
    assert len(changes_of("regions.region")) == 4


def test_regions_move_rewrites_the_subtree_and_a_later_row_sees_it(cast, tmp_path):
    rows = [
        ["区划代码", "名称", "上级区划代码"],
        ["310101002001", "第一网格", "310101013"],  # moved from 南京东路 to 外滩
        ["310101013", "外滩街道", ""],  # its parent kept: unchanged
    ]
    job = run(cast.city_admin, "regions", write_csv(tmp_path / "move.csv", rows))
    assert counts(job) == (0, 1, 1, 0), reasons(job)
    grid = Region.objects.get(code="310101002001")
    assert (grid.parent, grid.path) == (cast.waitan, "/310000/310101/310101013/310101002001/")
    assert changes_of("regions.region")[-1][2] == {"上级": ["南京东路街道", "外滩街道"]}


def test_only_tree_editors_import_regions(cast, tmp_path):
    job = run(cast.district_admin, "regions", write_csv(tmp_path / "区划.csv", REGION_ROWS))
    assert counts(job) == (0, 0, 0, 11)
    assert reasons(job)[3] == ["区划代码:您没有导入行政区划的权限"]
    assert not Region.objects.filter(code="310105").exists()


def test_regions_export_imports_back_unchanged(cast, tmp_path):
    run(cast.city_admin, "regions", write_csv(tmp_path / "区划.csv", REGION_ROWS))
    written, job = export_then_import(cast.city_admin, "regions", Region.objects.select_related("parent"), tmp_path)
    assert job.status == JobStatus.DONE, job.message
    assert counts(job) == (0, 0, written, 0) and written == Region.objects.count() == 10
    assert job.ignored_columns == []


# -- carriers --------------------------------------------------------------------------------
CARRIER_ROWS = [
    ["载体名称", "载体类型", "所在街道", "详细地址", "是否有效"],
    ["外滩中心", "楼宇", "外滩街道", "广东路1号", ""],
    ["新世界大厦", "商务楼宇", "310101002", "南京西路2-68号", "是"],
    ["外滩中心", "写字楼", "310101013", "", ""],
    ["天平科技园", "园区", "天平路街道", "", ""],
    ["黄浦某园", "园区", "黄浦区", "", ""],
    ["X", "菜场", "南京东路", "", "也许"],
    ["豫园商城", "商业城", "不存在街道", "", ""],
]
CARRIER_REJECTED = {
    4: ["名称:与第 2 行重复（所在街道/镇和名称相同），本行未导入"],
    5: ["所在街道/镇:「天平路街道」不在您的管辖范围内，不能在此登记或修改载体"],
    6: ["所在街道/镇:所在街道/镇应填写街道或镇，「黄浦区」是区/县"],
    7: [
        "名称:载体名称至少2个字",
        "类型:类型「菜场」不在可选范围内（可选：商务楼宇；园区；商业街/城；专业市场）",
        "有效:应填写“是”或“否”，收到「也许」",
    ],
    8: ["所在街道/镇:找不到名为「不存在街道」的区划，请填写区划代码"],
}


def test_carriers_import_upserts_by_street_and_name(cast, tmp_path):
    path = write_csv(tmp_path / "载体.csv", CARRIER_ROWS, encoding="gb18030")
    job = run(cast.district_admin, "carriers", path)
    assert job.status == JobStatus.DONE, job.message
    assert counts(job) == (1, 1, 0, 5)
    assert reasons(job) == CARRIER_REJECTED
    center = Carrier.objects.get(name="外滩中心")
    assert (center.kind, center.street, center.address) == ("building", cast.waitan, "广东路1号")
    cast.building.refresh_from_db()
    assert cast.building.address == "南京西路2-68号"
    assert changes_of("regions.carrier") == [
        (AuditAction.CREATE, "外滩中心", {"名称": [None, "外滩中心"], "类型": [None, "商务楼宇"],
                                          "所在街道/镇": [None, "外滩街道"], "地址": [None, "广东路1号"],
                                          "有效": [None, True]}),
        (AuditAction.UPDATE, "新世界大厦", {"地址": ["", "南京西路2-68号"]}),
    ]  # fmt: skip
    again = run(cast.district_admin, "carriers", path)
    assert counts(again) == (0, 0, 2, 5)


def test_a_xuhui_admin_cannot_import_carriers_into_huangpu(cast, tmp_path):
    job = run(cast.xuhui_admin, "carriers", write_csv(tmp_path / "载体.csv", CARRIER_ROWS))
    assert counts(job) == (0, 0, 1, 6)  # 天平科技园 is theirs and unchanged
    assert reasons(job)[2] == ["所在街道/镇:「外滩街道」不在您的管辖范围内，不能在此登记或修改载体"]
    assert reasons(job)[3] == ["所在街道/镇:「南京东路街道」不在您的管辖范围内，不能在此登记或修改载体"]
    assert not Carrier.objects.filter(name="外滩中心").exists()
    cast.building.refresh_from_db()
    assert cast.building.address == ""


def test_carriers_export_imports_back_unchanged(cast, tmp_path):
    run(cast.district_admin, "carriers", write_csv(tmp_path / "载体.csv", CARRIER_ROWS))
    rows = scope_for(cast.district_admin).carriers("view").order_by("street__path", "name")
    written, job = export_then_import(cast.district_admin, "carriers", rows, tmp_path)
    assert counts(job) == (0, 0, written, 0) and written == 2
    assert job.ignored_columns == []


# -- party organizations ---------------------------------------------------------------------
PARTY_HEADER = ["党组织全称", "上级党委", "党组织类型", "组建方式", "成立时间", "任期开始", "任期届满", "批复文号",
                "覆盖组织"]  # fmt: skip


def party_rows(c):
    a, b = code_for(41), code_for(42)
    return [
        PARTY_HEADER,
        ["外滩餐饮管理有限公司党总支", "外滩街道综合党委", "总支", "单独", datetime.date(2020, 7, 1), "2023-07-01", "",
         "黄社工委〔2020〕12号", c.waitan_org.credit_code],
        ["外滩餐饮第一党支部", "外滩餐饮管理有限公司党总支", "党支部", "单独组建", "", "", "", "", ""],
        ["南京东路联合党支部", "南京东路街道综合党委", "联合党支部", "联合组建", "", "", "", "", f"{a}，{b.lower()}\n"],
        ["上海嘉信信息科技有限公司党支部", "南京东路街道综合党委", "党支部", "单独组建", "", "2024-01-01", "", "",
         c.org.credit_code],
        ["南京东路联合党支部", "南京东路街道综合党委", "联合党支部", "联合组建", "", "", "", "", a],
        ["某党支部", "不存在的党委", "党支部", "单独组建", "", "", "", "", ""],
        ["坏党支部", "南京东路街道综合党委", "小组", "随便", "2099-01-01", "", "", "", "123、" + a],
        ["徐汇某党支部", "南京东路街道综合党委", "党支部", "单独组建", "", "", "", "", c.xuhui_org.credit_code],
        ["任期错误党支部", "南京东路街道综合党委", "党支部", "单独组建", "", "2024-01-01", "2023-06-01", "", ""],
    ]  # fmt: skip


def party_rejected(c, shift=0):
    """The rejected rows by number (``shift``: rows above the header, e.g. a title)."""
    rejected = {
        6: [f"党组织名称:与第 {4 + shift} 行重复（党组织名称相同），本行未导入"],
        7: ["上级党组织:找不到名为「不存在的党委」的党委或党组织"],
        8: [
            "党组织类型:党组织类型「小组」不在可选范围内（可选：基层党委；党总支；党支部；联合党支部；临时党支部；功能型/活动型党组织）",
            "组建方式:组建方式「随便」不在可选范围内（可选：单独组建；联合组建；挂靠组建；依托组建；派驻/选派；区域联建；行业统建；"
            "临时组建；兼合式）",
            "成立日期:成立日期不能晚于今天",
            "覆盖组织统一社会信用代码:「123」统一社会信用代码应为18位，当前为3位",
        ],
        9: [f"覆盖组织统一社会信用代码:找不到以下组织（或不在您的范围内）：{c.xuhui_org.credit_code}"],
        10: ["本届任期届满:任期届满日期应晚于任期开始日期"],
    }
    return {number + shift: why for number, why in rejected.items()}


def make_joint_orgs(c) -> list[Organization]:
    """Two organizations of 南京东路街道 for a joint branch (codes 41 and 42 of the rows)."""
    return [new_org(c, "南京东路甲有限公司", code_for(41)), new_org(c, "南京东路乙有限公司", code_for(42))]


@pytest.fixture
def joint_orgs(party_cast):
    return make_joint_orgs(party_cast)


def test_party_orgs_import_builds_the_tree_and_coverage(party_cast, joint_orgs, tmp_path):
    c = party_cast
    path = write_xlsx(tmp_path / "党组织.xlsx", party_rows(c), title="黄浦区党组织台账", merge_title_over=8)
    job = run(c.district_admin, "party_orgs", path)
    assert job.status == JobStatus.DONE, job.message
    assert counts(job) == (3, 1, 0, 5)
    assert reasons(job) == party_rejected(c, shift=1)
    general = PartyOrganization.objects.get(node__name="外滩餐饮管理有限公司党总支")
    assert (general.org_type, general.setup_mode, general.node.parent) == ("general_branch", "single", c.waitan_node)
    assert (general.founded_on, general.term_end) == (datetime.date(2020, 7, 1), datetime.date(2026, 7, 1))
    assert general.approval_doc_no == "黄社工委〔2020〕12号"
    first = PartyOrganization.objects.get(node__name="外滩餐饮第一党支部")
    assert first.node.parent == general.node and first.node.path.startswith(general.node.path)
    joint = PartyOrganization.objects.get(node__name="南京东路联合党支部")
    assert sorted(joint.covers.values_list("name", flat=True)) == ["南京东路乙有限公司", "南京东路甲有限公司"]
    states = dict(Organization.objects.values_list("name", "coverage_state"))
    names = ["外滩餐饮管理有限公司", "南京东路甲有限公司", "南京东路乙有限公司"]
    assert [states[n] for n in names] == ["own", "joint", "joint"]
    c.branch.refresh_from_db()
    assert (c.branch.term_start, c.branch.term_end) == (datetime.date(2024, 1, 1), datetime.date(2027, 1, 1))
    entries = AuditEntry.objects.filter(object_type="party.partyorganization", actor=c.district_admin)
    assert entries.filter(action=AuditAction.CREATE).count() == 3
    update = entries.filter(action=AuditAction.UPDATE).get()
    assert update.changes == {"本届任期开始": [None, "2024-01-01"], "本届任期届满": [None, "2027-01-01"]}

    again = run(c.district_admin, "party_orgs", path)
    assert counts(again) == (0, 0, 4, 5), reasons(again)

    rows = party_rows(c)[:4]
    rows[2][1] = "外滩街道综合党委"  # the branch moves up to the street committee
    rows[3][8] = code_for(41)  # the joint branch stops covering 乙
    moved = run(c.district_admin, "party_orgs", write_csv(tmp_path / "b.csv", rows))
    assert counts(moved) == (0, 2, 1, 0), reasons(moved)
    first.refresh_from_db()
    assert first.node.parent == c.waitan_node and first.node.path == f"{c.waitan_node.path}{first.node.pk}/"
    entry = AuditEntry.objects.filter(object_id=str(first.pk), action=AuditAction.UPDATE).get()
    assert entry.changes == {"上级党组织": ["外滩餐饮管理有限公司党总支", "外滩街道综合党委"]}
    assert Organization.objects.get(name="南京东路乙有限公司").coverage_state == "none"


def test_party_orgs_outside_scope_are_rejected(party_cast, tmp_path):
    c = party_cast
    rows = [
        PARTY_HEADER,
        ["上海嘉信信息科技有限公司党支部", "天平路街道综合党委", "党支部", "单独组建", "", "", "", "", ""],
        ["天平新党支部", "南京东路街道综合党委", "党支部", "单独组建", "", "", "", "", ""],
        ["天平另一党支部", "天平路街道综合党委", "党支部", "单独组建", "", "", "", "", c.org.credit_code],
    ]
    job = run(c.xuhui_admin, "party_orgs", write_csv(tmp_path / "p.csv", rows))
    assert counts(job) == (0, 0, 0, 3)
    assert reasons(job) == {
        2: ["党组织名称:已有同名党组织「上海嘉信信息科技有限公司党支部」，不在您的管辖范围内，不能修改；"
            "如为另一党组织，请使用能区分的全称"],
        3: ["上级党组织:找不到名为「南京东路街道综合党委」的党委或党组织"],
        4: [f"覆盖组织统一社会信用代码:找不到以下组织（或不在您的范围内）：{c.org.credit_code}"],
    }  # fmt: skip
    c.branch.node.refresh_from_db()
    assert c.branch.node.parent == c.nanjing_node


def test_party_orgs_export_imports_back_unchanged(party_cast, joint_orgs, tmp_path):
    c = party_cast
    run(c.district_admin, "party_orgs", write_csv(tmp_path / "p.csv", party_rows(c)))
    rows = scope_for(c.district_admin).party_orgs("view").filter(node__is_active=True).select_related("node__parent")
    written, job = export_then_import(c.district_admin, "party_orgs", rows.order_by("node__path"), tmp_path)
    assert counts(job) == (0, 0, written, 0) and written == 4, reasons(job)
    assert job.ignored_columns == []


# -- instructor assignments ------------------------------------------------------------------
ASSIGNMENT_HEADER = ["党建指导员", "联系电话", "选派单位", "统一社会信用代码", "选派日期", "结束日期"]


def assignment_rows(c):
    huangpu = "黄浦区社会工作党委"
    return [
        ASSIGNMENT_HEADER,
        ["张指导", "138-0000-0001", huangpu, c.org.credit_code, "2024/3/1", ""],
        ["张指导", "13800000001", huangpu, c.waitan_org.credit_code.lower(), "2024-03-01", ""],
        ["李指导", "", "南京东路街道综合党委", c.waitan_org.credit_code, "2024-01-01", "2024-06-30"],
        ["张指导", "13800000001", huangpu, c.org.credit_code, "20240301", ""],
        ["王指导", "", huangpu, c.xuhui_org.credit_code, "2024-03-01", ""],
        ["赵指导", "", "徐汇区社会工作党委", c.org.credit_code, "2024-03-01", ""],
        ["钱", "", huangpu, "123", "2024-13-01", "2024-01-01"],
        ["孙指导", "", huangpu, c.org.credit_code, "2024-05-01", "2024-04-01"],
        ["张指导", "13800000001", huangpu, c.org.credit_code, "2024-04-01", ""],
    ]


def assignment_rejected(c):
    return {
        5: ["指导员姓名:与第 2 行重复（指导员、组织和开始日期相同），本行未导入"],
        6: ["组织统一社会信用代码:名录中没有该统一社会信用代码的组织（或不在您的范围内），请先登记该组织"],
        7: ["选派党委:选派党委「徐汇区社会工作党委」不在您的管辖范围内"],
        8: [
            "指导员姓名:指导员姓名至少2个字",
            "组织统一社会信用代码:统一社会信用代码应为18位，当前为3位",
            "开始日期:日期不存在：「2024-13-01」",
        ],
        9: ["结束日期:结束日期不能早于开始日期"],
        10: ["开始日期:该指导员正在该组织选派中（2024-03-01 起），请先结束该选派，或填写该选派的开始日期"],
    }


def test_assignments_import_finds_or_creates_instructors_and_refreshes_coverage(cast, tmp_path):
    c = cast
    li = make_instructor(c, "李指导")
    path = write_csv(tmp_path / "选派.csv", assignment_rows(c))
    job = run(c.district_admin, "assignments", path)
    assert job.status == JobStatus.DONE, job.message
    assert counts(job) == (3, 0, 0, 6)
    assert reasons(job) == assignment_rejected(c)
    zhang = Instructor.objects.get(name="张指导")
    assert (zhang.phone, zhang.node) == ("138-0000-0001", c.huangpu_node)
    assert sorted(zhang.assignments.values_list("organization__name", "start_on", "end_on")) == [
        ("上海嘉信信息科技有限公司", datetime.date(2024, 3, 1), None),
        ("外滩餐饮管理有限公司", datetime.date(2024, 3, 1), None),
    ]
    assert list(li.assignments.values_list("start_on", "end_on")) == [
        (datetime.date(2024, 1, 1), datetime.date(2024, 6, 30))
    ]
    c.org.refresh_from_db()
    assert c.org.coverage_state == "instructor"
    assert AuditEntry.objects.filter(object_type="party.instructor", action=AuditAction.CREATE).count() == 1
    assert AuditEntry.objects.filter(detail__startswith="选派党建指导员").count() == 3

    assert counts(run(c.district_admin, "assignments", path)) == (0, 0, 3, 6)
    rows = assignment_rows(c)[:4]
    rows[1][5] = "2024-12-31"  # 张指导 leaves 嘉信
    rows[3][5] = ""  # an ended assignment cannot be reopened by a ledger
    ended = run(c.district_admin, "assignments", write_csv(tmp_path / "b.csv", rows))
    assert counts(ended) == (0, 1, 1, 1)
    assert reasons(ended) == {
        4: ["结束日期:该选派已于 2024-06-30 结束，不能通过导入恢复；如需再次选派，请填写新的开始日期"]
    }
    assert zhang.assignments.get(organization=c.org).end_on == datetime.date(2024, 12, 31)
    c.org.refresh_from_db()
    assert c.org.coverage_state == "none"
    assert AuditEntry.objects.filter(detail__contains="于 2024-12-31 结束选派").count() == 1


def test_a_xuhui_admin_cannot_assign_in_huangpu(cast, tmp_path):
    job = run(cast.xuhui_admin, "assignments", write_csv(tmp_path / "a.csv", assignment_rows(cast)[:2]))
    assert counts(job) == (0, 0, 0, 1)
    assert reasons(job) == {
        2: [
            "选派党委:选派党委「黄浦区社会工作党委」不在您的管辖范围内",
            "组织统一社会信用代码:名录中没有该统一社会信用代码的组织（或不在您的范围内），请先登记该组织",
        ]
    }
    assert not Instructor.objects.exists()


def test_assignments_export_imports_back_unchanged(cast, tmp_path):
    make_instructor(cast, "李指导")
    run(cast.district_admin, "assignments", write_csv(tmp_path / "a.csv", assignment_rows(cast)))
    rows = InstructorAssignment.objects.select_related("instructor__node", "organization").order_by("pk")
    written, job = export_then_import(cast.district_admin, "assignments", rows, tmp_path)
    assert counts(job) == (0, 0, written, 0) and written == 3, reasons(job)
    assert job.ignored_columns == []


# -- modes, for every kind --------------------------------------------------------------------
def _snapshot():
    return (
        Region.objects.count(),
        Carrier.objects.count(),
        ManagementNode.objects.count(),
        PartyOrganization.objects.count(),
        Instructor.objects.count(),
        InstructorAssignment.objects.count(),
        AuditEntry.objects.exclude(action=AuditAction.IMPORT).count(),
        list(Organization.objects.order_by("pk").values_list("coverage_state", flat=True)),
    )


def _case(c, kind):
    """(actor, rows, counts of the real run) for each kind's messy ledger."""
    if kind == "regions":
        return c.city_admin, REGION_ROWS, (3, 1, 1, 6)
    if kind == "carriers":
        return c.district_admin, CARRIER_ROWS, (1, 1, 0, 5)
    if kind == "party_orgs":
        make_joint_orgs(c)
        return c.district_admin, party_rows(c), (3, 1, 0, 5)
    make_instructor(c, "李指导")
    return c.district_admin, assignment_rows(c), (3, 0, 0, 6)


KIND_NAMES = ["regions", "carriers", "party_orgs", "assignments"]


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_a_dry_run_reports_the_same_and_writes_nothing(party_cast, tmp_path, kind):
    actor, rows, expected = _case(party_cast, kind)
    before = _snapshot()
    job = run(actor, kind, write_csv(tmp_path / "a.csv", rows), dry_run=True)
    assert counts(job) == expected, reasons(job)
    assert _snapshot() == before
    assert not job.batches.exists()


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_all_or_nothing_with_bad_rows_writes_nothing(party_cast, tmp_path, kind):
    actor, rows, expected = _case(party_cast, kind)
    before = _snapshot()
    job = run(actor, kind, write_csv(tmp_path / "a.csv", rows), all_or_nothing=True)
    assert job.status == JobStatus.DONE and job.rejected == expected[3] and "未写入任何数据" in job.message
    assert _snapshot() == before


GOOD_ROWS = {  # rows that lean on earlier rows of the same file: the checking pass must see them too
    "regions": lambda c: [REGION_ROWS[1], *REGION_ROWS[2:7]],
    "carriers": lambda c: CARRIER_ROWS[:3],
    "party_orgs": lambda c: party_rows(c)[:5],
    "assignments": lambda c: assignment_rows(c)[:4],
}


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_all_or_nothing_with_good_rows_writes_them_all(party_cast, tmp_path, kind):
    actor, _, expected = _case(party_cast, kind)
    job = run(actor, kind, write_csv(tmp_path / "a.csv", GOOD_ROWS[kind](party_cast)), all_or_nothing=True)
    assert job.status == JobStatus.DONE, job.message
    assert counts(job) == (*expected[:3], 0), reasons(job)
    again = run(actor, kind, write_csv(tmp_path / "b.csv", GOOD_ROWS[kind](party_cast)))
    assert counts(again) == (0, 0, sum(expected[:3]), 0)


RESUMED = {  # (header, a first row, the same record written differently, the duplicate's reason)
    "regions": (["区划代码", "名称"], ["310105", "长宁区"], ["310105", "长宁区"],
                "区划代码:与第 2 行重复（区划代码相同）"),
    "carriers": (CARRIER_ROWS[0], CARRIER_ROWS[1], ["外滩中心", "楼宇", "310101013", "", ""],
                 "名称:与第 2 行重复（所在街道/镇和名称相同）"),
    "party_orgs": (PARTY_HEADER, ["外滩党总支", "外滩街道综合党委", "党总支", "单独组建", "", "", "", "", ""],
                   ["外滩 党总支", "外滩街道综合党委", "党总支", "单独组建", "", "", "", "", ""],
                   "党组织名称:与第 2 行重复（党组织名称相同）"),
    "assignments": (ASSIGNMENT_HEADER, ["张指导", "13800000001", "黄浦区社会工作党委", "", "2024-03-01", ""],
                    ["张指导", "138 0000 0001", "黄浦区社会工作党委", "", "2024年3月1日", ""],
                    "指导员姓名:与第 2 行重复（指导员、组织和开始日期相同）"),
}  # fmt: skip


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_a_resumed_job_still_catches_duplicates_of_rows_committed_before(party_cast, tmp_path, kind):
    """``remember`` rebuilds the keys of the rows before the checkpoint (here: as if row 2 was committed)."""
    header, first, again, reason = RESUMED[kind]
    if kind == "assignments":
        first[3] = again[3] = party_cast.waitan_org.credit_code
    actor = party_cast.city_admin
    with open(write_csv(tmp_path / "a.csv", [header, first, again]), "rb") as handle:
        job = engine.create_job(actor, kind, handle, "a.csv")
    type(job).objects.filter(pk=job.pk).update(status=JobStatus.INTERRUPTED, rows_done=2)
    job = engine.run(job.pk, scope_for(job.actor))
    assert counts(job) == (0, 0, 0, 1)
    assert reasons(job) == {3: [f"{reason}，本行未导入"]}


def test_a_row_the_database_refuses_is_rolled_back_alone(cast, tmp_path, monkeypatch):
    """Each row is written in its own savepoint: a failure after a partial write leaves nothing of it."""
    from django.db import IntegrityError

    from liangxin.imports.kinds import carriers

    real = carriers.save_audited

    def flaky(actor, obj, fields):
        saved = real(actor, obj, fields)
        if obj.name == "外滩中心":
            raise IntegrityError("duplicate key value violates unique constraint")
        return saved

    monkeypatch.setattr(carriers, "save_audited", flaky)
    rows = [CARRIER_ROWS[0], CARRIER_ROWS[1], ["外滩二号楼", "楼宇", "外滩街道", "", ""]]
    job = run(cast.district_admin, "carriers", write_csv(tmp_path / "a.csv", rows))
    assert counts(job) == (1, 0, 0, 1)
    assert reasons(job) == {2: ["名称:保存时与平台已有数据冲突（可能刚被他人修改），本行未导入，请稍后重新导入"]}
    assert list(Carrier.objects.filter(street=cast.waitan).values_list("name", flat=True)) == ["外滩二号楼"]
    assert [r for _, r, _ in changes_of("regions.carrier")] == ["外滩二号楼"]


def test_the_import_page_offers_each_kind_to_those_who_may_import_it(cast):
    from django.urls import reverse

    from .conftest import client_for

    city = client_for(cast.city_admin)
    page = city.get(reverse("web:import_list")).content.decode()
    assert all(f"{label}导入模板" in page for label in ("行政区划", "载体", "党组织", "指导员选派"))
    for name in KIND_NAMES:
        response = city.get(reverse("web:import_template", args=[name]))
        assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    district = client_for(cast.district_admin)
    assert district.get(reverse("web:import_template", args=["regions"])).status_code == 404  # not a tree editor
    assert district.get(reverse("web:import_template", args=["carriers"])).status_code == 200

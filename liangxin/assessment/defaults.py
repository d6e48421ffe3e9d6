"""The shipped indicator sets (五个好, 十个有, 阵地, 效能评估), each as a published first version.

Installed by the data migration ``0002_default_sets`` and by the demo seed through ``install``,
which is idempotent: a set whose code exists is left alone (the city may have changed it since).
Items cite the seed document they come from; every weight, threshold and decomposition into
leaves is the city's choice (市级设定) — the seeds name the items, never weights.
Written against a model getter so the migration can pass its historical models.
"""

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from .choices import CITY_SET

SEED_BEIJING = "《以改革创新精神加强和改进北京社会领域党建工作》"
SEED_YIWU = "《大力推进新社会组织党建工作》"
SEED_HUANGPU = "《黄浦区2015年\u201c两新\u201d组织党建工作要点》"
SEED_SHANGHAI = "《探索实践 破解难题——上海新经济组织和新社会组织工作调研文选（2007）》"
QINGPU = "所收《青浦区新经济组织党建工作效能评估及提高工作效能对策研究》（仅存篇名）"
FIVE_GOOD = f"{SEED_BEIJING}（\u201c五个好\u201d党组织创建）；又见{SEED_YIWU}"
CITY_ITEM = "市级设定（细化指标）"


def _scored(name: str, weight: str, top: str = "10", note: bool = True, evidence: bool = True, **extra) -> dict:
    return {
        "name": name, "weight": weight, "method": "scored", "rule_kind": "scale", "rule_params": {"max": top},
        "note_required": note, "evidence_allowed": evidence, "item_source": CITY_ITEM, **extra,
    }  # fmt: skip


def _check(name: str, weight: str, source: str) -> dict:
    """A checklist item judged by people: 有 (1) passes, 无 (0) does not."""
    return {
        "name": name, "weight": weight, "method": "scored", "rule_kind": "pass_fail",
        "rule_params": {"threshold": "1", "direction": "gte"}, "note_required": False, "evidence_allowed": True,
        "item_source": source, "description": "有：填 1；无：填 0",
    }  # fmt: skip


def _computed(name: str, weight: str, measure: str, kind: str, params: dict, source: str = CITY_ITEM) -> dict:
    return {
        "name": name, "weight": weight, "method": "computed", "measure": measure, "rule_kind": kind,
        "rule_params": params, "item_source": source,
    }  # fmt: skip


def _bands(*pairs: tuple[str, str], direction: str = "gte") -> dict:
    return {"direction": direction, "bands": [{"threshold": t, "share": s} for t, s in pairs]}


def _group(name: str, weight: str, source: str, children: list[dict]) -> dict:
    return {"name": name, "weight": weight, "item_source": source, "children": children}


FIVE_GOOD_TREE = [
    _group("领导班子好", "20", FIVE_GOOD, [
        _computed("问题清单无必须、应当级问题（按期换届、设支委会等）", "40", "open_findings", "linear",
                  {"zero_at": "3", "full_at": "0"}),
        _scored("班子团结、书记履职", "60"),
    ]),
    _group("党员队伍好", "20", FIVE_GOOD, [
        _computed("党费按月足额交纳", "50", "dues_paid_in_full", "bands", _bands(("95", "100"), ("80", "50"))),
        _scored("党员教育管理、先锋模范作用", "50"),
    ]),
    _group("工作机制好", "20", FIVE_GOOD, [
        _computed("\u201c三会一课\u201d按期召开", "60", "life_compliance", "bands",
                  _bands(("95", "100"), ("80", "60"))),
        _scored("工作制度健全并落实", "40"),
    ]),
    _group("发展业绩好", "20", FIVE_GOOD, [
        _computed("发展党员", "40", "new_members", "pass_fail", {"threshold": "1", "direction": "gte"}),
        _computed("新递交入党申请", "30", "new_applicants", "linear", {"zero_at": "0", "full_at": "3"}),
        _scored("党建工作促进单位发展", "30"),
    ]),
    _group("群众反映好", "20", FIVE_GOOD, [
        _scored("职工群众评议满意度", "100", top="100"),
    ]),
]  # fmt: skip

TEN_ITEMS = [
    "有牌匾", "有办公设施", "有党员活动室", "有电教设备", "有工作制度", "有档案资料（三会一课记录本等）",
    "有党旗", "有伟人画像", "有党务公开栏（含党建宣传标语）", "有公章",
]  # fmt: skip
TEN_TREE = [_check(name, "10", f"{SEED_BEIJING}（\u201c十个有\u201d）") for name in TEN_ITEMS]

POSITION_ITEMS = [
    ("有一个相对固定党员活动室", "17"),
    ("有一个党建工作宣传教育画廊", "17"),
    ("有一个支部工作网站", "17"),
    ("有一份反映本单位党建工作动态的专刊", "17"),
    ("有一部反映本单位党建工作情况的专题片", "16"),
    ("有一套党建工作制度和学习资料", "16"),
]
POSITION_TREE = [_check(name, weight, f"{SEED_HUANGPU}（党建阵地建设标准）") for name, weight in POSITION_ITEMS]

TWO_ENSURE = f"{SEED_HUANGPU}（\u201c两个确保、两个力争\u201d）"
PLATFORM = f"{SEED_SHANGHAI}（综合服务平台：信息传输、工作对象管理和信息群发）"
TARGET_97 = _bands(("97", "100"), ("90", "60"), ("80", "30"))
EFFECT_TREE = [
    _group("党的组织和工作覆盖", "40", TWO_ENSURE, [
        _computed("50人以上非公企业有党员", "25", "stats_dual_members", "bands", TARGET_97, TWO_ENSURE),
        _computed("100人以上非公企业建立党组织", "25", "stats_dual_org", "bands", TARGET_97, TWO_ENSURE),
        _computed("规模以上非公企业党组织覆盖率", "25", "stats_above_scale", "bands", TARGET_97, TWO_ENSURE),
        _computed("重点行业、重点单位党组织覆盖率", "25", "stats_key_units", "linear",
                  {"zero_at": "80", "full_at": "100"}, TWO_ENSURE),
    ]),
    _computed("信息群发阅读率", "20", "message_read_rate", "linear", {"zero_at": "50", "full_at": "100"},
              f"{SEED_HUANGPU}（力争党的声音传递到每一个\u201c两新\u201d组织）；{PLATFORM}"),
    _computed("报送任务按时完成率", "20", "reports_on_time", "bands",
              _bands(("100", "100"), ("90", "70"), ("80", "40")), PLATFORM),
    _scored("上级党委综合评价", "20"),
]  # fmt: skip

SETS: list[dict[str, Any]] = [
    {
        "code": "five-good", "name": "\u201c五个好\u201d党组织", "subject_kind": "party_org", "source": FIVE_GOOD,
        "description": "领导班子好、党员队伍好、工作机制好、发展业绩好、群众反映好。", "tree": FIVE_GOOD_TREE,
    },
    {
        "code": "ten-haves", "name": "\u201c十个有\u201d阵地与台账", "subject_kind": "party_org",
        "source": f"{SEED_BEIJING}（\u201c十个有\u201d）",
        "description": "已建立党组织的两新组织应做到的十个\u201c有\u201d。",
        "tree": TEN_TREE,
    },
    {
        "code": "positions", "name": "党建阵地建设标准", "subject_kind": "party_org",
        "source": f"{SEED_HUANGPU}（加强党建阵地建设）",
        "description": "活动室、宣传画廊、支部网站、专刊、专题片、制度和学习资料。",
        "tree": POSITION_TREE,
    },
    {
        "code": "effectiveness", "name": "党委党建工作效能评估", "subject_kind": "committee",
        "source": f"{SEED_SHANGHAI}{QINGPU}",
        "description": "对街道（镇）综合党委、行业党委和区级党委的党建工作效能评估，指标由平台数据计算并辅以上级评价。",
        "tree": EFFECT_TREE,
    },
]  # fmt: skip

LEAF_DEFAULTS = {
    "method": "", "measure": "", "rule_kind": "", "rule_params": {}, "note_required": False,
    "evidence_allowed": False, "description": "", "weight_source": CITY_SET,
}  # fmt: skip


def _add(Indicator, version, items: list[dict], parent=None) -> None:  # noqa: N803 (a model class)
    for order, item in enumerate(items, start=1):
        fields = {**LEAF_DEFAULTS, **{k: v for k, v in item.items() if k != "children"}}
        created = Indicator.objects.create(version=version, parent=parent, order=order, **fields)
        _add(Indicator, version, item.get("children", []), created)


def install(get_model: Callable[[str, str], Any]) -> list[str]:
    """Create each shipped set not yet present, as version 1, published; the names created."""
    IndicatorSet = get_model("assessment", "IndicatorSet")  # noqa: N806
    IndicatorVersion = get_model("assessment", "IndicatorVersion")  # noqa: N806
    Indicator = get_model("assessment", "Indicator")  # noqa: N806
    created = []
    for spec in SETS:
        if IndicatorSet.objects.filter(code=spec["code"]).exists():
            continue
        fields = {k: v for k, v in spec.items() if k != "tree"}
        indicator_set = IndicatorSet.objects.create(**fields)
        version = IndicatorVersion.objects.create(
            indicator_set=indicator_set, number=1, status="published", published_at=timezone.now(),
            note="平台预置（权重与标准为市级设定，可由此新建草稿调整）",
        )  # fmt: skip
        _add(Indicator, version, spec["tree"])
        created.append(spec["name"])
    return created

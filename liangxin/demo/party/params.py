"""The party demo's knobs: shares and chances (the seeds' picture; each a knob of the demo, not a rule)."""

import datetime

from liangxin.orgs.choices import OrgKind
from liangxin.party.choices import Education
from liangxin.regions import shanghai

# -- shares (the seeds' picture; every one is a knob of the demo, not a rule) ---------------------
MEMBER_SHARE = 0.01  # members ≈ 1 % of the employees of operating organizations
PROBATIONARY_SHARE = 0.05
HAS_MEMBERS_CHANCE = 0.93  # of social organizations above the "should have members" size
# Per district, the share of firms the 双达标 and above-scale rates count that fall short (no member,
# no party organization): the seeds' districts report 97 % and more, so most keep within 3 %, a few
# lag; never over SHORTFALL_MAX (rates stay ≥ 85 %). 黄浦 keeps its 97 % (the seeds' 2015 要点).
SHORTFALLS = [0.0, 0.0, 0.0, 0.02, 0.05, 0.08, 0.10, 0.12]
SHORTFALL_MAX = 0.12
ON_TARGET_DISTRICTS = {"黄浦区"}
LAGGING_DISTRICT = "浦东新区"  # the largest: its shortfall shows in any demo size
ELSEWHERE_SHARE = 0.05  # membership held by a party organization not covering the employer
ELSEWHERE_RECENT = 0.15  # of those: hired less than the transfer period ago (no reminder yet)
FLOATING_SHARE = 0.03
FLOATING_WITH_INFLOW = 0.6  # outflow members whose inflow party organization is known
NEEDS_HELP_SHARE = 0.02
DUES_BASE_SHARE = 0.9
LEFT_OUT_SHARE = 0.03  # organizations needing a party organization that have none yet
ATTACHED_SHARE = 0.07  # small organizations with members: 挂靠 to the street's attached branch
BASED_SHARE = 0.10  # small ones in a building or park: 依托 the carrier's branch
REGIONAL_CARRIER_SHARE = 0.9  # carriers with one 区域联建 party organization for all their units
JOINT_MEMBER_UNITS = 3  # at most, of a 联合党支部's units; memberless neighbours fill it to the limit
JOINT_SPARE_MIN_EMPLOYEES = 1  # memberless neighbours a 联合党支部 takes in up to its limit
LOGISTICS_SHARE = 0.3  # small logistics firms in the logistics committee's 行业统建 branches
TEMPORARY_SHARE = 0.15  # construction firms whose branch is a project's 临时党支部
COMBINED_SHARE = 0.03  # 兼合式 among own branches
COMMITTEE_CHANCE = 0.5  # own party organizations with ≥ 100 members that are a 基层党委
OVERFULL_CHANCE = 0.03  # joint branches over the limit (the rule's finding shows)
ATTACHED_GROUP = 10
INSTRUCTOR_CHANCE = 0.4  # uncovered organizations of 50–99 employees with an instructor
CARRIERS_PER_FUNCTIONAL = 60
SEATS_CHANCE = 0.85  # branches big enough for a committee that have elected one
DEPUTY_CHANCE = 0.5
DEPUTY_FROM = 5  # full members

KIND_DENSITY = {  # members per employee, relative to private firms
    OrgKind.INTERMEDIARY: 2.0, OrgKind.FOUNDATION: 1.5, OrgKind.NON_ENTERPRISE: 1.3, OrgKind.ASSOCIATION: 1.2,
    OrgKind.TRADE_ASSOCIATION: 1.2, OrgKind.FOREIGN: 0.6, OrgKind.HMT: 0.7, OrgKind.INDIVIDUAL: 0.4,
}  # fmt: skip
EDUCATION = {
    Education.BACHELOR: 40, Education.COLLEGE: 22, Education.SENIOR: 13, Education.MASTER: 13,
    Education.JUNIOR: 6, Education.DOCTOR: 3, Education.PRIMARY: 1,
}  # fmt: skip
# industry committee → words in its name; organizations of that trade (see _trade)
TRADE_WORDS = {"law": "律师", "cpa": "会计", "cost": "造价", "logistics": "物流"}
SEAT_TITLES = ["组织委员", "宣传委员", "纪检委员", "青年委员", "统战委员", "保密委员"]
ELSEWHERE_PLACES = [
    "江苏省苏州市", "浙江省杭州市", "浙江省宁波市", "安徽省合肥市", "广东省深圳市", "北京市海淀区", "江苏省南京市",
    "湖北省武汉市", "四川省成都市", "浙江省嘉兴市", "江苏省无锡市", "福建省厦门市",
]  # fmt: skip
BIRTH_FROM, BIRTH_TO, BIRTH_MODE = datetime.date(1950, 1, 1), datetime.date(2003, 12, 31), datetime.date(1988, 1, 1)
AREA_CODES = [code for code, _, _ in shanghai.DISTRICTS]

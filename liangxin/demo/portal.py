"""Demo data for the 互动网's news and 信息报送 (after the daily work), through the real services:
the city's pinned notice to everyone, 黄浦's news for its district, 南京东路's items (one published
after 黄浦's review, one waiting, one returned), and reports at every state — waiting at the
street, adopted and passed up to the district, returned, adopted and published as a 工作动态. Only
the demo city, district, street and secretary write, so the demo's size stays bounded."""

import random

from django.db import transaction

from liangxin.accounts.models import RoleAssignment
from liangxin.accounts.roles import Role
from liangxin.demo.common import Log
from liangxin.portal import news, reports
from liangxin.portal.models import NewsItem

NOTICES = [
    (
        "关于开展两新组织党组织和党员信息核查工作的通知",
        "请各区、各街道于本月底前完成辖区两新组织党组织和党员信息核查，核查结果通过平台报送。",
    ),
    ("关于做好两新组织党组织书记轮训工作的通知", "本年度书记轮训分三期举办，请各单位按名额报名。"),
]
DISTRICT_NEWS = [
    ("黄浦区召开两新组织党建工作推进会", "会议总结上半年工作，部署双达标、两个确保工作。"),
    ("黄浦区商务楼宇党建服务站揭牌", "服务站为楼宇内两新组织提供党员活动、组织关系转接和政策咨询服务。"),
]
STREET_NEWS = [
    ("南京东路街道举办楼宇党员主题党日活动", "街道组织辖区楼宇党员参观红色场馆，重温入党誓词。", "approve"),
    ("南京东路街道启动两个覆盖百日攻坚", "街道对辖区空白点逐一走访，力争年底前实现应建尽建。", "wait"),
    ("南京东路街道党群服务站开放时间调整", "服务站自下月起延长开放时间。", "return"),
]
REPORTS = [
    (
        "experience",
        "联合党支部“一站式”服务楼宇企业的做法",
        "支部依托楼宇党建服务站，为入驻企业提供党员管理和政策咨询。",
    ),
    ("event", "支部开展“党员先锋岗”评选", "本季度评选党员先锋岗五个，在楼宇公示。"),
    ("problem", "部分小微企业党员组织关系未转入的问题", "小微企业流动性大，党员组织关系转接不及时，建议简化手续。"),
]


def _admin(role: str, node_name_part: str = "") -> RoleAssignment | None:
    found = RoleAssignment.objects.filter(role=role, node__name__contains=node_name_part)
    return found.select_related("user", "node").order_by("pk").first()


def build_demo(rng: random.Random, log: Log) -> dict:
    if NewsItem.objects.exists():
        return {}
    city, district = _admin(Role.CITY_ADMIN), _admin(Role.DISTRICT_ADMIN, "黄浦")
    street, secretary = _admin(Role.STREET_ADMIN, "南京东路"), _admin(Role.SECRETARY)
    if city is None or district is None or street is None:
        return {}
    with transaction.atomic():
        for i, (title, body) in enumerate(NOTICES):
            values = {"title": title, "body": body, "category": "notice", "to_everyone": True, "pinned": i == 0}
            news.write(city.user, city.node, values)
        for title, body in DISTRICT_NEWS:
            news.write(district.user, district.node, {"title": title, "body": body, "category": "news"})
        for title, body, outcome in STREET_NEWS:
            item = news.write(street.user, street.node, {"title": title, "body": body, "category": "news"})
            if outcome == "approve":
                news.approve(district.user, item)
            elif outcome == "return":
                news.return_item(district.user, item, "请补充调整后的具体开放时间")
        made = _reports(street, district, secretary)
    return {"工作动态与通知公告": NewsItem.objects.count(), "信息报送": made}


def _reports(street: RoleAssignment, district: RoleAssignment, secretary: RoleAssignment | None) -> int:
    """A street's report adopted by the district and published; another street's adopted (so the
    ranking has two streets); a problem returned; the secretary's reports adopted by their street and
    passed up where the demo has that street's administrator, else waiting there."""
    (kind, title, body), made = REPORTS[0], 3
    first = reports.submit(street.user, street.node, {"kind": kind, "title": title, "body": body})
    reports.adopt(district.user, first, "key")
    reports.publish(district.user, first)
    kind, title, body = REPORTS[2]
    problem = reports.submit(street.user, street.node, {"kind": kind, "title": title, "body": body})
    reports.return_report(district.user, problem, "请补充涉及的企业数和党员数")
    other = RoleAssignment.objects.filter(role=Role.STREET_ADMIN, node__parent=district.node).exclude(pk=street.pk)
    neighbour = other.select_related("user", "node").order_by("pk").first()
    writer = neighbour or street
    done = reports.submit(writer.user, writer.node, {"kind": "event", "title": f"{writer.node.name}开展党建联建活动",
                                                     "body": "街道与驻区单位签订党建联建协议。"})  # fmt: skip
    reports.adopt(district.user, done, "normal")
    if secretary is None:
        return made
    kind, title, body = REPORTS[1]
    passed = reports.submit(secretary.user, secretary.node, {"kind": kind, "title": title, "body": body})
    reviewer = RoleAssignment.objects.filter(role=Role.STREET_ADMIN, node=passed.at_node).select_related("user").first()
    if reviewer is not None:
        reports.adopt(reviewer.user, passed, "normal")
        reports.pass_up(reviewer.user, passed)
    reports.submit(
        secretary.user, secretary.node, {"kind": "event", "title": "支部组织党员学习", "body": "集中学习一次。"}
    )
    return made + 2

"""Demo data for 党建问答 and 组织生活内容提示 (after the daily work), through the real services: the
demo member's and secretary's questions to their street committee — one answered with an official
answer (in the 常见问题), one answered plainly, one private and answered, one still waiting — a
short forbidden-word list, and this month's content prompts of the city and the demo street."""

import random

from django.utils import timezone

from liangxin.accounts.models import RoleAssignment, User
from liangxin.accounts.roles import REGISTRY_EDITORS, Role
from liangxin.demo.common import MEMBER_ACCOUNT, SECRETARY_ACCOUNT, Log
from liangxin.life import prompts
from liangxin.life.models import ContentPrompt
from liangxin.qa import services
from liangxin.qa.models import Question

# (asker, title, text, public, answer, official)
QUESTIONS = [
    (MEMBER_ACCOUNT, "工资每月不固定，党费按什么基数交纳？",
     "我在一家民营企业做销售，每月工资加提成变动较大，党费应当按哪个月的收入计算？", True,
     "按月交纳党费的党员，以每月工资收入（税后）为计算基数；收入变动较大的，可按上一年度月平均收入确定基数，"
     "每年核定一次。具体以所在党支部核定的基数为准。", True),
    (SECRETARY_ACCOUNT, "联合党支部的组织生活怎么安排比较合适？",
     "我们支部覆盖三家小企业，党员分散在不同单位，“三会一课”很难凑齐人，有什么好的做法？", True,
     "可以按单位划分党小组，党小组会在各单位就近召开；支部党员大会和党课集中安排在周末或午间，"
     "并提前在平台上安排会议、发送通知。街道党群服务中心的活动室可以预约使用。", True),
    (MEMBER_ACCOUNT, "换工作后组织关系要不要马上转？",
     "我下个月要换到另一家公司工作，组织关系需要马上转过去吗？", True,
     "在新单位工作满六个月的，原则上应将组织关系转入新单位党组织；此前可先在新单位党组织参加组织生活。", False),
    (MEMBER_ACCOUNT, "家庭困难能否申请减免党费？",
     "家里老人生病，最近经济压力较大，党费能否申请减免？", False,
     "生活确有困难的党员，经支部党员大会讨论、报上级党委批准，可以少交或免交党费。请先与支部书记沟通。", False),
    (SECRETARY_ACCOUNT, "主题党日可以和企业团建一起搞吗？",
     "企业想把主题党日和员工团建活动放在一起，这样做是否合适？", True, "", False),
]  # fmt: skip
FORBIDDEN = "赌博\n代开发票\n传销"


def _street_admin(committee) -> User | None:
    found = RoleAssignment.objects.filter(role__in=REGISTRY_EDITORS, node=committee).select_related("user").first()
    return found.user if found else None


def _node_of(user: User):
    found = RoleAssignment.objects.filter(user=user, role__in=[Role.MEMBER, Role.SECRETARY]).select_related("node")
    return found.first().node if found.exists() else None


def build_demo(rng: random.Random, log: Log) -> dict:
    if Question.objects.exists() or ContentPrompt.objects.exists():
        return {}
    city = RoleAssignment.objects.filter(role=Role.CITY_ADMIN).select_related("user", "node").first()
    counts = {"党建问答": 0, "组织生活内容提示": 0}
    if city is not None:
        services.set_forbidden_words(city.user, FORBIDDEN)
    for username, title, text, public, answer, official in QUESTIONS:
        asker = User.objects.filter(username=username).first()
        node = _node_of(asker) if asker else None
        if asker is None or node is None:
            continue
        question = services.ask(asker, node, {"title": title, "text": text, "is_public": public})
        counts["党建问答"] += 1
        admin = _street_admin(question.committee)
        if answer and admin is not None:
            services.answer(admin, question, answer, official=official)
    today = timezone.localdate()
    month = f"{today:%Y-%m}"
    if city is not None:
        prompts.publish(city.user, city.node, {
            "month": month, "title": f"{today.month}月组织生活内容提示：学习贯彻支部工作条例",
            "text": "各两新组织党组织本月围绕《中国共产党支部工作条例（试行）》开展一次集中学习，结合本单位实际，"
                    "做到有主题、有讨论、有共识、有行动，防止组织生活娱乐化、活动化。",
            "topics": "学习《中国共产党支部工作条例（试行）》\n党员如何在岗位上发挥先锋模范作用\n"
                      "本单位发展中的难题与党员承诺",
        }, today)  # fmt: skip
        counts["组织生活内容提示"] += 1
    member = User.objects.filter(username=MEMBER_ACCOUNT).first()
    node = _node_of(member) if member else None
    committee = services.responsible_committee(node) if node else None
    admin = _street_admin(committee) if committee else None
    if admin is not None and committee is not None:
        prompts.publish(admin, committee, {
            "month": month, "title": f"{committee.name}本月提示：楼宇党建与志愿服务",
            "text": "组织党员到社区报到，参与楼宇志愿服务；支部结合企业经营情况开展一次主题党日。",
            "topics": "党员到社区报到与志愿服务\n企业发展与党员作用",
        }, today)  # fmt: skip
        counts["组织生活内容提示"] += 1
    return counts

"""Demo data for 报送任务 (after the daily work): the city's quarterly report to the districts,
黄浦's own task of the same form to its streets (so 汇总上报 has something to roll up), and
南京东路's answer with the platform's pre-filled figures — through the real services. Only the
demo city, district and street send or answer, so the demo's size stays bounded at any city size."""

import datetime
import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from liangxin.accounts.models import RoleAssignment, User
from liangxin.accounts.roles import Role
from liangxin.core.dates import add_months
from liangxin.demo.common import Log
from liangxin.reporting import services
from liangxin.reporting.models import ReportForm, ReportTask

QUARTERLY = "党员和党组织基本情况季报"


def _admin(role: str, node_name_part: str = "") -> RoleAssignment | None:
    return (
        RoleAssignment.objects.filter(role=role, node__name__contains=node_name_part)
        .select_related("user", "node")
        .order_by("pk")
        .first()
    )


def _last_quarter(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    first_of_this = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    start = add_months(first_of_this, -3)
    return start, first_of_this - datetime.timedelta(days=1)


def build_demo(rng: random.Random, log: Log) -> dict:
    if ReportTask.objects.exists():
        return {}
    city, district, street = (_admin(Role.CITY_ADMIN), _admin(Role.DISTRICT_ADMIN, "黄浦"),
                              _admin(Role.STREET_ADMIN, "南京东路"))  # fmt: skip
    form = ReportForm.objects.filter(name=QUARTERLY).first()
    if city is None or district is None or street is None or form is None:
        return {}
    today = timezone.localdate()
    start, end = _last_quarter(today)
    label = f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    deadline = today + datetime.timedelta(days=10)
    counts: dict[str, int] = {}
    with transaction.atomic():
        for actor, title in ((city, f"{label}党员和党组织基本情况"), (district, f"黄浦区{label}党员和党组织基本情况")):
            task = services.create_task(
                actor.user, actor.node, form, title=title, period_start=start, period_end=end, deadline=deadline,
                rule="children", today=today,
            )  # fmt: skip
            counts[f"报送任务「{title[:10]}…」单位"] = task.assignments.count()
        answer = _answer(rng, street.user, task)
        if answer:
            counts["已报送"] = 1
    if not answer:
        log("报送示例：南京东路街道的报送未生成")
    return counts


def _answer(rng: random.Random, user: User, task: ReportTask) -> bool:
    assignment = task.assignments.filter(node__name__contains="南京东路").select_related("task__form", "node").first()
    if assignment is None:
        return False
    values = {
        "activities": str(rng.randint(2, 6)), "filled_on": timezone.localdate().isoformat(),
        "work_summary": "按季度计划开展组织生活和党员教育，两新组织党建工作稳步推进。",
    }  # fmt: skip
    try:
        services.submit(user, assignment, services.Answer(values=values))
    except ValidationError:
        return False
    return True

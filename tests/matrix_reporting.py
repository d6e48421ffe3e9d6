"""Permission matrix entries for 报送任务 (merged into tests/test_permission_matrix.py's MATRIX).

The task is 黄浦's, sent to its streets (南京东路, 外滩). 黄浦's administrators manage it (催报,
退回, 关闭, 收集汇总); the city above and 黄浦's auditor read it (403 on a change); 徐汇, the
streets, the lawyers' committee get 404, as if missing. An assignment is answered by its own node
only: 南京东路's administrator; 外滩's gets 404 for 南京东路's, as does everyone else who answers.
"""

import datetime

from django.utils import timezone

from .test_permission_matrix import API, ORG_EDITORS, READERS, expect, invalid_body


def huangpu_task(c) -> dict:
    from liangxin.reporting import services
    from liangxin.reporting.models import ReportForm

    today = timezone.localdate()
    task = services.create_task(
        c.district_admin, c.huangpu_node, ReportForm.objects.get(name="两新组织覆盖情况月报"), title="月报",
        period_start=today.replace(day=1), period_end=today, deadline=today + datetime.timedelta(days=7),
        rule="children",
    )  # fmt: skip
    c.report_task = task
    return {"pk": task.pk}


def nanjing_assignment(c) -> dict:
    huangpu_task(c)
    return {"pk": c.report_task.assignments.get(node=c.nanjing_node).pk}


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def nanjing_file(c) -> dict:
    """南京东路's answer with a file (佐证材料)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from liangxin.reporting import services

    nanjing_assignment(c)
    a = c.report_task.assignments.get(node=c.nanjing_node)
    answer = services.Answer(values={"new_party_orgs": "1", "progress": "按计划推进"},
                             files={"evidence": SimpleUploadedFile("合影.png", PNG, "image/png")})  # fmt: skip
    submission = services.submit(c.street_admin, a, answer)
    return {"pk": submission.pk, "key": "evidence"}


def huangpu_template(c) -> dict:
    """黄浦's Excel template, its columns confirmed."""
    import io

    import xlsxwriter
    from django.core.files.uploadedfile import SimpleUploadedFile

    from liangxin.reporting import template_tasks

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet("清单").write_row(0, 0, ["项目名称", "参与人数"])
    book.close()
    upload = SimpleUploadedFile("清单.xlsx", buffer.getvalue())
    form = template_tasks.create_template(c.district_admin, c.huangpu_node, name="项目清单", description="",
                                          upload=upload)  # fmt: skip
    specs = {"c1": template_tasks.ColumnSpec("text", True), "c2": template_tasks.ColumnSpec("number", False)}
    c.report_template = template_tasks.set_columns(c.district_admin, form, specs)
    return {"pk": form.pk}


def nanjing_template_assignment(c) -> dict:
    """南京东路's assignment in 黄浦's task by that template."""
    from liangxin.reporting import services

    huangpu_template(c)
    today = timezone.localdate()
    task = services.create_task(
        c.district_admin, c.huangpu_node, c.report_template, title="项目清单", period_start=today, period_end=today,
        deadline=today + datetime.timedelta(days=7), rule="children",
    )  # fmt: skip
    return {"pk": task.assignments.get(node=c.nanjing_node).pk}


def remind(c) -> dict:
    return {**huangpu_task(c), "action": "remind"}


ANSWERERS = expect(200, auditor=403, nobody=403, secretary=200)
# 南京东路's own assignment: the others who answer reports get 404, as if missing
NANJING_ANSWER = expect(404, nanjing=200, auditor=403, nobody=403)
# the sender (黄浦) and those above it and its auditor read the task
TASK_VIEW = expect(404, city=200, huangpu=200, auditor=200, nobody=403, secretary=403)
TASK_MANAGE = {**TASK_VIEW, "city": 403, "auditor": 403}
TASK_ACTION = {**TASK_MANAGE, "huangpu": 302}
# a template is managed by the node it was made at: other senders get 404, as if missing
HUANGPU_TEMPLATE = expect(404, huangpu=200, auditor=403, nobody=403, secretary=403)

ENTRIES: dict = {
    "web:report_list": ("get", None, None, READERS),
    "web:report_new": ("get", None, None, ORG_EDITORS),
    "web:report_new POST": ("post", None, None, invalid_body(ORG_EDITORS)),
    "web:report_mine": ("get", None, None, ANSWERERS),
    "web:report_answer": ("get", nanjing_assignment, None, NANJING_ANSWER),
    "web:report_answer POST": ("post", nanjing_assignment, None, invalid_body(NANJING_ANSWER)),
    "web:report_detail": ("get", huangpu_task, None, TASK_VIEW),
    "web:report_collect": ("get", huangpu_task, None, TASK_MANAGE),
    "web:report_step": ("post", remind, None, TASK_ACTION),
    "web:report_assignment": ("get", nanjing_assignment, None, TASK_VIEW),
    # nothing submitted yet: the sender is told so on the page (302 back to it)
    "web:report_assignment POST": ("post", nanjing_assignment, None, TASK_ACTION),
    # the answering node and the task's readers (who also see 南京东路's answer there)
    "web:report_file": ("get", nanjing_file, None, {**TASK_VIEW, "nanjing": 200, "secretary": 404}),
    "report-task-list": ("get", None, None, {**READERS, **API}),
    "report-task-list POST": ("post", None, {"title": ""}, {**invalid_body(ORG_EDITORS), **API}),
    "report-task-detail": ("get", huangpu_task, None, {**TASK_VIEW, **API}),
    "report-task-assignments": ("get", huangpu_task, None, {**TASK_VIEW, **API}),
    "report-task-collected": ("get", huangpu_task, None, {**TASK_MANAGE, **API}),
    "report-task-remind": ("post", huangpu_task, {}, {**TASK_MANAGE, "huangpu": 200, **API}),
    "report-task-close": ("post", huangpu_task, {}, {**TASK_MANAGE, "huangpu": 200, **API}),
    "report-task-return": ("post", huangpu_task, {}, {**TASK_MANAGE, "huangpu": 400, **API}),
    "report-assignment-list": ("get", None, None, {**ANSWERERS, **API}),
    "report-assignment-detail": ("get", nanjing_assignment, None, {**NANJING_ANSWER, **API}),
    "web:report_rollup": ("post", nanjing_assignment, None, {**NANJING_ANSWER, "nanjing": 302}),
    "report-assignment-rollup": ("post", nanjing_assignment, {}, {**invalid_body(NANJING_ANSWER), **API}),
    "web:report_templates": ("get", None, None, ORG_EDITORS),
    "web:report_templates POST": ("post", None, None, invalid_body(ORG_EDITORS)),
    "web:report_template": ("get", huangpu_template, None, HUANGPU_TEMPLATE),
    "web:report_template POST": ("post", huangpu_template, None, invalid_body(HUANGPU_TEMPLATE)),
    "web:report_template_download": ("get", nanjing_template_assignment, None, NANJING_ANSWER),
    "report-template-list": ("get", None, None, {**ORG_EDITORS, **API}),
    "report-template-list POST": ("post", None, {"name": ""}, {**invalid_body(ORG_EDITORS), **API}),
    "report-template-detail": ("get", huangpu_template, None, {**HUANGPU_TEMPLATE, **API}),
    "report-template-columns": ("post", huangpu_template, {}, {**invalid_body(HUANGPU_TEMPLATE), **API}),
    "report-assignment-template": ("get", nanjing_template_assignment, None, {**NANJING_ANSWER, **API}),
    # an online form has no workbook: 404 for its own node too
    "report-assignment-template FORM": (
        "get",
        nanjing_assignment,
        None,
        {**expect(404, auditor=403, nobody=403), **API},
    ),
    "report-assignment-workbook": ("post", nanjing_template_assignment, {}, {**invalid_body(NANJING_ANSWER), **API}),
    "report-assignment-submit": ("post", nanjing_assignment, {"values": {}}, {**invalid_body(NANJING_ANSWER), **API}),
}

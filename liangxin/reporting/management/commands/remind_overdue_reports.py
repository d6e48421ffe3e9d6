"""催报 without a click (a daily cron line): every open task past its deadline reminds the nodes that
have not answered — the same 信息群发 as the page's 催报, once per assignment, sent by the task's
sender. A background command sends the e-mails and SMS itself (no request waits on it)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from liangxin.messaging import services as messaging
from liangxin.reporting import services
from liangxin.reporting.choices import AssignmentState, TaskState
from liangxin.reporting.models import ReportTask


class Command(BaseCommand):
    help = "对已过截止日期仍未报送（含被退回）的单位催报：站内消息，并按管理员的邮箱、手机发送；每个单位一次。"

    def handle(self, *args, **options):
        today = timezone.localdate()
        waiting = ReportTask.objects.filter(
            state=TaskState.OPEN, deadline__lt=today, sender__isnull=False,
            assignments__state__in=[AssignmentState.PENDING, AssignmentState.RETURNED],
            assignments__reminded_at__isnull=True,
        ).distinct()  # fmt: skip
        tasks = nodes = 0
        for task in waiting.select_related("node", "sender").order_by("pk"):
            done = services.remind(task.sender, task, today=today)
            if done.message is not None:
                messaging.send_pending(done.message.pk)
                tasks, nodes = tasks + 1, nodes + done.nodes
        self.stdout.write(f"催报 {tasks} 个任务、{nodes} 个单位")

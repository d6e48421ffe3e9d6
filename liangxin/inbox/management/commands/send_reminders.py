from django.core.management.base import BaseCommand
from django.utils import timezone

from liangxin.accounts.models import User
from liangxin.accounts.scoping import scope_for
from liangxin.inbox import reminders, services


class Command(BaseCommand):
    help = "把每个用户的待办提醒（会议、发展党员环节、转接、党费、换届）发到站内消息，同一提醒只发一次。"

    def handle(self, *args, **options):
        today = timezone.localdate()
        sent = 0
        for user in User.objects.filter(is_active=True, assignments__isnull=False).distinct().iterator():
            for r in reminders.due_for(user, scope_for(user), today):
                sent += services.notify([user], r.kind, r.title, url=r.url, key=r.key)
        self.stdout.write(f"发送提醒 {sent} 条")

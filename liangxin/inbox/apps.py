from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "liangxin.inbox"
    verbose_name = "消息与提醒"

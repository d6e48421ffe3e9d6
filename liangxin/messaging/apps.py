from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "liangxin.messaging"
    label = "messaging"  # not "messages": that is django.contrib.messages
    verbose_name = "信息群发"

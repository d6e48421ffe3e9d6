"""党建问答 (互动网): members and secretaries ask, the responsible committee answers; an answer
marked official (官方解答) makes a public question part of the 常见问题 (FAQ). The city's
forbidden-word list (禁用词) is checked before anything is stored."""

from django.conf import settings
from django.db import models


class QuestionStatus(models.TextChoices):
    OPEN = "open", "待答复"
    ANSWERED = "answered", "已答复"
    CLOSED = "closed", "已关闭"


class Question(models.Model):
    """党建问答的提问: one question of a member or secretary, answered by ``committee`` — the nearest
    committee above the asker's party organization when it was asked (``qa.services.responsible_committee``).
    A private question (不公开) is read by the asker and that committee only; a hidden one (已屏蔽) likewise."""

    title = models.CharField("标题", max_length=100)
    text = models.TextField("问题内容")
    is_public = models.BooleanField("公开", default=True, help_text="不公开时，仅答复党委和提问人可见")
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提问人", null=True, on_delete=models.SET_NULL, related_name="questions"
    )
    asker_node = models.ForeignKey(
        "mgmt.ManagementNode", verbose_name="提问人所在党组织", on_delete=models.PROTECT, related_name="+"
    )
    committee = models.ForeignKey(
        "mgmt.ManagementNode", verbose_name="答复党委", on_delete=models.PROTECT, related_name="questions"
    )
    status = models.CharField("状态", max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.OPEN)
    hidden = models.BooleanField("已屏蔽", default=False)
    moderation_note = models.CharField("处理说明", max_length=200, blank=True)
    created_at = models.DateTimeField("提问时间", auto_now_add=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "党建问答"
        ordering = ["-created_at", "-id"]
        indexes = [
            # the committee's inbox: its questions by state, newest first
            models.Index(fields=["committee", "status", "created_at"], name="qa_question_inbox"),
            # the public list and the FAQ
            models.Index(fields=["is_public", "hidden", "created_at"], name="qa_question_public"),
        ]

    def __str__(self) -> str:
        return self.title

    def audit_paths(self) -> tuple[str, str]:
        # logged at the answering committee, so its administrators and auditors read the entries
        region = self.committee.region
        return self.committee.path, region.path if region else ""


class Answer(models.Model):
    """答复: the committee's answer to a question; ``official`` (官方解答) puts a public question in
    the 常见问题. A withdrawn answer (已撤回) is kept for the record and shown to the committee only."""

    question = models.ForeignKey(Question, verbose_name="提问", on_delete=models.CASCADE, related_name="answers")
    text = models.TextField("答复内容")
    official = models.BooleanField("官方解答", default=False)
    withdrawn = models.BooleanField("已撤回", default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="答复人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("答复时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "答复"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"答复：{self.question.title}"

    def audit_paths(self) -> tuple[str, str]:
        return self.question.audit_paths()


class ForbiddenWord(models.Model):
    """禁用词: a word no question or answer may contain; the city administrator keeps the list."""

    word = models.CharField("禁用词", max_length=40, unique=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="添加人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "禁用词"
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word

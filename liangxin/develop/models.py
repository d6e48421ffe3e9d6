"""发展党员: applicants on their way to membership, each step dated, and the yearly quota (总量控制)."""

from django.db import models
from django.db.models import Q

from liangxin.party.models import Person


class Stage(models.TextChoices):
    """The pipeline's stages (《中国共产党发展党员工作细则》), plus the end of an application."""

    APPLICANT = "applicant", "入党申请人"
    ACTIVIST = "activist", "入党积极分子"
    CANDIDATE = "candidate", "发展对象"
    PROBATIONARY = "probationary", "预备党员"
    FULL = "full", "正式党员"
    STOPPED = "stopped", "已终止"


# the stages of an application still in progress (one per person at a time)
OPEN_STAGES = [Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY]
PIPELINE_STAGES = [Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY, Stage.FULL]


class StepKind(models.TextChoices):
    """Every step recorded on an application, in the order of the pipeline."""

    APPLY = "apply", "递交入党申请书"
    TALK = "talk", "入党谈话"
    ACTIVIST = "activist", "确定为入党积极分子"
    CONTACTS = "contacts", "调整培养联系人"
    CANDIDATE = "candidate", "确定为发展对象"
    INTRODUCERS = "introducers", "确定入党介绍人"
    REVIEW = "review", "政治审查"
    TRAINING = "training", "集中培训"
    PUBLICITY = "publicity", "公示"
    PREREVIEW = "prereview", "上级党委预审"
    VOTE = "vote", "支部大会表决"
    APPROVAL = "approval", "上级党委审批"
    OATH = "oath", "入党宣誓"
    EXTEND = "extend", "延长预备期"
    FULL = "full", "转为正式党员"
    STOP = "stop", "终止发展"


class Applicant(Person):
    """入党申请人 (and, as the steps go on, 积极分子, 发展对象, 预备党员, 正式党员).

    The identity number is stored like a member's: encrypted, with a keyed hash for exact lookup
    and a masked copy for display. Each step's date sits on the row for lists and reminders; the
    full record of every step (failed votes included) is in ``ApplicantStep``."""

    party_org = models.ForeignKey(
        "party.PartyOrganization", verbose_name="所在党组织", on_delete=models.PROTECT, related_name="applicants"
    )
    id_hash = models.CharField("身份号码检索摘要", max_length=64, editable=False, db_index=True)
    employer = models.ForeignKey(
        "orgs.Organization",
        verbose_name="工作单位",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applicants",
    )
    stage = models.CharField("阶段", max_length=14, choices=Stage.choices, default=Stage.APPLICANT)
    applied_on = models.DateField("递交入党申请书日期")
    talked_on = models.DateField("入党谈话日期", null=True, blank=True)
    activist_on = models.DateField("确定为积极分子日期", null=True, blank=True)
    candidate_on = models.DateField("确定为发展对象日期", null=True, blank=True)
    introducers_on = models.DateField("确定入党介绍人日期", null=True, blank=True)
    reviewed_on = models.DateField("政治审查合格日期", null=True, blank=True)
    trained_on = models.DateField("集中培训结业日期", null=True, blank=True)
    publicized_on = models.DateField("公示结束日期", null=True, blank=True)
    prereviewed_on = models.DateField("上级党委预审通过日期", null=True, blank=True)
    voted_on = models.DateField("支部大会通过日期", null=True, blank=True)
    approved_on = models.DateField("上级党委审批日期", null=True, blank=True)
    oath_on = models.DateField("入党宣誓日期", null=True, blank=True)
    extension_months = models.PositiveSmallIntegerField("延长预备期（月）", default=0)
    probation_end = models.DateField("预备期满日期", null=True, blank=True)
    full_on = models.DateField("转正日期", null=True, blank=True)
    stopped_on = models.DateField("终止日期", null=True, blank=True)
    stop_reason = models.CharField("终止原因", max_length=200, blank=True)
    contacts = models.ManyToManyField("party.Member", verbose_name="培养联系人", related_name="cultivating", blank=True)
    introducers = models.ManyToManyField(
        "party.Member", verbose_name="入党介绍人", related_name="introducing", blank=True
    )
    member = models.OneToOneField(
        "party.Member",
        verbose_name="党员记录",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="application",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "发展党员"
        indexes = [
            models.Index(fields=["party_org", "stage"], name="applicant_org_stage"),
            models.Index(fields=["stage", "applied_on"], name="applicant_stage_applied"),
            models.Index(fields=["approved_on"], name="applicant_approved"),
        ]
        constraints = [
            # one application in progress per person (a stopped one may be followed by a new one)
            models.UniqueConstraint(
                fields=["id_hash"], condition=Q(stage__in=OPEN_STAGES), name="one_open_application_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_stage_display()}）"

    def audit_paths(self) -> tuple[str, str]:
        return self.party_org.node.path, ""

    @property
    def waiting_for_approval(self) -> bool:
        return self.stage == Stage.CANDIDATE and self.voted_on is not None


class ApplicantStep(models.Model):
    """发展环节记录: one step as recorded, with its facts (in Chinese) and whether it passed;
    a failed vote or review stays on the record without moving the applicant on."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField("环节", max_length=12, choices=StepKind.choices)
    on = models.DateField("日期")
    passed = models.BooleanField("通过", default=True)
    facts = models.JSONField("记录内容", default=dict, blank=True)
    warnings = models.JSONField("提示", default=list, blank=True)
    actor = models.ForeignKey(
        "accounts.User", verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField("登记人姓名", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "发展环节记录"
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on:%Y-%m-%d}"


class Quota(models.Model):
    """发展党员计划（总量控制）: how many new probationary members a committee's subtree may admit in a year."""

    node = models.ForeignKey(
        "mgmt.ManagementNode", verbose_name="党委", on_delete=models.CASCADE, related_name="develop_quotas"
    )
    year = models.PositiveSmallIntegerField("年度")
    quota = models.PositiveIntegerField("计划数")

    class Meta:
        verbose_name = verbose_name_plural = "发展党员计划"
        constraints = [models.UniqueConstraint(fields=["node", "year"], name="one_quota_per_committee_year")]

    def __str__(self) -> str:
        return f"{self.node.name} {self.year} 年 {self.quota} 名"

    def audit_paths(self) -> tuple[str, str]:
        return self.node.path, self.node.region.path if self.node.region_id else ""

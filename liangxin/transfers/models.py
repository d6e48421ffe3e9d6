"""组织关系转接 (Transfer, with its TransferStep log) and 流动党员排摸 (CensusRecord).

A transfer moves a member's membership (组织关系) out of one party organization into another:
inside the platform both ends act (the sender initiates, the sending side's committee reviews
where required, the receiver accepts or returns it with a reason); to or from outside the
platform only our end acts, with the letter (介绍信) as the record. 超期 is not a stored state:
an open transfer whose letter has passed its validity (``rules.letter_expired``) is flagged.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from liangxin.party.choices import MemberCategory


class TransferKind(models.TextChoices):
    INTERNAL = "internal", "系统内转接"
    OUT = "out", "转出至系统外"
    IN = "in", "从系统外转入"


class TransferState(models.TextChoices):
    INITIATED = "initiated", "发起"
    REVIEWED = "reviewed", "审核"
    ACCEPTED = "accepted", "接收"
    RETURNED = "returned", "退回"


OPEN_STATES = (TransferState.INITIATED, TransferState.REVIEWED)


class Transfer(models.Model):
    """组织关系转接. ``member`` is empty only for a transfer from outside the platform not yet
    accepted: the person's data waits here (identity number encrypted, like a member's) and the
    member is created, or put back on the roll, when the receiving party organization accepts."""

    kind = models.CharField("转接类型", max_length=10, choices=TransferKind.choices)
    state = models.CharField("状态", max_length=10, choices=TransferState.choices, default=TransferState.INITIATED)
    member = models.ForeignKey(
        "party.Member", verbose_name="党员", null=True, blank=True, on_delete=models.PROTECT, related_name="transfers"
    )
    person_name = models.CharField("姓名", max_length=50)
    id_masked = models.CharField("公民身份号码", max_length=18, blank=True)
    # a transfer from outside: what the member record will be made of on acceptance
    id_number_enc = models.TextField("公民身份号码（密文）", blank=True, editable=False)
    id_hash = models.CharField("身份号码检索摘要", max_length=64, blank=True, editable=False)
    category = models.CharField("党员类别", max_length=14, choices=MemberCategory.choices, blank=True)
    joined_on = models.DateField("入党日期", null=True, blank=True)
    full_on = models.DateField("转正日期", null=True, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)

    from_party_org = models.ForeignKey(
        "party.PartyOrganization",
        verbose_name="转出党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    to_party_org = models.ForeignKey(
        "party.PartyOrganization",
        verbose_name="转入党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_in",
    )
    from_org_name = models.CharField("转出党组织名称", max_length=100)
    to_org_name = models.CharField("转入党组织名称", max_length=100)
    review_node = models.ForeignKey(
        "mgmt.ManagementNode",
        verbose_name="审核党委",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    needs_review = models.BooleanField("需上级党委审核", default=False)
    letter_no = models.CharField("介绍信编号", max_length=60, blank=True)
    issued_on = models.DateField("介绍信开具日期")
    reason = models.CharField("转接原因", max_length=200, blank=True)
    return_reason = models.TextField("退回原因", blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    initiated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "组织关系转接"
        indexes = [
            models.Index(fields=["state", "issued_on"], name="transfer_state_issued"),
            models.Index(fields=["from_party_org", "state"], name="transfer_from_state"),
            models.Index(fields=["to_party_org", "state"], name="transfer_to_state"),
        ]
        constraints = [
            # a member has at most one transfer in progress (the database holds the rule under races)
            models.UniqueConstraint(
                fields=["member"], condition=Q(state__in=["initiated", "reviewed"]), name="one_open_transfer_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_name}：{self.from_org_name} → {self.to_org_name}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def waiting_for(self) -> str:
        """Who acts next, in words."""
        if self.state == TransferState.INITIATED and self.needs_review:
            return "待转出方上级党委审核"
        if self.is_open:
            return "待转出方登记对方回执" if self.kind == TransferKind.OUT else "待转入党组织接收"
        return ""

    def audit_paths(self) -> tuple[str, str]:
        party_org = self.from_party_org or self.to_party_org
        return (party_org.node.path if party_org else ""), ""


class StepAction(models.TextChoices):
    INITIATE = "initiate", "发起"
    REVIEW = "review", "审核通过"
    ACCEPT = "accept", "接收"
    RETURN = "return", "退回"


class TransferStep(models.Model):
    """转接办理记录: who did which step, on which day (``on``, as done) and when it was recorded (``at``)."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("环节", max_length=10, choices=StepAction.choices)
    side = models.CharField("办理方", max_length=20)
    on = models.DateField("办理日期")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField("经办人姓名", max_length=150)
    note = models.TextField("说明", blank=True)
    at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "转接办理记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.on}"


class CensusRecord(models.Model):
    """流动党员排摸: on ``confirmed_on`` someone of the holding or the inflow party organization
    confirmed where a floating member is and whether they can be reached."""

    member = models.ForeignKey("party.Member", on_delete=models.CASCADE, related_name="census_records")
    confirmed_on = models.DateField("排摸日期")
    party_org = models.ForeignKey(
        "party.PartyOrganization",
        verbose_name="排摸党组织",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="排摸人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    by_name = models.CharField("排摸人姓名", max_length=150)
    location = models.CharField("目前所在地", max_length=100)
    contact_ok = models.BooleanField("联系畅通", default=True)
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "流动党员排摸记录"
        ordering = ["-confirmed_on", "-id"]
        indexes = [models.Index(fields=["member", "confirmed_on"], name="census_member_day")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.confirmed_on}"

    def audit_paths(self) -> tuple[str, str]:
        return self.member.party_org.node.path, ""

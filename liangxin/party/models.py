from django.db import models

from liangxin.core import contact
from liangxin.core.models import StoredFile
from liangxin.orgs.models import DatedLink

from .choices import (
    PARTY_EXIT_KINDS,
    Education,
    ExitKind,
    ExitState,
    FloatingStatus,
    LinkKind,
    MemberCategory,
    PartyOrgType,
    SetupMode,
    Sex,
)


class SetupModeLinkKind(models.Model):
    """组建方式与覆盖类型对照: the city-editable table mapping a setup mode to a link kind."""

    mode = models.CharField("组建方式", max_length=12, choices=SetupMode.choices, unique=True)
    link_kind = models.CharField("覆盖类型", max_length=10, choices=LinkKind.choices, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "组建方式对照"

    def __str__(self) -> str:
        return f"{self.get_mode_display()} → {self.get_link_kind_display() or '不计覆盖'}"


class PartyOrganization(models.Model):
    """党组织: a grassroots party organization; its place in the management tree is ``node``."""

    node = models.OneToOneField(
        "mgmt.ManagementNode", verbose_name="管理节点", on_delete=models.PROTECT, related_name="party_org"
    )
    org_type = models.CharField("党组织类型", max_length=20, choices=PartyOrgType.choices)
    setup_mode = models.CharField("组建方式", max_length=12, choices=SetupMode.choices)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    term_start = models.DateField("本届任期开始", null=True, blank=True)
    term_end = models.DateField("本届任期届满", null=True, blank=True)
    approval_doc_no = models.CharField("成立批复文号", max_length=60, blank=True)
    secretary = models.ForeignKey(
        "Member", verbose_name="书记", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deputy = models.ForeignKey(
        "Member", verbose_name="副书记", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    covers = models.ManyToManyField("orgs.Organization", through="PartyOrgLink", related_name="party_orgs")

    class Meta:
        verbose_name = verbose_name_plural = "党组织"

    def __str__(self) -> str:
        return self.node.name

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def is_active(self) -> bool:
        return self.node.is_active

    def audit_paths(self) -> tuple[str, str]:
        return self.node.path, ""


class PartyOrgLink(DatedLink):
    """党组织覆盖: a party organization serves an organization from ``start_on`` to ``end_on``."""

    party_org = models.ForeignKey(PartyOrganization, on_delete=models.CASCADE, related_name="links")
    organization = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="party_links")
    start_on = models.DateField("覆盖开始")
    end_on = models.DateField("覆盖结束", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "党组织覆盖关系"
        indexes = [models.Index(fields=["organization", "end_on"], name="link_org_end")]

    def __str__(self) -> str:
        return f"{self.party_org} → {self.organization}"


class CommitteeSeat(models.Model):
    """支部委员会成员: a member's seat on the committee of a party organization."""

    party_org = models.ForeignKey(PartyOrganization, on_delete=models.CASCADE, related_name="committee")
    member = models.ForeignKey("Member", on_delete=models.CASCADE, related_name="seats")
    position = models.CharField("职务", max_length=20)

    class Meta:
        verbose_name = verbose_name_plural = "支委会成员"
        constraints = [models.UniqueConstraint(fields=["party_org", "member"], name="one_seat_per_member")]

    def __str__(self) -> str:
        return f"{self.position} {self.member}"


class Person(models.Model):
    """Who a person is, for members and applicants alike: the identity number stored encrypted,
    a masked copy for display (the keyed hash for lookup is each model's own: unique for members)."""

    name = models.CharField("姓名", max_length=50)
    id_number_enc = models.TextField("公民身份号码（密文）", editable=False)
    id_masked = models.CharField("公民身份号码", max_length=18, editable=False)
    birth_date = models.DateField("出生日期", editable=False)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices, editable=False)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    education = models.CharField("学历", max_length=10, choices=Education.choices, blank=True)

    class Meta:
        abstract = True


class Member(Person):
    """党员. The identity number is stored encrypted (``id_number_enc``), with a keyed hash
    for exact lookup and platform-wide uniqueness, and a masked copy for display."""

    id_hash = models.CharField("身份号码检索摘要", max_length=64, unique=True, editable=False)
    email = models.EmailField("电子邮箱", blank=True)
    # per-channel opt-outs (信息群发), each with the day it was recorded
    sms_opt_out_on = contact.sms_opt_out_field()
    email_opt_out_on = contact.email_opt_out_field()
    employer = models.ForeignKey(
        "orgs.Organization",
        verbose_name="工作单位",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employed_members",
    )
    employed_since = models.DateField("入职日期", null=True, blank=True)
    party_org = models.ForeignKey(
        PartyOrganization, verbose_name="组织关系所在党组织", on_delete=models.PROTECT, related_name="members"
    )
    category = models.CharField("党员类别", max_length=14, choices=MemberCategory.choices)
    joined_on = models.DateField("入党日期")
    full_on = models.DateField("转正日期", null=True, blank=True)
    floating = models.CharField("流动状态", max_length=8, choices=FloatingStatus.choices, blank=True)
    floating_card_no = models.CharField("流动党员活动证号", max_length=40, blank=True)
    outflow_place = models.CharField("流出地", max_length=100, blank=True)
    inflow_place = models.CharField("流入地", max_length=100, blank=True)
    inflow_party_org = models.ForeignKey(
        PartyOrganization,
        verbose_name="流入地党组织",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inflow_members",
    )
    needs_help = models.BooleanField("困难党员", default=False)
    dues_base = models.DecimalField("党费计算基数（元/月）", max_digits=10, decimal_places=2, null=True, blank=True)
    is_active = models.BooleanField("在册", default=True)
    user = models.OneToOneField(
        "accounts.User",
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )

    class Meta:
        verbose_name = verbose_name_plural = "党员"
        indexes = [
            models.Index(fields=["employer", "category"], name="member_employer"),
            models.Index(fields=["party_org", "category"], name="member_party_org"),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_paths(self) -> tuple[str, str]:
        return self.party_org.node.path, ""


class Employment(DatedLink):
    """党员就业记录: a member counted as employed in an organization from ``start_on`` (blank:
    since always) to ``end_on``. Written by database triggers when a member's employer or roll
    status changes, so "有党员" can be asked of any past date."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="employments")
    organization = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="employments")
    start_on = models.DateField("开始日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "党员就业记录"
        indexes = [models.Index(fields=["organization", "end_on"], name="employment_org_end")]

    def __str__(self) -> str:
        return f"{self.member_id} @ {self.organization_id}"


class Instructor(models.Model):
    """党建指导员/联络员: a person assigned to organizations that have no party organization."""

    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    unit = models.CharField("工作单位", max_length=100, blank=True)
    node = models.ForeignKey(
        "mgmt.ManagementNode", verbose_name="选派党委", on_delete=models.PROTECT, related_name="instructors"
    )
    user = models.OneToOneField(
        "accounts.User",
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="instructor",
    )
    is_active = models.BooleanField("在岗", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "党建指导员"

    def __str__(self) -> str:
        return self.name


class InstructorAssignment(DatedLink):
    """指导员选派: an instructor serves an organization from ``start_on`` to ``end_on``."""

    instructor = models.ForeignKey(Instructor, on_delete=models.CASCADE, related_name="assignments")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="instructor_assignments"
    )

    class Meta:
        verbose_name = verbose_name_plural = "指导员选派"
        indexes = [models.Index(fields=["organization", "end_on"], name="assignment_org_end")]

    def __str__(self) -> str:
        return f"{self.instructor} → {self.organization}"


class PolicyParameter(models.Model):
    """政策参数: one number of DOMAIN.md's policy table, editable by the city admin."""

    key = models.CharField("参数", max_length=40, unique=True)
    value = models.DecimalField("当前值", max_digits=12, decimal_places=3)

    class Meta:
        verbose_name = verbose_name_plural = "政策参数"

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class MemberExit(models.Model):
    """党员减少（出党、去世、转出等）: a member leaving the roll, as a record that is kept.

    The branch proposes (``proposed``); the committee above approves (``approved``: only then
    the member leaves the roll) or returns it with a reason (``returned``, final: the branch
    proposes anew). An approved exit may be reversed by the approving level with a reason
    (``reversed``: the member is back on the roll). Exits by transfer out of the platform or
    by cancelling a probationary membership are recorded approved by those workflows. Never
    deleted (``delete`` refuses), so statistics of 党员减少 can be recounted at any time."""

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.PROTECT, related_name="exits")
    kind = models.CharField("减少类型", max_length=20, choices=ExitKind.choices)
    state = models.CharField("状态", max_length=10, choices=ExitState.choices, default=ExitState.PROPOSED)
    on = models.DateField("减少日期", null=True, blank=True)  # blank only for migrated history: unknown
    reason = models.TextField("原因")
    check_note = models.TextField("支部核查情况", blank=True)
    decision_ref = models.CharField("处分决定文号", max_length=100, blank=True)
    party_org = models.ForeignKey(
        PartyOrganization, verbose_name="提出时所在党组织", on_delete=models.PROTECT, related_name="member_exits"
    )
    transfer = models.ForeignKey(
        "transfers.Transfer",
        verbose_name="组织关系转接",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="member_exits",
    )
    proposed_by = models.ForeignKey(
        "accounts.User", verbose_name="提出人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField("提出时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        "accounts.User", verbose_name="审批人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    approved_node = models.ForeignKey(
        "mgmt.ManagementNode",
        verbose_name="批准党委",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approved_exits",
    )
    return_reason = models.TextField("退回原因", blank=True)
    reversed_by = models.ForeignKey(
        "accounts.User", verbose_name="撤销人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reversed_at = models.DateTimeField("撤销时间", null=True, blank=True)
    reverse_reason = models.TextField("撤销原因", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "党员减少记录"
        indexes = [models.Index(fields=["state", "kind", "on"], name="member_exit_state_kind")]
        constraints = [
            # one proposal waiting per member: two approvals could not both take them off the roll
            models.UniqueConstraint(
                fields=["member"], condition=models.Q(state="proposed"), name="one_open_exit_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display()}"

    def delete(self, *args, **kwargs):
        raise PermissionError("党员减少记录不能删除")

    def audit_paths(self) -> tuple[str, str]:
        return self.party_org.node.path, ""

    @property
    def status_label(self) -> str:
        """How the member appears while this exit stands: 已出党（除名）, 已去世, 已转出 …"""
        if self.kind in PARTY_EXIT_KINDS:
            return f"已出党（{self.get_kind_display()}）"
        return {
            ExitKind.DEATH: "已去世",
            ExitKind.TRANSFER_OUT: "已转出至系统外",
            ExitKind.PROBATION_CANCELLED: "已取消预备党员资格",
            ExitKind.INFLOW_LEFT: "流入党员已离开本地",
        }.get(self.kind, "不在册（历史数据）")


class MemberExitAttachment(StoredFile):
    """党员减少证明材料: a photo or PDF kept with an exit (checked like meeting attachments),
    stored under ``VAR_DIR/exits/`` and served only through the scoped download view."""

    exit = models.ForeignKey(
        MemberExit, verbose_name="党员减少记录", on_delete=models.PROTECT, related_name="attachments"
    )

    class Meta:
        verbose_name = verbose_name_plural = "党员减少证明材料"

    def delete(self, *args, **kwargs):
        raise PermissionError("党员减少证明材料不能删除")

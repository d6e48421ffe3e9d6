from django.db import models

from liangxin.core import contact

from .choices import (
    SIZE_BAND_CHOICES,
    AttachmentKind,
    CoverageState,
    Industry,
    OrgKind,
    OrgStatus,
    ResponsibleBasis,
    Sector,
    size_band_of,
)


class Organization(models.Model):
    """两新组织: a non-public enterprise (新经济组织) or social organization (新社会组织).

    ``responsible_node`` and ``responsible_basis`` are derived by
    ``orgs.responsibility.responsible_node_for`` on every change, never typed in.
    """

    name = models.CharField("组织名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True, null=True, blank=True)
    pinyin_initials = models.CharField("拼音首字母", max_length=200, db_index=True, editable=False)
    sort_key = models.CharField("拼音排序键", max_length=400, editable=False)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    sector = models.CharField("类别", max_length=10, choices=Sector.choices, editable=False)
    kind = models.CharField("组织类型", max_length=20, choices=OrgKind.choices)
    industry = models.CharField("所属行业", max_length=10, choices=Industry.choices)
    supervising_unit = models.CharField("业务主管单位", max_length=100, blank=True)
    # None: not known (a ledger without the column, a blank cell) — never taken as 0 (DOMAIN.md);
    # counted in the statistical basis but in no size threshold (stats.measures)
    employees = models.PositiveIntegerField("从业人员数", null=True, blank=True)
    above_scale = models.BooleanField("规模以上", default=False)
    key_industry = models.BooleanField("重点行业/重点单位", default=False)
    owner_is_member = models.BooleanField("出资人是党员", default=False)
    has_union = models.BooleanField("已建工会", default=False)
    has_youth_league = models.BooleanField("已建共青团", default=False)
    has_womens_federation = models.BooleanField("已建妇联", default=False)
    registered_region = models.ForeignKey(
        "regions.Region", verbose_name="注册地", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    operating_region = models.ForeignKey(
        "regions.Region", verbose_name="经营地", on_delete=models.PROTECT, related_name="organizations"
    )
    carrier = models.ForeignKey(
        "regions.Carrier",
        verbose_name="所在载体",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    address = models.CharField("经营地址", max_length=200, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    contact_email = models.EmailField("联系邮箱", blank=True)
    # the contact's per-channel opt-outs (信息群发), each with the day it was recorded
    sms_opt_out_on = contact.sms_opt_out_field()
    email_opt_out_on = contact.email_opt_out_field()

    attachment_kind = models.CharField("隶属调整方式", max_length=12, choices=AttachmentKind.choices, blank=True)
    attachment_node = models.ForeignKey(
        "mgmt.ManagementNode",
        verbose_name="调整后隶属党委",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    attachment_reason = models.CharField("调整原因", max_length=200, blank=True)
    attachment_date = models.DateField("调整日期", null=True, blank=True)

    responsible_node = models.ForeignKey(
        "mgmt.ManagementNode",
        verbose_name="责任党委",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_for",
        editable=False,
    )
    responsible_basis = models.CharField(
        "责任认定依据", max_length=12, choices=ResponsibleBasis.choices, editable=False
    )

    coverage_state = models.CharField(
        "覆盖状态", max_length=10, choices=CoverageState.choices, default=CoverageState.NONE, editable=False
    )
    # 在册党员数 employed here, kept by database triggers on the member table (stats.triggers) so that
    # every write path — form, API, import COPY, seed — keeps it; ``save`` never writes it back.
    member_count = models.IntegerField("就业党员数", default=0, editable=False)
    status = models.CharField("状态", max_length=14, choices=OrgStatus.choices, default=OrgStatus.OPERATING)
    status_date = models.DateField("状态变更日期", null=True, blank=True)
    status_reason = models.CharField("状态变更原因", max_length=200, blank=True)

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "两新组织"
        indexes = [
            models.Index(fields=["sort_key", "id"], name="org_sort_key_id"),
            models.Index(fields=["employees", "id"], name="org_employees_id"),
            models.Index(fields=["updated_at", "id"], name="org_updated_id"),
            models.Index(fields=["operating_region", "status"], name="org_region_status"),
            models.Index(fields=["responsible_node", "status"], name="org_node_status"),
            models.Index(fields=["kind"], name="org_kind"),
            models.Index(fields=["coverage_state", "status"], name="org_coverage_status"),
            models.Index(fields=["industry"], name="org_industry"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # An instance loaded before a member was added holds an old count: never write it back.
        if self.pk is not None and not kwargs.get("force_insert") and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name != "member_count"
            ]
        super().save(*args, **kwargs)

    def audit_paths(self) -> tuple[str, str]:
        """Where this organization sits in the two trees, for reading the audit log by scope."""
        return (
            self.responsible_node.path if self.responsible_node_id else "",
            self.operating_region.path if self.operating_region_id else "",
        )

    @property
    def size_band(self) -> str:
        code = size_band_of(self.employees)
        return dict(SIZE_BAND_CHOICES)[code]


class DatedLink(models.Model):
    """A dated fact about an organization: in force from ``start_on`` until ``end_on`` (blank: still
    in force). ``party.coverage.active_on(day)`` is the filter of the ones in force on a day; a model
    whose dates read differently re-declares the field with its own label."""

    start_on = models.DateField("开始日期")
    end_on = models.DateField("结束日期", null=True, blank=True)

    class Meta:
        abstract = True


class Placement(DatedLink):
    """经营地变更记录: where an organization operated from ``start_on`` (blank: since it was entered)
    to ``end_on``. Written by database triggers on every change of its region or carrier, so
    statistics as of a past date (``stats.asof``) place it where it was then."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="placements")
    region = models.ForeignKey("regions.Region", verbose_name="经营地", on_delete=models.PROTECT, related_name="+")
    carrier = models.ForeignKey(
        "regions.Carrier", verbose_name="所在载体", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    start_on = models.DateField("开始日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "经营地变更记录"
        indexes = [models.Index(fields=["organization", "end_on"], name="placement_org_end")]

    def __str__(self) -> str:
        return f"{self.organization_id} @ {self.region_id}"

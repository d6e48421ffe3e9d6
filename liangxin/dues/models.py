"""党费: each member's dues profile (the category of the 2008 rule, a manual override with its
reason) and the monthly payment records. The monthly base (党费计算基数) lives on ``party.Member``
and is set through ``dues.services.set_profile`` like everything here."""

from django.db import models


class DuesCategory(models.TextChoices):
    """Which rule of the 2008 regulation sets a member's dues."""

    EMPLOYED = "employed", "在职（按税后月工资收入）"
    RETIRED = "retired", "离退休（按月离退休费）"
    STUDENT = "student", "学生"
    UNEMPLOYED = "unemployed", "下岗失业"
    HARDSHIP = "hardship", "生活困难"
    FARMER = "farmer", "农民"


# the categories that pay a percentage of the monthly base
BASE_CATEGORIES = (DuesCategory.EMPLOYED, DuesCategory.RETIRED)
# the categories that pay the fixed low-income amount (dues_low_income_yuan)
LOW_INCOME_CATEGORIES = (DuesCategory.STUDENT, DuesCategory.UNEMPLOYED, DuesCategory.HARDSHIP)


class DuesProfile(models.Model):
    """党费档案: one member's dues category and, where the branch decided so, a manual amount.

    A member without a profile is treated as 在职 without override (the usual case in two-new
    organizations); the profile is created the first time someone saves it."""

    member = models.OneToOneField(
        "party.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="dues_profile"
    )
    category = models.CharField("党费类别", max_length=12, choices=DuesCategory.choices, default=DuesCategory.EMPLOYED)
    farmer_yuan = models.DecimalField("农民党员每月党费（元）", max_digits=6, decimal_places=2, null=True, blank=True)
    override_amount = models.DecimalField(
        "手工核定月党费（元）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    override_reason = models.CharField("手工核定原因", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "党费档案"

    def __str__(self) -> str:
        return f"{self.member} 党费档案"

    def audit_paths(self) -> tuple[str, str]:
        return self.member.party_org.node.path, ""


class DuesPayment(models.Model):
    """党费缴纳记录: what one member owed and paid for one month (``month`` is its first day).

    ``party_org`` is the branch that recorded it (the member's branch at that time), so a
    branch's month sheet and totals stay as recorded after a member moves on. A row with
    ``amount_paid`` 0 records the month as unpaid."""

    member = models.ForeignKey(
        "party.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="dues_payments"
    )
    party_org = models.ForeignKey(
        "party.PartyOrganization", verbose_name="党组织", on_delete=models.PROTECT, related_name="dues_payments"
    )
    month = models.DateField("所属月份")
    amount_due = models.DecimalField("应缴金额（元）", max_digits=10, decimal_places=2)
    amount_paid = models.DecimalField("实缴金额（元）", max_digits=10, decimal_places=2, default=0)
    paid_on = models.DateField("缴纳日期", null=True, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "党费缴纳记录"
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="dues_one_row_per_member_month")]
        indexes = [models.Index(fields=["party_org", "month"], name="dues_payment_org_month")]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%Y-%m} 党费"

    @property
    def is_paid(self) -> bool:
        return self.amount_paid >= self.amount_due

    def audit_paths(self) -> tuple[str, str]:
        return self.party_org.node.path, ""

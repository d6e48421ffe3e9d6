"""The dues rules as plain functions: the monthly amount by the 2008 regulation, the checks on a
payment (joined, future, back-payment), and what a member owes over a run of months.

Every number is a policy parameter (``party.policy.values()``); every message names the parameter it
used as users read it (``policy.cite``: its Chinese name and source).
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from liangxin.core.dates import add_months
from liangxin.party import policy

from .models import LOW_INCOME_CATEGORIES, DuesCategory

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


# -- months ------------------------------------------------------------------------------
def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_index(month: datetime.date) -> int:
    return month.year * 12 + month.month - 1


def from_index(index: int) -> datetime.date:
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of every month from ``first`` to ``last`` (both included)."""
    return [from_index(i) for i in range(month_index(first), month_index(last) + 1)]


def month_label(month: datetime.date) -> str:
    return f"{month.year}年{month.month}月"


def parse_month(raw) -> datetime.date:
    """``2024-05`` (or ``2024-05-01``, ``2024年5月``) → 2024-05-01; ValueError in Chinese."""
    text = str(raw or "").strip().replace("年", "-").replace("月", "").replace("/", "-")
    parts = text.split("-")
    try:
        year, month = int(parts[0]), int(parts[1])
        return datetime.date(year, month, 1)
    except (ValueError, IndexError):
        raise ValueError(f"月份应为“年-月”格式，如 2024-05，收到「{raw}」") from None


def closed_through(today: datetime.date) -> datetime.date:
    """The last closed month: arrears count up to the month before the current one."""
    return add_months(month_start(today), -1)


# -- amounts -----------------------------------------------------------------------------
def cent(value: Decimal) -> Decimal:
    """To the fen, rounding half up (四舍五入)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def number(value: Decimal) -> str:
    """A parameter as people write it: 3000, 0.5, 1.5."""
    text = format(Decimal(value).normalize(), "f")
    return text


def parse_amount(raw, label: str) -> Decimal | None:
    """A money amount typed by someone (blank → None); ValueError naming ``label``."""
    text = str(raw if raw is not None else "").strip().replace(",", "").replace("，", "").replace("元", "")
    if text == "":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{label}应为数字，收到「{raw}」") from None
    if not value.is_finite():
        raise ValueError(f"{label}应为数字，收到「{raw}」")
    if value != value.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValueError(f"{label}最多保留两位小数（到分），收到「{raw}」")
    if abs(value) >= Decimal("100000000"):
        raise ValueError(f"{label}数额过大，收到「{raw}」")
    return cent(value)


@dataclass(frozen=True)
class Amount:
    """A member's monthly dues and how it was reached (Chinese, naming the parameters)."""

    value: Decimal | None  # None: cannot be computed (no base for a percentage category)
    text: str
    computed: Decimal | None = None  # the amount by the rule, when an override replaced it

    @property
    def known(self) -> bool:
        return self.value is not None


def employed_amount(base: Decimal, params: Mapping[str, Decimal]) -> Amount:
    """在职: the bracket's percentage of the WHOLE monthly pay (2008 rule, not marginal)."""
    b1, b2, b3 = (params[f"dues_employed_bracket_{i}"] for i in (1, 2, 3))
    if base <= b1:
        i, where, line = 1, f"不超过 {number(b1)} 元", "dues_employed_bracket_1"
    elif base <= b2:
        i, where, line = 2, f"{number(b1)} 元以上至 {number(b2)} 元", "dues_employed_bracket_2"
    elif base <= b3:
        i, where, line = 3, f"{number(b2)} 元以上至 {number(b3)} 元", "dues_employed_bracket_3"
    else:
        i, where, line = 4, f"超过 {number(b3)} 元", "dues_employed_bracket_3"
    rate = params[f"dues_employed_rate_{i}"]
    value = cent(base * rate / 100)
    basis = policy.cite(line, f"dues_employed_rate_{i}")
    return Amount(value, f"在职：月收入 {base} 元，{where}，按 {number(rate)}% 计 {value} 元（依据 {basis}）")


def retired_amount(base: Decimal, params: Mapping[str, Decimal]) -> Amount:
    """离退休: one line (the 分档线), a percentage of the whole pension on each side."""
    line = params["dues_retired_bracket"]
    if base <= line:
        i, where = 1, f"不超过 {number(line)} 元"
    else:
        i, where = 2, f"超过 {number(line)} 元"
    rate = params[f"dues_retired_rate_{i}"]
    value = cent(base * rate / 100)
    basis = policy.cite("dues_retired_bracket", f"dues_retired_rate_{i}")
    return Amount(value, f"离退休：月离退休费 {base} 元，{where}，按 {number(rate)}% 计 {value} 元（依据 {basis}）")


def rule_amount(
    category: str, base: Decimal | None, params: Mapping[str, Decimal], farmer_yuan: Decimal | None = None
) -> Amount:
    """The monthly amount by the rule of ``category`` (no override)."""
    if category in LOW_INCOME_CATEGORIES:
        value = cent(params["dues_low_income_yuan"])
        label = DuesCategory(category).label
        return Amount(value, f"{label}：每月 {value} 元（依据 {policy.cite('dues_low_income_yuan')}）")
    if category == DuesCategory.FARMER:
        low, high = params["dues_farmer_min_yuan"], params["dues_farmer_max_yuan"]
        value = cent(farmer_yuan if farmer_yuan is not None else low)
        chosen = "支部确定" if farmer_yuan is not None else "未另定，按最低"
        basis = policy.cite("dues_farmer_min_yuan", "dues_farmer_max_yuan")
        return Amount(value, f"农民：每月 {value} 元（{chosen}；范围 {number(low)}–{number(high)} 元，依据 {basis}）")
    if base is None:
        return Amount(None, "未填写党费计算基数，无法按比例计算应缴金额")
    if category == DuesCategory.RETIRED:
        return retired_amount(base, params)
    return employed_amount(base, params)


def monthly_amount(
    category: str,
    base: Decimal | None,
    params: Mapping[str, Decimal],
    *,
    farmer_yuan: Decimal | None = None,
    override_amount: Decimal | None = None,
    override_reason: str = "",
) -> Amount:
    """The amount a member owes each month: the rule's, or the manual override with its reason."""
    by_rule = rule_amount(category, base, params, farmer_yuan)
    if override_amount is None:
        return by_rule
    value = cent(override_amount)
    ruled = f"按规定为 {by_rule.value} 元" if by_rule.known else by_rule.text
    return Amount(value, f"手工核定每月 {value} 元（原因：{override_reason}；{ruled}）", by_rule.value)


def amount_for_profile(base: Decimal | None, profile, params: Mapping[str, Decimal]) -> Amount:
    """``profile`` is a DuesProfile or None (no profile: 在职, no override)."""
    if profile is None:
        return monthly_amount(DuesCategory.EMPLOYED, base, params)
    return monthly_amount(
        profile.category,
        base,
        params,
        farmer_yuan=profile.farmer_yuan,
        override_amount=profile.override_amount,
        override_reason=profile.override_reason,
    )


# -- checks ------------------------------------------------------------------------------
def check_profile(values: Mapping, params: Mapping[str, Decimal]) -> dict[str, str]:
    """Errors by field for a dues profile: {field: Chinese message naming field and reason}."""
    errors: dict[str, str] = {}
    base = values.get("dues_base")
    if base is not None and base < 0:
        errors["dues_base"] = f"党费计算基数不能为负数，收到 {base}"
    category = values.get("category") or DuesCategory.EMPLOYED
    if category not in DuesCategory.values:
        errors["category"] = f"党费类别「{category}」不存在，应为：" + "、".join(DuesCategory.labels)
    farmer = values.get("farmer_yuan")
    if farmer is not None and category == DuesCategory.FARMER:
        low, high = params["dues_farmer_min_yuan"], params["dues_farmer_max_yuan"]
        if not low <= farmer <= high:
            errors["farmer_yuan"] = (
                f"农民党员每月党费应在 {number(low)}–{number(high)} 元之间"
                f"（依据 {policy.cite('dues_farmer_min_yuan', 'dues_farmer_max_yuan')}），收到 {farmer}"
            )
    override = values.get("override_amount")
    if override is not None:
        if override < 0:
            errors["override_amount"] = f"手工核定月党费不能为负数，收到 {override}"
        if not (values.get("override_reason") or "").strip():
            errors["override_reason"] = "手工核定党费金额须填写原因（如经支部研究同意少交或免交）"
    return errors


def earliest_payable(reference: datetime.date, params: Mapping[str, Decimal]) -> datetime.date:
    """The oldest month that may still be paid on ``reference``: back-payment covers at most
    dues_backpay_max_months months before the month of ``reference``."""
    return add_months(month_start(reference), -int(params["dues_backpay_max_months"]))


def check_payment(
    *,
    month: datetime.date,
    joined_on: datetime.date,
    amount_paid: Decimal | None,
    paid_on: datetime.date | None,
    today: datetime.date,
    params: Mapping[str, Decimal],
) -> dict[str, str]:
    """Errors by field for recording ``month`` of a member who joined on ``joined_on``.

    - no month in the future (the current month may be recorded);
    - no month before joining: probationary members pay from the day of the branch vote
      (``joined_on``), that month included;
    - back-payment: the month is at most dues_backpay_max_months before the month it was
      paid in (``paid_on``; for a month recorded unpaid, today).
    """
    errors: dict[str, str] = {}
    if month > month_start(today):
        errors["month"] = f"所属月份{month_label(month)}是未来月份，最晚只能登记本月（{month_label(today)}）"
    elif month < month_start(joined_on):
        errors["month"] = (
            f"所属月份{month_label(month)}早于该党员入党（支部大会通过）日期 {joined_on:%Y-%m-%d}，"
            "预备党员自支部大会通过之日起交纳党费，此前月份无需交纳"
        )
    if amount_paid is None:
        errors["amount_paid"] = "实缴金额不能为空（未缴请填 0）"
    elif amount_paid < 0:
        errors["amount_paid"] = f"实缴金额不能为负数，收到 {amount_paid}"
    if paid_on is not None and paid_on > today:
        errors["paid_on"] = f"缴纳日期 {paid_on:%Y-%m-%d} 晚于今天，不能登记"
    elif amount_paid is not None and amount_paid > 0 and paid_on is None:
        errors["paid_on"] = "已缴纳的月份须填写缴纳日期"
    if "month" not in errors and "paid_on" not in errors:
        reference = paid_on if (amount_paid or 0) > 0 and paid_on else today
        earliest = earliest_payable(reference, params)
        if month < earliest:
            back = int(params["dues_backpay_max_months"])
            errors["month"] = (
                f"补交党费最多补交 {back} 个月（依据 {policy.cite('dues_backpay_max_months')}）："
                f"{reference:%Y-%m-%d} 缴纳时"
                f"最早可补交{month_label(earliest)}，{month_label(month)}已超过期限"
            )
    return errors


# -- what a member owes ------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    """One recorded month: what was due and what was paid."""

    due: Decimal
    paid: Decimal
    paid_on: datetime.date | None = None


@dataclass(frozen=True)
class MonthEntry:
    """One month of one member: recorded (a row) or not (due: the current monthly amount)."""

    month: datetime.date
    due: Decimal | None  # None: not recorded and the amount cannot be computed
    paid: Decimal
    recorded: bool
    paid_on: datetime.date | None = None

    @property
    def owed(self) -> Decimal:
        """Still to pay for this month (an unknown amount counts 0 here, but the month is unpaid)."""
        if self.due is None:
            return ZERO
        return max(self.due - self.paid, ZERO)

    @property
    def unpaid(self) -> bool:
        """In arrears: less paid than due, or nothing paid when the amount is unknown."""
        if self.due is None:
            return self.paid <= 0
        return self.paid < self.due

    @property
    def lapsed(self) -> bool:
        """Nothing paid in a month that owed something (the 自行脱党 check counts these)."""
        return self.paid <= 0 and self.due != 0


def month_entry(month: datetime.date, row: Row | None, current: Decimal | None) -> MonthEntry:
    if row is None:
        return MonthEntry(month, current, ZERO, False)
    return MonthEntry(month, row.due, row.paid, True, row.paid_on)


def obligation_start(
    joined_on: datetime.date, branch_start: datetime.date | None, member_first: datetime.date | None
) -> datetime.date | None:
    """The first month a member is expected to pay on this platform: from the month of joining
    (the branch vote), but not before the dues ledger started — the first month recorded in the
    member's branch, or for the member (one transferred in) — None if nothing was ever recorded."""
    starts = [m for m in (branch_start, member_first) if m is not None]
    if not starts:
        return None
    return max(month_start(joined_on), min(starts))


@dataclass
class Arrears:
    """A member's unpaid months up to a closed month."""

    months: list[datetime.date] = field(default_factory=list)  # unpaid months, oldest first
    owed: Decimal = ZERO
    unknown: int = 0  # unpaid months whose amount cannot be computed (no base)
    run: int = 0  # consecutive months with nothing paid, ending with the last closed month

    @property
    def count(self) -> int:
        return len(self.months)


def arrears_of(
    start: datetime.date | None, end: datetime.date, rows: Mapping[datetime.date, Row], current: Decimal | None
) -> Arrears:
    """What is unpaid from ``start`` to ``end`` (months), given the recorded ``rows`` by month
    and the ``current`` monthly amount for months with no row."""
    result = Arrears()
    if start is None or start > end:
        return result
    for month in months_between(start, end):
        entry = month_entry(month, rows.get(month), current)
        if entry.unpaid:
            result.months.append(month)
            result.owed += entry.owed
            result.unknown += entry.due is None
        result.run = result.run + 1 if entry.lapsed else 0
    return result


def is_lapsed(run: int, params: Mapping[str, Decimal]) -> bool:
    """No dues for lapse_months consecutive months: flagged for the 自行脱党 check."""
    return run >= int(params["lapse_months"])


def lapse_text(run: int, params: Mapping[str, Decimal]) -> str:
    limit = int(params["lapse_months"])
    basis = policy.cite("lapse_months")
    if run >= limit:
        return f"已连续 {run} 个月未交纳党费，达到 {limit} 个月（依据 {basis}），应按党章核查是否自行脱党"
    return f"已连续 {run} 个月未交纳党费（满 {limit} 个月即须核查，依据 {basis}）"


def sum_entries(entries: Iterable[MonthEntry]) -> tuple[Decimal, Decimal, Decimal]:
    """(due, paid, owed) of a set of month entries; an unknown due counts 0."""
    due = paid = owed = ZERO
    for e in entries:
        due += e.due or ZERO
        paid += e.paid
        owed += e.owed
    return due, paid, owed

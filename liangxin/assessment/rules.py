"""评分规则: a leaf indicator's rule turns a value into its share of full marks (得分率, 0–100 %).

Four kinds (``choices.RuleKind``), their parameters kept as JSON text on the indicator:

- 达标判定 ``pass_fail`` — ``{"threshold": "95", "direction": "gte"}``: full marks when the value is
  at least (``gte``) / at most (``lte``) the threshold — exactly at it passes —, else none;
- 分档计分 ``bands`` — ``{"direction": "gte", "bands": [{"threshold": "95", "share": "100"},
  {"threshold": "80", "share": "50"}]}``: the first band the value reaches gives its share of full
  marks, none below the last; thresholds run from the best down, shares never grow, so the score
  never falls as the value gets better;
- 线性计分 ``linear`` — ``{"zero_at": "50", "full_at": "100"}``: none at or beyond ``zero_at``, full at
  or beyond ``full_at``, in proportion between (``full_at`` below ``zero_at``: fewer is better);
- 人工打分 ``scale`` — ``{"max": "10"}``: a person's score from 0 to ``max``, as a share of ``max``; a
  score outside the scale is refused (``check_value``).

A missing value (None: not recorded, or a rate with nothing to count) scores 0 — 缺项不得分. Whether
a missing figure is 不适用 instead is for the round to decide before it scores.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from .choices import Direction, RuleKind

FULL = Decimal(100)
ZERO = Decimal(0)
CENT = Decimal("0.01")
MAX_BANDS = 10
LIMIT = Decimal("1e9")  # larger thresholds are typing errors, not figures of this platform


@dataclass(frozen=True)
class Band:
    threshold: Decimal
    share: Decimal  # percent of full marks


@dataclass(frozen=True)
class Rule:
    """A checked rule (``validate``); build one only through it."""

    kind: str
    threshold: Decimal = ZERO
    direction: str = Direction.AT_LEAST
    bands: tuple[Band, ...] = ()
    zero_at: Decimal = ZERO
    full_at: Decimal = FULL
    max: Decimal = FULL


def number(raw: Any, label: str) -> Decimal:
    """A finite decimal from text, a number or a Decimal; a Chinese ValidationError naming ``label``."""
    if isinstance(raw, bool) or raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValidationError(f"{label}：请填写数值")
    try:
        value = Decimal(str(raw).strip().replace("％", "").replace("%", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(f"{label}：应为数字，收到「{raw}」") from None
    if not value.is_finite() or abs(value) > LIMIT:
        raise ValidationError(f"{label}：应为不超过十亿的数字，收到「{raw}」")
    return value


def _share(raw: Any, label: str) -> Decimal:
    value = number(raw, label)
    if not ZERO < value <= FULL:
        raise ValidationError(f"{label}：得分比例应大于 0 且不超过 100，收到「{raw}」")
    return value


def _direction(raw: Any) -> str:
    if raw not in Direction.values:
        raise ValidationError(f"方向：应为“不低于”或“不高于”，收到「{raw}」")
    return str(raw)


def _bands(params: Mapping, direction: str) -> tuple[Band, ...]:
    raw = params.get("bands")
    if not isinstance(raw, list | tuple) or not raw:
        raise ValidationError("分档：至少设一档")
    if len(raw) > MAX_BANDS:
        raise ValidationError(f"分档：最多 {MAX_BANDS} 档，收到 {len(raw)} 档")
    bands = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping):
            raise ValidationError(f"第{i}档：应写明门槛和得分比例")
        bands.append(Band(number(item.get("threshold"), f"第{i}档门槛"), _share(item.get("share"), f"第{i}档得分比例")))
    for i, (better, worse) in enumerate(zip(bands, bands[1:], strict=False), start=2):
        ordered = (
            worse.threshold < better.threshold
            if direction == Direction.AT_LEAST
            else worse.threshold > better.threshold
        )
        if not ordered:
            word = "低于" if direction == Direction.AT_LEAST else "高于"
            raise ValidationError(f"第{i}档门槛：应{word}上一档的门槛 {better.threshold}，收到 {worse.threshold}")
        if worse.share > better.share:
            raise ValidationError(f"第{i}档得分比例：不应高于上一档的 {better.share}，收到 {worse.share}")
    return tuple(bands)


def validate(kind: Any, params: Any) -> Rule:
    """The rule ``kind`` with ``params`` checked: a ``Rule``, or a ValidationError in Chinese naming the field."""
    if kind not in RuleKind.values:
        raise ValidationError(f"评分规则：应为{'、'.join(RuleKind.labels)}之一，收到「{kind}」")
    if not isinstance(params, Mapping):
        raise ValidationError("规则参数：格式不正确")
    if kind == RuleKind.PASS_FAIL:
        return Rule(
            kind, threshold=number(params.get("threshold"), "达标门槛"), direction=_direction(params.get("direction"))
        )
    if kind == RuleKind.BANDS:
        direction = _direction(params.get("direction"))
        return Rule(kind, direction=direction, bands=_bands(params, direction))
    if kind == RuleKind.LINEAR:
        zero_at, full_at = number(params.get("zero_at"), "零分值"), number(params.get("full_at"), "满分值")
        if zero_at == full_at:
            raise ValidationError(f"满分值：不应等于零分值（{zero_at}）")
        return Rule(kind, zero_at=zero_at, full_at=full_at)
    top = number(params.get("max"), "满分")
    if top <= 0:
        raise ValidationError(f"满分：应大于 0，收到「{params.get('max')}」")
    return Rule(kind, max=top)


def _reaches(value: Decimal, threshold: Decimal, direction: str) -> bool:
    return value >= threshold if direction == Direction.AT_LEAST else value <= threshold


def check_value(rule: Rule, value: Any) -> Decimal | None:
    """A value for ``rule`` as typed (None when empty); a person's score outside 0–max is refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    label = "评分" if rule.kind == RuleKind.SCALE else "数值"
    found = number(value, label)
    if rule.kind == RuleKind.SCALE and not ZERO <= found <= rule.max:
        raise ValidationError(f"评分：应在 0 至 {plain(rule.max)} 之间，收到 {plain(found)}")
    return found


def _raw_share(rule: Rule, value: Decimal) -> Decimal:
    if rule.kind == RuleKind.PASS_FAIL:
        return FULL if _reaches(value, rule.threshold, rule.direction) else ZERO
    if rule.kind == RuleKind.BANDS:
        return next((b.share for b in rule.bands if _reaches(value, b.threshold, rule.direction)), ZERO)
    if rule.kind == RuleKind.LINEAR:
        return (value - rule.zero_at) / (rule.full_at - rule.zero_at) * FULL
    return value / rule.max * FULL


def score(rule: Rule, value: Any) -> Decimal:
    """The share of full marks (percent, 0–100, to 0.01) that ``value`` earns under ``rule``;
    a missing value earns 0; an out-of-range person's score is refused (ValidationError)."""
    found = check_value(rule, value)
    if found is None:
        return ZERO
    share = min(max(_raw_share(rule, found), ZERO), FULL)
    return share.quantize(CENT, rounding=ROUND_HALF_UP)


def plain(value: Decimal) -> str:
    """A decimal as short text: 95, 0.5, 100."""
    return format(value.normalize(), "f")


def as_params(rule: Rule) -> dict:
    """The rule's parameters as stored (decimal text)."""
    if rule.kind == RuleKind.PASS_FAIL:
        return {"threshold": plain(rule.threshold), "direction": rule.direction}
    if rule.kind == RuleKind.BANDS:
        bands = [{"threshold": plain(b.threshold), "share": plain(b.share)} for b in rule.bands]
        return {"direction": rule.direction, "bands": bands}
    if rule.kind == RuleKind.LINEAR:
        return {"zero_at": plain(rule.zero_at), "full_at": plain(rule.full_at)}
    return {"max": plain(rule.max)}


def describe(rule: Rule, unit: str = "") -> str:
    """The rule in words, as the pages show it."""
    word = Direction(rule.direction).label if rule.direction else ""
    if rule.kind == RuleKind.PASS_FAIL:
        return f"{word} {plain(rule.threshold)}{unit} 得满分，否则不得分"
    if rule.kind == RuleKind.BANDS:
        parts = [f"{word} {plain(b.threshold)}{unit} 得 {plain(b.share)}%" for b in rule.bands]
        return "；".join(parts) + "；其余不得分"
    if rule.kind == RuleKind.LINEAR:
        return f"{plain(rule.zero_at)}{unit} 不得分，{plain(rule.full_at)}{unit} 得满分，之间按比例计分"
    return f"评分人按 0 至 {plain(rule.max)} 分打分，按得分占满分的比例计分"


def params_from_fields(kind: str, fields: Mapping) -> dict:
    """A rule's parameters from a form's fields: ``threshold``, ``direction``, ``zero_at``, ``full_at``,
    ``max``, and ``bands`` typed one band a line, "门槛 得分比例" (e.g. "95 100"). Not checked here:
    ``validate`` checks what this returns."""
    if kind == RuleKind.BANDS:
        bands = []
        for i, line in enumerate(str(fields.get("bands") or "").splitlines(), start=1):
            parts = line.replace("，", " ").replace(",", " ").replace("％", " ").replace("%", " ").split()
            if not parts:
                continue
            if len(parts) != 2:
                raise ValidationError(f"分档第{i}行：应写成“门槛 得分比例”，如“95 100”，收到「{line.strip()}」")
            bands.append({"threshold": parts[0], "share": parts[1]})
        return {"direction": fields.get("direction") or "", "bands": bands}
    if kind == RuleKind.PASS_FAIL:
        return {"threshold": fields.get("threshold"), "direction": fields.get("direction") or ""}
    if kind == RuleKind.LINEAR:
        return {"zero_at": fields.get("zero_at"), "full_at": fields.get("full_at")}
    return {"max": fields.get("max")}


def fields_from_params(kind: str, params: Mapping) -> dict:
    """The form's fields for stored parameters (the inverse of ``params_from_fields``)."""
    out = {k: params.get(k, "") for k in ("threshold", "direction", "zero_at", "full_at", "max")}
    if kind == RuleKind.BANDS:
        out["bands"] = "\n".join(f"{b.get('threshold', '')} {b.get('share', '')}" for b in params.get("bands", []))
    return out


def weighted_total(children: Mapping[Any, Sequence[tuple[Any, Decimal]]], shares: Mapping[Any, Decimal]) -> Decimal:
    """The total score (0–100) of a tree whose leaves earned ``shares`` (percent of full marks):
    each indicator's share is its children's shares weighted by their weights (siblings sum to
    100); ``children`` maps a parent id (None: the top level) to its (id, weight) pairs. A leaf
    without a share earns 0 (the round decides beforehand what a missing or 不适用 leaf gets)."""

    def share(item_id: Any) -> Decimal:
        below = children.get(item_id)
        if not below:
            return shares.get(item_id, ZERO)
        return sum((weight * share(child) / FULL for child, weight in below), ZERO)

    return min(max(share(None), ZERO), FULL).quantize(CENT, rounding=ROUND_HALF_UP)

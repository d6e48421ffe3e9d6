"""Contact details shared by members and organizations: a mainland phone number, an e-mail address,
and the per-channel opt-outs (不接收短信 / 不接收邮件) with the day each was recorded.

Phone numbers are checked with ``phonenumbers`` (Google's libphonenumber): it knows the mobile
号段 and, for a fixed line, each area code's own number length (021: 8 digits; 0310: 7), which a
hand-written regular expression would not. What people type is folded first (full-width digits,
spaces, dashes, brackets, a +86 prefix, an extension written 转/分机/ext/-), and one canonical text
is stored: ``13812345678``, ``021-63210000``, ``021-63210000转123``.

Stored values are checked only on input: a ledger value that does not pass stays readable in
pages and exports until someone edits it.
"""

import datetime
import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models

from . import audit, normalize
from .models import AuditAction

PHONE_SHAPE = "应为11位手机号或带区号的固定电话"
_SEPARATORS = str.maketrans("", "", " -()")
_EXTENSION = re.compile(r"^(?P<main>.+?)\s*(?P<sep>转|分机|ext\.?|x|#|-)\s*(?P<ext>\d{1,6})$", re.IGNORECASE)
_KINDS = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def clean_phone(value, label: str = "联系电话") -> str:
    """A mainland mobile or fixed-line number in its canonical text; blank stays blank."""
    text = normalize.text(value)
    if not text:
        return ""
    try:
        return _canonical(_digits(text, label), label)
    except ValidationError as whole:
        parts = _EXTENSION.match(text)
        if parts is None:
            raise
        try:
            number = _canonical(_digits(parts["main"], label), label)
        except ValidationError:
            if parts["sep"] == "-":  # a plain dash was not an extension after all: the whole number's reason
                raise whole from None
            raise
    if number[0] != "0":
        raise ValidationError(f"{label}格式不正确：手机号不能带分机号")
    return f"{number}转{parts['ext']}"


def same_or_new(stored: str, cleaned: str) -> str:
    """The stored text when it is the same number written another way (a ledger's "+86 21 63210000"
    read back as 021-63210000), else ``cleaned``: an exported list imports back unchanged."""
    try:
        same = bool(stored) and clean_phone(stored) == cleaned
    except ValidationError:
        same = False
    return stored if same else cleaned


def _digits(text: str, label: str) -> str:
    digits = text.translate(_SEPARATORS)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
            if digits[:1] not in ("0", "1"):
                digits = "0" + digits  # +86 21 63210000: the area code without its trunk 0
            break
    else:
        if digits.startswith("+"):
            raise ValidationError(f"{label}格式不正确：仅支持中国大陆号码（+86）")
    if not digits.isdigit():
        bad = "".join(sorted({c for c in digits if not c.isdigit()}))
        raise ValidationError(f"{label}含有无效字符「{bad}」：{PHONE_SHAPE}")
    return digits


def _canonical(digits: str, label: str) -> str:
    if digits.startswith("1"):
        if len(digits) != 11:
            raise ValidationError(f"{label}格式不正确：手机号应为11位，当前为{len(digits)}位")
        if digits[1] in "012" or not _valid(digits):
            raise ValidationError(f"{label}格式不正确：「{digits[:3]}」不是大陆手机号段")
        return digits
    if digits.startswith("0"):
        number = _parsed(digits)
        if number is None or not _valid(digits):
            raise ValidationError(
                f"{label}格式不正确：固定电话应为区号（以0开头，3–4位）加该地区的7–8位号码，请核对区号和位数"
            )
        area = 1 + phonenumbers.length_of_geographical_area_code(number)
        return f"{digits[:area]}-{digits[area:]}"
    raise ValidationError(f"{label}格式不正确：{PHONE_SHAPE}（固定电话请加区号，如021-63210000）")


def _parsed(digits: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return None


def _valid(digits: str) -> bool:
    number = _parsed(digits)
    return (
        number is not None
        and phonenumbers.is_valid_number_for_region(number, "CN")
        and phonenumbers.number_type(number) in _KINDS
    )


def clean_email(value, label: str = "电子邮箱") -> str:
    """An e-mail address (Django's validator), the domain in lower case; blank stays blank."""
    text = normalize.text(value)
    if not text:
        return ""
    if " " in text:
        raise ValidationError(f"{label}格式不正确：不能含有空格")
    if len(text) > 254:
        raise ValidationError(f"{label}过长：不能超过254个字符")
    try:
        validate_email(text)
    except ValidationError:
        raise ValidationError(f"{label}格式不正确：应如 name@example.com") from None
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


class Channel(models.TextChoices):
    """The channels a person may decline (信息群发 reaches them by SMS and e-mail)."""

    SMS = "sms", "短信"
    EMAIL = "email", "邮件"


OPT_OUT_FIELD = {Channel.SMS: "sms_opt_out_on", Channel.EMAIL: "email_opt_out_on"}


def sms_opt_out_field() -> models.DateField:
    return models.DateField("不接收短信（登记日期）", null=True, blank=True)


def email_opt_out_field() -> models.DateField:
    return models.DateField("不接收邮件（登记日期）", null=True, blank=True)


def set_opt_out(obj: models.Model, channel: str, opted_out: bool, today: datetime.date) -> bool:
    """Record (with today's date) or clear the opt-out of ``channel`` on ``obj``; whether it changed.
    Recording again keeps the first date: the day the person declined."""
    field = OPT_OUT_FIELD[Channel(channel)]
    current = getattr(obj, field)
    wanted = (current or today) if opted_out else None
    if wanted == current:
        return False
    setattr(obj, field, wanted)
    return True


def record_opt_out(actor, obj: models.Model, channel: str, opted_out: bool, today: datetime.date, *also: str) -> bool:
    """Record (or clear) ``obj``'s opt-out of ``channel`` with the day, and audit it; ``also``
    names fields saved with it (``updated_at``). Whether anything changed (recording twice keeps
    the first day). The caller holds the transaction."""
    field = OPT_OUT_FIELD[Channel(channel)]
    before = audit.snapshot(obj, [field])
    if not set_opt_out(obj, channel, opted_out, today):
        return False
    obj.save(update_fields=[field, *also])
    audit.record(actor, AuditAction.UPDATE, obj, changes=audit.diff(before, audit.snapshot(obj, [field])))
    return True

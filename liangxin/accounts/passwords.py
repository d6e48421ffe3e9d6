"""Password policy (口令复杂度): validators for AUTH_PASSWORD_VALIDATORS, with Chinese messages,
and when a person must change their password (first login after an admin set it, expiry)."""

import datetime
import string

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from liangxin.core.hooks import Slot

from .models import PasswordHistory, User

HISTORY_SIZE = 5
# days a password lasts (0: no expiry): the city sets it as the policy parameter 「密码有效期」,
# and policies live in party, above accounts — party fills this from its AppConfig.ready()
max_age_days = Slot("密码有效期（天）", default=lambda: 0)

KINDS = (
    ("大写字母", str.isupper),
    ("小写字母", str.islower),
    ("数字", str.isdigit),
    ("符号", lambda c: c in string.punctuation or (not c.isalnum() and not c.isspace())),
)


class ComplexityValidator:
    """At least ``min_length`` characters and at least three of the four kinds."""

    def __init__(self, min_length: int = 8, min_kinds: int = 3) -> None:
        self.min_length = min_length
        self.min_kinds = min_kinds

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(f"密码至少{self.min_length}位", code="password_too_short")
        kinds = sum(1 for _, test in KINDS if any(test(c) for c in password))
        if kinds < self.min_kinds:
            raise ValidationError(
                f"密码须至少包含大写字母、小写字母、数字、符号中的{self.min_kinds}种", code="password_too_simple"
            )

    def get_help_text(self) -> str:
        return f"至少{self.min_length}位，至少包含大写字母、小写字母、数字、符号中的{self.min_kinds}种"


class NotUsernameValidator:
    """The password may not contain the user name (in any case)."""

    def validate(self, password: str, user=None) -> None:
        username = (getattr(user, "username", "") or "").strip().lower()
        if username and username in password.lower():
            raise ValidationError("密码不能包含用户名", code="password_contains_username")

    def get_help_text(self) -> str:
        return "不能包含用户名"


class HistoryValidator:
    """Not the current password nor any of the account's last ``HISTORY_SIZE``."""

    def validate(self, password: str, user=None) -> None:
        if user is None or not getattr(user, "pk", None):
            return
        stored = User.objects.filter(pk=user.pk).values_list("password", flat=True).first()
        recent = list(PasswordHistory.objects.filter(user_id=user.pk).values_list("password", flat=True)[:HISTORY_SIZE])
        for encoded in ([stored] if stored else []) + recent:
            if check_password(password, encoded):
                raise ValidationError(f"不能使用最近{HISTORY_SIZE}次用过的密码", code="password_reused")

    def get_help_text(self) -> str:
        return f"不能与最近{HISTORY_SIZE}次用过的密码相同"


def change_due(user) -> str:
    """Why this person must change their password now (a Chinese sentence), or ""."""
    if not getattr(user, "is_authenticated", False):
        return ""
    if getattr(user, "must_change_password", False):
        return "首次登录或管理员重设密码后，请先设置您自己的密码"
    # the city sets it on 政策参数 (default 0: no expiry); a slot party fills (accounts lies below party)
    days = int(max_age_days())
    changed = getattr(user, "password_changed_at", None)
    if days and changed and changed < timezone.now() - datetime.timedelta(days=days):
        return f"您的密码已超过{days}天未修改，请先修改密码"
    return ""

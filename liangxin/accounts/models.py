from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from .roles import Role


class User(AbstractUser):
    """用户: a person who logs in. What they may do comes from their role assignments."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    # Set when an account manager chose the password (a new account, a reset): the person
    # must choose their own before doing anything else.
    must_change_password = models.BooleanField("须修改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def set_password(self, raw_password) -> None:
        # stamped here so every way of setting a password (services, seed_demo, createsuperuser)
        # starts the expiry clock
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class RoleAssignment(models.Model):
    """角色授权: a user holds a role at one node of the management tree (its scope)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    node = models.ForeignKey(
        "mgmt.ManagementNode", verbose_name="所属节点", on_delete=models.PROTECT, related_name="assignments"
    )

    class Meta:
        verbose_name = verbose_name_plural = "角色授权"
        constraints = [models.UniqueConstraint(fields=["user", "role", "node"], name="unique_role_assignment")]

    def __str__(self) -> str:
        return f"{self.get_role_display()}（{self.node}）"


class LoginFailure(models.Model):
    """A failed login, kept for lockout and throttling (登录失败记录)."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.username} @ {self.ip}"


class PasswordHistory(models.Model):
    """密码历史: the hashes of an account's recent passwords, so none of the last few is reused."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.at:%Y-%m-%d}"


class TokenUse(models.Model):
    """API 令牌使用记录: when and from where an API token was last used (beside DRF's token,
    which holds only the key and its creation). Idle expiry counts from here."""

    token = models.OneToOneField(
        "authtoken.Token", verbose_name="令牌", primary_key=True, on_delete=models.CASCADE, related_name="use"
    )
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True)
    last_used_from = models.CharField("最近使用地址", max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.token.user} @ {self.last_used_from}"

"""The one authentication backend: Django's, refusing an account while it is locked.

Every path that calls ``authenticate`` (the product login, the Django admin, a test client's
``login``) asks ``user_can_authenticate``; refusing a locked account here means no login path
can step around the product's lockout.
"""

from django.contrib.auth.backends import ModelBackend
from django.utils import timezone


class LockoutAwareBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        locked_until = getattr(user, "locked_until", None)
        if locked_until and locked_until > timezone.now():
            return False
        return super().user_can_authenticate(user)

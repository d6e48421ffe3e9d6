"""Sending notices and reading them. Every workflow step that concerns someone calls ``notify``."""

from collections.abc import Iterable

from django.utils import timezone

from .models import Notice


def notify(recipients: Iterable, kind: str, title: str, body: str = "", url: str = "", key: str = "") -> int:
    """One notice to each recipient (users; None and duplicates skipped). With ``key``, a
    recipient who already had that notice gets no second one. Returns how many were sent."""
    users = {u.pk: u for u in recipients if u is not None}
    if key:
        had = set(Notice.objects.filter(recipient_id__in=users, key=key).values_list("recipient_id", flat=True))
        users = {pk: u for pk, u in users.items() if pk not in had}
    Notice.objects.bulk_create(
        [Notice(recipient=u, kind=kind, title=title[:200], body=body, url=url, key=key[:120]) for u in users.values()],
        ignore_conflicts=True,
    )
    return len(users)


def unread_count(user) -> int:
    return Notice.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user, notice_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notices read (all of them without ids); never another user's."""
    qs = Notice.objects.filter(recipient=user, read_at__isnull=True)
    if notice_ids is not None:
        qs = qs.filter(pk__in=list(notice_ids))
    return qs.update(read_at=timezone.now())

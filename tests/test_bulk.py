"""core.bulk.insert: computed columns (worked out by SQL as each row is written) and skipped
conflicts, on both databases (the suite runs on SQLite and on PostgreSQL)."""

import pytest
from django.db import connection

from liangxin.accounts.models import User
from liangxin.core import bulk
from liangxin.inbox.models import Notice

USERNAME = "(SELECT u.username FROM accounts_user u WHERE u.id = staged.recipient_id)"


@pytest.fixture
def people(db):
    return [User.objects.create(username=f"bulk-{i}", full_name=f"人{i}") for i in range(3)]


def row(user: User, key: str = "", title: str = "给定的标题") -> dict:
    return {"recipient_id": user.pk, "kind": "message", "title": title, "body": f"致{user.full_name}", "key": key}


def test_a_computed_column_is_worked_out_from_the_rows_other_values_and_a_given_value_ignored(people):
    bulk.insert(Notice, [row(u) for u in people], computed={"title": USERNAME})
    got = dict(Notice.objects.values_list("body", "title"))
    assert got == {f"致{u.full_name}": u.username for u in people}


def test_a_computed_expression_may_yield_null_where_the_column_allows_it(people):
    """A lookup that finds nothing leaves the column as SQL gives it (here: empty by COALESCE)."""
    missing = "COALESCE((SELECT u.username FROM accounts_user u WHERE u.id = staged.recipient_id + 100000), '')"
    bulk.insert(Notice, [row(people[0])], computed={"title": missing})
    assert Notice.objects.get().title == ""


def test_conflicts_are_skipped_with_computed_columns_and_what_exists_is_kept(people):
    first, second = people[0], people[1]
    bulk.insert(Notice, [row(first, key="r1", title="原有")])
    before = Notice.objects.get(recipient=first, key="r1")
    added = [row(first, key="r1"), row(second, key="r1"), row(second), row(second)]
    bulk.insert(Notice, added, ignore_conflicts=True, computed={"title": USERNAME})
    kept = Notice.objects.get(recipient=first, key="r1")
    assert (kept.pk, kept.title) == (before.pk, "原有")  # not replaced, not recomputed
    # the second person's keyed notice once; their two unkeyed ones both (the key is unique only when set)
    assert list(Notice.objects.filter(recipient=second).order_by("key").values_list("key", "title")) == [
        ("", second.username),
        ("", second.username),
        ("r1", second.username),
    ]


def test_a_conflict_without_ignore_conflicts_fails_and_writes_nothing_of_the_call(people):
    from django.db import IntegrityError, transaction

    bulk.insert(Notice, [row(people[0], key="r1")])
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert(Notice, [row(people[1], key="r9"), row(people[0], key="r1")], computed={"title": USERNAME})
    assert list(Notice.objects.values_list("key", flat=True)) == ["r1"]


def test_calls_in_one_transaction_each_get_a_fresh_staging_table(people):
    for u in people:
        bulk.insert(Notice, [row(u)], ignore_conflicts=True, computed={"title": USERNAME})
    assert Notice.objects.count() == 3
    with connection.cursor() as cursor:  # dropped after each call
        table = "pg_class" if connection.vendor == "postgresql" else "sqlite_temp_master"
        column = "relname" if connection.vendor == "postgresql" else "name"
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} = 'bulk_staging'")
        assert cursor.fetchone()[0] == 0


@pytest.mark.parametrize("through_staging", [False, True], ids=["direct", "through-staging"])
def test_tuples_of_named_fields_get_every_other_field_by_its_default(people, through_staging):
    """Rows as tuples of the named fields; the rest (a time set on creation, an empty text, a null
    time) are the same constant for every row, bound once, of their column's type on both databases."""
    from django.utils import timezone

    started = timezone.now()
    rows = [(u.pk, "message", f"通知{i}") for i, u in enumerate(people)]
    extra = {"computed": {"body": "staged.title || '：正文'"}} if through_staging else {}
    bulk.insert(Notice, rows, fields=("recipient_id", "kind", "title"), **extra)
    got = list(Notice.objects.order_by("title").values("recipient_id", "title", "body", "key", "read_at", "created_at"))
    assert [(g["recipient_id"], g["title"]) for g in got] == [(u.pk, f"通知{i}") for i, u in enumerate(people)]
    assert {g["body"] for g in got} == ({"通知0：正文", "通知1：正文", "通知2：正文"} if through_staging else {""})
    assert {g["key"] for g in got} == {""} and {g["read_at"] for g in got} == {None}
    assert len({g["created_at"] for g in got}) == 1 and started <= got[0]["created_at"] <= timezone.now()


def test_tuples_adapt_dates_the_database_needs_adapted(people):
    from django.utils import timezone

    read = timezone.now().replace(microsecond=0)
    bulk.insert(Notice, [(people[0].pk, "message", "已读", read)], fields=("recipient_id", "kind", "title", "read_at"))
    assert Notice.objects.get().read_at == read


def test_a_computed_column_may_be_given_and_its_expression_decides_what_is_kept(people):
    """A title given for some rows is kept; the others' worked out (the fan-out's node, read with
    the member where it can be, looked up otherwise)."""
    title = f"COALESCE(staged.title, {USERNAME})"
    rows = [(people[0].pk, "message", "已给定"), (people[1].pk, "message", None)]
    bulk.insert(Notice, rows, fields=("recipient_id", "kind", "title"), computed={"title": title})
    got = dict(Notice.objects.values_list("recipient_id", "title"))
    assert got == {people[0].pk: "已给定", people[1].pk: people[1].username}

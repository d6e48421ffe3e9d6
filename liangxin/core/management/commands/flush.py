"""Django's ``flush``, able to empty the append-only audit log during the test suite only.

TransactionTestCase-style tests (pytest-django's ``transactional_db``) flush every table after
each test; SQLite's flush is a DELETE per table, which the audit log's triggers refuse. The
test suite calls ``audit_guard.allow_test_flush()``; anywhere else the triggers stay and a
flush stops at the audit log (which is the point).
"""

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import DEFAULT_DB_ALIAS, connections

from liangxin.core import audit_guard


class Command(DjangoFlush):
    def handle(self, **options) -> None:
        if not audit_guard.test_flush_allowed():
            return super().handle(**options)
        with audit_guard.lifted(connections[options.get("database") or DEFAULT_DB_ALIAS]):
            return super().handle(**options)

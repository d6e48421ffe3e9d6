"""The OpenAPI document is true: generating it emits no warning, and a bounded schemathesis run
over every operation (a few generated requests each, with the tokens of three roles) meets no
server error and no response that breaks the document."""

import datetime
import re
import time

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.urls import reverse
from drf_spectacular.drainage import GENERATOR_STATS
from hypothesis import HealthCheck, Phase
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from liangxin.life.models import Meeting

EXAMPLES = 3  # per operation and role: bounded, so the run stays well under a minute
# Every operation is in the run, writes (POST/PUT/PATCH) included: they run in the test's
# transaction, so what a generated request manages to create is rolled back with it.
ROLES = ["city_admin", "street_admin", "secretary"]


def test_generating_the_openapi_document_emits_no_warning(cast):
    GENERATOR_STATS.reset()
    client = APIClient()
    client.force_authenticate(cast.city_admin)  # the document is for the roles that hold tokens
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert (dict(GENERATOR_STATS._warn_cache), dict(GENERATOR_STATS._error_cache)) == ({}, {})


@pytest.fixture
def in_process_wsgi(settings):
    """The WSGI application in this process and this test's transaction: a request's end must not
    close the connection (Django's test client does the same)."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_operation_answers_as_documented_for_three_roles(party_cast, in_process_wsgi):
    tokens = {role: Token.objects.create(user=getattr(party_cast, role)).key for role in ROLES}
    # the document itself is served to the admin roles and the auditor only
    admin = {"Authorization": f"Token {tokens['city_admin']}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", in_process_wsgi, headers=admin)
    checks = [not_a_server_error, response_schema_conformance, content_type_conformance]
    failures, operations, requests, started = [], 0, 0, time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @hypothesis.settings(
            max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
            phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
        )  # fmt: skip
        @hypothesis.given(case=operation.as_strategy())
        def run(case):
            nonlocal requests
            for key in tokens.values():
                requests += 1
                response = case.call(headers={"Authorization": f"Token {key}"})
                case.validate_response(response, checks=checks)

        try:
            run()
        except (
            Exception,
            BaseExceptionGroup,
        ) as exc:  # one entry per operation that failed, with schemathesis's own account
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    elapsed = time.monotonic() - started
    print(f"schemathesis: {operations} operations, {requests} requests, {elapsed:.1f} s")
    assert failures == [], "\n\n".join(failures)
    assert operations >= 40


def _operations(schema) -> list[tuple[re.Pattern, object]]:
    """Each operation with a pattern of its path ({id} → a named group) to find it by a real URL."""
    found = []
    for result in schema.get_all_operations():
        operation = result.ok()
        pattern = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(operation.path))
        found.append((re.compile(pattern + r"\Z"), operation))
    return found


def test_every_read_of_the_worlds_own_objects_answers_as_documented(party_cast, in_process_wsgi):
    """Generated ids seldom name a row; the permission matrix's objects (a meeting, an applicant
    with steps, a transfer, a payment …) are read by their real ids, as each role, and checked too."""
    from .test_permission_matrix import MATRIX

    tokens = {role: Token.objects.create(user=getattr(party_cast, role)).key for role in ROLES}
    admin = {"Authorization": f"Token {tokens['city_admin']}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", in_process_wsgi, headers=admin)
    operations = _operations(schema)
    checks = [not_a_server_error, response_schema_conformance, content_type_conformance]
    failures, read = [], 0
    Meeting.objects.create(
        party_org=party_cast.branch, kind="theme_day", status="held", topic="主题党日", place="会议室",
        date=datetime.date(2026, 3, 1), start_time=datetime.time(14, 30),
    )  # fmt: skip
    for entry, (method, kwargs, _, _) in sorted(MATRIX.items()):
        name = entry.split(" ")[0]
        if method != "get" or name.startswith("web:") or name.startswith("api-"):
            continue
        with transaction.atomic():  # each entry's objects apart, as in the matrix
            path_kwargs = kwargs(party_cast) if kwargs else {}
            query = path_kwargs.pop("?", None)
            url = reverse(name, kwargs=path_kwargs or None)
            matched = [(p.match(url), op) for p, op in operations if op.method.upper() == "GET" and p.match(url)]
            # a literal path (``news/waiting/``) before a template it also fits (``news/{id}/``)
            matched.sort(key=lambda found: len(found[0].groupdict()))
            assert matched, f"{url} is not in the OpenAPI document"
            match, operation = matched[0]
            for role, key in tokens.items():
                case = operation.Case(path_parameters=match.groupdict(), query=query)
                response = case.call(headers={"Authorization": f"Token {key}"})
                read += 1
                try:
                    case.validate_response(response, checks=checks)
                except (Exception, BaseExceptionGroup) as exc:
                    failures.append(f"{entry} {url} [{role}]: {str(exc)[:1200]}")
            transaction.set_rollback(True)
    assert failures == [], "\n\n".join(failures)
    assert read > 60

"""One API base: every API view derives from ``api.base`` and the scope is built once per request."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import APIRootView

from liangxin.accounts.scoping import Scope
from liangxin.api.base import ScopedMixin

from .test_api import api

# third-party views of the API's documents (their own permission, api.permissions) and the router's index
NOT_SCOPED = (SpectacularJSONAPIView, SpectacularRedocView, SpectacularSwaggerSplitView, APIRootView)


def _api_views(patterns=None, prefix=""):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            yield from _api_views(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and prefix.startswith("api/"):
            cls = getattr(p.callback, "cls", None) or getattr(p.callback, "view_class", None)
            yield prefix + str(p.pattern), cls


def test_every_api_view_derives_from_the_base():
    views = list(_api_views())
    assert len(views) > 30
    stray = [(route, cls) for route, cls in views if not issubclass(cls, (ScopedMixin, *NOT_SCOPED))]
    assert stray == []


@pytest.fixture
def scopes_built(monkeypatch):
    built = []
    init = Scope.__init__

    def counting(self, *args, **kwargs):
        built.append(kwargs.get("user_id", args[0] if args else None))
        init(self, *args, **kwargs)

    monkeypatch.setattr(Scope, "__init__", counting)
    return built


URLS = [
    "/api/v1/organizations/", "/api/v1/organizations/?region=310101", "/api/v1/regions/", "/api/v1/carriers/",
    "/api/v1/party-organizations/", "/api/v1/members/", "/api/v1/imports/", "/api/v1/inbox/",
    "/api/v1/stats/coverage/", "/api/v1/stats/blank-spots/", "/api/v1/dues/payments/", "/api/v1/dues/profiles/",
    "/api/v1/transfers/", "/api/v1/floating-members/", "/api/v1/member-exits/", "/api/v1/life/meetings/",
    "/api/v1/develop/applicants/", "/api/v1/develop/quotas/", "/api/v1/findings/?rule=org_party_org",
    "/api/v1/instructors/",
]  # fmt: skip


@pytest.mark.parametrize("url", URLS)
def test_the_scope_is_built_once_per_request(party_cast, scopes_built, url):
    client = api(party_cast.city_admin)
    response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    assert scopes_built == [party_cast.city_admin.pk]


def test_a_refused_caller_is_refused_by_the_base(cast, scopes_built):
    client = api(cast.nobody)
    assert client.get("/api/v1/organizations/").status_code == 403
    assert client.get("/api/v1/stats/coverage/").status_code == 403
    assert client.get("/api/v1/inbox/").status_code == 200  # every signed-in user has an inbox
    assert len(scopes_built) == 3

"""The Content-Security-Policy (every asset is local, no inline script or style) and, behind HTTPS, HSTS and the
proxy's TLS header (issue 12 §1; ASVS 4.0 V14.4.3, V14.4.5, V9.1.1; 等保三级 8.1.4.4 入侵防范, 8.1.2.1 通信传输)."""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.test import override_settings

from liangxin.core.middleware import policy_for

from .conftest import client_for

TEMPLATES = Path(__file__).resolve().parent.parent / "liangxin" / "web" / "templates"


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def test_every_page_sends_a_strict_content_security_policy(cast, client):
    pages = [(client, "/login/"), (client, "/no-such-page/")]
    admin = client_for(cast.city_admin)
    pages += [(admin, "/"), (admin, "/orgs/"), (admin, "/orgs/new/"), (admin, "/api/v1/docs/"), (admin, "/stats/")]
    for c, url in pages:
        response = c.get(url)
        policy = directives(response["Content-Security-Policy"])
        assert policy["default-src"] == ["'self'"], url
        assert policy["script-src"] == ["'self'"], url
        assert policy["style-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"], url
        assert policy["frame-ancestors"] == ["'none'"], url
        assert policy["base-uri"] == ["'self'"], url
        assert policy["form-action"] == ["'self'"], url


def test_only_the_redoc_page_may_inject_styles_and_never_scripts():
    # Redoc's bundle (styled-components) inserts <style> elements at run time and takes no nonce from outside
    redoc = directives(policy_for("/api/v1/redoc/"))
    assert redoc["style-src"] == ["'self'", "'unsafe-inline'"]
    assert redoc["script-src"] == ["'self'"]
    assert directives(policy_for("/api/v1/docs/"))["style-src"] == ["'self'"]
    assert directives(policy_for("/admin/"))["style-src"] == ["'self'"]


COMMENT = re.compile(r"{% comment %}.*?{% endcomment %}|{#.*?#}", re.S)
INLINE = [
    ("inline script", re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)),
    ("style block", re.compile(r"<style\b", re.I)),
    ("style attribute", re.compile(r"\sstyle\s*=", re.I)),
    ("event handler attribute", re.compile(r"\son[a-z]+\s*=", re.I)),
    ("javascript: URL", re.compile(r"javascript:", re.I)),
]


def test_templates_hold_no_inline_script_style_or_event_handler():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = COMMENT.sub(lambda m: "\n" * m.group().count("\n"), path.read_text(encoding="utf-8"))
        for what, pattern in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(TEMPLATES)}:{line} {what}")
    assert found == []


def test_htmx_is_told_not_to_inject_its_indicator_style(cast):
    response = client_for(cast.city_admin).get("/")
    assert b'<meta name="htmx-config" content=\'{"includeIndicatorStyles": false' in response.content


def test_without_https_there_is_no_hsts_and_forwarded_proto_is_not_trusted(cast):
    response = client_for(cast.city_admin).get("/", HTTP_X_FORWARDED_PROTO="https")
    assert "Strict-Transport-Security" not in response
    assert response.wsgi_request.is_secure() is False


def settings_under(env: dict[str, str]) -> dict:
    code = (
        "import json, django.conf; from liangxin import settings as s; "
        "print(json.dumps({k: getattr(s, k, None) for k in ['SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
        "'SECURE_PROXY_SSL_HEADER', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE']}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True, check=True
    )
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


def test_https_1_turns_on_hsts_and_trusts_the_proxys_tls_header():
    on = settings_under({"HTTPS": "1"})
    assert on == {
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }
    off = settings_under({"HTTPS": "0"})
    assert off["SECURE_HSTS_SECONDS"] in (None, 0)
    assert off["SECURE_PROXY_SSL_HEADER"] is None


@override_settings(
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_behind_the_tls_proxy_responses_carry_hsts(cast):
    response = client_for(cast.city_admin).get("/", HTTP_X_FORWARDED_PROTO="https")
    assert response.wsgi_request.is_secure() is True
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"

"""The base of every HTML view: login required, the user's scope, and the 404/403 rule.

Objects are always fetched through a scoped queryset (``get_in_scope``), so an object
outside scope answers 404 exactly as one that does not exist; ``deny`` gives 403 for an
object that is visible but not changeable by this user.
"""

import io
import os
import tempfile
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View

from liangxin.accounts.scoping import Scope, scope_for
from liangxin.core import audit, crypto, normalize, word
from liangxin.core.lookup import get_in_scope  # noqa: F401  (re-exported: the pages import it from here)
from liangxin.core.models import AuditAction
from liangxin.core.xlsx import export_file, now_text
from liangxin.imports import exporting, tasks


class ScopedView(LoginRequiredMixin, View):
    """Base HTML view. ``required`` names a Scope capability the page needs (else 403)."""

    required: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.scope: Scope = scope_for(request.user)
        if self.required and not getattr(self.scope, self.required):
            raise PermissionDenied("无权访问该页面")
        return super().dispatch(request, *args, **kwargs)


class SearchByPost:
    """A list whose search form is sent by POST: answered with a redirect to the list's usual
    URL, where a full identity number is replaced by its search token (a keyed hash), so the
    number never appears in a URL, an access log or the browser's history."""

    def post(self, request, *args, **kwargs):
        params = request.POST.copy()
        params.pop("csrfmiddlewaretoken", None)
        params.pop("cursor", None)
        q = normalize.text(params.get("q"))
        code = normalize.code(q) if q else ""
        if q and not q.startswith(crypto.SEARCH_TOKEN) and len(code) == 18:
            params["q"] = crypto.search_token(code)
        params = {k: v for k, v in params.items() if v}
        return HttpResponseRedirect(f"{request.path}?{urlencode(params)}" if params else request.path, status=303)


def deny(message: str = "无权执行此操作"):
    raise PermissionDenied(message)


def refused(request, error: ValidationError) -> None:
    """A step the domain refused: each reason as a message on the page the user goes back to."""
    for text in error.messages:
        messages.error(request, f"未办理：{text}")


def word_response(name: str, data: bytes) -> FileResponse:
    """A filled Word form as a download; a Chinese ``name`` goes out as RFC 5987 ``filename*``."""
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=name, content_type=word.DOCX_CONTENT_TYPE)


def query_without(request, name: str) -> str:
    """The list's query string without ``name`` (its page or cursor): the pager adds its own."""
    params = request.GET.copy()
    params.pop(name, None)
    return params.urlencode()


def paginate(request, items, per_page: int = 50) -> tuple[Page, str]:
    """The page of ``items`` that ``?page=`` names, and the query string for the pager's links."""
    return Paginator(items, per_page).get_page(request.GET.get("page")), query_without(request, "page")


def export_response(request, *, title: str, object_type: str, filter_text: str, columns, rows):
    """Every list export: a cover sheet (who, when, which filter), the rows, an audit entry."""
    cover = [("导出人", request.user.display_name), ("导出时间", now_text()), ("筛选条件", filter_text)]
    path, count = export_file(title, cover, columns, rows)
    audit.record(
        request.user,
        AuditAction.EXPORT,
        object_type=object_type,
        object_repr=title,
        detail=f"导出 {count} 条；{filter_text}",
        **scope_for(request.user).home_paths,
    )
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=f"{title}_{now_text()[:10]}.xlsx")
    os.unlink(path)  # the open handle keeps the data until the response closes it
    return response


def list_export(request, scope, list_name: str):
    """A list's export as the user asked (.xlsx, or ``format=csv``): written now when it has
    at most EXPORT_SYNC_MAX_ROWS rows, else queued for the worker with a progress page."""
    export = tasks.EXPORT_BUILDERS[list_name](scope, request.GET)
    file_format = "csv" if request.GET.get("format") == "csv" else "xlsx"
    if export.count > settings.EXPORT_SYNC_MAX_ROWS:
        params = request.GET.copy()
        params.pop("format", None)
        params.pop("cursor", None)
        job = exporting.queue(request.user, list_name, export, params.urlencode(), file_format)
        tasks.start_export(job)
        messages.info(request, f"共 {export.count:,} 行，已转为后台导出；完成后在本页下载")
        return redirect("web:export_detail", pk=job.pk)
    handle = tempfile.NamedTemporaryFile(suffix=f".{file_format}", delete=False)
    handle.close()
    count = exporting.write(export, request.user, handle.name, file_format)
    exporting.record(request.user, scope, export, count, file_format)
    name = exporting.file_name(export.title, now_text()[:10], file_format, export.notice)
    response = FileResponse(open(handle.name, "rb"), as_attachment=True, filename=name)
    os.unlink(handle.name)  # the open handle keeps the data until the response closes it
    return response


class StepView(ScopedView):
    """A step on an object's page (POST), the one named by ``action``: outside scope 404, not
    this user's step 403 (``MAY``: the scope's test per action), a refused step back to the
    page with its reasons."""

    action = ""
    MAY: dict[str, str] = {}
    detail = ""  # the object's page URL name

    def objects(self):
        raise NotImplementedError

    def perform(self, request, obj) -> str:
        """Take the step and return the success message; a refusal raises ValidationError."""
        raise NotImplementedError

    def post(self, request, pk):
        obj = get_in_scope(self.objects(), pk=pk)
        if not getattr(self.scope, self.MAY[self.action])(obj):
            deny("您不是办理这一环节的一方")
        try:
            messages.success(request, self.perform(request, obj))
        except ValidationError as error:
            refused(request, error)
        return redirect(self.detail, pk=pk)


class ListExportView(ScopedView):
    """A list's export: the list names its builder in ``imports.tasks.EXPORT_BUILDERS``; a filter
    the builder refuses (ValueError with a Chinese reason) goes back to the list with it."""

    list_name = ""
    back = ""  # the list page's URL name

    def get(self, request):
        try:
            return list_export(request, self.scope, self.list_name)
        except ValueError as error:
            messages.error(request, str(error))
            return redirect(reverse(self.back) + "?" + request.GET.urlencode())


class ExportView(ScopedView):
    """A list's export written while the user waits (``export_response``): ``build`` returns
    the list's domain builder's ``ListExport``, made from the same filter as the list page."""

    def build(self, request):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        export = self.build(request, *args, **kwargs)
        return export_response(request, title=export.title, object_type=export.object_type,
                               filter_text=export.filter_text, columns=export.columns, rows=export.rows)  # fmt: skip

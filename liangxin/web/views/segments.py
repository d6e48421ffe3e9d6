"""常用发送对象 (segments): "发送给这些" on the organization, member, blank-spot and findings lists
posts the list's query here; the page shows whom it reaches, asks for a name and saves it; the
user's own segments are listed with what each reaches today, and can be deleted."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse

from liangxin.messaging import segments
from liangxin.messaging.models import Segment, SegmentSource
from liangxin.messaging.targets import Resolution, Target, reach

from ..base import ScopedView, get_in_scope

# the list each source comes from (its page, to go back to)
LIST_PAGES = {
    SegmentSource.ORGANIZATIONS: "web:org_list",
    SegmentSource.MEMBERS: "web:member_list",
    SegmentSource.BLANK_SPOTS: "web:stats_blank_spots",
    SegmentSource.FINDINGS: "web:finding_list",
}


def compose_url(segment: Segment) -> str | None:
    """The compose page with this segment as its target, once that page exists."""
    try:
        return reverse("web:message_new") + f"?segment={segment.pk}"
    except NoReverseMatch:
        return None


def list_url(segment: Segment) -> str:
    name = LIST_PAGES.get(segment.source)  # type: ignore[call-overload]
    if name is None:
        return ""
    return reverse(name) + (f"?{segment.query}" if segment.query else "")


def _reached(scope, segment: Segment, target: Target, drafts=()) -> tuple[Resolution | None, list[str], str]:
    """(what the target reaches, the refusals in Chinese, ``segment``'s filter in words)."""
    try:
        said = segments.rows(segment, scope).said
        return reach(target, scope, drafts), [], said
    except ValidationError as error:
        return None, error.messages, ""


class SegmentNew(ScopedView):
    """POST from a list (``source``, ``query``): the preview; with ``name`` and ``save``: saved."""

    required = "can_send_messages"
    template = "web/messages/segments/new.html"

    def get(self, request):
        return redirect("web:segment_list")

    def post(self, request):
        source = request.POST.get("source", "")
        query = segments.clean_query(request.POST.get("query", "")[: segments.MAX_QUERY * 2])
        name = request.POST.get("name", "")
        if "save" in request.POST:
            try:
                segment = segments.save_segment(request.user, self.scope, source, query, name)
            except ValidationError as error:
                return self._preview(request, source, query, name, error.messages, status=400)
            messages.success(request, f"已保存常用发送对象「{segment.name}」")
            # TODO(lead): web:message_new (the compose page) reads ?segment=<id>; until then, the list
            return redirect(compose_url(segment) or reverse("web:segment_list"))
        return self._preview(request, source, query, name, [])

    def _preview(self, request, source: str, query: str, name: str, errors: list[str], status: int = 200):
        draft = Segment(
            owner=request.user, node_id=self.scope.message_node_id, source=source, query=query,
            name=name.strip() or dict(SegmentSource.choices).get(source, "常用发送对象"),
        )  # fmt: skip
        if source not in SegmentSource.values:
            resolution, refusals, said = None, ["请在组织名录、党员名册、空白点或问题清单中点击“发送给这些”"], ""
        else:
            resolution, refusals, said = _reached(self.scope, draft, Target(), [draft])
        context = {
            "source": source,
            "source_label": dict(SegmentSource.choices).get(source, ""),
            "query": query,
            "name": name,
            "said": said,
            "resolution": resolution,
            "errors": errors or refusals,
            "back": list_url(draft),
            "can_save": not refusals,
        }
        return render(request, self.template, context, status=400 if refusals else status)


class SegmentList(ScopedView):
    required = "can_send_messages"

    def get(self, request):
        rows = [(s, compose_url(s), list_url(s)) for s in self.scope.segments()]
        return render(request, "web/messages/segments/list.html", {"rows": rows})


class SegmentDetail(ScopedView):
    """One segment: whom it reaches today (counts and the first ten), the list it came from."""

    required = "can_send_messages"

    def get(self, request, pk):
        segment = get_in_scope(self.scope.segments(), pk=pk)
        resolution, errors, said = _reached(self.scope, segment, Target(segments=[segment.pk]))
        context = {
            "segment": segment,
            "resolution": resolution,
            "errors": errors,
            "said": said,
            "compose": compose_url(segment),
            "back": list_url(segment),
        }
        return render(request, "web/messages/segments/detail.html", context)


class SegmentDelete(ScopedView):
    required = "can_send_messages"

    def get(self, request, pk):
        get_in_scope(self.scope.segments(), pk=pk)
        return redirect("web:segment_detail", pk=pk)

    def post(self, request, pk):
        segment = get_in_scope(self.scope.segments(), pk=pk)
        name = segment.name
        segments.delete_segment(request.user, self.scope, segment)
        messages.success(request, f"已删除常用发送对象「{name}」")
        return redirect("web:segment_list")


urlpatterns = [
    path("messages/segments/", SegmentList.as_view(), name="segment_list"),
    path("messages/segments/new/", SegmentNew.as_view(), name="segment_new"),
    path("messages/segments/<int:pk>/", SegmentDetail.as_view(), name="segment_detail"),
    path("messages/segments/<int:pk>/delete/", SegmentDelete.as_view(), name="segment_delete"),
]

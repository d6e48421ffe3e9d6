"""站内消息 and 待办: a user's own notices (nobody reads another's) and what is due for them."""

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from liangxin.inbox import reminders, services
from liangxin.inbox.models import Notice

from ..base import ScopedView, paginate


class InboxList(ScopedView):
    def get(self, request):
        notices = Notice.objects.filter(recipient=request.user)
        only_unread = request.GET.get("unread") == "1"
        if only_unread:
            notices = notices.filter(read_at__isnull=True)
        page, query = paginate(request, notices, 50)
        context = {
            "notices": page,
            "page": page,
            "query": query,
            "only_unread": only_unread,
            "unread": services.unread_count(request.user),
            "due": reminders.due_for(request.user, self.scope, timezone.localdate()),
        }
        return render(request, "web/inbox/list.html", context)

    def post(self, request):
        services.mark_read(request.user)
        return redirect("web:inbox")


class InboxOpen(ScopedView):
    """Open a notice: it becomes read and the user goes where it points."""

    def get(self, request, pk):
        notice = get_object_or_404(Notice, pk=pk, recipient=request.user)
        services.mark_read(request.user, [notice.pk])
        if notice.url and url_has_allowed_host_and_scheme(notice.url, allowed_hosts={request.get_host()}):
            return redirect(notice.url)
        return redirect("web:inbox")


urlpatterns = [
    path("inbox/", InboxList.as_view(), name="inbox"),
    path("inbox/<int:pk>/", InboxOpen.as_view(), name="inbox_open"),
]

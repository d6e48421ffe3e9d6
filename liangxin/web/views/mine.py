"""党员的个人页面: a member-role user's own record and what is due for them (their own only)."""

from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from liangxin.inbox import reminders

from ..base import ScopedView


class MyMembership(ScopedView):
    required = "member"  # a member-role user linked to their member record

    def get(self, request):
        member = self.scope.member
        context = {
            "m": member,
            "due": reminders.due_for(request.user, self.scope, timezone.localdate()),
        }
        return render(request, "web/mine/membership.html", context)


urlpatterns = [path("me/membership/", MyMembership.as_view(), name="my_membership")]

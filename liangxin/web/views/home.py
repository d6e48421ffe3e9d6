"""The home page: where the user stands and what needs attention in their scope."""

from django.db.models import Count, Q
from django.shortcuts import render

from liangxin.orgs.choices import OrgStatus, ResponsibleBasis

from ..base import ScopedView


class HomeView(ScopedView):
    def get(self, request):
        context = {"grants": request.user.assignments.select_related("node__region").order_by("node__path")}
        if self.scope.can_read_registry:
            managed = self.scope.organizations("change") if self.scope.can_edit_registry else None
            visible = self.scope.organizations("view")
            figures = visible.aggregate(
                operating=Count("pk", filter=Q(status=OrgStatus.OPERATING)),
                inactive=Count("pk", filter=~Q(status=OrgStatus.OPERATING)),
                large=Count("pk", filter=Q(status=OrgStatus.OPERATING, employees__gte=100)),
                no_node=Count("pk", filter=Q(status=OrgStatus.OPERATING, responsible_basis=ResponsibleBasis.NONE)),
            )
            if managed is not None:
                figures["managed"] = managed.filter(status=OrgStatus.OPERATING).count()
            context["figures"] = figures
        return render(request, "web/home.html", context)

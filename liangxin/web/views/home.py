"""The home page: where the user stands and what needs attention in their scope."""

from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone

from liangxin.inbox import reminders
from liangxin.life import prompts
from liangxin.orgs.choices import OrgStatus, ResponsibleBasis
from liangxin.party import policy, rules
from liangxin.stats import engine

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
        if self.scope.can_read_stats:
            query = engine.parse_query({}, self.scope)
            context["coverage"] = None if query.errors else engine.compute(query)
        context["due"] = reminders.due_for(request.user, self.scope, timezone.localdate())
        context["my_party_orgs"] = self._my_party_orgs()
        # 组织生活内容提示: this month's prompts of every committee above the user's party organizations
        context["month_prompts"] = list(prompts.for_nodes(self.scope.question_nodes(), timezone.localdate()))
        return render(request, "web/home.html", context)

    def _my_party_orgs(self) -> list:
        """A secretary's own party organizations with what needs doing there."""
        if not self.scope.is_secretary:
            return []
        params, day = policy.values(), timezone.localdate()
        party_orgs = rules.party_org_facts(self.scope.own_party_orgs())
        return [(po, rules.findings_for(po, "party_org", params, day)) for po in party_orgs]

"""组织生活: meetings and their files, read with the party organizations they belong to."""

from django.db.models import QuerySet

from liangxin.life.models import Attachment, Meeting

from ..roles import REGISTRY_READERS
from .party import PartyScope
from .stats import StatsScope


class LifeScope(PartyScope, StatsScope):
    def meetings(self) -> QuerySet:
        """Meetings of the party organizations the user may see (readers, secretaries)."""
        party_orgs = self.party_orgs("view").values("pk")
        return Meeting.objects.filter(party_org__in=party_orgs).select_related("party_org__node")

    def meeting_attachments(self) -> QuerySet:
        party_orgs = self.party_orgs("view").values("pk")
        return Attachment.objects.filter(meeting__party_org__in=party_orgs).select_related("meeting__party_org__node")

    def rollup_home(self):
        """The node a compliance roll-up opens on: the reader's first node (a city reader's city
        node first); None for a user who reads no registry."""
        grants = sorted((g for g in self.grants if g.role in REGISTRY_READERS), key=lambda g: g.node_kind != "city")
        return self.stats_nodes().filter(pk=grants[0].node_id).first() if grants else None

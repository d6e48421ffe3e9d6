"""组织生活: meetings and their files, read with the party organizations they belong to."""

from django.db.models import Q, QuerySet

from liangxin.core.tree import any_subtree_q
from liangxin.life.models import Attachment, ContentPrompt, Meeting
from liangxin.mgmt.models import ManagementNode

from ..roles import REGISTRY_EDITORS, REGISTRY_READERS
from .base import Action
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

    # -- 组织生活内容提示 --------------------------------------------------------------------------
    @property
    def can_publish_prompts(self) -> bool:
        return self.has_any(REGISTRY_EDITORS)

    def prompt_publish_nodes(self) -> QuerySet:
        """The committees this user publishes prompts at (one per administrator grant), in tree order."""
        ids = [g.node_id for g in self.grants if g.role in REGISTRY_EDITORS]
        return ManagementNode.objects.filter(pk__in=ids, is_active=True).order_by("path")

    def content_prompts(self, action: Action = "view") -> QuerySet:
        """view: the prompts of every committee above or at one of the user's nodes (they reach the
        user; not once withdrawn), and, for committee readers, those published in their subtree
        (withdrawn ones too: they were published there); change (修改, 撤回): those of the
        administrator's subtree (a district may correct a street's)."""
        qs = ContentPrompt.objects.select_related("node", "published_by")
        if self.user_id is None:
            return qs.none()
        if action == "change":
            return (
                qs if self.is_city_wide else qs.filter(any_subtree_q(self.node_paths(REGISTRY_EDITORS), "node__path"))
            )
        above = {int(p) for g in self.grants for p in g.node_path.split("/") if p}
        reaching = Q(node_id__in=above, withdrawn_at__isnull=True)
        return qs.filter(reaching | any_subtree_q(self.node_paths(REGISTRY_READERS), "node__path"))

    def may_withdraw_prompt(self, prompt: ContentPrompt) -> bool:
        """撤回: an administrator of the publishing committee or of one above it."""
        return self.content_prompts("change").filter(pk=prompt.pk).exists()

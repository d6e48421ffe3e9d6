"""互动网 — 政策文件库, 工作动态/通知公告 and 信息报送: who publishes, writes, reviews and reads.

政策文件库:

Committee administrators (``REGISTRY_EDITORS``) publish, at the nodes of their grants, and edit or
delete the documents of their subtree (a district may correct a street's). Every signed-in user
reads the documents addressed to everyone, and those published by a node above or at one of
their own nodes: a street's documents reach the street's party organizations' secretaries and
members (their nodes lie under the street), never another street's. Committee readers (the
administrators and the auditor) also read what was published in their subtree, as they read the
rest of its work.

工作动态/通知公告: read like the library once published; committee administrators and secretaries
write at their own nodes; what waits for review is read by its writers and by the committee
readers above it, and reviewed by the administrators of the committee it waits for. 信息报送:
written by street administrators and secretaries, read by them and by the committees above,
reviewed by the administrators of the committee it is at now."""

from django.db.models import Q, QuerySet

from liangxin.core.tree import any_subtree_q
from liangxin.mgmt.models import ManagementNode
from liangxin.portal.models import InfoReport, NewsItem, NewsStatus, PolicyDocument

from ..roles import REGISTRY_EDITORS, REGISTRY_READERS, Role
from .base import Action, ScopeBase

# 工作动态 and 通知公告 are written by the committees and by party organizations' secretaries
NEWS_WRITERS = REGISTRY_EDITORS | {Role.SECRETARY}
# 信息报送 goes up from a street committee or a party organization (its secretary)
REPORT_WRITERS = frozenset({Role.STREET_ADMIN, Role.SECRETARY})


class PortalScope(ScopeBase):
    @property
    def can_publish_policies(self) -> bool:
        return self.has_any(REGISTRY_EDITORS)

    def policy_publish_nodes(self) -> QuerySet:
        """The nodes this user publishes at (one per administrator grant), in tree order."""
        ids = [g.node_id for g in self.grants if g.role in REGISTRY_EDITORS]
        return ManagementNode.objects.filter(pk__in=ids, is_active=True).order_by("path")

    def _ancestor_node_ids(self) -> set[int]:
        # a grant's path names its node and every node above it ("/1/5/9/")
        return {int(p) for g in self.grants for p in g.node_path.split("/") if p}

    def policy_documents(self, action: Action = "view") -> QuerySet:
        qs = PolicyDocument.objects.select_related("node", "publisher")
        if self.user_id is None:
            return qs.none()
        if action == "change":
            if self.is_city_wide:
                return qs
            return qs.filter(any_subtree_q(self.node_paths(REGISTRY_EDITORS), "node__path"))
        if self._reads_whole_city():
            return qs
        below = any_subtree_q(self.node_paths(REGISTRY_READERS), "node__path")
        return qs.filter(Q(to_everyone=True) | Q(node_id__in=self._ancestor_node_ids()) | below)

    # -- 工作动态 / 通知公告 ---------------------------------------------------------------------------
    # Committee administrators write at their committees, secretaries at their party organizations
    # (a street's and a party organization's items wait for the committee above: portal.news).
    def news_writer_node_ids(self) -> set[int]:
        return {g.node_id for g in self.grants if g.role in NEWS_WRITERS}

    @property
    def can_write_news(self) -> bool:
        return self.has_any(NEWS_WRITERS)

    def news_write_nodes(self) -> QuerySet:
        """The nodes this user writes news at (one per writing grant), in tree order."""
        return ManagementNode.objects.filter(pk__in=self.news_writer_node_ids(), is_active=True).order_by("path")

    def news_items(self, action: Action = "view") -> QuerySet:
        """view: published items addressed to everyone, or published at or above one of the user's
        nodes (a member reads their branch's, street's, district's and the city's), or anything in a
        committee reader's subtree (what waits there included: the reviewers and auditors read
        it); and the user's own nodes' items in any state. change: the writers' own nodes' items,
        and a committee's subtree's."""
        qs = NewsItem.objects.select_related("node", "review_node", "author", "source_report")
        if self.user_id is None:
            return qs.none()
        own = Q(node_id__in=self.news_writer_node_ids())
        if action == "change":
            if self.is_city_wide:
                return qs
            return qs.filter(own | any_subtree_q(self.node_paths(REGISTRY_EDITORS), "node__path"))
        if self._reads_whole_city():
            return qs
        published = Q(status=NewsStatus.PUBLISHED) & (Q(to_everyone=True) | Q(node_id__in=self._ancestor_node_ids()))
        below = any_subtree_q(self.node_paths(REGISTRY_READERS), "node__path")
        return qs.filter(published | below | own)

    def published_news(self) -> QuerySet:
        """What the portal shows the user: the visible items that are published."""
        return self.news_items().filter(status=NewsStatus.PUBLISHED)

    def news_to_review(self) -> QuerySet:
        """待审核 items waiting at one of the user's committees."""
        ids = [g.node_id for g in self.grants if g.role in REGISTRY_EDITORS]
        return self.news_items().filter(status=NewsStatus.PENDING, review_node_id__in=ids)

    def may_review_news(self, item: NewsItem) -> bool:
        """审核 (通过 / 退回): an administrator of the committee the item waits for."""
        return item.review_node_id in {g.node_id for g in self.grants if g.role in REGISTRY_EDITORS}

    def may_change_news(self, item: NewsItem) -> bool:
        """修改 / 删除 (in the states the item allows: ``portal.news``): its writers and the committees above."""
        return self.news_items("change").filter(pk=item.pk).exists()

    def may_withdraw_news(self, item: NewsItem) -> bool:
        """撤下 a published item: whoever may change it — the writers at its node, and the committee
        administrators above it (the reviewing committee among them: it published the item)."""
        return self.may_change_news(item)

    def news_edit_resubmits(self, item: NewsItem) -> bool:
        """Whether this user's change sends the item on again (to review, or published anew after 撤下):
        a writer at its node; the reviewer's own correction does not."""
        return not self.may_review_news(item) and item.node_id in self.news_writer_node_ids()

    def news_drafts(self) -> QuerySet:
        """稿件: the items of the user's own writing nodes (any state; the face keeps the unpublished)."""
        return self.news_items().filter(node_id__in=self.news_writer_node_ids())

    # -- 信息报送 ----------------------------------------------------------------------------------
    @property
    def can_write_reports(self) -> bool:
        return self.has_any(REPORT_WRITERS)

    def report_write_nodes(self) -> QuerySet:
        ids = [g.node_id for g in self.grants if g.role in REPORT_WRITERS]
        return ManagementNode.objects.filter(pk__in=ids, is_active=True).order_by("path")

    @property
    def can_use_reports(self) -> bool:
        """The 信息报送 pages: those who send reports and the committees they reach."""
        return self.has_any(REPORT_WRITERS | REGISTRY_READERS)

    @property
    def can_rank_reports(self) -> bool:
        return self.has_any(REGISTRY_READERS)

    def info_reports(self, action: Action = "view") -> QuerySet:
        """view: the reports written at the user's own nodes, and every report of a committee
        reader's subtree (reports go up the tree: a committee reads what its subtree sends)."""
        qs = InfoReport.objects.select_related("node", "at_node", "author")
        if self.user_id is None:
            return qs.none()
        own = Q(node_id__in={g.node_id for g in self.grants if g.role in REPORT_WRITERS})
        if self._reads_whole_city():
            return qs
        return qs.filter(own | any_subtree_q(self.node_paths(REGISTRY_READERS), "node__path"))

    def reports_to_review(self) -> QuerySet:
        ids = [g.node_id for g in self.grants if g.role in REGISTRY_EDITORS]
        return self.info_reports().filter(at_node_id__in=ids)

    def may_review_report(self, report: InfoReport) -> bool:
        """采用 / 退回 / 报送上级 / 发布: an administrator of the committee the report is at now."""
        return report.at_node_id in {g.node_id for g in self.grants if g.role in REGISTRY_EDITORS}

    def may_resubmit_report(self, report: InfoReport) -> bool:
        return report.node_id in {g.node_id for g in self.grants if g.role in REPORT_WRITERS}

    def ranking_nodes(self) -> QuerySet:
        """The committees whose children this user may rank: the reader grants' nodes and below."""
        paths = self.node_paths(REGISTRY_READERS)
        if not paths:
            return ManagementNode.objects.none()
        return ManagementNode.objects.filter(any_subtree_q(paths), is_active=True)

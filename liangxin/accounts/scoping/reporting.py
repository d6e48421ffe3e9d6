"""报送任务: who sends a report task, who reads its completion, who answers for a node.

A task belongs to the node it was sent from: that node's committee administrators send, remind,
return and close it; committees above and auditors over the subtree read it. A node answers
for itself only — a committee's administrators for their committee, a party organization's
secretary for their party organization — so a street never reads another street's answer
(404 like a missing one)."""

from django.db.models import Q, QuerySet

from liangxin.core.tree import any_subtree_q
from liangxin.mgmt.models import ManagementNode
from liangxin.reporting.models import ReportAssignment, ReportForm, ReportTask

from ..roles import PARTY_EDITORS, REGISTRY_EDITORS, REGISTRY_READERS
from .base import Action
from .trees import TreeScope

# committees send tasks down the tree; a party organization (its secretary) only answers
REPORT_SENDERS = REGISTRY_EDITORS
REPORT_ANSWERERS = REGISTRY_EDITORS | PARTY_EDITORS


class ReportingScope(TreeScope):
    @property
    def can_send_reports(self) -> bool:
        return self.has_any(REPORT_SENDERS)

    @property
    def can_answer_reports(self) -> bool:
        return self.has_any(REPORT_ANSWERERS)

    @property
    def can_read_reports(self) -> bool:
        return self.has_any(REGISTRY_READERS)

    @property
    def can_use_reports(self) -> bool:
        """Answers or reads report tasks (an answer's file is open to both sides)."""
        return self.can_answer_reports or self.can_read_reports

    def report_sender_nodes(self) -> QuerySet:
        """The nodes this user sends tasks from (one per sending grant), in tree order."""
        ids = [g.node_id for g in self.grants if g.role in REPORT_SENDERS]
        return ManagementNode.objects.filter(pk__in=ids, is_active=True).order_by("path")

    def report_forms(self) -> QuerySet:
        """The forms this user may send: the shipped ones, and the Excel templates made at one of
        their sending nodes or above it (a district sends the city's template on to its streets)."""
        ids = {i for n in self.report_sender_nodes() for i in n.ancestor_ids}
        return ReportForm.objects.filter(Q(owner__isnull=True) | Q(owner_id__in=ids), is_active=True)

    def report_templates(self) -> QuerySet:
        """The Excel templates this user manages: made at one of their sending nodes."""
        return ReportForm.objects.filter(owner__in=self.report_sender_nodes()).select_related("owner")

    def report_tasks(self, action: Action = "view") -> QuerySet:
        """Tasks the user manages (sent from their nodes) or reads (sent from their subtree)."""
        qs = ReportTask.objects.select_related("form", "node", "sender")
        if action == "change":
            return qs.filter(node__in=self.report_sender_nodes())
        paths = self.node_paths(REGISTRY_READERS)
        return qs.filter(any_subtree_q(paths, "node__path")) if paths else qs.none()

    def report_assignments(self) -> QuerySet:
        """The assignments this user answers: those of the very nodes they administer."""
        ids = [g.node_id for g in self.grants if g.role in REPORT_ANSWERERS]
        return ReportAssignment.objects.filter(node_id__in=ids, node__is_active=True).select_related(
            "task__form", "task__node", "node"
        )

    def may_manage_report(self, task: ReportTask) -> bool:
        """催报, 退回, 关闭, 收集汇总: the administrators of the node the task was sent from."""
        return self.report_tasks("change").filter(pk=task.pk).exists()

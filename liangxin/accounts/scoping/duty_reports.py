"""述职报告: who writes a committee's report, who reviews it, who reads it.

- The administrators of a committee (district, street, industry — any committee with one above it)
  write its report: create, edit, refresh the figures, submit (``duty_report_nodes``).
- The level above reviews: the administrators of the committee the report waits for
  (``review_node``, the nearest committee above), never a sibling.
- Readers: the committee's own administrators and auditors (every state), and the administrators and
  auditors of the committees above it (once it has been submitted; a draft stays the writer's).
"""

from django.db.models import Q, QuerySet

from liangxin.core.tree import any_subtree_q
from liangxin.duty_reports.choices import ReportStatus
from liangxin.duty_reports.models import DutyReport
from liangxin.mgmt.models import COMMITTEE_KINDS, ManagementNode

from ..roles import REGISTRY_EDITORS, REGISTRY_READERS
from .base import ScopeBase


class DutyReportScope(ScopeBase):
    def _duty_writer_ids(self) -> set[int]:
        return {g.node_id for g in self.grants if g.role in REGISTRY_EDITORS and g.node_kind in COMMITTEE_KINDS}

    @property
    def can_read_duty_reports(self) -> bool:
        return self.has_any(REGISTRY_READERS)

    def duty_report_nodes(self) -> QuerySet:
        """The committees this user writes reports for (the city has no level above: none)."""
        return ManagementNode.objects.filter(
            pk__in=self._duty_writer_ids(), is_active=True, parent__isnull=False
        ).order_by("path")

    def duty_reports(self) -> QuerySet:
        qs = DutyReport.objects.select_related("node", "review_node", "author")
        if not self.can_read_duty_reports:
            return qs.none()
        own = {g.node_id for g in self.grants if g.role in REGISTRY_READERS}
        below = any_subtree_q(self.node_paths(REGISTRY_READERS), "node__path")
        return qs.filter(Q(node_id__in=own) | (below & ~Q(status=ReportStatus.DRAFT)))

    def duty_reports_waiting(self) -> QuerySet:
        """Those waiting for this user's review."""
        return self.duty_reports().filter(review_node_id__in=self._duty_writer_ids(), status=ReportStatus.SUBMITTED)

    def may_write_duty_report(self, report: DutyReport) -> bool:
        return report.node_id in self._duty_writer_ids()

    def may_review_duty_report(self, report: DutyReport) -> bool:
        return report.review_node_id in self._duty_writer_ids()

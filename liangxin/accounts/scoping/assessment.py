"""考核评估 — indicator sets: who reads them, who changes them, whom a measure is tried on.

- The city administrator keeps the indicator sets (``POLICY_EDITORS``, like the policy parameters):
  drafts, indicators, publishing, new drafts.
- The committees' administrators (district, street, industry) and the auditor read them: they are
  judged by them and judge the party organizations below them by them.
- 试算 (a measure tried on one subject) takes a subject of the set's kind inside the user's own
  subtree: a party organization's node, or a committee's (their own or one below).
"""

from django.db.models import QuerySet

from liangxin.assessment.choices import SubjectKind
from liangxin.assessment.models import IndicatorSet
from liangxin.mgmt.models import COMMITTEE_KINDS, ManagementNode, NodeKind

from ..roles import POLICY_EDITORS, REGISTRY_READERS
from .base import ScopeBase


class AssessmentScope(ScopeBase):
    @property
    def can_read_indicator_sets(self) -> bool:
        return self.has_any(REGISTRY_READERS)

    @property
    def can_edit_indicator_sets(self) -> bool:
        return self.has_any(POLICY_EDITORS)

    def indicator_sets(self) -> QuerySet:
        qs = IndicatorSet.objects.all()
        return qs if self.can_read_indicator_sets else qs.none()

    def assessment_subjects(self, subject_kind: str) -> QuerySet:
        """The nodes this user may try a measure on: active, of the kind, in their subtree."""
        if not self.can_read_indicator_sets:
            return ManagementNode.objects.none()
        kinds = [NodeKind.GRASSROOTS] if subject_kind == SubjectKind.PARTY_ORG else list(COMMITTEE_KINDS)
        nodes = self.nodes("view")  # type: ignore[attr-defined]  # TreeScope, composed into Scope
        return nodes.filter(kind__in=kinds, is_active=True).order_by("path")

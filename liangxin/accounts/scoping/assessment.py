"""考核评估 — indicator sets: who reads them, who changes them, whom a measure is tried on.

- The city administrator keeps the indicator sets (``POLICY_EDITORS``, like the policy parameters):
  drafts, indicators, publishing, new drafts.
- The committees' administrators (district, street, industry) and the auditor read them: they are
  judged by them and judge the party organizations below them by them.
- 试算 (a measure tried on one subject) takes a subject of the set's kind inside the user's own
  subtree: a party organization's node, or a committee's (their own or one below).
- 考核轮次: the city administrator starts a round and moves it on (审核, 确认, 发布, 结束). A subject
  self-assesses through its own side — a party organization's secretary, a committee's own
  administrators; the committee above it in the management tree (the entry's ``reviewer``, its own
  administrators) reviews; the next committee up (``confirmer``) confirms and answers objections.
  A step belongs to the committee named, not to whoever is higher: a district does not review for a
  street. Entries are read by whoever sees the subject's node (their subtree); the rounds themselves
  by the committees, the auditor and the secretaries.
"""

from django.db.models import QuerySet

from liangxin.assessment.choices import SubjectKind
from liangxin.assessment.models import IndicatorSet, Objection, Round, RoundEntry, RoundScore
from liangxin.mgmt.models import COMMITTEE_KINDS, ManagementNode, NodeKind

from ..roles import POLICY_EDITORS, REGISTRY_EDITORS, REGISTRY_READERS, Role
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

    # -- 考核轮次 -------------------------------------------------------------------------------
    @property
    def can_read_rounds(self) -> bool:
        return self.has_any(REGISTRY_READERS | {Role.SECRETARY})

    @property
    def can_start_rounds(self) -> bool:
        return self.has_any(POLICY_EDITORS)

    def rounds(self) -> QuerySet:
        qs = Round.objects.select_related("version__indicator_set", "node")
        return qs if self.can_read_rounds else qs.none()

    def round_entries(self) -> QuerySet:
        """The entries whose subject this user sees (their subtree)."""
        if not self.can_read_rounds:
            return RoundEntry.objects.none()
        nodes = self.nodes("view")  # type: ignore[attr-defined]  # TreeScope, composed into Scope
        return RoundEntry.objects.filter(subject__in=nodes).select_related(
            "round__version__indicator_set", "subject", "reviewer", "confirmer"
        )

    def round_scores(self) -> QuerySet:
        return RoundScore.objects.filter(entry__in=self.round_entries()).select_related("entry__round", "indicator")

    def objections(self) -> QuerySet:
        return Objection.objects.filter(entry__in=self.round_entries()).select_related("entry__round", "entry__subject")

    def _acts_for(self, node_id: int, roles) -> bool:
        return any(g.node_id == node_id and g.role in roles for g in self.grants)

    def may_self_assess(self, entry: RoundEntry) -> bool:
        """The subject's own side: its secretary (党组织) or its own administrators (党委)."""
        if entry.subject.kind == NodeKind.GRASSROOTS:
            return self._acts_for(entry.subject_id, {Role.SECRETARY})
        return self._acts_for(entry.subject_id, REGISTRY_EDITORS)

    def may_review(self, entry: RoundEntry) -> bool:
        return self._acts_for(entry.reviewer_id, REGISTRY_EDITORS)

    def may_confirm(self, entry: RoundEntry) -> bool:
        return self._acts_for(entry.confirmer_id, REGISTRY_EDITORS)

    def may_object(self, entry: RoundEntry) -> bool:
        return self.may_self_assess(entry)

    def may_answer(self, objection: Objection) -> bool:
        return self.may_confirm(objection.entry)

    def my_round_entries(self) -> dict[str, QuerySet]:
        """What waits for this user: to self-assess, to review, to confirm (rounds not yet locked)."""
        own = [g.node_id for g in self.grants if g.role == Role.SECRETARY]
        committees = [g.node_id for g in self.grants if g.role in REGISTRY_EDITORS]
        base = RoundEntry.objects.select_related("round", "subject").order_by("round", "subject__path")
        return {
            "self": base.filter(
                subject_id__in=own + committees, state__in=["self", "returned"], round__state__in=["self", "review"]
            ),
            "review": base.filter(reviewer_id__in=committees, state="submitted", round__state="review"),
            "confirm": base.filter(confirmer_id__in=committees, state="reviewed", round__state="confirm"),
            "answer": Objection.objects.filter(entry__confirmer_id__in=committees, answered_at__isnull=True)
            .select_related("entry__round", "entry__subject")
            .order_by("pk"),
        }

"""互动网 — 党建问答: who asks, who reads which question, who answers and moderates, who keeps the
forbidden-word list.

- Members and secretaries ask, from one of their own party organizations (``question_nodes``).
- Every signed-in user reads public questions that are not hidden (the 常见问题 is city-wide).
- A private or hidden question is read by its asker and by the **responsible committee** only —
  the readers (administrators, auditor) bound to that very node, not the committees above it:
  "仅答复党委和提问人可见" is meant literally, a private question is not a report up the tree.
- The responsible committee's administrators answer and moderate (屏蔽, 关闭, 修改或撤回答复).
- The city administrator keeps the forbidden words (``POLICY_EDITORS``, like the policy parameters).
"""

from django.db.models import Q, QuerySet

from liangxin.mgmt.models import ManagementNode
from liangxin.qa.models import Answer, Question

from ..roles import POLICY_EDITORS, REGISTRY_EDITORS, REGISTRY_READERS, Role
from .base import ScopeBase

ASKERS = frozenset({Role.MEMBER, Role.SECRETARY})


class QaScope(ScopeBase):
    @property
    def can_ask_questions(self) -> bool:
        return self.has_any(ASKERS)

    @property
    def can_answer_questions(self) -> bool:
        return self.has_any(REGISTRY_EDITORS)

    @property
    def can_edit_forbidden_words(self) -> bool:
        return self.has_any(POLICY_EDITORS)

    def question_nodes(self) -> QuerySet:
        """The party organizations this user asks from (their member and secretary grants), in tree order."""
        ids = [g.node_id for g in self.grants if g.role in ASKERS]
        return ManagementNode.objects.filter(pk__in=ids, is_active=True).order_by("path")

    def questions(self) -> QuerySet:
        qs = Question.objects.select_related("committee__region", "asker_node", "asker")
        if self.user_id is None:
            return qs.none()
        committees = {g.node_id for g in self.grants if g.role in REGISTRY_READERS}
        return qs.filter(Q(is_public=True, hidden=False) | Q(asker_id=self.user_id) | Q(committee_id__in=committees))

    def answerable_questions(self) -> QuerySet:
        """Questions this user answers and moderates: those of the committees they administer."""
        committees = {g.node_id for g in self.grants if g.role in REGISTRY_EDITORS}
        return Question.objects.filter(committee_id__in=committees).select_related("committee__region", "asker_node")

    def readable_answers(self) -> QuerySet:
        """Answers this user reads: the standing answers of the questions they read, and every answer
        (withdrawn ones kept for the record) of the questions they answer."""
        standing = Q(question__in=self.questions().values("pk"), withdrawn=False)
        return Answer.objects.filter(
            standing | Q(question__in=self.answerable_questions().values("pk"))
        ).select_related("question__committee__region")

    def answers(self) -> QuerySet:
        """Answers this user edits or withdraws (their committees' questions')."""
        return Answer.objects.filter(question__in=self.answerable_questions().values("pk")).select_related(
            "question__committee__region"
        )

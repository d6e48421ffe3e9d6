"""发展党员: who records which step of an applicant."""

from liangxin.develop.rules import UPPER_COMMITTEE_STEPS

from .base import ScopeBase


class DevelopScope(ScopeBase):
    def may_record_step(self, applicant, kind: str) -> bool:
        """预审 and 审批 are the upper committee's: an admin whose subtree holds the branch."""
        if kind in UPPER_COMMITTEE_STEPS:
            return self.can_edit_node(applicant.party_org.node)
        return True

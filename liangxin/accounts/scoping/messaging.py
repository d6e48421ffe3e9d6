"""信息群发: who may send a mass message, and to what.

Committees (city, district, street, industry administrators) send to anything in their scope;
a secretary sends to the members of their own party organization only (no instructors, no
applicants, no organization contacts). What a target reaches is ``messaging.targets.resolve``,
which starts from this scope's querysets."""

from liangxin.messaging.targets import MEMBER_KINDS, PeopleKind, Target

from ..roles import PARTY_ROLES, REGISTRY_EDITORS
from .base import ScopeBase

# the roles that may send mass messages
MESSAGE_SENDERS = REGISTRY_EDITORS | PARTY_ROLES


class MessagingScope(ScopeBase):
    @property
    def can_send_messages(self) -> bool:
        return self.has_any(MESSAGE_SENDERS)

    def message_refusal(self, target: Target) -> str | None:
        """Why this user may not send to ``target`` (Chinese), or None when they may."""
        if not self.can_send_messages:
            return "您没有群发信息的权限"
        if self.has_any(REGISTRY_EDITORS):
            return None
        others = [PeopleKind(p).label for p in target.people if p not in MEMBER_KINDS]
        if target.organizations is not None:
            others.append("组织联系人")
        if others:
            return f"党组织书记只能向本党组织的党员群发信息，不能发送给：{'、'.join(others)}"
        return None

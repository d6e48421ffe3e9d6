"""信息群发: who may send a mass message, and to what; whose messages a user reads and manages.

Committees (city, district, street, industry administrators) send to anything in their scope;
a secretary sends to the members of their own party organization only (no instructors, no
applicants, no organization contacts). What a target reaches is ``messaging.targets.resolve``,
which starts from this scope's querysets.

A message belongs to the node it was sent from: the administrators of that node (senders there)
manage it — edit a draft, send, recall, remind — and, when the node requires 签发, another of
them approves it. Committees above read it (its figures roll up); nobody else sees it."""

from django.db.models import Q, QuerySet

from liangxin.core.tree import any_subtree_q
from liangxin.messaging.choices import MessageSource
from liangxin.messaging.models import Message, MessageTemplate
from liangxin.messaging.targets import MEMBER_KINDS, PeopleKind, Target
from liangxin.mgmt.models import ManagementNode

from ..roles import PARTY_ROLES, REGISTRY_EDITORS
from .base import Action, ScopeBase

# the roles that may send mass messages
MESSAGE_SENDERS = REGISTRY_EDITORS | PARTY_ROLES


class MessagingScope(ScopeBase):
    @property
    def can_send_messages(self) -> bool:
        return self.has_any(MESSAGE_SENDERS)

    def sender_nodes(self) -> QuerySet:
        """The nodes this user sends from (one per sender grant), in tree order."""
        ids = [g.node_id for g in self.grants if g.role in MESSAGE_SENDERS]
        return ManagementNode.objects.filter(pk__in=ids, is_active=True).order_by("path")

    def messages(self, action: Action = "view") -> QuerySet:
        """群发信息 the user reads (their sender nodes' and those below them) or manages (their
        sender nodes' own). Notices down the tree are not messages here."""
        qs = Message.objects.filter(source=MessageSource.MESSAGE).select_related("node", "sender", "approved_by")
        if action == "change":
            return qs.filter(node__in=self.sender_nodes())
        paths = self.node_paths(MESSAGE_SENDERS)
        return qs.filter(any_subtree_q(paths, "node__path")) if paths else qs.none()

    def may_approve(self, message: Message) -> bool:
        """签发: a sender of the same node other than the one who wrote it."""
        return message.sender_id != self.user_id and self.messages("change").filter(pk=message.pk).exists()

    def message_templates(self) -> QuerySet:
        """The templates of the user's sender nodes and of the committees above them (a city's
        monthly notice template serves every street)."""
        ancestors: set[int] = set()
        for g in self.grants:
            if g.role in MESSAGE_SENDERS:
                ancestors.update(int(p) for p in g.node_path.split("/") if p)
        return MessageTemplate.objects.filter(Q(node_id__in=ancestors)).select_related("node")

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

"""信息群发: who may send a mass message, and to what; whose messages a user reads and manages.

Committees (city, district, street, industry administrators) send to anything in their scope;
a secretary sends to the members of their own party organization only (no instructors, no
applicants, no organization contacts). What a target reaches is ``messaging.targets.resolve``,
which starts from this scope's querysets.

A message belongs to the node it was sent from: the administrators of that node (senders there)
manage it — edit a draft, send, recall, remind — and, when the node requires 签发, another of
them approves it. Committees above read it (its figures roll up); nobody else sees it.

常用发送对象 (segments) are their user's own: only they see, use or delete them, and only while
the segment's node is in their scope; a segment obeys the rule of what it reaches (a segment of
organizations reaches their contacts, so a secretary may not save or send one)."""

from django.db.models import Q, QuerySet

from liangxin.core.tree import any_subtree_q
from liangxin.messaging.choices import MessageSource
from liangxin.messaging.models import Message, MessageTemplate, Segment
from liangxin.messaging.targets import MEMBER_KINDS, OrgFilter, PeopleKind, Target, segment_as_target
from liangxin.mgmt.models import ManagementNode

from ..roles import PARTY_ROLES, REGISTRY_EDITORS
from .base import Action
from .trees import TreeScope

# the roles that may send mass messages
MESSAGE_SENDERS = REGISTRY_EDITORS | PARTY_ROLES


class MessagingScope(TreeScope):
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

    @property
    def message_node_id(self) -> int | None:
        """The node a user's segments belong to: their first sending node (``sender_nodes``' order,
        the one the compose page offers first)."""
        return self.sender_nodes().values_list("pk", flat=True).first()

    @property
    def can_send_to_contacts(self) -> bool:
        """May send to organization contacts (the lists of organizations offer "发送给这些")."""
        return self.message_refusal(Target(organizations=OrgFilter())) is None

    def message_refusal(self, target: Target) -> str | None:
        """Why this user may not send to ``target`` (Chinese), or None when they may."""
        if not self.can_send_messages:
            return "您没有群发信息的权限"
        if target.segments:
            found = {s.pk: s for s in Segment.objects.filter(pk__in=target.segments)}
            for pk in target.segments:
                refusal = self.segment_refusal(found[pk]) if pk in found else f"常用发送对象「{pk}」不存在"
                if refusal:
                    return refusal
        if self.has_any(REGISTRY_EDITORS):
            return None
        others = [PeopleKind(p).label for p in target.people if p not in MEMBER_KINDS]
        if target.organizations is not None:
            others.append("组织联系人")
        if others:
            return f"党组织书记只能向本党组织的党员群发信息，不能发送给：{'、'.join(others)}"
        return None

    def segments(self) -> QuerySet:
        """The user's own segments (常用发送对象), newest first; none for a user who may not send."""
        if not self.can_send_messages or self.user_id is None:
            return Segment.objects.none()
        return Segment.objects.filter(owner_id=self.user_id).select_related("node")

    def segment_refusal(self, segment: Segment) -> str | None:
        """Why this user may not save or send to ``segment`` (Chinese, naming it), or None."""
        if not self.can_send_messages:
            return "您没有群发信息的权限"
        if segment.owner_id != self.user_id or not self.nodes("view").filter(pk=segment.node_id).exists():
            return f"常用发送对象「{segment.name}」不是您保存的，或其所属单位不在您的权限范围内"
        refusal = self.message_refusal(segment_as_target(segment))
        return f"常用发送对象「{segment.name}」：{refusal}" if refusal else None

"""发送范围: who a mass message reaches. A target is a description, not a list: places of the two
trees, kinds of people, kinds of organization (whose contacts receive it). ``resolve`` turns it
into recipients within the sender's scope.

Rules:
- every route starts from the sender's own querysets (``scope.members("view")``,
  ``scope.floating_members("view")``, ``scope.party_orgs("view")``, ``scope.instructors("view")``,
  ``scope.organizations("view")``), so nothing outside the scope can be reached; a node or region
  the sender may not name is refused with a Chinese reason naming it;
- places (nodes of the management tree, regions) narrow every route; several places add up;
  no place means everything in the scope. People sit in the management tree by their party
  organization (流入党员 also by the inflow party organization) and in the region tree by where
  they work (their employer's operating place); instructors by their committee and by the
  organizations assigned to them; organizations by responsibility (responsible node, or a covering
  party organization) and by operating place;
- saved lists (常用发送对象, ``segments``): each applies its list's filter again within the scope
  (``messaging.segments.rows``) and adds its organizations' contacts or its members to the other
  routes; the places do not narrow them (a segment is its own filter). Only the sender's own
  segments, at a node they see, may be named (``scope.segment_refusal``);
- one person is one recipient: a member, applicant or instructor with a login account is keyed by
  the account (``user:12``), otherwise by their record (``member:34``, ``applicant:5``,
  ``instructor:6``); an organization's contact is ``org-contact:56``. The routes are taken in
  order (members, applicants, instructors, contacts) and each excludes in SQL whoever an earlier
  one reached, so recipients stream in chunks and counts are SQL counts.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.db.models.functions import Concat
from django.utils import timezone

from liangxin.core.tree import subtree_q
from liangxin.develop.models import OPEN_STAGES, Applicant
from liangxin.mgmt.models import ManagementNode
from liangxin.mgmt.queries import in_node_subtree
from liangxin.orgs.choices import CoverageState, Industry, OrgKind, OrgStatus
from liangxin.party.choices import FloatingStatus
from liangxin.party.coverage import active_on
from liangxin.party.models import CommitteeSeat, InstructorAssignment, Member, PartyOrgLink
from liangxin.regions.models import CarrierKind, Region
from liangxin.regions.queries import in_region_subtree

from . import segments as segments_
from .choices import ChannelKind
from .models import Segment
from .services import Recipient

CHUNK = 2000  # rows read at a time while streaming recipients
SAMPLE = 10
NOBODY = "该发送范围内没有可接收的人员"
NOTHING_CHOSEN = "请选择发送对象：人员类别或组织条件至少选一项"


class PeopleKind(models.TextChoices):
    """Kinds of people a target may name."""

    SECRETARIES = "secretaries", "党组织书记"
    COMMITTEE = "committee", "委员"
    INSTRUCTORS = "instructors", "党建指导员"
    MEMBERS = "members", "党员"
    APPLICANTS = "applicants", "入党申请人"
    FLOATING_IN = "floating_in", "流入党员"
    FLOATING_OUT = "floating_out", "流出党员"
    IN_DIFFICULTY = "in_difficulty", "生活困难党员"


# the kinds that are members on a party organization's roll (a secretary may message these)
MEMBER_KINDS = frozenset(
    {
        PeopleKind.SECRETARIES,
        PeopleKind.COMMITTEE,
        PeopleKind.MEMBERS,
        PeopleKind.FLOATING_IN,
        PeopleKind.FLOATING_OUT,
        PeopleKind.IN_DIFFICULTY,
    }
)


@dataclass(frozen=True)
class NodePlace:
    """A node of the management tree, with or without what lies under it."""

    id: int
    descendants: bool = True


@dataclass(frozen=True)
class RegionPlace:
    """A region (行政区划 code), with or without what lies under it."""

    code: str
    descendants: bool = True


@dataclass
class OrgFilter:
    """Kinds of organization whose contacts receive the message; every field set must hold
    (within a list: any of it). Only organizations in operation."""

    kinds: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    min_employees: int | None = None  # 从业人员不少于 (unknown counts never)
    carrier_kinds: list[str] = field(default_factory=list)
    coverage: list[str] = field(default_factory=list)


@dataclass
class Target:
    """发送范围: places, kinds of people, kinds of organization (None: no contacts) and saved
    lists (常用发送对象, by id)."""

    nodes: list[NodePlace] = field(default_factory=list)
    regions: list[RegionPlace] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    organizations: OrgFilter | None = None
    segments: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Target:
        """The target stored by ``to_json``; unknown values are refused in Chinese."""
        try:
            orgs = data.get("organizations")
            target = cls(
                nodes=[NodePlace(int(n["id"]), bool(n.get("descendants", True))) for n in data.get("nodes") or []],
                regions=[
                    RegionPlace(str(r["code"]), bool(r.get("descendants", True))) for r in data.get("regions") or []
                ],
                people=[str(p) for p in data.get("people") or []],
                organizations=None if orgs is None else OrgFilter(**orgs),
                segments=[_segment_id(s) for s in data.get("segments") or []],
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValidationError("发送范围的格式有误") from error
        target.check_values()
        return target

    def check_values(self) -> None:
        """Every kind named is one the platform knows (Chinese reasons)."""
        errors = [f"人员类别「{p}」不存在" for p in self.people if p not in PeopleKind.values]
        o = self.organizations
        if o is not None:
            for values, choices, label in (
                (o.kinds, OrgKind, "组织类型"),
                (o.industries, Industry, "行业"),
                (o.carrier_kinds, CarrierKind, "载体类型"),
                (o.coverage, CoverageState, "覆盖状态"),
            ):
                errors += [f"{label}「{v}」不存在" for v in values if v not in choices.values]
            if o.min_employees is not None and o.min_employees < 0:
                errors.append("从业人员下限不能为负数")
        errors += [f"常用发送对象「{s}」不存在" for s in self.segments if not isinstance(s, int) or s < 1]
        if errors:
            raise ValidationError(errors)

    @property
    def is_empty(self) -> bool:
        return not self.people and self.organizations is None and not self.segments


def _segment_id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(value)
    return int(value)


def segment_as_target(segment: Segment) -> Target:
    """The plain target reaching what ``segment`` reaches (organization contacts, or members): what
    the scope's refusal is asked about (a secretary sends to members only)."""
    if segments_.reaches(segment.source, segment.query) == segments_.CONTACTS:
        return Target(organizations=OrgFilter())
    return Target(people=[PeopleKind.MEMBERS])


class SenderScope(Protocol):
    """What ``resolve`` asks of the sender's scope (``accounts.scoping.Scope``, handed in by the
    face: this app never imports the seam)."""

    user_id: int | None

    def message_refusal(self, target: Target) -> str | None: ...
    def segment_refusal(self, segment: Segment) -> str | None: ...
    def segments(self) -> QuerySet: ...
    @property
    def message_node_id(self) -> int | None: ...
    def nodes(self, action: Any = ...) -> QuerySet: ...
    def regions(self, action: Any = ...) -> QuerySet: ...
    def party_orgs(self, action: Any = ...) -> QuerySet: ...
    def members(self, action: Any = ...) -> QuerySet: ...
    def floating_members(self, action: Any = ...) -> QuerySet: ...
    def instructors(self, action: Any = ...) -> QuerySet: ...
    def organizations(self, action: Any = ...) -> QuerySet: ...


@dataclass(frozen=True)
class SampleEntry:
    name: str
    description: str  # e.g. 党员 · 某某党支部


@dataclass(frozen=True)
class Places:
    """The target's places as found in the sender's scope."""

    nodes: list[tuple[ManagementNode, bool]]
    regions: list[tuple[Region, bool]]

    @property
    def any(self) -> bool:
        return bool(self.nodes or self.regions)

    def q(self, node_field: str | None, region_field: str | None) -> Q:
        """Rows in any of the places: ``node_field`` a management-node path (``…node__path``),
        ``region_field`` a region path. No place: everything."""
        if not self.any:
            return Q()
        q = Q(pk__in=[])
        for node, below in self.nodes:
            if node_field:
                q |= subtree_q(node.path, node_field) if below else Q(**{node_field: node.path})
        for region, below in self.regions:
            if region_field:
                q |= subtree_q(region.path, region_field) if below else Q(**{region_field: region.path})
        return q


class Resolution:
    """What a target reaches: counts (SQL), a sample (first ten by name) and the recipients
    (streamed in chunks, each person once)."""

    def __init__(
        self, members: QuerySet, applicants: QuerySet, instructors: QuerySet, contacts: QuerySet, orgs: QuerySet
    ):
        self._members = members
        self._applicants = applicants
        self._instructors = instructors
        self._contacts = contacts
        self._orgs = orgs
        self.people = members.count() + applicants.count() + instructors.count() + contacts.count()
        self.organizations = orgs.count()

    def _rows(self) -> list[tuple[str, QuerySet, str]]:
        return [
            ("member", self._members, "name"),
            ("applicant", self._applicants, "name"),
            ("instructor", self._instructors, "name"),
            ("org-contact", self._contacts, "who"),
        ]

    @property
    def sample(self) -> list[SampleEntry]:
        """The first ten people by name (what the page shows before sending)."""
        per_route = []
        for route, qs, order in self._rows():
            rows = qs.order_by(order, "pk")[:SAMPLE]
            per_route.append([(getattr(obj, order), route, obj) for obj in rows])
        merged = heapq.merge(*per_route, key=lambda t: t[0])
        return [SampleEntry(name, _describe(route, obj)) for name, route, obj in list(merged)[:SAMPLE]]

    def recipients(self) -> Iterator[Recipient]:
        """Every recipient once, read ``CHUNK`` rows at a time."""
        member_fields = ("pk", "name", "phone", "email", "sms_opt_out_on", "email_opt_out_on", "user_id")
        node = "party_org__node_id"  # read with the member: facts.recipient_node_sql's first choice
        for m in self._members.values(*member_fields, node).order_by("pk").iterator(CHUNK):
            yield Recipient(
                key=f"user:{m['user_id']}" if m["user_id"] else f"member:{m['pk']}",
                name=m["name"],
                user_id=m["user_id"],
                member_id=m["pk"],
                addresses=_addresses(m["phone"], m["email"], m["sms_opt_out_on"], m["email_opt_out_on"]),
                node_id=m[node],
            )
        fields = ("pk", "name", "phone", "member_id", "member__user_id")
        for a in self._applicants.values(*fields).order_by("pk").iterator(CHUNK):
            user_id, member_id = a["member__user_id"], a["member_id"]
            key = f"user:{user_id}" if user_id else f"member:{member_id}" if member_id else f"applicant:{a['pk']}"
            yield Recipient(
                key=key, name=a["name"], user_id=user_id, member_id=member_id, addresses=_addresses(a["phone"])
            )
        for i in self._instructors.values("pk", "name", "phone", "user_id").order_by("pk").iterator(CHUNK):
            key = f"user:{i['user_id']}" if i["user_id"] else f"instructor:{i['pk']}"
            yield Recipient(key=key, name=i["name"], user_id=i["user_id"], addresses=_addresses(i["phone"]))
        contact_fields = ("pk", "who", "contact_phone", "contact_email", "sms_opt_out_on", "email_opt_out_on")
        for o in self._contacts.values(*contact_fields).order_by("pk").iterator(CHUNK):
            yield Recipient(
                key=f"org-contact:{o['pk']}",
                name=o["who"],
                organization_id=o["pk"],
                addresses=_addresses(
                    o["contact_phone"], o["contact_email"], o["sms_opt_out_on"], o["email_opt_out_on"]
                ),
            )

    def organization_ids(self) -> QuerySet:
        return self._orgs.values_list("pk", flat=True)


def _addresses(phone: str, email: str = "", sms_out=None, email_out=None) -> dict[str, str]:
    """The person's address per channel; a channel they opted out of (a recorded date) has none,
    so no delivery is made on it. Applicants and instructors have a phone only."""
    found = {}
    if phone and sms_out is None:
        found[ChannelKind.SMS] = phone
    if email and email_out is None:
        found[ChannelKind.EMAIL] = email
    return found


def _describe(route: str, obj) -> str:
    if route == "member":
        return f"党员 · {obj.party_org.node.name}"
    if route == "applicant":
        return f"{obj.get_stage_display()} · {obj.party_org.node.name}"
    if route == "instructor":
        return f"党建指导员 · {obj.node.name}"
    return f"组织联系人 · {obj.name}"


def find_places(target: Target, scope: SenderScope) -> Places:
    """The target's nodes and regions, each one the sender may name; else a Chinese reason naming it."""
    errors = []
    nodes, regions = [], []
    for place in target.nodes:
        node = scope.nodes("view").filter(pk=place.id).first()
        if node is None:
            name = ManagementNode.objects.filter(pk=place.id).values_list("name", flat=True).first()
            errors.append(f"管理节点「{name or place.id}」不存在或不在您的权限范围内")
        else:
            nodes.append((node, place.descendants))
    for rplace in target.regions:
        region = scope.regions("view").filter(code=rplace.code).first()
        if region is None:
            name = Region.objects.filter(code=rplace.code).values_list("name", flat=True).first()
            errors.append(f"区划「{name or rplace.code}」不存在或不在您的权限范围内")
        else:
            regions.append((region, rplace.descendants))
    if errors:
        raise ValidationError(errors)
    return Places(nodes, regions)


def _members(target: Target, scope: SenderScope, places: Places) -> QuerySet:
    kinds = set(target.people)
    party_orgs = scope.party_orgs("view").filter(node__is_active=True)
    wanted = Q(pk__in=[])
    if PeopleKind.MEMBERS in kinds:
        wanted = Q()
    else:
        if PeopleKind.SECRETARIES in kinds:
            wanted |= Q(pk__in=party_orgs.filter(secretary__isnull=False).values("secretary_id"))
        if PeopleKind.COMMITTEE in kinds:
            wanted |= Q(pk__in=CommitteeSeat.objects.filter(party_org__in=party_orgs.values("pk")).values("member_id"))
        if PeopleKind.IN_DIFFICULTY in kinds:
            wanted |= Q(needs_help=True)
        if PeopleKind.FLOATING_OUT in kinds:
            wanted |= Q(floating=FloatingStatus.OUTFLOW)
    routes = []
    if kinds & (MEMBER_KINDS - {PeopleKind.FLOATING_IN}):
        held = scope.members("view").filter(is_active=True).filter(wanted)
        held = held.filter(places.q("party_org__node__path", "employer__operating_region__path"))
        routes.append(held)
    if PeopleKind.FLOATING_IN in kinds:
        # 流入党员: registered here as inflow, or flowing out of another branch into one of the sender's
        came = Q(floating=FloatingStatus.INFLOW) | Q(
            floating=FloatingStatus.OUTFLOW, inflow_party_org__in=party_orgs.values("pk")
        )
        inflow = scope.floating_members("view").filter(came)
        if places.any:
            inflow = inflow.filter(
                places.q("inflow_party_org__node__path", "employer__operating_region__path")
                | (Q(floating=FloatingStatus.INFLOW) & places.q("party_org__node__path", None))
            )
        routes.append(inflow)
    if not routes:
        return scope.members("view").none()
    if len(routes) == 1:
        return routes[0].select_related("party_org__node")
    pks = Q(pk__in=routes[0].values("pk")) | Q(pk__in=routes[1].values("pk"))
    return Member.objects.filter(pks).select_related("party_org__node")


def _applicants(target: Target, scope: SenderScope, places: Places, members: QuerySet) -> QuerySet:
    if PeopleKind.APPLICANTS not in target.people:
        return Applicant.objects.none()
    qs = Applicant.objects.filter(party_org__in=scope.party_orgs("view").values("pk"), stage__in=OPEN_STAGES)
    qs = qs.filter(places.q("party_org__node__path", "employer__operating_region__path"))
    return qs.exclude(member__in=members.values("pk")).select_related("party_org__node")


def _instructors(
    target: Target, scope: SenderScope, places: Places, members: QuerySet, applicants: QuerySet
) -> QuerySet:
    qs = scope.instructors("view")
    if PeopleKind.INSTRUCTORS not in target.people:
        return qs.none()
    qs = qs.filter(is_active=True)
    if places.any:
        assigned = InstructorAssignment.objects.filter(active_on(timezone.localdate()))
        where = Q(pk__in=[])
        if places.nodes:
            where |= Places(places.nodes, []).q("node__path", None)
        if places.regions:
            by_region = Places([], places.regions).q(None, "organization__operating_region__path")
            where |= Q(pk__in=assigned.filter(by_region).values("instructor_id"))
        qs = qs.filter(where)
    taken = Q(user_id__in=members.filter(user_id__isnull=False).values("user_id")) | Q(
        user_id__in=applicants.filter(member__user_id__isnull=False).values("member__user_id")
    )
    return qs.exclude(taken).select_related("node")


def _organizations(target: Target, scope: SenderScope, places: Places) -> QuerySet:
    o = target.organizations
    qs = scope.organizations("view")
    if o is None:
        return qs.none()
    qs = qs.filter(status=OrgStatus.OPERATING)
    if o.kinds:
        qs = qs.filter(kind__in=o.kinds)
    if o.industries:
        qs = qs.filter(industry__in=o.industries)
    if o.min_employees is not None:
        qs = qs.filter(employees__gte=o.min_employees)
    if o.carrier_kinds:
        qs = qs.filter(carrier__kind__in=o.carrier_kinds)
    if o.coverage:
        qs = qs.filter(coverage_state__in=o.coverage)
    if places.any:
        where = Q(pk__in=[])
        links = PartyOrgLink.objects.filter(active_on(timezone.localdate()))
        for node, below in places.nodes:
            if below:
                where |= in_node_subtree(node, "responsible_node_id")
                covered = links.filter(subtree_q(node.path, "party_org__node__path"))
            else:
                where |= Q(responsible_node_id=node.pk)
                covered = links.filter(party_org__node_id=node.pk)
            where |= Q(pk__in=covered.values("organization_id"))
        for region, below in places.regions:
            where |= in_region_subtree(region, "operating_region_id") if below else Q(operating_region_id=region.pk)
        qs = qs.filter(where)
    return qs


def _segments(target: Target, scope: SenderScope, drafts: Sequence[Segment]) -> segments_.SegmentRows:
    """The rows of every segment the target names (and of the unsaved ``drafts``), each by its
    list's filter within the scope: the organizations and the members they add up to (None: none)."""
    saved = {s.pk: s for s in Segment.objects.filter(pk__in=target.segments)}
    orgs, members = Q(pk__in=[]), Q(pk__in=[])
    any_orgs = any_members = False
    for segment in [saved[pk] for pk in dict.fromkeys(target.segments) if pk in saved] + list(drafts):
        found = segments_.rows(segment, scope)
        if found.organizations is not None:
            orgs |= Q(pk__in=found.organizations.order_by().values("pk"))
            any_orgs = True
        if found.members is not None:
            members |= Q(pk__in=found.members.order_by().values("pk"))
            any_members = True
    return segments_.SegmentRows(
        organizations=scope.organizations("view").filter(orgs) if any_orgs else None,
        members=scope.members("view").filter(members) if any_members else None,
    )


def reach(target: Target, scope: SenderScope, drafts: Sequence[Segment] = ()) -> Resolution:
    """What ``target`` reaches within ``scope`` — ``resolve`` without its last refusal, so a
    preview can say "nobody". ``drafts`` are unsaved segments (the page's preview before saving),
    taken like the saved ones the target names."""
    target.check_values()
    if target.is_empty and not drafts:
        raise ValidationError(NOTHING_CHOSEN)
    refusal = scope.message_refusal(target)
    if refusal:
        raise ValidationError(refusal)
    refusals = [r for r in (scope.segment_refusal(d) for d in drafts) if r]
    if refusals:
        raise ValidationError(refusals)
    places = find_places(target, scope)
    from_segments = _segments(target, scope, drafts)
    members = _members(target, scope, places)
    if from_segments.members is not None:
        if set(target.people) & MEMBER_KINDS:
            members = Member.objects.filter(
                Q(pk__in=members.order_by().values("pk")) | Q(pk__in=from_segments.members.values("pk"))
            )
        else:
            members = from_segments.members
        members = members.select_related("party_org__node")
    applicants = _applicants(target, scope, places, members)
    instructors = _instructors(target, scope, places, members, applicants)
    orgs = _organizations(target, scope, places)
    if from_segments.organizations is not None:
        listed = Q(pk__in=from_segments.organizations.values("pk"))
        orgs = (
            from_segments.organizations
            if target.organizations is None
            else orgs.model._default_manager.filter(Q(pk__in=orgs.order_by().values("pk")) | listed)
        )
    contacts = orgs.exclude(contact_name="", contact_phone="", contact_email="").annotate(
        who=Case(
            When(contact_name="", then=Concat(F("name"), Value("联系人"))),
            default=F("contact_name"),
            output_field=models.CharField(),
        )
    )
    reached = (
        Q(pk__in=contacts.values("pk"))
        | Q(pk__in=members.filter(employer__isnull=False).values("employer_id"))
        | Q(pk__in=applicants.filter(employer__isnull=False).values("employer_id"))
    )
    organizations = scope.organizations("view").filter(reached)
    return Resolution(members, applicants, instructors, contacts, organizations)


def resolve(target: Target, scope: SenderScope, drafts: Sequence[Segment] = ()) -> Resolution:
    """Who ``target`` reaches within ``scope``. Refused (``ValidationError``, Chinese): an empty
    target, a target the sender may not send (``scope.message_refusal``, which also refuses a
    segment of another user or at a node the sender does not see), a node or region outside the
    scope, a segment whose filter no longer reads, a target that reaches nobody."""
    resolution = reach(target, scope, drafts)
    if not resolution.people:
        raise ValidationError(NOBODY)
    return resolution

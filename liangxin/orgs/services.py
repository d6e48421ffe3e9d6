"""Every change to an organization goes through here, and each writes its audit entry."""

import datetime

from django.db import transaction
from django.utils import timezone

from liangxin.core import audit, contact
from liangxin.core.hooks import Slot
from liangxin.core.models import AuditAction

from . import pinyin
from .choices import SECTOR_OF_KIND, OrgStatus
from .models import Organization
from .responsibility import find_street_committee, responsible_node_for

# Fields a user edits; the rest (pinyin keys, sector, responsible node) are derived.
EDITABLE_FIELDS = [
    "name", "credit_code", "founded_on", "kind", "industry", "supervising_unit", "employees",
    "above_scale", "key_industry", "owner_is_member", "has_union", "has_youth_league",
    "has_womens_federation", "registered_region", "operating_region", "carrier", "address",
    "contact_name", "contact_phone", "contact_email", "attachment_kind", "attachment_node", "attachment_reason",
    "attachment_date",
]  # fmt: skip
AUDITED_FIELDS = EDITABLE_FIELDS + ["responsible_node", "responsible_basis", "status", "status_date", "status_reason"]


# party builds on orgs, not the reverse: party fills this from its AppConfig.ready()
# (liangxin.party.queries.covering_party_nodes: organization id → nodes)
covering_nodes_now = Slot("覆盖组织的党组织节点")


def covering_nodes(org: Organization) -> list:
    """The nodes of active party organizations with an own or joint link to ``org`` now."""
    return covering_nodes_now(org.pk)


def rederive(actor, org_ids) -> None:
    """Recompute the responsible node after party links changed; audit each change."""
    for org in Organization.objects.filter(pk__in=list(org_ids)).select_related(
        "operating_region", "registered_region", "attachment_node", "responsible_node"
    ):
        update_organization(actor, org, {})


def derive(org: Organization, street_committee=find_street_committee) -> None:
    """Set the derived fields: pinyin keys, sector, responsible node and its basis."""
    org.pinyin_initials = pinyin.initials(org.name)
    org.sort_key = pinyin.sort_key(org.name)
    org.sector = SECTOR_OF_KIND[org.kind]
    org.responsible_node, org.responsible_basis = responsible_node_for(
        org, street_committee, covering_nodes=covering_nodes(org) if org.pk else ()
    )


@transaction.atomic
def create_organization(actor, values: dict) -> Organization:
    org = Organization(**values)
    derive(org)
    org.save()
    audit.record(actor, AuditAction.CREATE, org, changes=audit.diff({}, audit.snapshot(org, AUDITED_FIELDS)))
    return org


@transaction.atomic
def update_organization(actor, org: Organization, values: dict) -> Organization:
    """Apply ``values``; writes an audit entry with before/after of the changed fields only."""
    before = audit.snapshot(org, AUDITED_FIELDS)
    for name, value in values.items():
        setattr(org, name, value)
    derive(org)
    changes = audit.diff(before, audit.snapshot(org, AUDITED_FIELDS))
    if changes:
        org.save()
        audit.record(actor, AuditAction.UPDATE, org, changes=changes)
    return org


@transaction.atomic
def deactivate_organization(actor, org: Organization, status: str, on: datetime.date, reason: str) -> Organization:
    """注销 or 迁出: the record stays, with the date and reason; nothing is hard-deleted."""
    if status not in (OrgStatus.MOVED, OrgStatus.DEREGISTERED):
        raise ValueError(status)
    before = audit.snapshot(org, AUDITED_FIELDS)
    org.status, org.status_date, org.status_reason = status, on, reason
    org.save()
    changes = audit.diff(before, audit.snapshot(org, AUDITED_FIELDS))
    audit.record(actor, AuditAction.DEACTIVATE, org, changes=changes, detail=reason)
    return org


@transaction.atomic
def restore_organization(actor, org: Organization, on: datetime.date, reason: str) -> Organization:
    """Back in operation (恢复在营), e.g. a deregistration entered by mistake."""
    before = audit.snapshot(org, AUDITED_FIELDS)
    org.status, org.status_date, org.status_reason = OrgStatus.OPERATING, on, reason
    derive(org)
    org.save()
    audit.record(actor, AuditAction.UPDATE, org, changes=audit.diff(before, audit.snapshot(org, AUDITED_FIELDS)))
    return org


@transaction.atomic
def set_contact_opt_out(actor, org: Organization, channel: str, opted_out: bool, today=None) -> bool:
    """The contact's 不接收短信 / 不接收邮件, recorded with the day (undo clears it); audited.
    Whether anything changed (recording twice keeps the first day)."""
    return contact.record_opt_out(actor, org, channel, opted_out, today or timezone.localdate(), "updated_at")

"""Deleting the demo world (seed_demo --reset)."""

from django.apps import apps
from django.db import connection, transaction

from liangxin.accounts.models import RoleAssignment, User
from liangxin.demo.life import delete_demo as delete_meeting_files
from liangxin.mgmt.models import ManagementNode
from liangxin.orgs.models import Organization, Placement
from liangxin.party.models import (
    CommitteeSeat,
    Employment,
    Instructor,
    InstructorAssignment,
    Member,
    MemberExit,
    MemberExitAttachment,
    PartyOrganization,
    PartyOrgLink,
)
from liangxin.regions.models import Carrier, Region
from liangxin.reporting.models import ReportAssignment, ReportSubmission, ReportTask
from liangxin.stats.models import Cell, RegionVersion, Snapshot, SnapshotCell


@transaction.atomic
def delete_demo_data() -> None:
    """Delete the demo world, dependents first (superuser accounts are kept)."""
    # the party side hangs off both trees and the organizations: clear it first
    # the daily-work apps hang off members and party organizations: their rows go first
    delete_meeting_files()  # the attachment files under var/life/, then the rows below
    # exits first: a 转出至系统外 exit record protects its transfer
    MemberExitAttachment.objects.all().delete()
    MemberExit.objects.all().delete()
    # report tasks hang off nodes and users; the shipped forms (a migration's rows) stay
    ReportSubmission.objects.all().delete()
    ReportAssignment.objects.all().delete()
    ReportTask.objects.all().delete()
    # notices first (each carries a message), and the policy library (its publishers and nodes go below)
    for label in ("circulars", "portal", "qa", "messaging", "life", "develop", "transfers", "dues", "inbox"):
        for model in reversed(list(apps.get_app_config(label).get_models())):
            if model._meta.managed:
                model.objects.all().delete()
    InstructorAssignment.objects.all().delete()
    Instructor.objects.all().delete()
    PartyOrganization.objects.update(secretary=None, deputy=None)
    # plain DELETEs: the ORM's cascade collects every id into one statement, too many for SQLite at 500k
    for model in (CommitteeSeat, Employment, Member, PartyOrgLink, PartyOrganization, Placement):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    # one DELETE: the ORM would load every row to look for dependents that are gone by now
    # (should a new dependent model hold rows, the foreign keys fail the commit and nothing is lost)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(Organization._meta.db_table)}")
    for model in (SnapshotCell, Snapshot, Cell, RegionVersion):  # after the organizations: their triggers bump versions
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    RoleAssignment.objects.all().delete()
    User.objects.filter(is_superuser=False).delete()
    Carrier.objects.all().delete()
    # both trees protect a node with children from deletion: detach the children first
    ManagementNode.objects.update(parent=None)
    ManagementNode.objects.all().delete()
    Region.objects.update(parent=None)
    Region.objects.all().delete()

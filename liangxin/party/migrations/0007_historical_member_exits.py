"""Members already off the roll before exits were recorded get one approved exit each, kind
历史数据 and reason 历史数据, so that every member off the roll has the record that says why.

The date: the day the audit log recorded their 在册 changing from 是 to 否 (the last such
entry), when it did; otherwise blank, shown as 日期不详. A guess (say, the day of this
migration) would be counted in that year's 党员减少 figures, which would be wrong.
"""

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    Member = apps.get_model("party", "Member")
    MemberExit = apps.get_model("party", "MemberExit")
    AuditEntry = apps.get_model("core", "AuditEntry")
    PartyOrganization = apps.get_model("party", "PartyOrganization")
    ManagementNode = apps.get_model("mgmt", "ManagementNode")
    committees = set(
        ManagementNode.objects.filter(kind__in=["city", "district", "street", "industry"]).values_list("pk", flat=True)
    )

    def approving(path: str) -> int | None:
        # the nearest committee above the branch: the level that may reverse the record
        ids = [int(p) for p in path.split("/") if p][:-1]
        return next((i for i in reversed(ids) if i in committees), None)

    node_of = {pk: approving(path) for pk, path in PartyOrganization.objects.values_list("pk", "node__path")}
    off = list(
        Member.objects.filter(is_active=False).exclude(exits__state="approved").values_list("pk", "party_org_id")
    )
    rows = []
    for start in range(0, len(off), 1000):
        chunk = off[start : start + 1000]
        left_on = {}
        entries = AuditEntry.objects.filter(object_type="party.member", object_id__in=[str(pk) for pk, _ in chunk])
        for object_id, at, changes in entries.order_by("at", "pk").values_list("object_id", "at", "changes"):
            change = (changes or {}).get("在册")
            if isinstance(change, list) and len(change) == 2 and change[1] in (False, "否", "False"):
                left_on[int(object_id)] = timezone.localtime(at).date() if timezone.is_aware(at) else at.date()
        rows += [
            MemberExit(
                member_id=pk, party_org_id=party_org_id, approved_node_id=node_of.get(party_org_id), kind="historical", state="approved", on=left_on.get(pk),
                reason="历史数据", check_note="", decision_ref="", return_reason="", reverse_reason="",
            )
            for pk, party_org_id in chunk
        ]  # fmt: skip
    MemberExit.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("party", "0006_member_exit"),
        ("core", "0002_import_jobs"),
        ("mgmt", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

"""The two forms the platform ships (报送表单): a quarterly report on members and party
organizations with platform-prefilled figures, and a monthly report on coverage."""

from django.db import migrations

QUARTERLY = "党员和党组织基本情况季报"
MONTHLY = "两新组织覆盖情况月报"

FORMS = {
    QUARTERLY: (
        "季度报送党员、入党申请人、组织生活、党费和组织关系转接情况。平台预填本单位（含下级）的数据，"
        "如与实际不符可更正，并须说明理由。",
        [
            ("members_full", "正式党员（名）", "prefilled", [], "members_full", True),
            ("members_probationary", "预备党员（名）", "prefilled", [], "members_probationary", True),
            ("applicants_applicant", "入党申请人（名）", "prefilled", [], "applicants_applicant", True),
            ("applicants_activist", "入党积极分子（名）", "prefilled", [], "applicants_activist", True),
            ("applicants_candidate", "发展对象（名）", "prefilled", [], "applicants_candidate", True),
            ("meetings_general", "召开支部党员大会（次）", "prefilled", [], "meetings_general", True),
            ("meetings_committee", "召开支部委员会（次）", "prefilled", [], "meetings_committee", True),
            ("meetings_lecture", "讲党课（次）", "prefilled", [], "meetings_lecture", True),
            ("meetings_theme_day", "开展主题党日（次）", "prefilled", [], "meetings_theme_day", True),
            ("dues_paid", "党费已收缴（元）", "prefilled", [], "dues_paid", True),
            ("dues_owed", "党费欠缴（元）", "prefilled", [], "dues_owed", True),
            ("transfers_in", "组织关系转入（名）", "prefilled", [], "transfers_in", True),
            ("transfers_out", "组织关系转出（名）", "prefilled", [], "transfers_out", True),
            ("floating_out", "流出党员（名）", "prefilled", [], "floating_out", True),
            ("floating_in", "流入党员（名）", "prefilled", [], "floating_in", True),
            ("activities", "开展特色活动（次）", "number", [], "", False),
            ("work_summary", "本季度工作小结", "text", [], "", True),
            ("filled_on", "填报日期", "date", [], "", True),
        ],
    ),
    MONTHLY: (
        "每月报送两新组织党的组织覆盖和工作覆盖情况，以及空白点消除进展。",
        [
            ("orgs_counted", "纳入统计的两新组织（个）", "prefilled", [], "orgs_counted", True),
            ("orgs_covered", "党的组织覆盖的两新组织（个）", "prefilled", [], "orgs_covered", True),
            ("orgs_blank", "空白点（个）", "prefilled", [], "orgs_blank", True),
            ("party_orgs", "党组织数（个）", "prefilled", [], "party_orgs", True),
            ("new_party_orgs", "本月新建党组织（个）", "number", [], "", True),
            ("instructors_sent", "本月新选派党建指导员（名）", "number", [], "", False),
            ("progress", "空白点消除进展", "choice", ["按计划推进", "进度滞后", "已全部消除"], "", True),
            ("note", "情况说明", "text", [], "", False),
            ("evidence", "佐证材料", "file", [], "", False),
        ],
    ),
}


def ship(apps, schema_editor):
    ReportForm = apps.get_model("reporting", "ReportForm")
    ReportField = apps.get_model("reporting", "ReportField")
    for name, (description, fields) in FORMS.items():
        form, _ = ReportForm.objects.get_or_create(name=name, defaults={"description": description})
        for order, (key, label, kind, choices, measure, required) in enumerate(fields, start=1):
            ReportField.objects.get_or_create(
                form=form, key=key,
                defaults=dict(order=order, label=label, kind=kind, choices=choices, measure=measure, required=required),
            )  # fmt: skip


def unship(apps, schema_editor):
    apps.get_model("reporting", "ReportForm").objects.filter(name__in=FORMS, tasks__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]
    operations = [migrations.RunPython(ship, unship)]

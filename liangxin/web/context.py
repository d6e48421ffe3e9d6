"""The left navigation, by module, showing only what the user's scope allows."""

from django.urls import reverse

from liangxin.accounts.scoping import scope_for
from liangxin.inbox.services import unread_count

from .views import (
    assessment,
    assessment_rounds,
    circulars,
    develop,
    dues,
    duty_reports,
    info_reports,
    life,
    messaging,
    qa,
    reporting,
    transfers,
)

# (label, url name, scope capability or None for everyone logged in)
NAVIGATION = [
    ("工作台", [
        ("首页", "web:home", None), ("消息与待办", "web:inbox", None), ("我的党员信息", "web:my_membership", "member"),
    ]),
    ("日常工作", []),  # filled from the daily-work view modules' NAV (below)
    ("信息传输", []),  # filled from the messaging and circulars pages' NAV (below)
    ("互动网", [
        ("互动网首页", "web:portal_home", None), ("动态与公告", "web:news_list", None),
        ("政策文件库", "web:policy_doc_list", None), ("稿件与审核", "web:news_drafts", "can_write_news"),
    ]),
    ("信息报送", []),  # filled from the reporting pages' NAV (below)
    ("考核评估", []),  # filled from the assessment pages' NAV (below)
    ("统计分析", [
        ("覆盖统计", "web:stats_dashboard", "can_read_stats"),
        ("空白点", "web:stats_blank_spots", "can_read_stats"),
        ("年度报表", "web:stats_yearend", "can_read_stats"),
    ]),
    ("组织管理", [
        ("两新组织名录", "web:org_list", "can_read_orgs"),
        ("新增两新组织", "web:org_create", "can_edit_registry"),
        ("批量导入", "web:import_list", "can_import"),
    ]),
    ("党组织与党员", [
        ("党组织", "web:party_list", "can_read_party"),
        ("党员", "web:member_list", "can_read_party"),
        ("党员减少", "web:exit_list", "can_read_party"),
        ("党建指导员", "web:instructor_list", "can_read_registry"),
        ("问题清单", "web:finding_list", "can_read_orgs"),
    ]),
    ("基础数据", [
        ("行政区划", "web:region_list", "can_read_registry"),
        ("载体", "web:carrier_list", "can_read_registry"),
        ("管理体系", "web:node_list", "can_read_registry"),
        ("政策参数", "web:policy", "can_read_registry"),
    ]),
    ("系统", [
        ("账号管理", "web:account_list", "can_manage_accounts"),
        ("操作日志", "web:audit_list", "can_read_audit"),
        ("个人设置", "web:profile", None),
        ("API 文档", "api-docs", "can_read_api_docs"),
    ]),
]  # fmt: skip


def navigation(request) -> dict:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    scope = scope_for(request.user)
    sections = []
    for title, items in NAVIGATION:
        if title == "日常工作":
            items = daily_work_links()
        elif title == "信息传输":
            items = messaging.NAV + circulars.NAV
        elif title == "互动网":
            items = items + qa.NAV
        elif title == "信息报送":
            items = reporting.NAV + info_reports.NAV
        elif title == "考核评估":
            items = assessment.NAV + assessment_rounds.NAV + duty_reports.NAV
        links = [
            {"label": label, "url": reverse(name), "active": False}
            for label, name, capability in items
            if not capability or getattr(scope, capability)
        ]
        if links:
            sections.append({"title": title, "links": links})
    # the one link whose address is the longest prefix of this page is the active one
    matches = [link for s in sections for link in s["links"] if request.path.startswith(link["url"])]
    if matches:
        max(matches, key=lambda link: len(link["url"]))["active"] = True
    return {"nav_sections": sections, "scope": scope, "unread_notices": unread_count(request.user)}


def daily_work_links() -> list:
    return [link for module in (life, develop, transfers, dues) for link in module.NAV]

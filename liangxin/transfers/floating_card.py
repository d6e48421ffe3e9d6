"""流动党员活动证 as a Word file, filled from a floating member's record.

The card is issued by the outflow side (the party organization holding the membership) when a
member goes to work or do business elsewhere; the member shows it to the inflow party
organization, which records on it the organization life the member took part in and the dues
paid there. Page 1 is the holder and the issuing organization (with its contact: the secretary),
page 2 the inflow organization's registration and the record of activities, page 3 the record of
dues — tables with blank rows, filled by hand.

Only an outflow member has a card this platform issues: an inflow member's card was issued by the
outflow side outside the platform (``refusal``).
"""

import datetime

from liangxin.core import word
from liangxin.core.dates import chinese_date, chinese_month
from liangxin.party.choices import FloatingStatus
from liangxin.party.models import Member

from .models import CensusRecord

TITLE = "流动党员活动证"
OUTFLOW_NOTE = "流出登记"  # the census record ``services.register_outflow`` writes
ACTIVITY_ROWS = 14
DUES_ROWS = 16
NOTES = [
    "一、本证是流动党员参加组织生活、接受教育管理的凭证，由流出地党组织发放，持证人妥善保管，不得转借。",
    "二、持证人外出后，应主动持本证与流入地党组织联系，参加组织生活，按期交纳党费。",
    "三、流入地党组织应在本证上登记接收情况，如实记载持证人参加组织生活和交纳党费情况，并加盖公章。",
    "四、持证人返回或外出地点变动时，应及时向流出地党组织报告。",
]


def refusal(member: Member) -> str:
    """Why no card can be printed for ``member`` ("" when one can)."""
    if not member.is_active:
        return f"{member.name}已不在册，不能打印流动党员活动证"
    if member.floating == FloatingStatus.INFLOW:
        place = member.outflow_place or "流出地"
        return f"{member.name}是流入党员，其流动党员活动证由流出地党组织（{place}）发放，本平台不代为出具"
    if member.floating != FloatingStatus.OUTFLOW:
        return f"{member.name}不是流动党员（未登记流出），没有流动党员活动证；请先办理流出登记"
    if not member.floating_card_no:
        return f"{member.name}的流出登记没有流动党员活动证号，请先补登证号"
    return ""


def outflow_registered_on(member: Member) -> datetime.date | None:
    """The day of the latest 流出登记 (the card is issued then; 外出时间 starts then)."""
    return (
        CensusRecord.objects.filter(member=member, note=OUTFLOW_NOTE)
        .order_by("-confirmed_on", "-id")
        .values_list("confirmed_on", flat=True)
        .first()
    )


def _blank_date() -> str:
    return f"{word.BLANK[:3]}年{word.BLANK[:2]}月{word.BLANK[:2]}日"


def _holder_rows(member: Member, since: datetime.date | None, paid_through: datetime.date | None) -> list[list[str]]:
    party_org = member.party_org
    secretary = party_org.secretary
    inflow_org = member.inflow_party_org
    return [
        ["姓名", member.name, "性别", member.get_sex_display()],  # type: ignore[attr-defined]
        ["出生年月", chinese_month(member.birth_date), "民族", ""],
        ["入党时间", chinese_date(member.joined_on), "党员类别", member.get_category_display()],  # type: ignore[attr-defined]
        [
            "转正时间",
            chinese_date(member.full_on) if member.full_on else "—",
            "文化程度",
            member.get_education_display() or "",  # type: ignore[attr-defined]
        ],
        ["组织关系所在党组织", party_org.name, "联系电话", member.phone or ""],
        ["流出地", member.outflow_place or party_org.name, "流入地", member.inflow_place],
        ["流入地党组织", inflow_org.name if inflow_org else "", "党费交至", _paid(paid_through)],
        ["外出时间", f"{chinese_date(since) if since else _blank_date()} 至 {_blank_date()}", "", ""],
        ["发证党组织", f"{party_org.name}（盖章）", "发证日期", chinese_date(since) if since else ""],
        ["联系人", secretary.name if secretary else "", "联系电话", (secretary.phone if secretary else "") or ""],
    ]


def _paid(month: datetime.date | None) -> str:
    return chinese_month(month) if month else ""


def build(member: Member, *, paid_through: datetime.date | None) -> bytes:
    """The card as .docx bytes (three A4 pages). Refuses what ``refusal`` refuses (``core.word.Refused``)."""
    reason = refusal(member)
    if reason:
        raise word.Refused(reason)
    since = outflow_registered_on(member)
    doc = word.a4_document({"top": 25, "bottom": 20, "left": 25, "right": 25})
    word.title(doc, TITLE, size=22)
    word.paragraph(doc, f"证号：{member.floating_card_no}", font=word.SONG, size=12, align="center", space_after=8)
    table = word.bordered_table(doc, _holder_rows(member, since, paid_through), [32, 53, 25, 50], size=11)
    word.merge_across(table, 7, 1, 3)  # 外出时间 spans the row
    word.row_height(table, 9)
    word.paragraph(doc, "", space_after=4)
    word.paragraph(doc, "使用说明", font=word.HEI, size=12, bold=True)
    for note in NOTES:
        word.paragraph(doc, note, size=10.5)

    word.page_break(doc)
    word.title(doc, "流入地党组织接收登记", size=15)
    receive = [["接收党组织", "接收日期", "联系人", "联系电话", "党组织盖章"], *[[""] * 5 for _ in range(2)]]
    word.row_height(word.bordered_table(doc, receive, [45, 28, 25, 30, 32], header=True), 12)
    word.paragraph(doc, "", space_after=4)
    word.title(doc, "参加组织生活情况记录", size=15)
    activities = [["日期", "活动内容", "组织活动的党组织", "负责人签字"], *[[""] * 4 for _ in range(ACTIVITY_ROWS)]]
    word.row_height(word.bordered_table(doc, activities, [25, 70, 40, 25], header=True), 10)

    word.page_break(doc)
    word.title(doc, "党费交纳记录", size=15)
    word.paragraph(doc, f"流出前党费已交至：{_paid(paid_through) or _blank_date()[:-3]}", size=11)
    dues = [["交纳月份", "金额（元）", "收缴党组织", "经手人", "备注"], *[[""] * 5 for _ in range(DUES_ROWS)]]
    word.row_height(word.bordered_table(doc, dues, [28, 25, 52, 25, 30], header=True), 9)
    word.paragraph(doc, "", space_after=4)
    word.title(doc, "流入地党组织意见", size=15)
    opinion = word.bordered_table(doc, [["（持证人在流入地的表现、参加组织生活和交纳党费情况）"]], [160], size=10.5)
    word.row_height(opinion, 40)
    return word.to_bytes(doc)


def file_name(member: Member) -> str:
    return f"流动党员活动证_{word.file_part(member.floating_card_no)}.docx"

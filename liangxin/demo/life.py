"""Demo data for 组织生活 (called by seed_demo after the party side exists).

Organization life since 1 January of last year (a whole calendar year for the grid and the
roll-up, and this year to date) for the active party organizations: each gets a habit — most hold
nearly every meeting the rules ask (``policy.values()``: the months of each kind, the committee
threshold), some miss a month now and then, some miss often, a few record nothing at all — and
its held meetings get realistic topics, places, short minutes and the attendance of its members
(most present, some on leave with a reason, a few absent). Some party organizations have a
meeting planned in the coming weeks. The demo secretary's branch keeps good records, and its
coming meetings are scheduled through the service, so the demo member finds the notices in the
inbox; one of its meetings has a photo and a sign-in sheet attached.

Speed: four reads (party organizations with their facts, members, committee seats, nothing
else), planning in memory, meetings by ``bulk_create`` (their ids are needed for attendance),
attendance by ``core.bulk.insert``. Operator bulk loading: no audit entries, except for what
goes through the services for the demo secretary.
"""

import datetime
import random
import struct
import zlib
from collections import defaultdict

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

from liangxin.accounts.models import RoleAssignment, User
from liangxin.core import bulk
from liangxin.demo.common import Log
from liangxin.life import attachments, compliance, services
from liangxin.life.choices import KIND_PARAMETER, AttendanceStatus, MeetingKind, MeetingStatus
from liangxin.life.models import Attachment, Attendance, Meeting
from liangxin.life.periods import months_of, period_of
from liangxin.party import policy
from liangxin.party.models import CommitteeSeat, Member, PartyOrganization

# habit → (share of party organizations, chance each required meeting is held)
HABITS = {"diligent": (0.62, 0.99), "patchy": (0.22, 0.85), "weak": (0.10, 0.4), "none": (0.06, 0.0)}
PLANNED_SHARE = 0.3  # party organizations with a meeting planned in the coming weeks
CANCELLED_SHARE = 0.02  # of planned-then-held meetings, one cancelled and held another day
PRESENT, EXCUSED = 0.86, 0.10  # the rest absent
GROUP_SHARE = 0.5  # members at one 党小组会
MEETING_BATCH = 2_000

TOPICS = {
    MeetingKind.GENERAL: [
        "学习贯彻党的二十届三中全会精神", "通报支部工作，审议年度工作计划", "讨论接收预备党员",
        "学习《中国共产党纪律处分条例》", "听取支部委员会工作报告", "讨论预备党员转正",
    ],
    MeetingKind.COMMITTEE: [
        "研究本月支部工作安排", "研究发展党员工作", "研究党费收缴和使用情况", "研究主题党日活动方案",
        "分析党员思想状况", "研究党员联系服务群众工作",
    ],
    MeetingKind.GROUP: ["学习习近平新时代中国特色社会主义思想", "交流学习体会", "讨论岗位建功措施", "学习党章"],
    MeetingKind.LECTURE: [
        "书记讲党课：弘扬伟大建党精神", "专题党课：以高质量党建引领企业高质量发展", "党课：学习新修订的纪律处分条例",
        "微党课：身边的榜样", "党课：传承红色基因，争做合格党员",
    ],
    MeetingKind.THEME_DAY: [
        "重温入党誓词", "参观中共一大纪念馆", "社区志愿服务", "参观龙华烈士陵园", "学雷锋志愿服务",
        "垃圾分类志愿宣传", "参观陈云纪念馆", "“党员先锋岗”承诺践诺", "走访慰问困难党员",
    ],
    MeetingKind.REVIEW: ["年度组织生活会：对照检查，开展批评与自我批评"],
    MeetingKind.APPRAISAL: ["年度民主评议党员"],
}  # fmt: skip
PLACES = [
    "公司会议室", "党员活动室", "楼宇党群服务站", "园区党群服务中心", "街道党群服务中心", "线上（腾讯会议）",
    "公司多功能厅",
]  # fmt: skip
OUTINGS = {"参观中共一大纪念馆": "中共一大纪念馆", "参观龙华烈士陵园": "龙华烈士陵园", "参观陈云纪念馆": "陈云纪念馆"}
LEAVE_REASONS = ["出差", "病假", "外地项目驻场", "家中有事", "参加公司培训", "值班"]


def build_demo(rng: random.Random, log: Log) -> dict:
    if Meeting.objects.exists():
        return {}
    today = timezone.localdate()
    start = datetime.date(today.year - 1, 1, 1)
    params = policy.values()
    active = PartyOrganization.objects.filter(node__is_active=True)
    facts = compliance.org_facts(active)
    if not facts:
        return {}
    members: dict[int, list[int]] = defaultdict(list)
    for po_id, pk in Member.objects.filter(is_active=True).order_by("pk").values_list("party_org_id", "pk"):
        members[po_id].append(pk)
    seats: dict[int, list[int]] = defaultdict(list)
    for po_id, pk in CommitteeSeat.objects.values_list("party_org_id", "member_id"):
        seats[po_id].append(pk)
    plan = Plan(rng, today, start, params, members, seats)
    demo_branch = _demo_branch()
    for f in facts:
        plan.party_org(f, exemplary=demo_branch is not None and f.id == demo_branch.pk)
    with transaction.atomic():
        made = write(plan)
    secretary = _secretary_branch(demo_branch, today) if demo_branch else 0
    counts = {
        "组织生活会议": Meeting.objects.count(),
        "参会记录": made["attendance"],
        "计划召开的会议": Meeting.objects.filter(status=MeetingStatus.PLANNED).count(),
    }
    counts["按习惯：认真/时有缺漏/经常缺漏/没有记录"] = "/".join(str(plan.habits[h]) for h in HABITS)
    if secretary:
        counts["演示书记支部会议通知"] = secretary
    log(f"组织生活：{len(facts):,} 个党组织，{counts['组织生活会议']:,} 次会议")
    return counts


class Plan:
    """Meetings and their attendance, planned in memory."""

    def __init__(self, rng, today, start, params, members, seats) -> None:
        self.rng, self.today, self.start, self.params = rng, today, start, params
        self.members, self.seats = members, seats
        self.meetings: list[Meeting] = []
        self.attendance: list[list[tuple[int, str, str]]] = []  # per meeting
        self.habits: dict[str, int] = dict.fromkeys(HABITS, 0)
        self.planned = 0
        names, weights = list(HABITS), [share for share, _ in HABITS.values()]
        self._pick_habit = lambda: rng.choices(names, weights)[0]

    def party_org(self, facts: compliance.OrgFacts, exemplary: bool = False) -> None:
        """``exemplary``: every period that has ended is held (the demo secretary's branch)."""
        habit = "diligent" if exemplary else self._pick_habit()
        self.habits[habit] += 1
        chance = 1.0 if exemplary else HABITS[habit][1]
        if not chance:
            return
        begin = max(self.start, facts.founded_on or self.start)
        for kind in MeetingKind:
            if compliance.not_applicable(kind, facts, self.params):
                continue
            months = months_of(self.params[KIND_PARAMETER[kind]])
            period = period_of(begin, months)
            while period.start <= self.today:
                first, last = max(period.start, begin), min(period.end, self.today)
                ended = period.end < self.today
                # the current period: held already with a chance growing as it goes by
                share = 1.0 if ended else (last - period.start).days / max((period.end - period.start).days, 1)
                if first <= last and self.rng.random() < chance * share:
                    self._held(facts, kind, self._day(first, last))
                period = period_of(period.end + datetime.timedelta(days=1), months)
        if self.rng.random() < PLANNED_SHARE and habit != "weak":
            kind = self.rng.choice([MeetingKind.THEME_DAY, MeetingKind.LECTURE, MeetingKind.GENERAL])
            self._meeting(facts, kind, self.today + datetime.timedelta(days=self.rng.randint(2, 25)), planned=True)

    def _day(self, first: datetime.date, last: datetime.date) -> datetime.date:
        days = (last - first).days
        day = first + datetime.timedelta(days=self.rng.randint(0, days))
        if day.weekday() >= 5 and days >= 7:  # most meetings on a working day
            day -= datetime.timedelta(days=day.weekday() - 4)
            day = max(day, first)
        return day

    def _meeting(self, facts, kind, day, planned=False) -> Meeting:
        topic = self.rng.choice(TOPICS[kind])
        place = OUTINGS.get(topic) or self.rng.choice(PLACES)
        minutes = ""
        if not planned:
            minutes = f"会议由书记主持。{topic}。与会党员结合工作实际作了发言，会议明确了下一步工作。"
        meeting = Meeting(
            party_org_id=facts.id, kind=kind, status=MeetingStatus.PLANNED if planned else MeetingStatus.HELD,
            date=day, start_time=datetime.time(self.rng.choice([9, 10, 14, 15, 16]), self.rng.choice([0, 30])),
            topic=topic, place=place, minutes=minutes,
        )  # fmt: skip
        self.meetings.append(meeting)
        self.attendance.append([])
        self.planned += planned
        return meeting

    def _held(self, facts, kind, day) -> None:
        if self.rng.random() < CANCELLED_SHARE:
            cancelled = self._meeting(facts, kind, day)
            cancelled.status, cancelled.minutes, cancelled.cancel_reason = MeetingStatus.CANCELLED, "", "与上级会议冲突"
        self._meeting(facts, kind, day)
        self.attendance[-1] = self._attendees(facts, kind)

    def _attendees(self, facts, kind) -> list[tuple[int, str, str]]:
        people = self.members.get(facts.id, [])
        if kind == MeetingKind.COMMITTEE:
            people = self.seats.get(facts.id) or people[:5]
        elif kind == MeetingKind.GROUP and len(people) > 6:
            people = self.rng.sample(people, max(3, int(len(people) * GROUP_SHARE)))
        rows = []
        for pk in people:
            roll = self.rng.random()
            if roll < PRESENT:
                rows.append((pk, AttendanceStatus.PRESENT, ""))
            elif roll < PRESENT + EXCUSED:
                rows.append((pk, AttendanceStatus.EXCUSED, self.rng.choice(LEAVE_REASONS)))
            else:
                rows.append((pk, AttendanceStatus.ABSENT, ""))
        if rows and not any(s == AttendanceStatus.PRESENT for _, s, _ in rows):
            rows[0] = (rows[0][0], AttendanceStatus.PRESENT, "")
        return rows


def write(plan: Plan) -> dict[str, int]:
    made = Meeting.objects.bulk_create(plan.meetings, batch_size=MEETING_BATCH)
    rows = (
        {"meeting_id": m.pk, "member_id": pk, "status": status, "reason": reason}
        for m, people in zip(made, plan.attendance, strict=True)
        for pk, status, reason in people
    )
    attended = bulk.insert(Attendance, rows)
    return {"meetings": len(made), "attendance": attended, "planned": plan.planned}


def _demo_branch() -> PartyOrganization | None:
    """The party organization of seed_demo's ``secretary`` account, if there is one."""
    grant = RoleAssignment.objects.filter(user__username="secretary", role="secretary").first()
    return PartyOrganization.objects.filter(node_id=grant.node_id).first() if grant else None


def _secretary_branch(branch: PartyOrganization, today: datetime.date) -> int:
    """The demo secretary's branch: two coming meetings scheduled through the service (the
    members with accounts get notices), and a photo and sign-in sheet on its latest meeting."""
    user = User.objects.get(username="secretary")
    Meeting.objects.filter(party_org=branch, status=MeetingStatus.PLANNED).delete()
    sent = 0
    for kind, days, topic in [
        (MeetingKind.THEME_DAY, 6, "重温入党誓词，参观中共一大纪念馆"),
        (MeetingKind.LECTURE, 13, "书记讲党课：以高质量党建引领企业高质量发展"),
    ]:
        values = {"kind": kind, "status": "planned", "date": today + datetime.timedelta(days=days), "topic": topic,
                  "place": "中共一大纪念馆" if kind == MeetingKind.THEME_DAY else "公司会议室",
                  "start_time": datetime.time(14, 0)}  # fmt: skip
        services.create_meeting(user, branch, values, today=today)
        sent += 1
    latest = Meeting.objects.filter(party_org=branch, status=MeetingStatus.HELD).order_by("-date").first()
    if latest is not None and not Attachment.objects.filter(meeting=latest).exists():
        files = [SimpleUploadedFile("会议合影.png", _png()), SimpleUploadedFile("签到表.pdf", _pdf(latest))]
        services.add_attachments(user, latest, files)
    return sent


def _png() -> bytes:
    """A small valid PNG (a red square), made here so the demo needs no files."""
    width = height = 8
    raw = b"".join(b"\x00" + b"\xb7\x1c\x1c" * width for _ in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _pdf(meeting: Meeting) -> bytes:
    """A one-page PDF (ASCII text: the date of the meeting)."""
    text = f"Sign-in sheet {meeting.date:%Y-%m-%d}".encode()
    stream = b"BT /F1 18 Tf 60 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def delete_demo() -> None:
    """Remove organization life (before seed_demo --reset deletes party organizations and
    members, which the meetings and attendance refer to), files included."""
    names = list(Attachment.objects.values_list("stored_name", flat=True))
    with transaction.atomic(), connection.cursor() as cursor:
        for model in (Attachment, Attendance, Meeting):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    for name in names:
        attachments.remove(name)

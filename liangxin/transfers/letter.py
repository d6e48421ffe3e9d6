"""中国共产党党员组织关系介绍信 as a Word file, filled from a transfer.

The form of the 中央组织部 has three parts on one A4 page, cut apart along dashed lines: the
**存根** (stub, kept by the issuing organization), the **介绍信** (the letter, addressed to the
receiving organization, carried by the member) and the **回执** (return slip, which the receiving
organization seals and sends back). Each part carries the letter number.

A letter exists only once the sending side may issue it: not for a transfer waiting for its
committee's review, not for one returned (the letter is void), and not for a transfer in from
outside the platform (that letter was issued elsewhere; the platform only registers it).
``refusal`` says why in Chinese; ``build`` refuses the same cases (``core.word.Refused``).

The validity is the policy parameter ``transfer_letter_valid_months`` (the same the 超期 check
uses), printed as the number of days from the issue date to the last valid day, with that day.
"党费已交到" is the dues ledger's month (``party.dues_facts.paid_through``); blank when it
cannot say, to be written by hand.
"""

import datetime

from liangxin.core import word
from liangxin.core.dates import chinese_date, chinese_month

from . import rules
from .models import Transfer, TransferKind, TransferState

PARTS = ("存根", "介绍信", "回执")
TITLE = "中国共产党党员组织关系介绍信"
BODY = 14  # points: 仿宋 四号, the body of each part


def refusal(transfer: Transfer) -> str:
    """Why no letter can be printed for ``transfer`` ("" when one can)."""
    if transfer.kind == TransferKind.IN:
        return (
            f"该介绍信由系统外党组织（{transfer.from_org_name}）开具，本平台只登记接收，不出具介绍信"
            "（可打印本平台转出或系统内转接的介绍信）"
        )
    if transfer.state == TransferState.RETURNED:
        return f"该转接已退回（退回原因：{transfer.return_reason or '未填写'}），介绍信已作废，不能打印"
    if transfer.state == TransferState.INITIATED and transfer.needs_review:
        committee = transfer.review_node.name if transfer.review_node else "转出方上级党委"
        return f"该转接尚待{committee}审核，审核通过后才能打印介绍信"
    return ""


def issuer(transfer: Transfer) -> str:
    """Who issues and seals the letter: the sending side's committee (it reviews, or started the
    transfer itself), else the sending party organization."""
    return transfer.review_node.name if transfer.review_node else transfer.from_org_name


def valid_days(transfer: Transfer, params: dict) -> tuple[int, datetime.date]:
    """(days, last valid day): the letter's validity from the policy parameter, in days."""
    until = rules.letter_valid_until(transfer.issued_on, params)
    return (until - transfer.issued_on).days, until


def _age(birth: datetime.date, on: datetime.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _person(transfer: Transfer, id_number: str) -> str:
    """同志，性别，年龄，民族（手填），类别，公民身份号码 — as the form words it."""
    member = transfer.member
    assert member is not None, "refusal() leaves only transfers of a member on the platform"
    category = member.get_category_display()  # type: ignore[attr-defined]
    sex = member.get_sex_display()  # type: ignore[attr-defined]
    age = _age(member.birth_date, transfer.issued_on)
    return f"{transfer.person_name}同志，{sex}，{age}岁，{word.BLANK[:3]}族，系中共{category}，公民身份号码{id_number}"


def _number(container, letter_no: str) -> None:
    word.paragraph(container, f"第 {letter_no} 号", font=word.SONG, size=12, align="right")


def _signature(container, signer: str, day: datetime.date | None) -> None:
    word.paragraph(container, f"{signer}（盖章）", size=BODY, align="right")
    date_text = chinese_date(day) if day else f"{word.BLANK[:3]}年{word.BLANK[:2]}月{word.BLANK[:2]}日"
    word.paragraph(container, date_text, size=BODY, align="right")


def _stub(doc, transfer: Transfer, id_number: str, days: int, until: datetime.date) -> None:
    word.title(doc, f"{TITLE}（存根）", size=16)
    _number(doc, transfer.letter_no)
    text = (
        f"{_person(transfer, id_number)}，由{transfer.from_org_name}转到{transfer.to_org_name}。"
        f"有效期{days}天（至{chinese_date(until)}）。"
    )
    word.paragraph(doc, text, indent_chars=2, size=BODY)
    word.paragraph(doc, f"开具日期：{chinese_date(transfer.issued_on)}", size=BODY, align="right")


def _letter(doc, transfer: Transfer, id_number: str, days: int, until: datetime.date, paid: str) -> None:
    word.title(doc, TITLE, size=18)
    _number(doc, transfer.letter_no)
    word.paragraph(doc, f"{transfer.to_org_name}：", size=BODY)
    text = (
        f"{_person(transfer, id_number)}，由{transfer.from_org_name}转到{transfer.to_org_name}，"
        f"请接转组织关系。该同志党费已交到{paid}。"
    )
    word.paragraph(doc, text, indent_chars=2, size=BODY)
    word.paragraph(doc, f"有效期{days}天（至{chinese_date(until)}）。", indent_chars=2, size=BODY)
    _signature(doc, issuer(transfer), transfer.issued_on)
    member = transfer.member
    phone = (member.phone if member else "") or word.BLANK
    word.paragraph(doc, f"党员联系电话：{phone}", size=11)
    blank = word.BLANK
    address = f"党员原所在基层党委通讯地址：{blank}{blank[:3]}  联系电话：{blank}  邮编：{blank[:4]}"
    word.paragraph(doc, address, size=11)


def _receipt(doc, transfer: Transfer) -> None:
    word.title(doc, f"{TITLE}（回执）", size=16)
    _number(doc, transfer.letter_no)
    word.paragraph(doc, f"{issuer(transfer)}：", size=BODY)
    word.paragraph(doc, f"{transfer.person_name}同志的党员组织关系已转达我处，特此回执。", indent_chars=2, size=BODY)
    _signature(doc, transfer.to_org_name, None)
    word.paragraph(doc, "（本回执由接收党组织填写盖章后，寄回开具介绍信的党组织）", size=10.5)


def paid_text(month: datetime.date | None) -> str:
    return chinese_month(month) if month else f"{word.BLANK[:3]}年{word.BLANK[:2]}月"


def build(transfer: Transfer, *, id_number: str, paid_through: datetime.date | None, params: dict) -> bytes:
    """The three parts on one A4 page, as .docx bytes. ``id_number``: what the letter prints (the
    full number or the masked one, as the caller may show); ``paid_through``: the dues month."""
    reason = refusal(transfer)
    if reason:
        raise word.Refused(reason)
    days, until = valid_days(transfer, params)
    doc = word.a4_document(line_spacing=1.3)
    _stub(doc, transfer, id_number, days, until)
    word.cut_line(doc, space=16)
    _letter(doc, transfer, id_number, days, until, paid_text(paid_through))
    word.cut_line(doc, space=16)
    _receipt(doc, transfer)
    return word.to_bytes(doc)


def file_name(transfer: Transfer) -> str:
    return f"组织关系介绍信_{word.file_part(transfer.letter_no or str(transfer.pk))}.docx"

"""Bulk import at scale: our import (``manage.py import_data``) against the raw load and a peer.

Builds a messy organization ledger (1,000,000 rows by default) and a member ledger (500,000)
with the demo generator, as CSV and as .xlsx, then measures on SQLite and on PostgreSQL:

- ours: ``manage.py import_data KIND FILE --as city_admin --quiet`` as shipped (validation,
  audit, coverage), in a subprocess, on an empty table (every row new) and again on the
  same file (every row unchanged: the idempotent path). rows/s = data rows of the file over
  the command's wall time (Django start-up and copying the upload included). Peak memory:
  the largest sum of PSS over the command's process tree (it forks a pool of workers),
  sampled every second, and the largest single-process max RSS (``wait4`` rusage);
- raw (the limit): the accepted rows' values, already clean, into the same table with the
  same indexes — PostgreSQL ``COPY`` (psycopg ``cursor.copy``), SQLite ``executemany`` in one
  transaction — in this process, reading a prepared tab-separated file (reading included);
- peer: django-import-export (bench-only dependency, ``bench/requirements-bench.txt``,
  installed in ``bench/.venv-bench``) with ``use_bulk``, ``skip_diff``, ``batch_size=1000`` on
  the first ``--peer-rows`` rows of the same organization CSV.

Every measured step runs on a fresh copy of a base database (migrated; ``seed_demo`` world
and demo accounts; for members also the organizations and party organizations that the
member file names). Generated files and SQLite bases are cached under ``--cache``
(default ``bench/out/import``), keyed by size, seed and the migrations.

Usage:
    .venv/bin/python bench/import_bench.py --quick                      # 20,000 rows, SQLite + PostgreSQL
    .venv/bin/python bench/import_bench.py --db sqlite                  # 1,000,000 orgs, 500,000 members
    .venv/bin/python bench/import_bench.py --orgs 200000 --members 100000 --db both
    .venv/bin/python bench/import_bench.py --quick --profile            # + cProfile of one import

Not a test: prints figures and the targets' pass/fail, never fails on them.
"""

import argparse
import csv
import datetime
import hashlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
PEER_PY = ROOT / "bench" / ".venv-bench" / "bin" / "python"
TIME = Path("/usr/bin/time")  # GNU time: %M is the largest max RSS of the command's processes
MANAGE = ROOT / "manage.py"
ORG_OFFSET = 5_000_000  # credit codes of the file's rows never meet those seed_demo gives (index 0…)
SAMPLE_EVERY = 1.0  # a sample costs ≈ 25 ms of one core (smaps_rollup of a 300 MB process)
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
TODAY = datetime.date.today()

# =============================================================================================
# Generating the files (runs in a subprocess with Django set up on a copy of a base database)
# =============================================================================================
ORG_HEADERS = [  # (field, the header the ledger uses: aliases, a 必填 star, a unit)
    ("serial", "序号"),
    ("name", "企业名称*"),
    ("credit_code", "统一社会信用代码"),
    ("kind", "企业类型*"),
    ("industry", "行业"),
    ("founded_on", "成立时间"),
    ("employees", "职工人数（人）"),
    ("above_scale", "是否规模以上"),
    ("key_industry", "重点行业"),
    ("owner_is_member", "出资人是否党员"),
    ("has_union", "是否建立工会"),
    ("has_youth_league", "团组织"),
    ("has_womens_federation", "妇联"),
    ("supervising_unit", "业务主管单位"),
    ("registered_region", "注册地区划代码"),
    ("operating_region", "所在街道*"),
    ("carrier", "所在楼宇"),
    ("address", "经营地址"),
    ("contact_name", "联系人"),
    ("contact_phone", "联系电话"),
    ("attachment_kind", "隶属调整方式"),
    ("attachment_node", "调整后隶属党委"),
    ("attachment_reason", "调整原因"),
    ("attachment_date", "调整日期"),
    ("remark", "备注"),
]
MEMBER_HEADERS = [
    ("serial", "序号"),
    ("name", "姓名"),
    ("id_number", "身份证号"),
    ("party_org", "所在支部"),
    ("category", "人员类别"),
    ("joined_on", "入党时间"),
    ("full_on", "转正时间"),
    ("phone", "手机号"),
    ("education", "文化程度"),
    ("employer_code", "单位统一社会信用代码"),
    ("employed_since", "入职时间"),
    ("floating", "流动党员"),
    ("floating_card_no", "活动证号"),
    ("outflow_place", "流出地"),
    ("inflow_place", "流入地"),
    ("inflow_party_org", "流入地党组织"),
    ("needs_help", "是否困难党员"),
    ("dues_base", "党费基数（元/月）"),
    ("is_active", "是否在册"),
    ("remark", "备注"),
]
KIND_ALIASES = {
    "private": ["民营企业", "私营", "有限责任公司"],
    "foreign": ["外资企业", "外商独资企业", "中外合资企业"],
    "hmt": ["港澳台企业"],
    "individual": ["个体", "个体户"],
    "non_enterprise": ["民非", "民办非企业", "社会服务机构"],
    "association": ["社团"],
    "trade_association": ["行业协会", "商会"],
}
EDUCATION_ALIASES = {
    "bachelor": ["大学本科"],
    "college": ["大学专科", "专科"],
    "master": ["硕士", "研究生"],
    "doctor": ["博士"],
    "senior": ["中专", "高中"],
}
UNKNOWN_KINDS = ["国有企业", "事业单位", "外企", "合伙制集团"]
BAD_SHARE = 0.05  # five kinds of bad row, 1 % each


def layout(headers: list, seed: int) -> list:
    """Columns in a shuffled order (the serial number stays first)."""
    rest = headers[1:]
    random.Random(seed).shuffle(rest)
    return [headers[0], *rest]


def text_date(d: datetime.date, rng: random.Random) -> str:
    """A date as ledgers type it: 2023-05-01, 2023/5/1, 2023年5月1日, 20230501."""
    pick = rng.random()
    if pick < 0.4:
        return d.isoformat()
    if pick < 0.65:
        return f"{d.year}/{d.month}/{d.day}"
    if pick < 0.85:
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.year:04d}{d.month:02d}{d.day:02d}"


def flag(value: bool, rng: random.Random) -> str:
    pick = rng.random()
    if value:
        return "是" if pick < 0.7 else "√" if pick < 0.9 else "Y"
    return "否" if pick < 0.6 else "" if pick < 0.9 else "×"


def maybe_fullwidth(word: str, rng: random.Random, share: float = 0.1) -> str:
    return word.translate(FULLWIDTH) if rng.random() < share else word


class RawWriter:
    """The accepted rows' clean values, as PostgreSQL COPY text (first line: the columns)."""

    def __init__(self, path: Path, model) -> None:
        from django.utils import timezone

        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        self.names = [f.attname for f in self.fields]
        stamp = timezone.now().astimezone(datetime.UTC).replace(tzinfo=None)
        self.stamps = {n: stamp for n in ("created_at", "updated_at") if n in self.names}
        self.handle = open(path, "w", encoding="utf-8", newline="\n")
        self.handle.write("\t".join(f.column for f in self.fields) + "\n")
        self.count = 0

    def write(self, values: dict) -> None:
        row = {**self.defaults, **values, **self.stamps}
        self.handle.write("\t".join(_copy_text(row[n]) for n in self.names) + "\n")
        self.count += 1

    def close(self) -> None:
        self.handle.close()


def _copy_text(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, (datetime.date, Decimal, int, float)):
        return str(value)
    value = str(value)
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def open_csv(path: Path):
    handle = open(path, "w", encoding="utf-8-sig", newline="")
    return handle, csv.writer(handle)


def load_seed_world(seed: int):
    """seed_demo's World, read back from the database (ids as stored), roads made up again."""
    from liangxin.demo.regions import ROADS, World
    from liangxin.mgmt.models import ManagementNode
    from liangxin.regions.models import Carrier, Region, RegionLevel

    rng = random.Random(seed)
    regions = list(Region.objects.order_by("pk"))
    city = next(r for r in regions if r.level == RegionLevel.CITY)
    world = World(city=city)
    by_id = {r.pk: r for r in regions}
    world.districts = [r for r in regions if r.level == RegionLevel.DISTRICT]
    world.streets = [r for r in regions if r.level == RegionLevel.STREET]
    for grid in (r for r in regions if r.level == RegionLevel.GRID):
        grid.parent = by_id[grid.parent_id]
        world.grids.setdefault(grid.parent_id, []).append(grid)
    for street in world.streets:
        world.district_of[street.id] = by_id[street.parent_id]
        roads = rng.sample(ROADS, 3)
        if street.name.endswith("路街道"):
            roads.insert(0, street.name[:-2])
        world.roads[street.id] = roads
    for carrier in Carrier.objects.order_by("pk"):
        carrier.street = by_id[carrier.street_id]
        world.carriers.setdefault(carrier.street_id, []).append(carrier)
    world.nodes = {n.name: n for n in ManagementNode.objects.all()}
    return world


def generate_orgs(rows: int, seed: int, out: Path) -> dict:
    """``rows`` organizations from seed_demo's OrgFactory, written as a messy ledger (CSV) and
    the accepted rows' clean values (raw TSV). Returns counts."""
    from django.utils import timezone

    from liangxin.core import normalize
    from liangxin.demo.orgs import OrgFactory
    from liangxin.orgs.choices import Industry, OrgKind, OrgStatus
    from liangxin.orgs.models import Organization

    rng = random.Random(seed + 1)
    world = load_seed_world(seed)
    factory = OrgFactory(rng, world)
    regions = {r.pk: r for r in [*world.districts, *world.streets, *(g for gs in world.grids.values() for g in gs)]}
    carriers = {c.pk: c for cs in world.carriers.values() for c in cs}
    nodes = {n.pk: n for n in world.nodes.values()}
    kind_label, industry_label = dict(OrgKind.choices), dict(Industry.choices)
    columns = layout(ORG_HEADERS, seed)
    handle, writer = open_csv(out.with_suffix(".csv"))
    writer.writerow([f"上海市两新组织基本信息台账（{TODAY.year}年，随机种子 {seed}）"])
    writer.writerow([h for _, h in columns])
    raw = RawWriter(out.with_suffix(".raw.tsv"), Organization)
    good_codes: list[str] = []
    name_keys: set = set()
    bad = {"check_digit": 0, "unknown_kind": 0, "future_date": 0, "negative_employees": 0, "duplicate_code": 0}
    now_year = timezone.localdate().year
    for n in range(rows):
        v = factory.make(ORG_OFFSET + n)
        operating, registered = regions[v["operating_region_id"]], regions[v["registered_region_id"]]
        code = v["credit_code"]
        if v["kind"] == OrgKind.INDIVIDUAL and rng.random() < 0.3:
            key = (normalize.text(v["name"]), operating.pk)
            if key not in name_keys:  # a 个体工商户 without a code is keyed by name and place
                name_keys.add(key)
                code = None
        cells = {
            "serial": str(n + 1),
            "name": (" " + v["name"] + " ") if rng.random() < 0.03 else v["name"],
            "credit_code": _messy_code(code, rng) if code else "",
            "kind": _kind_cell(v["kind"], kind_label, rng),
            "industry": _industry_cell(v["industry"], industry_label, rng),
            "founded_on": text_date(v["founded_on"], rng) if v["founded_on"] else "",
            "employees": maybe_fullwidth(str(v["employees"]), rng),
            "supervising_unit": v["supervising_unit"],
            "registered_region": registered.code,
            "operating_region": _place_cell(operating, world, rng),
            "carrier": carriers[v["carrier_id"]].name if v["carrier_id"] else "",
            "address": v["address"],
            "contact_name": v["contact_name"],
            "contact_phone": v["contact_phone"],
            "attachment_kind": "属业" if v["attachment_node_id"] else "",
            "attachment_node": nodes[v["attachment_node_id"]].name if v["attachment_node_id"] else "",
            "attachment_reason": v["attachment_reason"],
            "attachment_date": text_date(v["attachment_date"], rng) if v["attachment_date"] else "",
            "remark": "",
        }
        for name in (
            "above_scale",
            "key_industry",
            "owner_is_member",
            "has_union",
            "has_youth_league",
            "has_womens_federation",
        ):
            cells[name] = flag(v[name], rng)
        draw = rng.random()
        if draw < BAD_SHARE:
            which = int(draw / (BAD_SHARE / 5))
            if which in (0, 4) and not code:
                which = 2
            if which == 4 and not good_codes:
                which = 0
            if which == 0:
                last = code[-1]
                alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
                cells["credit_code"] = code[:-1] + alphabet[(alphabet.index(last) + 7) % len(alphabet)]
                bad["check_digit"] += 1
            elif which == 1:
                cells["kind"] = rng.choice(UNKNOWN_KINDS)
                bad["unknown_kind"] += 1
            elif which == 2:
                future = datetime.date(now_year + rng.randint(1, 5), rng.randint(1, 12), rng.randint(1, 28))
                cells["founded_on"] = text_date(future, rng)
                bad["future_date"] += 1
            elif which == 3:
                cells["employees"] = f"-{rng.randint(1, 50)}"
                bad["negative_employees"] += 1
            else:
                cells["credit_code"] = _messy_code(good_codes[rng.randrange(len(good_codes))], rng)
                bad["duplicate_code"] += 1
            cells["remark"] = "待核实"
        else:
            if code:
                good_codes.append(code)
            clean = dict(v)
            clean.update(
                name=normalize.text(v["name"]),
                credit_code=code,
                status=OrgStatus.OPERATING,
                status_date=None,
                status_reason="",
            )
            raw.write(clean)
        writer.writerow([cells[f] for f, _ in columns])
        if (n + 1) % 200_000 == 0:
            print(f"  organizations {n + 1:,} / {rows:,}", flush=True)
    handle.close()
    raw.close()
    return {"rows": rows, "accepted": raw.count, "bad": bad}


def _messy_code(code: str, rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.10:
        return code.lower()
    if pick < 0.14:
        return f" {code[:6]} {code[6:]} "
    return code


def _kind_cell(kind: str, labels: dict, rng: random.Random) -> str:
    aliases = KIND_ALIASES.get(kind)
    return rng.choice(aliases) if aliases and rng.random() < 0.15 else labels[kind]


def _industry_cell(letter: str, labels: dict, rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.3:
        return letter
    if pick < 0.8:
        return labels[letter]
    return f"{letter} {labels[letter]}"


def _place_cell(region, world, rng: random.Random) -> str:
    """The operating place: a 9-digit street code mostly, a grid's code, or 区名+街道名."""
    from liangxin.regions.models import RegionLevel

    if region.level == RegionLevel.STREET and rng.random() < 0.1:
        return world.district_of[region.pk].name + region.name
    return region.code


def generate_members(rows: int, seed: int, out: Path) -> dict:
    """``rows`` members with liangxin.demo.party's MemberMaker on the member base's organizations and
    party organizations, written as a messy ledger (CSV) and the accepted rows (raw TSV)."""
    from types import SimpleNamespace

    from django.utils import timezone

    from liangxin.core import crypto
    from liangxin.demo.codes import credit_code
    from liangxin.demo.common import Picker
    from liangxin.demo.party import members, params
    from liangxin.demo.party import world as party_world
    from liangxin.orgs.models import Organization
    from liangxin.party.choices import Education, MemberCategory
    from liangxin.party.models import Member, PartyOrganization, PartyOrgLink
    from liangxin.party.validation import derived_from_id

    rng = random.Random(seed + 2)
    world = party_world.load_world()
    orgs = party_world.load_orgs(world)
    codes = dict(Organization.objects.values_list("pk", "credit_code"))
    parties = list(PartyOrganization.objects.filter(node__is_active=True).select_related("node").order_by("pk"))
    plans = [SimpleNamespace(pk=p.pk, covered=[0], org_type=p.org_type, place="上海市") for p in parties]
    names = [p.node.name for p in parties]
    index_of = {p.pk: n for n, p in enumerate(parties)}
    home: dict[int, int] = {}
    for org_id, party_id in PartyOrgLink.objects.filter(end_on__isnull=True).values_list("organization", "party_org"):
        home.setdefault(org_id, index_of[party_id])
    existing = set(Member.objects.values_list("id_hash", flat=True))
    maker = members.MemberMaker(rng, world, orgs, plans)
    cumulative, total = [], 0
    for employees in orgs.employees:
        total += max(1, employees)
        cumulative.append(total)
    import bisect

    education = Picker(params.EDUCATION)
    edu_label = dict(Education.choices)
    columns = layout(MEMBER_HEADERS, seed + 1)
    handle, writer = open_csv(out.with_suffix(".csv"))
    writer.writerow([f"党员信息采集表（{TODAY.year}年）"])
    writer.writerow([h for _, h in columns])
    raw = RawWriter(out.with_suffix(".raw.tsv"), Member)
    good_numbers: list[str] = []
    bad = {"check_digit": 0, "unknown_party_org": 0, "future_date": 0, "duplicate_id": 0, "unknown_employer": 0}
    today = timezone.localdate()
    for n in range(rows):
        i = bisect.bisect_right(cumulative, rng.random() * total)
        org_id = orgs.ids[i]
        plan = home.get(org_id)
        if plan is None or rng.random() < 0.05:
            plan = rng.randrange(len(plans))
        full = rng.random() >= params.PROBATIONARY_SHARE
        birth, joined, full_on = maker._dates(full)
        while True:
            number = maker._identity(birth, rng.random() < members.MALE_SHARE)
            id_hash = crypto.lookup_hash(number)
            if id_hash not in existing:
                break
        floating = maker._floating(i, plan, "with" if rng.random() < 0.6 else "without") if rng.random() < 0.03 else {}
        edu = education.pick(rng)
        base = int(round(rng.lognormvariate(9.0, 0.45), -2)) if rng.random() < params.DUES_BASE_SHARE else None
        values = {
            "name": members.person_name(rng),
            "phone": members.phone_number(rng),
            "education": str(edu),
            "employer_id": org_id,
            "employed_since": maker._employed_since(i, birth, "normal"),
            "party_org_id": plans[plan].pk,
            "joined_on": joined,
            "full_on": full_on,
            "category": str(MemberCategory.FULL if full else MemberCategory.PROBATIONARY),
            "needs_help": rng.random() < params.NEEDS_HELP_SHARE,
            "is_active": True,
            "dues_base": None if base is None else Decimal(base).quantize(Decimal("0.01")),
            **floating,
        }
        inflow = floating.get("inflow_party_org_id")
        cells = {
            "serial": str(n + 1),
            "name": values["name"],
            "id_number": _messy_id(number, rng),
            "party_org": names[plan],
            "category": rng.choice(["正式党员", "正式"] if full else ["预备党员", "预备"]),
            "joined_on": text_date(joined, rng),
            "full_on": text_date(full_on, rng) if full_on else "",
            "phone": values["phone"],
            "education": rng.choice(EDUCATION_ALIASES[edu])
            if edu in EDUCATION_ALIASES and rng.random() < 0.2
            else edu_label[edu],
            "employer_code": _messy_code(codes[org_id], rng) if codes.get(org_id) else "",
            "employed_since": text_date(values["employed_since"], rng) if values["employed_since"] else "",
            "floating": "流出" if floating else rng.choice(["", "", "否"]),
            "floating_card_no": floating.get("floating_card_no", ""),
            "outflow_place": floating.get("outflow_place", ""),
            "inflow_place": floating.get("inflow_place", ""),
            "inflow_party_org": names[index_of[inflow]] if inflow else "",
            "needs_help": flag(values["needs_help"], rng),
            "dues_base": _money(base, rng),
            "is_active": rng.choice(["是", "", "√"]),
            "remark": "",
        }
        if not codes.get(org_id):
            values["employer_id"] = None
        draw = rng.random()
        if draw < BAD_SHARE:
            which = int(draw / (BAD_SHARE / 5))
            if which == 3 and not good_numbers:
                which = 0
            if which == 0:
                cells["id_number"] = number[:17] + ("0" if number[17] != "0" else "1")
                bad["check_digit"] += 1
            elif which == 1:
                cells["party_org"] = f"上海市{rng.choice('甲乙丙丁')}{rng.randint(1, 999)}号联合党支部（已撤销）"
                bad["unknown_party_org"] += 1
            elif which == 2:
                future = today + datetime.timedelta(days=rng.randint(10, 400))
                cells.update(joined_on=text_date(future, rng), category="预备党员", full_on="")
                bad["future_date"] += 1
            elif which == 3:
                cells["id_number"] = good_numbers[rng.randrange(len(good_numbers))]
                bad["duplicate_id"] += 1
            else:
                cells["employer_code"] = credit_code("91", "310101", 800_000_000 + n, True)
                bad["unknown_employer"] += 1
            cells["remark"] = "待核实"
        else:
            existing.add(id_hash)
            good_numbers.append(number)
            derived = derived_from_id(number)
            values.update(
                id_number_enc=crypto.encrypt(number),
                id_hash=id_hash,
                id_masked=crypto.mask_id_number(number),
                birth_date=derived["birth_date"],
                sex=str(derived["sex"]),
            )
            raw.write(values)
        writer.writerow([cells[f] for f, _ in columns])
        if (n + 1) % 100_000 == 0:
            print(f"  members {n + 1:,} / {rows:,}", flush=True)
    handle.close()
    raw.close()
    return {"rows": rows, "accepted": raw.count, "bad": bad}


def _messy_id(number: str, rng: random.Random) -> str:
    pick = rng.random()
    if number.endswith("X") and pick < 0.5:
        return number.lower()
    if pick < 0.05:
        return number.translate(FULLWIDTH)
    if pick < 0.08:
        return f"{number[:6]} {number[6:14]} {number[14:]}"
    return number


def _money(base: int | None, rng: random.Random) -> str:
    if base is None:
        return ""
    pick = rng.random()
    if pick < 0.1:
        return f"{base:,}"
    if pick < 0.15:
        return str(base).translate(FULLWIDTH)
    return str(base)


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def csv_to_xlsx(csv_path: Path, xlsx_path: Path, typed_dates: set[str], typed_numbers: set[str]) -> int:
    """The same ledger as .xlsx (xlsxwriter, constant_memory): ISO dates in date columns become
    real dates, plain digits in number columns real numbers; everything else stays text."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(xlsx_path), {"constant_memory": True})
    sheet = book.add_worksheet("台账")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    count = 0
    with open(csv_path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        title = next(reader)
        header = next(reader)
        sheet.write_string(0, 0, title[0])
        for c, h in enumerate(header):
            sheet.write_string(1, c, h)
        dates = {c for c, h in enumerate(header) if h in typed_dates}
        numbers = {c for c, h in enumerate(header) if h in typed_numbers}
        for r, row in enumerate(reader, start=2):
            for c, value in enumerate(row):
                if value == "":
                    continue
                if c in dates and _ISO.match(value):
                    sheet.write_datetime(r, c, datetime.datetime.strptime(value, "%Y-%m-%d"), date_format)
                elif (c in numbers or c == 0) and value.isascii() and value.isdigit():
                    sheet.write_number(r, c, int(value))
                else:
                    sheet.write_string(r, c, value)
            count += 1
            if count % 200_000 == 0:
                print(f"  {xlsx_path.name}: {count:,} rows", flush=True)
    book.close()
    return count


def generate_main(kind: str, rows: int, seed: int, out: Path) -> None:
    """Subprocess entry: Django on the base copy named by LIANGXIN_VAR_DIR / DATABASE_URL."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liangxin.settings")
    import django

    django.setup()
    started = time.monotonic()
    counts = generate_orgs(rows, seed, out) if kind == "orgs" else generate_members(rows, seed, out)
    counts["seconds"] = round(time.monotonic() - started, 1)
    out.with_suffix(".json").write_text(json.dumps(counts, ensure_ascii=False))
    print(json.dumps(counts, ensure_ascii=False))


def xlsx_main(kind: str, out: Path) -> None:
    started = time.monotonic()
    headers = dict(ORG_HEADERS if kind == "orgs" else MEMBER_HEADERS)
    if kind == "orgs":
        dates = {headers["founded_on"], headers["attachment_date"]}
        numbers = {headers["employees"]}
    else:
        dates = {headers[f] for f in ("joined_on", "full_on", "employed_since")}
        numbers = {headers["dues_base"]}
    count = csv_to_xlsx(out.with_suffix(".csv"), out.with_suffix(".xlsx.part"), dates, numbers)
    out.with_suffix(".xlsx.part").rename(out.with_suffix(".xlsx"))
    print(f"  {out.name}.xlsx: {count:,} rows in {time.monotonic() - started:.0f} s", flush=True)


# =============================================================================================
# The peer: django-import-export (subprocess under bench/.venv-bench)
# =============================================================================================
def peer_main(csv_path: Path, rows: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liangxin.settings")
    import django

    django.setup()
    import tablib
    from django.core.exceptions import ValidationError
    from import_export import fields, resources, widgets

    from liangxin.imports import cells
    from liangxin.imports.kinds.organizations import KIND
    from liangxin.imports.kinds.organizations import industry as parse_industry
    from liangxin.mgmt.models import ManagementNode
    from liangxin.orgs import services, validation
    from liangxin.orgs.models import Organization
    from liangxin.orgs.responsibility import street_committee_lookup
    from liangxin.regions.models import Carrier, Region

    street_committee = street_committee_lookup()
    field_of = {h: f for f, h in ORG_HEADERS}

    class Cleaned(widgets.Widget):
        """A widget around one of our cell parsers (full-width digits, text dates, 是/否/√)."""

        def __init__(self, parse, **kwargs):
            super().__init__(**kwargs)
            self.parse = parse

        def clean(self, value, row=None, **kwargs):
            return self.parse(value)

    districts = list(Region.objects.filter(level=2).values_list("name", flat=True))

    class RegionWidget(widgets.ForeignKeyWidget):
        def clean(self, value, row=None, **kwargs):
            value = cells.text(value)
            if not value:
                return None
            if value.isdigit():
                return super().clean(value, row, **kwargs)
            for district in districts:  # 区名+街道名
                if value.startswith(district):
                    return Region.objects.get(parent__name=district, name=value[len(district) :])
            return Region.objects.get(name=value)

    class CarrierWidget(widgets.ForeignKeyWidget):
        def clean(self, value, row=None, **kwargs):
            value = cells.text(value)
            if not value:
                return None
            return Carrier.objects.filter(name=value).first()

    def f(name, widget):
        return fields.Field(attribute=name, column_name=name, widget=widget)

    class OrganizationResource(resources.ModelResource):
        name = f("name", Cleaned(validation.clean_name))
        credit_code = f("credit_code", Cleaned(validation.clean_credit_code))
        kind = f("kind", Cleaned(KIND))
        industry = f("industry", Cleaned(parse_industry))
        founded_on = f("founded_on", Cleaned(lambda v: validation.clean_founded_on(cells.date(v))))
        employees = f("employees", Cleaned(validation.clean_employees))
        above_scale = f("above_scale", Cleaned(cells.flag))
        key_industry = f("key_industry", Cleaned(cells.flag))
        owner_is_member = f("owner_is_member", Cleaned(cells.flag))
        has_union = f("has_union", Cleaned(cells.flag))
        has_youth_league = f("has_youth_league", Cleaned(cells.flag))
        has_womens_federation = f("has_womens_federation", Cleaned(cells.flag))
        registered_region = f("registered_region", RegionWidget(Region, "code"))
        operating_region = f("operating_region", RegionWidget(Region, "code"))
        carrier = f("carrier", CarrierWidget(Carrier, "name"))
        attachment_node = f("attachment_node", widgets.ForeignKeyWidget(ManagementNode, "name"))
        attachment_kind = f("attachment_kind", Cleaned(lambda v: "industry" if cells.text(v) == "属业" else ""))
        attachment_date = f("attachment_date", Cleaned(cells.date))

        class Meta:
            model = Organization
            fields = tuple(services.EDITABLE_FIELDS)
            import_id_fields = ("credit_code",)
            use_bulk = True
            skip_diff = True
            batch_size = 1000

        seen: set = set()

        def get_instance(self, instance_loader, row):
            # a 个体工商户 without a code is always new here (the default would get(credit_code=None))
            return super().get_instance(instance_loader, row) if cells.text(row.get("credit_code")) else None

        def before_import_row(self, row, **kwargs):
            code = validation.clean_credit_code(row.get("credit_code")) if row.get("credit_code") else None
            if code and code in self.seen:
                raise ValidationError("重复的统一社会信用代码")
            if code:
                self.seen.add(code)

        def before_save_instance(self, instance, row, **kwargs):
            services.derive(instance, street_committee)

    with open(csv_path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        header = [field_of.get(h, h) for h in next(reader)]
        data = [row for _, row in zip(range(rows), reader, strict=False)]
    started = time.monotonic()
    dataset = tablib.Dataset(*data, headers=header)
    result = OrganizationResource().import_data(dataset, dry_run=False, raise_errors=False)
    seconds = time.monotonic() - started
    totals = {k: v for k, v in result.totals.items() if v}
    print(
        json.dumps(
            {
                "rows": len(data),
                "seconds": seconds,
                "totals": totals,
                "base_errors": [str(e.error)[:200] for e in result.base_errors][:3],
                "row_errors": [(n, repr(e[0].error)[:300]) for n, e in result.row_errors()[:3]],
                "invalid": [(r.number, str(r.error)[:300]) for r in result.invalid_rows[:3]],
                "organizations": Organization.objects.count(),
            },
            ensure_ascii=False,
        )
    )


# =============================================================================================
# The orchestrator
# =============================================================================================
def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def migrations_key() -> str:
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("liangxin/*/migrations/*.py")):
        digest.update(path.name.encode())
        digest.update(str(path.stat().st_size).encode())
    return digest.hexdigest()[:8]


def run(cmd: list, env: dict, what: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise RuntimeError(
            f"{what} failed ({done.returncode}): {' '.join(map(str, cmd))}\n{done.stdout[-3000:]}"
            f"\n{done.stderr[-5000:]}"
        )
    return done


class Engine:
    """A database engine: fresh copies of base databases for each measured step."""

    name = ""

    def env(self, var_dir: Path, database: str) -> dict:
        raise NotImplementedError

    @staticmethod
    def migrate(env: dict) -> None:
        """Bring a copied base up to the current migrations (untimed: the tree may have moved on)."""
        run([str(PY), str(MANAGE), "migrate", "-v0"], env, "migrate")


class SQLite(Engine):
    name = "sqlite"

    def __init__(self, work: Path) -> None:
        self.work = work

    def env(self, var_dir: Path, database: str = "") -> dict:
        env = {**os.environ, "LIANGXIN_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "liangxin.settings"}
        env.pop("DATABASE_URL", None)
        return env

    def fresh(self, base: Path, step: str) -> tuple[Path, dict]:
        """A run directory holding a copy of ``base``'s database and keys."""
        target = self.work / step
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(base, target, ignore=shutil.ignore_patterns("imports", "*-wal", "*-shm"))
        env = self.env(target)
        self.migrate(env)
        return target, env

    def drop(self, target: Path) -> None:
        shutil.rmtree(target, ignore_errors=True)

    def connect(self, target: Path):
        db = sqlite3.connect(target / "liangxin.sqlite3", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        return db


class Postgres(Engine):
    name = "postgres"

    def __init__(self, work: Path, port: int) -> None:
        self.work, self.port = work, port
        self.dir = Path(tempfile.mkdtemp(prefix="import-bench-pg-"))
        run(["bash", str(ROOT / "scripts/pg.sh"), "start", str(self.dir), str(port)], dict(os.environ), "pg.sh start")
        self.steps: dict[Path, str] = {}

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def env(self, var_dir: Path, database: str) -> dict:
        return {
            **os.environ,
            "LIANGXIN_VAR_DIR": str(var_dir),
            "DATABASE_URL": self.url(database),
            "DJANGO_SETTINGS_MODULE": "liangxin.settings",
        }

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql)

    def build_base(self, sqlite_base: Path, name: str, commands: list[list[str]]) -> Path:
        """The same base as ``sqlite_base``, built again on PostgreSQL with the same keys."""
        var = self.work / f"base-{name}"
        shutil.rmtree(var, ignore_errors=True)
        shutil.copytree(sqlite_base, var, ignore=shutil.ignore_patterns("*.sqlite3*", "imports"))
        self.admin(f"DROP DATABASE IF EXISTS {name}")
        self.admin(f"CREATE DATABASE {name}")
        env = self.env(var, name)
        for command in commands:
            run([str(PY), str(MANAGE), *command], env, f"PostgreSQL base {name}: {command[0]}")
        with self.connect_db(name) as conn:
            conn.execute("VACUUM ANALYZE")
        self.bases = getattr(self, "bases", {})
        self.bases[var] = name
        return var

    def connect_db(self, database: str, autocommit=True):
        import psycopg

        return psycopg.connect(self.url(database), autocommit=autocommit)

    def fresh(self, base: Path, step: str) -> tuple[Path, dict]:
        target = self.work / step
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(base, target, ignore=shutil.ignore_patterns("imports"))
        database = "run_" + re.sub(r"\W", "_", step)
        self.admin(f"DROP DATABASE IF EXISTS {database}")
        self.admin(f"CREATE DATABASE {database} TEMPLATE {self.bases[base]}")
        self.steps[target] = database
        env = self.env(target, database)
        self.migrate(env)
        return target, env

    def drop(self, target: Path) -> None:
        database = self.steps.pop(target, None)
        if database:
            self.admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        shutil.rmtree(target, ignore_errors=True)

    def connect(self, target: Path):
        return self.connect_db(self.steps[target], autocommit=False)

    def stop(self) -> None:
        run(["bash", str(ROOT / "scripts/pg.sh"), "stop", str(self.dir)], dict(os.environ), "pg.sh stop", check=False)


# -- measuring one command ---------------------------------------------------------------------
def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _tree_memory(root: int) -> tuple[int, int, int]:
    """(PSS sum kB, RSS sum kB, processes) over ``root`` and its descendants."""
    tree, todo, pss, rss, count = _children(), [root], 0, 0, 0
    while todo:
        pid = todo.pop()
        todo.extend(tree.get(pid, []))
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
                    elif line.startswith("Rss:"):
                        rss += int(line.split()[1])
            count += 1
        except OSError:
            continue
    return pss, rss, count


def measured(cmd: list, env: dict, out_dir: Path, label: str) -> dict:
    """Run ``cmd``; wall seconds, exit code, output, peak PSS/RSS of its process tree (sampled)
    and the largest max RSS of a single process in it (wait4 rusage)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stdout_path, stderr_path = out_dir / f"{label}.out", out_dir / f"{label}.err"
    with open(stdout_path, "w") as stdout, open(stderr_path, "w") as stderr:
        time_path = out_dir / f"{label}.maxrss"
        if TIME.exists():  # a fresh small parent: a fork of this process would carry our own RSS into rusage
            cmd = [str(TIME), "-f", "%M", "-o", str(time_path), *cmd]
        started = time.monotonic()
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=stdout, stderr=stderr)
        peak = {"pss": 0, "rss": 0, "procs": 0}
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                pss, rss, count = _tree_memory(proc.pid)
                peak["pss"], peak["rss"] = max(peak["pss"], pss), max(peak["rss"], rss)
                peak["procs"] = max(peak["procs"], count)
                stop.wait(SAMPLE_EVERY)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        stop.set()
        sampler.join()
    max_rss_kb = usage.ru_maxrss
    if time_path.exists():  # "Command exited with non-zero status 1" may come first
        last = (time_path.read_text().strip().splitlines() or [""])[-1]
        if last.isdigit():
            max_rss_kb = int(last)
    return {
        "seconds": seconds,
        "code": proc.returncode,
        "stdout": stdout_path.read_text(errors="replace"),
        "stderr": stderr_path.read_text(errors="replace"),
        "peak_pss_mb": peak["pss"] / 1024,
        "peak_rss_sum_mb": peak["rss"] / 1024,
        "max_rss_mb": max_rss_kb / 1024,
        "processes": peak["procs"],
    }


_SUMMARY = re.compile(r"新增 (\d+)，更新 (\d+)，未变 (\d+)，未导入 (\d+)")


def import_step(
    engine: Engine,
    base: Path,
    step: str,
    kind: str,
    files: list[Path],
    data_rows: int,
    logs: Path,
    profile: Path | None = None,
) -> list[dict]:
    """Import each of ``files`` in turn into one fresh copy of ``base`` (so the second import of
    the same file finds every row unchanged)."""
    target, env = engine.fresh(base, step)
    results = []
    try:
        for n, path in enumerate(files):
            label = f"{step}-{n}"
            cmd = [str(PY)]
            if profile is not None and n == 0:
                cmd += ["-m", "cProfile", "-o", str(profile)]
            cmd += [str(MANAGE), "import_data", kind, str(path), "--as", "city_admin", "--quiet"]
            log(f"{engine.name}: {label}: import_data {kind} {path.name}")
            result = measured(cmd, env, logs, label)
            found = _SUMMARY.search(result["stdout"])
            result.update(file=path.name, rows=data_rows, rate=data_rows / result["seconds"])
            if found:
                result.update(
                    zip(("created", "updated", "unchanged", "rejected"), map(int, found.groups()), strict=True)
                )
            if result["code"] not in (0, 1) or not found:
                result["failure"] = (
                    f"exit {result['code']}: {' '.join(cmd)}\n{result['stdout'][-2000:]}\n{result['stderr'][-6000:]}"
                )
                log(f"  FAILED (exit {result['code']}); see {logs / (label + '.err')}")
            else:
                log(
                    f"  {result['seconds']:.1f} s, {result['rate']:,.0f} rows/s, "
                    f"peak PSS {result['peak_pss_mb']:.0f} MB; "
                    f"新增 {result.get('created')} 更新 {result.get('updated')} 未变 {result.get('unchanged')} "
                    f"未导入 {result.get('rejected')}"
                )
            results.append(result)
    finally:
        engine.drop(target)
    return results


def raw_step(engine: Engine, base: Path, step: str, table: str, tsv: Path) -> dict:
    """The limit: the accepted rows' clean values into ``table`` in one go (reading the file included)."""
    target, _ = engine.fresh(base, step)
    try:
        with open(tsv, encoding="utf-8") as handle:
            columns = handle.readline().rstrip("\n").split("\t")
        if isinstance(engine, SQLite):
            db = engine.connect(target)
            db.execute(f"PRAGMA cache_size = {import_cache_size()}")  # the page cache the import gives itself
            sql = (
                f'INSERT INTO "{table}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)}) '
                f"VALUES ({', '.join('?' * len(columns))})"
            )
            started = time.monotonic()
            with open(tsv, encoding="utf-8") as handle:
                handle.readline()
                rows = (tuple(None if v == r"\N" else v for v in line.rstrip("\n").split("\t")) for line in handle)
                db.execute("BEGIN")
                if table == "orgs_organization":
                    db.execute(f'DELETE FROM "{table}"')
                db.executemany(sql, rows)
                db.execute("COMMIT")
            seconds = time.monotonic() - started
            count = db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            db.close()
            loaded = sum(1 for _ in open(tsv, "rb")) - 1
        else:
            conn = engine.connect(target)
            started = time.monotonic()
            with conn.cursor() as cursor:
                cursor.execute("SET TIME ZONE 'UTC'")
                if table == "orgs_organization":
                    cursor.execute(f'TRUNCATE "{table}" CASCADE')
                with open(tsv, "rb") as handle:
                    handle.readline()
                    cols = ", ".join(f'"{c}"' for c in columns)
                    with cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                        while chunk := handle.read(1 << 20):
                            copy.write(chunk)
                conn.commit()
                seconds = time.monotonic() - started
                cursor.execute(f'SELECT count(*) FROM "{table}"')
                count = cursor.fetchone()[0]
            conn.close()
            loaded = sum(1 for _ in open(tsv, "rb")) - 1
        log(
            f"{engine.name}: {step}: {loaded:,} rows in {seconds:.1f} s = {loaded / seconds:,.0f} rows/s "
            f"({count:,} in the table)"
        )
        return {"rows": loaded, "seconds": seconds, "rate": loaded / seconds, "table_rows": count}
    finally:
        engine.drop(target)


def import_cache_size() -> int:
    """The SQLite page cache the import sets on its connection (engine.py), else SQLite's default."""
    found = re.search(r"PRAGMA cache_size = (-?\d+)", (ROOT / "liangxin/imports/engine.py").read_text())
    return int(found.group(1)) if found else -2000


def peer_step(engine: Engine, base: Path, step: str, csv_path: Path, rows: int, logs: Path) -> dict:
    if not PEER_PY.exists():
        return {
            "failure": f"{PEER_PY} missing: python3.11 -m venv bench/.venv-bench && bench/.venv-bench/bin/pip "
            "install -r requirements.lock -r bench/requirements-bench.txt"
        }
    target, env = engine.fresh(base, step)
    try:
        log(f"{engine.name}: {step}: django-import-export on the first {rows:,} rows")
        result = measured([str(PEER_PY), __file__, "--_peer", str(csv_path), str(rows)], env, logs, step)
        if result["code"] != 0:
            return {"failure": f"exit {result['code']}\n{result['stderr'][-4000:]}"}
        info = json.loads(result["stdout"].strip().splitlines()[-1])
        info["rate"] = info["rows"] / info["seconds"]
        info["peak_pss_mb"] = result["peak_pss_mb"]
        log(
            f"  {info['seconds']:.1f} s = {info['rate']:,.0f} rows/s; {info['totals']}; "
            f"{info['organizations']:,} organizations"
        )
        return info
    finally:
        engine.drop(target)


# -- bases and files ---------------------------------------------------------------------------
def seed_commands(kind: str, seed: int, base_orgs: int, base_members: int) -> list[list[str]]:
    if kind == "orgs":
        return [["migrate", "-v0"], ["seed_demo", "--orgs", "0", "--no-party", "--seed", str(seed)]]
    return [
        ["migrate", "-v0"],
        ["seed_demo", "--orgs", str(base_orgs), "--members", str(base_members), "--seed", str(seed)],
    ]


def sqlite_base(cache: Path, name: str, commands: list[list[str]]) -> Path:
    var = cache / name
    if (var / "ready").exists():
        return var
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    env = SQLite(cache).env(var)
    for command in commands:
        log(f"base {name}: manage.py {' '.join(command)}")
        run([str(PY), str(MANAGE), *command], env, f"SQLite base {name}")
    db = sqlite3.connect(var / "liangxin.sqlite3")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("ANALYZE")
    db.close()
    (var / "ready").write_text("ok")
    return var


def generate(cache: Path, base: Path, kind: str, rows: int, seed: int) -> tuple[Path, subprocess.Popen | None]:
    """Start generating the CSV and raw file (unless cached); returns the file stem and the process."""
    stem = cache / f"{kind}-{rows}-{base.name.rsplit('-', 1)[0]}"  # not the migrations: ids stay the same
    if stem.with_suffix(".json").exists() and stem.with_suffix(".csv").exists():
        return stem, None
    scratch = cache / f"gen-{kind}"
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(base, scratch)
    log(f"generating {rows:,} {kind} → {stem.name}.csv")
    env = SQLite(cache).env(scratch)
    proc = subprocess.Popen(
        [str(PY), __file__, "--_generate", kind, str(rows), str(seed), str(stem)],
        env=env,
        cwd=ROOT,
        stdout=open(stem.with_suffix(".gen.log"), "w"),
        stderr=subprocess.STDOUT,
    )
    return stem, proc


def to_xlsx(kind: str, stem: Path) -> subprocess.Popen | None:
    if stem.with_suffix(".xlsx").exists():
        return None
    log(f"writing {stem.name}.xlsx (xlsxwriter, constant_memory)")
    return subprocess.Popen(
        [str(PY), __file__, "--_xlsx", kind, str(stem)],
        cwd=ROOT,
        stdout=open(stem.with_suffix(".xlsx.log"), "w"),
        stderr=subprocess.STDOUT,
    )


def wait_all(procs: list, what: str) -> None:
    for proc in procs:
        if proc is not None and proc.wait() != 0:
            raise RuntimeError(f"{what} failed: {' '.join(proc.args)} (see its .log under the cache)")


def fingerprint(engine: Engine, target_conn, tables: dict[str, str]) -> dict[str, str]:
    out = {}
    for table, columns in tables.items():
        rows = target_conn.execute(f'SELECT {columns} FROM "{table}" ORDER BY id').fetchall()
        out[table] = hashlib.sha256(repr([tuple(str(v) for v in r) for r in rows]).encode()).hexdigest()[:12]
    return out


IDENTITY_TABLES = {
    "regions_region": "id, code",
    "regions_carrier": "id, name, street_id",
    "mgmt_managementnode": "id, name",
    "accounts_user": "id, username",
}
MEMBER_IDENTITY_TABLES = {
    **IDENTITY_TABLES,
    "orgs_organization": "id, credit_code",
    "party_partyorganization": "id, node_id",
}


def check_same_ids(sqlite_var: Path, pg: Postgres, database: str, tables: dict) -> None:
    """The raw files carry the SQLite base's ids: the PostgreSQL base must have the same ones."""
    db = sqlite3.connect(sqlite_var / "liangxin.sqlite3")
    left = fingerprint(None, db, tables)
    db.close()
    with pg.connect_db(database) as conn:
        right = fingerprint(None, conn, tables)
    if left != right:
        raise RuntimeError(f"PostgreSQL base {database} got other ids than the SQLite one: {left} != {right}")


# -- the table ---------------------------------------------------------------------------------
def fmt_rate(value) -> str:
    return f"{value:,.0f}" if isinstance(value, (int, float)) else "—"


def fmt_ratio(a, b) -> str:
    return f"{a / b:.2f}×" if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else "—"


def report(results: dict, args) -> str:
    lines = []
    head = [
        "engine",
        "kind",
        "file",
        "rows",
        "ours new r/s",
        "ours again r/s",
        "peak PSS MB",
        "max RSS MB",
        "raw r/s",
        "raw/ours",
        "peer r/s",
        "ours/peer",
    ]
    body = []
    for engine, kinds in results.items():
        for kind, data in kinds.items():
            for fmt in ("csv", "xlsx"):
                runs = data.get(fmt)
                if not runs:
                    continue
                new, again = runs[0], runs[1] if len(runs) > 1 else {}
                ok = [r for r in runs if "failure" not in r]
                peak = max((r["peak_pss_mb"] for r in ok), default=None)
                rss = max((r["max_rss_mb"] for r in ok), default=None)
                raw = data.get("raw", {}).get("rate")
                peer = data.get("peer", {}).get("rate") if fmt == "csv" else None
                ours = new.get("rate") if "failure" not in new else None
                body.append(
                    [
                        engine,
                        kind,
                        fmt,
                        f"{new.get('rows', 0):,}",
                        fmt_rate(ours),
                        fmt_rate(again.get("rate") if again and "failure" not in again else None),
                        f"{peak:,.0f}" if peak else "—",
                        f"{rss:,.0f}" if rss else "—",
                        fmt_rate(raw),
                        fmt_ratio(raw, ours),
                        fmt_rate(peer),
                        fmt_ratio(ours, peer),
                    ]
                )
    widths = [max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(head)]
    lines.append("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    lines.append("  ".join("-" * w for w in widths))
    for row in body:
        lines.append(
            "  ".join(c.rjust(w) if i >= 3 else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        )
    lines.append("")
    lines.append("targets:")
    for line in targets(results):
        lines.append("  " + line)
    return "\n".join(lines)


def targets(results: dict) -> list[str]:
    out = []

    def rate(engine, kind, fmt, n=0):
        runs = results.get(engine, {}).get(kind, {}).get(fmt) or []
        return runs[n].get("rate") if len(runs) > n and "failure" not in runs[n] else None

    def verdict(ok):
        return "n/a " if ok is None else "PASS" if ok else "FAIL"

    pg = results.get("postgres", {}).get("orgs", {})
    ours, raw, peer = rate("postgres", "orgs", "csv"), pg.get("raw", {}).get("rate"), pg.get("peer", {}).get("rate")
    ok = None if not (ours and raw) else raw / ours <= 3
    out.append(
        f"{verdict(ok)} PostgreSQL organizations CSV within 3× of the raw load: raw/ours = {fmt_ratio(raw, ours)}"
    )
    ok = None if not (ours and peer) else ours / peer >= 35
    out.append(f"{verdict(ok)} PostgreSQL organizations CSV ≈ 35× the peer: ours/peer = {fmt_ratio(ours, peer)}")
    for kind in ("orgs", "members"):
        ours = rate("sqlite", kind, "csv")
        if kind in results.get("sqlite", {}):
            out.append(
                f"{verdict(None if ours is None else ours >= 20_000)} SQLite {kind} CSV ≥ 20,000 rows/s: "
                f"{fmt_rate(ours)}"
            )
    for engine, kinds in results.items():
        for kind in kinds:
            c, x = rate(engine, kind, "csv"), rate(engine, kind, "xlsx")
            if c or x:
                ok = None if not (c and x) else c / x <= 2
                out.append(f"{verdict(ok)} {engine} {kind} .xlsx within 2× of our CSV: csv/xlsx = {fmt_ratio(c, x)}")
    peaks = []
    for engine, kinds in results.items():
        for kind, data in kinds.items():
            for fmt in ("csv", "xlsx"):
                for r in data.get(fmt) or []:
                    if "failure" not in r:
                        peaks.append((r["peak_pss_mb"], f"{engine} {kind} {fmt}"))
    if peaks:
        worst = max(peaks)
        out.append(
            f"{verdict(worst[0] < 500)} peak memory < 500 MB on every import: worst {worst[0]:,.0f} MB "
            f"({worst[1]}; PSS summed over the process tree)"
        )
    return out


def profile_report(path: Path, top: int = 15) -> str:
    import io
    import pstats

    buffer = io.StringIO()
    stats = pstats.Stats(str(path), stream=buffer)
    stats.sort_stats("cumulative").print_stats(top)
    buffer.write("\nthe same, by own (internal) time:\n")
    stats.sort_stats("tottime").print_stats(top)
    return buffer.getvalue()


def git_state() -> str:
    head = run(["git", "rev-parse", "--short", "HEAD"], dict(os.environ), "git", check=False).stdout.strip()
    dirty = run(["git", "status", "--porcelain", "liangxin"], dict(os.environ), "git", check=False).stdout
    return f"{head}{' + uncommitted changes under liangxin/' if dirty.strip() else ''}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=1_000_000, help="organization rows (default 1,000,000)")
    parser.add_argument("--members", type=int, default=500_000, help="member rows (default 500,000; 0: skip)")
    parser.add_argument("--quick", action="store_true", help="20,000 rows of each: a smoke run")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--peer-rows", type=int, default=20_000, help="rows given to django-import-export")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--cache", type=Path, default=ROOT / "bench" / "out" / "import")
    parser.add_argument("--pg-port", type=int, default=54351)
    parser.add_argument("--no-xlsx", action="store_true", help="CSV only")
    parser.add_argument("--no-reimport", action="store_true", help="skip the second (unchanged) import")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also run the organization CSV import once under cProfile (SQLite) and list the top 15",
    )
    args = parser.parse_args()
    if args.quick:
        args.orgs, args.members = 20_000, 20_000 if args.members else 0
    args.peer_rows = min(args.peer_rows, args.orgs)
    args.cache.mkdir(parents=True, exist_ok=True)
    base_orgs = max(5_000, args.members // 5)  # the member file's employers
    base_members = max(500, base_orgs // 4)
    key = migrations_key()
    started = time.monotonic()
    tree = git_state()
    log(f"code: {tree}")

    # bases (SQLite, cached) and files (cached)
    org_base = sqlite_base(args.cache, f"base-orgs-s{args.seed}-{key}", seed_commands("orgs", args.seed, 0, 0))
    member_base = None
    if args.members:
        member_base = sqlite_base(
            args.cache,
            f"base-members-s{args.seed}-o{base_orgs}-{key}",
            seed_commands("members", args.seed, base_orgs, base_members),
        )
    org_stem, p1 = generate(args.cache, org_base, "orgs", args.orgs, args.seed)
    member_stem, p2 = (
        generate(args.cache, member_base, "members", args.members, args.seed) if member_base else (None, None)
    )
    wait_all([p1, p2], "generating")
    if not args.no_xlsx:
        wait_all([to_xlsx("orgs", org_stem), to_xlsx("members", member_stem) if member_stem else None], "xlsx")
    gen_info = {"orgs": json.loads(org_stem.with_suffix(".json").read_text())}
    if member_stem:
        gen_info["members"] = json.loads(member_stem.with_suffix(".json").read_text())
    for kind, info in gen_info.items():
        log(f"{kind} file: {info['rows']:,} data rows, {info['accepted']:,} expected accepted, bad rows {info['bad']}")
    log(f"files ready after {time.monotonic() - started:.0f} s")

    env_note = {}
    work = Path(tempfile.mkdtemp(prefix="import-bench-"))
    logs = args.cache / f"logs-{time.strftime('%Y%m%d-%H%M%S')}"
    results: dict = {}
    engines = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    profile_path = logs / "import-orgs-csv.prof" if args.profile else None
    pg = None
    try:
        for name in engines:
            if name == "sqlite":
                engine, bases = SQLite(work), {"orgs": org_base, "members": member_base}
            else:
                log("starting PostgreSQL (scripts/pg.sh)")
                pg = engine = Postgres(work, args.pg_port)
                bases = {"orgs": pg.build_base(org_base, "base_orgs", seed_commands("orgs", args.seed, 0, 0))}
                check_same_ids(org_base, pg, "base_orgs", IDENTITY_TABLES)
                if member_base:
                    bases["members"] = pg.build_base(
                        member_base, "base_members", seed_commands("members", args.seed, base_orgs, base_members)
                    )
                    check_same_ids(member_base, pg, "base_members", MEMBER_IDENTITY_TABLES)
            results[name] = {}
            for kind, stem, table, import_kind in (
                ("orgs", org_stem, "orgs_organization", "organizations"),
                ("members", member_stem, "party_member", "members"),
            ):
                if stem is None:
                    continue
                info = gen_info[kind]
                data = results[name][kind] = {"expected_accepted": info["accepted"]}
                data["raw"] = raw_step(engine, bases[kind], f"{name}-{kind}-raw", table, stem.with_suffix(".raw.tsv"))
                for fmt in ("csv", "xlsx"):
                    if fmt == "xlsx" and args.no_xlsx:
                        continue
                    path = stem.with_suffix("." + fmt)
                    files = [path] if args.no_reimport else [path, path]
                    data[fmt] = import_step(
                        engine, bases[kind], f"{name}-{kind}-{fmt}", import_kind, files, info["rows"], logs
                    )
                if kind == "orgs" and args.peer_rows:
                    data["peer"] = peer_step(
                        engine, bases[kind], f"{name}-{kind}-peer", stem.with_suffix(".csv"), args.peer_rows, logs
                    )
            if name == "sqlite" and profile_path is not None:
                import_step(
                    engine,
                    org_base,
                    "sqlite-orgs-profile",
                    "organizations",
                    [org_stem.with_suffix(".csv")],
                    gen_info["orgs"]["rows"],
                    logs,
                    profile=profile_path,
                )
    finally:
        if pg is not None:
            pg.stop()
        shutil.rmtree(work, ignore_errors=True)
        logs.mkdir(parents=True, exist_ok=True)
        (logs / "results.json").write_text(
            json.dumps(
                {
                    "args": {k: str(v) for k, v in vars(args).items()},
                    "files": gen_info,
                    "code": tree,
                    "results": results,
                    "env": env_note,
                },
                ensure_ascii=False,
                indent=1,
                default=str,
            )
        )

    print()
    print(
        f"Import benchmark — {args.orgs:,} organizations, {args.members:,} members, seed {args.seed}, "
        f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}, code {tree} (at the start)"
    )
    print(report(results, args))
    for engine, kinds in results.items():
        for kind, data in kinds.items():
            for what in ("csv", "xlsx", "peer"):
                found = data.get(what)
                for r in found if isinstance(found, list) else [found] if found else []:
                    if "failure" in r:
                        print(f"\nFAILED: {engine} {kind} {what}:\n{r['failure']}")
    for engine, kinds in results.items():
        for kind, data in kinds.items():
            for fmt in ("csv", "xlsx"):
                for r in data.get(fmt) or []:
                    if "created" in r and r is (data.get(fmt) or [None])[0]:
                        if r["created"] != data["expected_accepted"]:
                            print(
                                f"note: {engine} {kind} {fmt}: created {r['created']:,}, the generator expected "
                                f"{data['expected_accepted']:,} accepted"
                            )
    if profile_path is not None and profile_path.exists():
        print(
            f"\ncProfile of the SQLite organization CSV import (main process), top 15 by cumulative time "
            f"({profile_path}):"
        )
        print(profile_report(profile_path))
    print(f"logs and results.json: {logs}; total {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if len(sys.argv) > 1 and sys.argv[1] == "--_generate":
        generate_main(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--_xlsx":
        xlsx_main(sys.argv[2], Path(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--_peer":
        peer_main(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        main()

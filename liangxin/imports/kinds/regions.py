"""Importing the region tree (行政区划): upsert by 区划代码, level and parent derived from the code
when left blank, checked by ``regions.validation.check_region``, saved row by row through
``Region.save`` (paths) and ``save_audited`` (audit), as the region edit page does."""

from django.core.exceptions import ValidationError

from liangxin.core import normalize
from liangxin.core.services import save_audited
from liangxin.regions.models import Region, RegionLevel
from liangxin.regions.validation import CODE_LENGTH, check_region

from .. import cells
from ..spec import Column, Outcome, Prepared, RowError
from .rowwise import RowKind, active, text_of, yes

LEVEL = cells.Choice(
    RegionLevel.choices,
    "层级",
    {
        "市级": RegionLevel.CITY, "城市": RegionLevel.CITY, "地级市": RegionLevel.CITY,
        "区": RegionLevel.DISTRICT, "县": RegionLevel.DISTRICT, "区县": RegionLevel.DISTRICT,
        "区级": RegionLevel.DISTRICT, "县级": RegionLevel.DISTRICT, "县级市": RegionLevel.DISTRICT,
        "街道": RegionLevel.STREET, "镇": RegionLevel.STREET, "乡": RegionLevel.STREET, "街镇": RegionLevel.STREET,
        "乡镇": RegionLevel.STREET, "街道镇": RegionLevel.STREET, "街道/乡镇": RegionLevel.STREET,
        "网格": RegionLevel.GRID, "片区": RegionLevel.GRID,
    },
)  # fmt: skip
FIELDS = ["code", "name", "level", "parent", "sort_order", "is_active"]  # audited, as on the edit page
LENGTHS = sorted(set(CODE_LENGTH.values()))


def _code(value) -> str:
    word = normalize.code(cells.text(value))
    if not word.isdigit():
        raise ValidationError(f"区划代码应为数字，收到「{word}」")
    if len(word) not in LENGTHS:
        raise ValidationError(f"区划代码应为6位（市、区/县）、9位（街道/镇）或12位（网格）数字，当前为{len(word)}位")
    return word


def _level(value):
    return None if cells.is_blank(value) else LEVEL(value)


def _sort_order(value) -> int:
    number = cells.integer(value, label="排序")
    if number is not None and number < 0:
        raise ValidationError("排序不能为负数")
    return number or 0


COLUMNS = [
    Column("code", "区划代码", ("代码", "行政区划代码", "区划编码", "统计用区划代码"), _code, required=True,
           example="310101002", note="6位（市、区/县）、9位（街道/镇）、12位（网格）；已有的代码按此更新",
           export=lambda r: r.code),
    Column("name", "名称", ("区划名称", "行政区划名称", "街道名称", "街镇名称", "街道（镇）名称", "区县名称",
                           "网格名称"), text_of("名称", most=60), required=True, example="南京东路街道",
           export=lambda r: r.name),
    Column("level", "层级", ("级别", "区划层级", "区划级别"), _level, choices=tuple(RegionLevel.labels),
           example="街道/镇", note="留空时按区划代码位数和上级推定", export=lambda r: r.get_level_display()),
    Column("parent", "上级区划代码", ("上级代码", "上级区划", "上级"), cells.text, example="310101",
           note="代码或名称；留空时按区划代码推定（网格→所在街道，街道→所在区，区→市），已有的区划留空则不调整；"
                "上级区划须在平台中已有或在本文件中列在前面",
           export=lambda r: r.parent.code if r.parent_id else ""),
    Column("sort_order", "排序", ("排序号", "显示顺序"), _sort_order, kind="number", example="0", note="留空为 0",
           export=lambda r: r.sort_order),
    Column("is_active", "有效", ("是否有效",), active, choices=("是", "否"), example="是", note="留空为“是”",
           export=lambda r: yes(r.is_active)),
]  # fmt: skip


class RegionKind(RowKind):
    name = "regions"
    label = "行政区划"
    key_label = "区划代码"
    columns = COLUMNS
    export_related = ("parent",)
    required = "can_edit_trees"
    duplicate_what = "区划代码相同"
    duplicate_column = "区划代码"

    def context(self, actor, scope):
        return Context(actor, scope, allowed=scope.can_edit_trees)

    def key(self, ctx, values: dict):
        return values.get("code") or None

    # -- references and checks -------------------------------------------------------------
    def resolve(self, ctx: "Context", row: Prepared) -> None:
        values = row.values
        code = values.get("code")
        current = ctx.by_code.get(code) if code else None
        values["_current"] = current
        parent_text = values.get("parent") or ""
        parent = None
        if parent_text:
            try:
                parent = ctx.find(parent_text)
            except ValidationError as error:
                row.errors.append(RowError("上级区划代码", parent_text, error.messages[0]))
                return
        if row.errors or not code:
            return
        level = values.get("level")
        if level is None:
            if parent is not None:
                if parent.level == RegionLevel.GRID:
                    row.errors.append(RowError("上级区划代码", parent_text, "网格之下不能再设区划"))
                    return
                level = parent.level + 1
            elif current is not None:
                level = current.level
            else:
                level = derived_level(code)
        if not parent_text:
            if current is not None:
                parent = current.parent
            elif len(code) == CODE_LENGTH[level]:  # a code of the wrong length is reported below
                parent = self._derived_parent(ctx, row, code, level)
                if row.errors:
                    return
        values["level"], values["parent"] = level, parent
        errors = check_region({"code": code, "level": level, "parent": parent}, instance=current)
        if "code" in errors and not parent_text:
            errors.pop("parent", None)  # the parent was derived from that very code
        for name, message in errors.items():
            shown = code if name == "code" else (parent_text or (parent.code if parent is not None else ""))
            row.errors.append(RowError(self.header_of(name), shown, message))

    def _derived_parent(self, ctx: "Context", row: Prepared, code: str, level: int) -> Region | None:
        if level == RegionLevel.CITY:
            return None
        if level == RegionLevel.DISTRICT:
            parent = ctx.city_of(code)
            if parent is None:
                reason = f"未填写上级区划代码，且找不到区划代码「{code}」所属的市：请填写上级区划代码"
                row.errors.append(RowError("上级区划代码", "", reason))
            return parent
        wanted = code[: CODE_LENGTH[level - 1]]
        parent = ctx.by_code.get(wanted)
        if parent is None:
            reason = (
                f"未填写上级区划代码，按区划代码推定的上级「{wanted}」不存在："
                "请先导入上级区划（在本文件中列在本行之前），或填写上级区划代码"
            )
            row.errors.append(RowError("上级区划代码", "", reason))
        return parent

    # -- the write ---------------------------------------------------------------------------
    def decide(self, ctx: "Context", row: Prepared, write: bool) -> Outcome:
        values = row.values
        current: Region | None = values["_current"]
        wanted = {"name": values["name"], "level": values["level"], "parent": values["parent"]}
        for name in ("sort_order", "is_active"):
            if name in values:
                wanted[name] = values[name]
        if current is None:
            region = Region(code=values["code"], **wanted)
            if write:
                save_audited(ctx.actor, region, FIELDS)
            else:
                region.path = _path_of(region)
            ctx.add(region)
            return Outcome(row.number, "created", object_id=region.pk, label=region.name)
        changed = {
            name: value
            for name, value in wanted.items()
            if (_pk(value) if name == "parent" else value)
            != getattr(current, "parent_id" if name == "parent" else name)
        }
        if not changed:
            return Outcome(row.number, "unchanged", object_id=current.pk, label=current.name)
        old_path = current.path
        for name, value in changed.items():
            setattr(current, name, value)
        if write:
            save_audited(ctx.actor, current, FIELDS)
        else:
            current.path = _path_of(current)
        if current.path != old_path:
            ctx.repath()  # the subtree moved with it (Region.save rewrote the stored paths)
        ctx.names = None
        return Outcome(row.number, "updated", object_id=current.pk, label=current.name)


def derived_level(code: str) -> int:
    """From the code alone: 12 digits a grid, 9 a street, 6 a city when it ends in 00, else a district."""
    if len(code) == CODE_LENGTH[RegionLevel.GRID]:
        return RegionLevel.GRID
    if len(code) == CODE_LENGTH[RegionLevel.STREET]:
        return RegionLevel.STREET
    return RegionLevel.CITY if code.endswith("00") else RegionLevel.DISTRICT


def _pk(obj):
    return obj.pk if obj is not None else None


def _path_of(region: Region) -> str:
    """The path ``Region.save`` would give (a dry run keeps unsaved regions in memory)."""
    return (region.parent.path if region.parent is not None else "/") + region.code + "/"


class Context:
    """Every region (active or not) by code, linked in memory so that a region created or moved
    by an earlier row is what a later row finds."""

    def __init__(self, actor, scope, *, allowed: bool) -> None:
        self.actor, self.scope, self.allowed = actor, scope, allowed
        self.seen: dict[str, int] = {}
        self.reload()

    def reload(self) -> None:
        regions = list(Region.objects.all())
        by_id = {r.pk: r for r in regions}
        for region in regions:
            region.parent = by_id.get(region.parent_id)
        self.by_code: dict[str, Region] = {r.code: r for r in regions}
        self.names: dict[str, list[Region]] | None = None

    def repath(self) -> None:
        """Recompute every path in memory, parents first (codes are at most four levels deep)."""
        for region in sorted(self.by_code.values(), key=lambda r: r.level):
            region.path = _path_of(region)

    def add(self, region: Region) -> None:
        self.by_code[region.code] = region
        self.names = None

    def find(self, value: str) -> Region:
        word = cells.text(value)
        code = normalize.code(word)
        if code.isdigit():
            region = self.by_code.get(code)
            if region is None:
                raise ValidationError(f"上级区划「{code}」不存在：请先导入上级区划（在本文件中列在本行之前）")
            return region
        if self.names is None:
            self.names = {}
            for region in self.by_code.values():
                self.names.setdefault(cells.header_key(region.name), []).append(region)
        found = self.names.get(cells.header_key(word), [])
        if not found:
            raise ValidationError(f"找不到名为「{word}」的区划，请填写上级区划代码")
        if len(found) > 1:
            raise ValidationError(f"「{word}」有 {len(found)} 处同名区划，请填写上级区划代码")
        return found[0]

    def city_of(self, code: str) -> Region | None:
        """The city a district lies in: its prefecture (xxxx00), its province-level city
        (xx0000), or the one city root there is."""
        for candidate in (code[:4] + "00", code[:2] + "0000"):
            region = self.by_code.get(candidate)
            if candidate != code and region is not None and region.level == RegionLevel.CITY:
                return region
        roots = [r for r in self.by_code.values() if r.level == RegionLevel.CITY and r.parent_id is None]
        return roots[0] if len(roots) == 1 else None

"""Importing carriers (载体: 商务楼宇、园区、商业街/城、专业市场): upsert by street and name, only in
streets of the user's carrier territory (``Scope.carriers("change")``), saved with
``save_audited`` as the carrier edit page does."""

from django.core.exceptions import ValidationError

from liangxin.core.services import save_audited
from liangxin.core.tree import is_under
from liangxin.regions.models import Carrier, CarrierKind, RegionLevel

from .. import cells
from ..spec import Column, Outcome, Prepared, RowError
from .lookups import RegionLookup
from .rowwise import RowKind, active, text_of, yes

KIND = cells.Choice(
    CarrierKind.choices,
    "类型",
    {
        "楼宇": CarrierKind.BUILDING, "商务楼": CarrierKind.BUILDING, "商务楼宇": CarrierKind.BUILDING,
        "写字楼": CarrierKind.BUILDING, "商务楼宇（写字楼）": CarrierKind.BUILDING, "大厦": CarrierKind.BUILDING,
        "园": CarrierKind.PARK, "产业园": CarrierKind.PARK, "产业园区": CarrierKind.PARK, "创业园": CarrierKind.PARK,
        "创业园区": CarrierKind.PARK, "科技园": CarrierKind.PARK, "工业园区": CarrierKind.PARK,
        "商业街": CarrierKind.STREET, "商业城": CarrierKind.STREET, "城": CarrierKind.STREET,
        "商业街区": CarrierKind.STREET, "商圈": CarrierKind.STREET,
        "市场": CarrierKind.MARKET, "商品市场": CarrierKind.MARKET,
    },
)  # fmt: skip
FIELDS = ["name", "kind", "street", "address", "is_active"]  # audited, as on the edit page


def _street_text(value) -> str:
    return cells.text(value)


COLUMNS = [
    Column("name", "名称", ("载体名称", "楼宇名称", "园区名称", "楼宇（园区）名称"),
           text_of("载体名称", least=2, most=100), required=True, example="新世界大厦",
           note="同一街道/镇下按名称更新", export=lambda c: c.name),
    Column("kind", "类型", ("载体类型", "类别", "载体类别"), KIND, required=True, choices=tuple(CarrierKind.labels),
           example="商务楼宇", export=lambda c: c.get_kind_display()),
    Column("street", "所在街道/镇", ("所在街道", "所属街道", "所在街镇", "街道", "街镇", "所属街镇", "街道代码"),
           _street_text, required=True, example="310101002",
           note="街道/镇的区划代码或名称（名称重复时写“区名+街道名”）", export=lambda c: c.street.code),
    Column("address", "地址", ("详细地址", "载体地址"), text_of("地址", most=200), example="南京东路100号",
           export=lambda c: c.address),
    Column("is_active", "有效", ("是否有效",), active, choices=("是", "否"), example="是", note="留空为“是”",
           export=lambda c: yes(c.is_active)),
]  # fmt: skip
EXPORT_EXTRA = [("街道/镇名称", lambda c: c.street.name, "text")]


class CarrierImportKind(RowKind):
    name = "carriers"
    label = "载体"
    key_label = "所在街道/镇和名称"
    columns = COLUMNS
    export_extra = EXPORT_EXTRA
    export_related = ("street",)
    required = "can_edit_carriers"
    duplicate_what = "所在街道/镇和名称相同"
    duplicate_column = "名称"

    def context(self, actor, scope):
        return Context(actor, scope)

    def key(self, ctx: "Context", values: dict):
        street = ctx.street_of(values.get("street"))
        return (street.pk, values["name"]) if street is not None and values.get("name") else None

    def resolve(self, ctx: "Context", row: Prepared) -> None:
        values = row.values
        text = values.get("street") or ""
        values["street"] = None
        if not text:
            return
        try:
            street = ctx.regions.find(text)
        except ValidationError as error:
            row.errors.append(RowError("所在街道/镇", text, error.messages[0]))
            return
        if street.level != RegionLevel.STREET:
            reason = f"所在街道/镇应填写街道或镇，「{street.name}」是{street.get_level_display()}"
            row.errors.append(RowError("所在街道/镇", text, reason))
            return
        if not ctx.may_edit_in(street):
            reason = f"「{street.name}」不在您的管辖范围内，不能在此登记或修改载体"
            row.errors.append(RowError("所在街道/镇", text, reason))
            return
        values["street"] = street

    def decide(self, ctx: "Context", row: Prepared, write: bool) -> Outcome:
        values = row.values
        street = values["street"]
        wanted = {f: values[f] for f in ("kind", "address", "is_active") if f in values}
        current = ctx.existing.get((street.pk, values["name"]))
        if current is None:
            carrier = Carrier(name=values["name"], street=street, **wanted)
            if write:
                save_audited(ctx.actor, carrier, FIELDS)
            ctx.existing[(street.pk, carrier.name)] = carrier
            return Outcome(row.number, "created", object_id=carrier.pk, label=carrier.name)
        changed = {f: v for f, v in wanted.items() if getattr(current, f) != v}
        if not changed:
            return Outcome(row.number, "unchanged", object_id=current.pk, label=current.name)
        for name, value in changed.items():
            setattr(current, name, value)
        if write:
            save_audited(ctx.actor, current, FIELDS)
        return Outcome(row.number, "updated", object_id=current.pk, label=current.name)


class Context:
    def __init__(self, actor, scope) -> None:
        self.actor, self.scope = actor, scope
        self.allowed = scope.can_edit_carriers
        self.regions = RegionLookup()
        self.seen: dict[tuple, int] = {}
        # Scope.carriers("change"): the whole city (None), or the streets under the carrier editors' territory
        self.territory = scope.carrier_territory()
        self.reload()

    def reload(self) -> None:
        self.existing = {(c.street_id, c.name): c for c in Carrier.objects.select_related("street")}

    def street_of(self, text):
        if not text:
            return None
        try:
            return self.regions.find(text)
        except ValidationError:
            return None

    def may_edit_in(self, street) -> bool:
        return self.territory is None or any(is_under(street.path, p) for p in self.territory)

"""Checks on the region tree that need the database or several fields."""

from .models import Region, RegionLevel

CODE_LENGTH = {RegionLevel.CITY: 6, RegionLevel.DISTRICT: 6, RegionLevel.STREET: 9, RegionLevel.GRID: 12}


def check_region(values: dict, *, instance: Region | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    code, level, parent = values.get("code") or "", values.get("level"), values.get("parent")
    if level is None:
        return errors
    if not code.isdigit() or len(code) != CODE_LENGTH[level]:
        errors["code"] = f"{RegionLevel(level).label}的区划代码应为{CODE_LENGTH[level]}位数字"
    if level == RegionLevel.CITY:
        if parent is not None:
            errors["parent"] = "市级区划没有上级"
    elif parent is None or parent.level != level - 1:
        errors["parent"] = f"{RegionLevel(level).label}的上级应为{RegionLevel(level - 1).label}"
    elif level > RegionLevel.DISTRICT and not code.startswith(parent.code[:6]):
        errors["code"] = f"区划代码应以上级代码 {parent.code[:6]} 开头"
    if instance is not None and instance.pk and parent is not None and parent.path.startswith(instance.path):
        errors["parent"] = "不能把区划移到它自己的下级之下"
    return errors

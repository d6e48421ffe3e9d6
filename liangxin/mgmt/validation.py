"""Checks on the management tree."""

from .models import ManagementNode, NodeKind

# Which kinds may sit under which (the shape of DOMAIN.md's management tree).
ALLOWED_PARENTS: dict[str, tuple[str, ...]] = {
    NodeKind.CITY: (),
    NodeKind.DISTRICT: (NodeKind.CITY,),
    NodeKind.STREET: (NodeKind.DISTRICT,),
    NodeKind.INDUSTRY: (NodeKind.CITY, NodeKind.DISTRICT),
    NodeKind.GRASSROOTS: (NodeKind.STREET, NodeKind.INDUSTRY, NodeKind.DISTRICT, NodeKind.CITY, NodeKind.GRASSROOTS),
}
REGION_LEVEL_OF_KIND = {NodeKind.CITY: 1, NodeKind.DISTRICT: 2, NodeKind.STREET: 3}


def check_node(values: dict, *, instance: ManagementNode | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    kind, parent, region = values.get("kind"), values.get("parent"), values.get("region")
    allowed = ALLOWED_PARENTS.get(kind, ())
    if not allowed and parent is not None:
        errors["parent"] = "市级党委是根节点，没有上级"
    elif allowed and (parent is None or parent.kind not in allowed):
        names = "、".join(NodeKind(k).label for k in allowed)
        errors["parent"] = f"{NodeKind(kind).label}的上级应为：{names}"
    if kind in REGION_LEVEL_OF_KIND:
        if region is None or region.level != REGION_LEVEL_OF_KIND[kind]:
            errors["region"] = f"{NodeKind(kind).label}须关联对应层级的辖区"
        elif parent is not None and parent.region_id and not region.path.startswith(parent.region.path):
            errors["region"] = "辖区应在上级党委的辖区之内"
        else:
            clash = ManagementNode.objects.filter(region=region, kind__in=list(REGION_LEVEL_OF_KIND))
            if instance is not None and instance.pk:
                clash = clash.exclude(pk=instance.pk)
            if clash.exists():
                errors["region"] = f"辖区「{region.name}」已有对应的党委"
    elif region is not None and kind == NodeKind.INDUSTRY:
        errors["region"] = "行业党委不按辖区设置，请留空"
    if instance is not None and instance.pk and parent is not None and parent.path.startswith(instance.path):
        errors["parent"] = "不能把节点移到它自己的下级之下"
    return errors

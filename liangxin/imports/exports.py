"""The lists that export under their import kind's headers, so an exported file imports back
unchanged: organizations, party organizations, members, regions, carriers (registered in
``imports.tasks.EXPORT_BUILDERS``). They sit here, above the apps whose lists they export, because the
headers are the import kinds'."""

from django.db.models import Prefetch

from liangxin.core import crypto
from liangxin.core.xlsx import ListExport
from liangxin.orgs.queries import SORTS, filtered_organizations
from liangxin.party.models import Member, PartyOrgLink
from liangxin.party.queries import filtered_members, filtered_party_orgs
from liangxin.regions.queries import filtered_carriers, regions_under

from .exporting import kind_export


def organization_export(scope, params) -> ListExport:
    """The registry's export under the import's headers (the file imports back unchanged)."""
    qs, f = filtered_organizations(scope, params)
    if f.errors:
        raise ValueError("；".join(f.errors.values()))
    key, descending = SORTS[f.sort]
    return kind_export(
        "organizations",
        qs,
        title="两新组织名录",
        object_type="orgs.organization",
        filter_text="；".join(f"{label}：{value}" for label, value in f.describe()) or "无（权限范围内全部）",
        order=(("-" if descending else "") + key, "pk"),
    )


def party_org_export(scope, params) -> ListExport:
    """Under the import's headers; parents before children (the file imports back in order)."""
    qs, _, filter_text = filtered_party_orgs(scope, params)
    current = PartyOrgLink.objects.filter(end_on__isnull=True).select_related("organization")
    qs = qs.prefetch_related(Prefetch("links", queryset=current, to_attr="current_links"))
    return kind_export("party_orgs", qs, title="党组织", object_type="party.partyorganization",
                       filter_text=filter_text, order=("node__path",), chunk_size=500)  # fmt: skip


def member_export(scope, params) -> ListExport:
    """The member list under the import's headers (a full export imports back unchanged);
    identity numbers masked unless the role may see them, and the cover sheet says which."""
    qs, _, filter_text = filtered_members(scope, params)
    full = scope.sees_full_id_numbers
    return kind_export(
        "members",
        qs,
        title="党员名册",
        object_type="party.member",
        filter_text=filter_text + ("；含完整公民身份号码" if full else "；公民身份号码已脱敏"),
        each=lambda m: _with_id_number(m, full),
        notice="含完整公民身份号码" if full else "",
    )


def _with_id_number(member: Member, full: bool) -> Member:
    member.export_id_number = crypto.decrypt(member.id_number_enc) if full else member.id_masked
    return member


def region_export(scope, params) -> ListExport:
    """The visible regions under the chosen one (all when none), under the import's headers."""
    rows, parent = regions_under(scope.regions("view"), params.get("parent"))
    return kind_export("regions", rows, title="行政区划", object_type="regions.region",
                       filter_text=f"{parent.name}及其下级" if parent is not None else "权限范围内全部",
                       order=("path",))  # fmt: skip


def carrier_export(scope, params) -> ListExport:
    carriers, _, _, filter_text = filtered_carriers(scope, params)
    return kind_export("carriers", carriers, title="载体", object_type="regions.carrier",
                       filter_text=filter_text, order=("street__path", "name"))  # fmt: skip

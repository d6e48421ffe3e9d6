"""The responsible-node rule of DOMAIN.md, in its order."""

import datetime

from liangxin.mgmt.models import ManagementNode, NodeKind
from liangxin.orgs.choices import ResponsibleBasis
from liangxin.orgs.models import Organization
from liangxin.orgs.responsibility import find_street_committee, nearest_committee, responsible_node_for


def rule(org, covering=()):
    return responsible_node_for(org, find_street_committee, covering_nodes=covering)


def test_operating_street_by_default(cast):
    org = Organization(operating_region=cast.grid, registered_region=cast.tianping)
    assert rule(org) == (cast.nanjing_node, ResponsibleBasis.OPERATING)


def test_override_wins_over_place(cast):
    org = Organization(
        operating_region=cast.nanjing, attachment_kind="industry", attachment_node=cast.lawyers_node,
        attachment_reason="律师行业党委统一管理", attachment_date=datetime.date(2024, 1, 1),
    )  # fmt: skip
    assert rule(org) == (cast.lawyers_node, ResponsibleBasis.OVERRIDE)


def test_party_organization_link_wins_over_override(cast):
    branch = ManagementNode.objects.create(name="联合党支部", kind=NodeKind.GRASSROOTS, parent=cast.waitan_node)
    sub = ManagementNode.objects.create(name="党小组", kind=NodeKind.GRASSROOTS, parent=branch)
    org = Organization(operating_region=cast.nanjing, attachment_kind="designated", attachment_node=cast.lawyers_node)
    assert rule(org, covering=[sub]) == (cast.waitan_node, ResponsibleBasis.PARTY_ORG)
    assert nearest_committee(sub) == cast.waitan_node


def test_registered_street_when_operating_place_has_no_committee(cast):
    from liangxin.regions.models import Region, RegionLevel

    lonely = Region.objects.create(code="310101099", name="无党委街道", level=RegionLevel.STREET, parent=cast.huangpu)
    org = Organization(operating_region=lonely, registered_region=cast.tianping)
    assert rule(org) == (cast.tianping_node, ResponsibleBasis.REGISTERED)


def test_none_is_a_finding(cast):
    from liangxin.regions.models import Region, RegionLevel

    lonely = Region.objects.create(code="310101099", name="无党委街道", level=RegionLevel.STREET, parent=cast.huangpu)
    org = Organization(operating_region=lonely, registered_region=cast.huangpu)
    assert rule(org) == (None, ResponsibleBasis.NONE)


def test_inactive_street_committee_does_not_count(cast):
    cast.nanjing_node.is_active = False
    cast.nanjing_node.save()
    org = Organization(operating_region=cast.nanjing, registered_region=cast.tianping)
    assert rule(org) == (cast.tianping_node, ResponsibleBasis.REGISTERED)


def test_saved_organizations_carry_their_responsible_node(cast):
    assert cast.org.responsible_node == cast.nanjing_node
    assert cast.org.responsible_basis == ResponsibleBasis.OPERATING
    assert cast.xuhui_org.responsible_node == cast.tianping_node

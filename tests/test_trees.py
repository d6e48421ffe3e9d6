import pytest

from liangxin.core.tree import any_subtree_q, collapse_paths, subtree_bounds
from liangxin.mgmt.models import ManagementNode, NodeKind
from liangxin.regions.models import Region, RegionLevel


def test_subtree_bounds_cover_descendants_only():
    low, high = subtree_bounds("/310000/310101/")
    inside = ["/310000/310101/", "/310000/310101/310101002/", "/310000/310101/310101002/310101002001/"]
    outside = ["/310000/", "/310000/3101010/", "/310000/310104/", "/310000/31010/"]
    assert all(low <= p < high for p in inside)
    assert not any(low <= p < high for p in outside)


def test_subtree_bounds_reject_a_path_without_trailing_slash():
    with pytest.raises(ValueError):
        subtree_bounds("/310000")


def test_collapse_paths_drops_nested_paths():
    assert collapse_paths(["/1/2/", "/1/", "/3/", "/1/2/5/"]) == ["/1/", "/3/"]


def test_region_subtree_is_one_query(cast, django_assert_num_queries):
    with django_assert_num_queries(1):
        codes = sorted(r.code for r in cast.huangpu.subtree())
    assert codes == ["310101", "310101002", "310101002001", "310101013"]


def test_any_subtree_of_nothing_matches_nothing(cast):
    assert Region.objects.filter(any_subtree_q([])).count() == 0


def test_region_path_and_street_code(cast):
    assert cast.grid.path == "/310000/310101/310101002/310101002001/"
    assert cast.grid.street_code == "310101002"
    assert cast.huangpu.street_code is None
    assert [r.name for r in cast.grid.ancestors()] == ["上海市", "黄浦区", "南京东路街道", "第一网格"]


def test_moving_a_region_rewrites_the_paths_below(cast):
    cast.nanjing.parent = cast.xuhui
    cast.nanjing.save()
    cast.grid.refresh_from_db()
    assert cast.grid.path == "/310000/310104/310101002/310101002001/"
    assert cast.grid in cast.xuhui.subtree()


def test_management_node_paths_use_ids_and_follow_moves(cast):
    assert cast.nanjing_node.path == f"/{cast.city_node.pk}/{cast.huangpu_node.pk}/{cast.nanjing_node.pk}/"
    branch = ManagementNode.objects.create(name="某支部", kind=NodeKind.GRASSROOTS, parent=cast.nanjing_node)
    cast.nanjing_node.parent = cast.xuhui_node
    cast.nanjing_node.save()
    branch.refresh_from_db()
    assert branch.path.startswith(cast.xuhui_node.path)
    assert set(cast.xuhui_node.subtree()) == {cast.xuhui_node, cast.tianping_node, cast.nanjing_node, branch}


def test_region_level_labels():
    assert RegionLevel.STREET.label == "街道/镇"

"""Permission matrix entries for 组织关系转接与流动党员 (merged into tests/test_permission_matrix.py's MATRIX)."""

ENTRIES: dict = {}

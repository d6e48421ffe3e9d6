"""Permission matrix entries for 组织生活 (merged into tests/test_permission_matrix.py's MATRIX)."""

ENTRIES: dict = {}

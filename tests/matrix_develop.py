"""Permission matrix entries for 发展党员 (merged into tests/test_permission_matrix.py's MATRIX)."""

ENTRIES: dict = {}

"""Permission matrix entries for 党费 (merged into tests/test_permission_matrix.py's MATRIX)."""

ENTRIES: dict = {}

"""组织关系转接与流动党员 pages."""

# (label, url name, scope capability or None) for the left navigation's 日常工作 section
NAV: list[tuple[str, str, str | None]] = []

urlpatterns: list = []

"""党费 API."""


def register(router) -> None:
    """Register this module's viewsets on the API router."""

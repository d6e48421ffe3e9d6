"""Slots: how a lower app calls a higher one without importing it.

The apps are layered (tests/test_layers.py): an app imports only its own layer and those
below. Where a lower app needs, at run time, something only a higher app knows (the password
lifetime is a party policy parameter; the 自行脱党 rule reads the dues ledger), the lower app
declares a ``Slot`` and the higher app fills it from its ``AppConfig.ready()``. Django runs
every ``ready()`` before the first request, command or test, so a slot is filled whenever it
is called; calling an empty slot without a default is a configuration error, said loudly.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured


class Slot:
    """One function, provided by a higher app."""

    def __init__(self, name: str, default: Callable[..., Any] | None = None) -> None:
        self.name = name
        self._default = default
        self._provided: Callable[..., Any] | None = None

    def fill(self, provider: Callable[..., Any]) -> Callable[..., Any]:
        """Provide the function (from the providing app's ``AppConfig.ready()``); returns it."""
        self._provided = provider
        return provider

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        provider = self._provided or self._default
        if provider is None:
            raise ImproperlyConfigured(f"{self.name}: no installed app provides it")
        return provider(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Slot {self.name}: {getattr(self._provided, '__qualname__', 'empty')}>"


class Registry:
    """Any number of functions, each added by the app that provides it (in INSTALLED_APPS order)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._items: list[Callable[..., Any]] = []

    def add(self, provider: Callable[..., Any]) -> Callable[..., Any]:
        if provider not in self._items:  # ready() may run twice in a test that reloads apps
            self._items.append(provider)
        return provider

    def __iter__(self):
        return iter(list(self._items))

    def __repr__(self) -> str:
        return f"<Registry {self.name}: {len(self._items)}>"

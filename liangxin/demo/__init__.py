"""Demo data: a Shanghai city of two-new organizations with their party side and a year of daily work.

One entry point, ``build_demo(orgs=…, seed=…, members=…, party=…, snapshots=…, log=…)`` (and
``delete_demo()`` for ``seed_demo --reset``); ``manage.py seed_demo`` is a thin wrapper. The parts,
in the order ``build.build_demo`` runs them:

- ``regions``: regions, grids, carriers, committees (``names`` and ``codes`` feed ``orgs``)
- ``orgs``: the organizations, by ``executemany`` in batches
- ``party``: party organizations, members, links, officers, instructors, coverage
- ``accounts``: the demo logins (administrators; the secretary and member of a real branch)
- ``life``, ``develop``, ``transfers``, ``dues``: a year of organization life, applicants,
  transfers and census, dues
- ``reset``: deleting it all again

``common`` holds what the parts share; ``rows`` the bulk writers. Nothing in the domain apps
imports this package (tests/test_demo_package.py checks): it depends on them, never the reverse.

This package is an installed app only for its management command, so Django imports it before
the models are ready: the entry points below import ``build`` when called.
"""


def build_demo(**options) -> None:
    """``build.build_demo``: the whole demo on an empty database."""
    from liangxin.demo.build import build_demo as build  # noqa: PLC0415 — app package: loads before the models

    build(**options)


def delete_demo() -> None:
    """``build.delete_demo``: the demo world deleted, dependents first (superusers are kept)."""
    from liangxin.demo.build import delete_demo as delete  # noqa: PLC0415 — app package: loads before the models

    delete()

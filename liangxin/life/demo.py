"""Demo data for 组织生活 (called by seed_demo after the party side exists)."""

import random


def build_demo(rng: random.Random, log) -> dict:
    return {}

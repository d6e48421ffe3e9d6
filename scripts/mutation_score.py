"""Print the mutation score per module from mutmut's results (mutants/**/*.meta), after `make mutate`.

killed counts mutants a test caught (a failing test, or a timeout: the mutant made a test hang);
survived counts mutants every test passed; "not run" counts mutants not reached yet (a partial run
names its modules). Exit status 0: the table is information, the surviving mutants are read one by
one with `mutmut show NAME`.
"""

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

ROOT = Path(__file__).resolve().parent.parent / "mutants"


def main() -> int:
    metas = sorted(ROOT.rglob("*.py.meta"))
    if not metas:
        print("没有找到变异测试结果（先运行 make mutate）", file=sys.stderr)
        return 1
    print(f"{'module':40} {'killed':>7} {'survived':>9} {'no tests':>9} {'not run':>8} {'score':>7}")
    for meta in metas:
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        status = Counter(status_by_exit_code[code] for code in codes.values())
        killed = status["killed"] + status["timeout"]
        survived, no_tests = status["survived"], status["no tests"]
        done = killed + survived + no_tests
        score = f"{100 * killed / done:.1f}%" if done else "—"
        module = str(meta.relative_to(ROOT)).removesuffix(".meta")
        print(f"{module:40} {killed:>7} {survived:>9} {no_tests:>9} {status['not checked']:>8} {score:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

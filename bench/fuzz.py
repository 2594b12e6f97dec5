"""The fuzz tests (issue 17) at the long profile: how many examples each ran, how many failed, how long it took.

    python bench/fuzz.py                 # the "long" profile: 5,000 examples a test, a few minutes on 2 cores
    python bench/fuzz.py --profile ci    # what CI runs: 200 examples a test

Runs `tests/data/reader_fuzz_test.py`, `tests/tokenizers/tokenizer_fuzz_test.py` and
`tests/training/config_fuzz_test.py` under pytest with hypothesis' statistics and reads them back. Every reader,
tokenizer and config input either works or raises seqtk's own error naming the file; a failing example fails
the test (and the run exits non-zero).
"""

import argparse
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

from common import print_table, write_results  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILES = ["tests/data/reader_fuzz_test.py", "tests/tokenizers/tokenizer_fuzz_test.py",
         "tests/training/config_fuzz_test.py"]
# pytest's statistics block for one test: its name, then the generate phase's counts and time.
BLOCK = re.compile(r"^(tests/\S+::\S+):\s*$(.*?)(?=^tests/\S+::|\Z)", re.M | re.S)
COUNTS = re.compile(r"(\d+) passing, (\d+) failing, and (\d+) invalid")
PHASE = re.compile(r"during generate phase \(([\d.]+) seconds\)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="long", choices=["ci", "long"])
    args = parser.parse_args()
    env = {**os.environ, "SEQTK_FUZZ_PROFILE": args.profile, "TF_CPP_MIN_LOG_LEVEL": "3"}
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                           "--hypothesis-show-statistics", *FILES], cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - start
    rows = []
    for name, body in BLOCK.findall(done.stdout):
        counts = COUNTS.search(body)
        phase = PHASE.search(body)
        if not counts:
            continue
        rows.append({"test": name.split("::")[-1], "file": name.split("::")[0], "passing": int(counts.group(1)),
                     "failing": int(counts.group(2)), "invalid": int(counts.group(3)),
                     "seconds": float(phase.group(1)) if phase else None})
    print_table(rows, ["test", "passing", "failing", "invalid", "seconds"])
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-500:]
    print(f"pytest: {summary} ({seconds:.0f} s, profile {args.profile})")
    write_results(f"fuzz_{args.profile}", rows, profile=args.profile, pytest=summary, total_seconds=round(seconds, 1))
    sys.exit(done.returncode)


if __name__ == "__main__":
    main()

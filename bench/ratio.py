#!/usr/bin/env python3
"""How many times longer tally takes than the parse-only floor, measured so that a shared,
noisy machine disturbs the ratio as little as possible.

    bench/ratio.py ROUNDS NAME -- FLOOR_COMMAND... -- TALLY_COMMAND...

The two commands run one after the other, ROUNDS times (after one warm-up run of each), so that
both meet the same moments of the machine's load. Each round gives a ratio (tally's wall time
over the floor's); the median of the rounds is printed, with each command's median wall time
and the lowest and highest ratio, as one line:

    NAME floor_median tally_median ratio_median ratio_min ratio_max
"""

import os
import statistics
import sys


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers"))
from compare import run  # noqa: E402  (the one alternating timer of bench/)


def wall(command):
    return run(command)[0]


def main():
    rounds, name = int(sys.argv[1]), sys.argv[2]
    rest = sys.argv[3:]
    if rest.count("--") != 2 or rest[0] != "--":
        sys.exit("usage: ratio.py ROUNDS NAME -- FLOOR... -- TALLY...")
    split = rest.index("--", 1)
    floor, tally = rest[1:split], rest[split + 1 :]
    wall(floor)
    wall(tally)
    floors, tallies = [], []
    for _ in range(rounds):
        floors.append(wall(floor))
        tallies.append(wall(tally))
    ratios = [t / f for f, t in zip(floors, tallies)]
    print(
        f"{name} {statistics.median(floors):.3f} {statistics.median(tallies):.3f} "
        f"{statistics.median(ratios):.3f} {min(ratios):.3f} {max(ratios):.3f}"
    )


if __name__ == "__main__":
    main()

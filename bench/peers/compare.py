#!/usr/bin/env python3
"""Two commands timed in alternation: wall and CPU time, and their ratios by round.

    bench/peers/compare.py ROUNDS NAME -- A_COMMAND... -- B_COMMAND...

After one warm-up run of each, A and B run one after the other ROUNDS times, so that both meet
the same moments of a shared machine's load (as bench/ratio.py does). Each run's wall time is
measured around the process, its CPU time (user + system, of the process and its children) by
os.wait4. Each round gives B/A for wall and for CPU; prints one line:

    NAME rounds A_wall_median B_wall_median wall_ratio_median wall_ratio_min wall_ratio_max \
         A_cpu_median B_cpu_median cpu_ratio_median cpu_ratio_min cpu_ratio_max

Output of the commands goes to /dev/null; an exit code other than 0 or 1 stops the script.
"""

import os
import statistics
import subprocess
import sys
import time


def run(command):
    start = time.perf_counter()
    p = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"compare.py: exit code {code}: {' '.join(command)}")
    return wall, usage.ru_utime + usage.ru_stime


def main():
    rounds, name = int(sys.argv[1]), sys.argv[2]
    rest = sys.argv[3:]
    if rest.count("--") != 2 or rest[0] != "--":
        sys.exit("usage: compare.py ROUNDS NAME -- A... -- B...")
    split = rest.index("--", 1)
    a, b = rest[1:split], rest[split + 1:]
    run(a)
    run(b)
    aw, bw, ac, bc = [], [], [], []
    for _ in range(rounds):
        w, c = run(a)
        aw.append(w)
        ac.append(c)
        w, c = run(b)
        bw.append(w)
        bc.append(c)
    wr = [y / x for x, y in zip(aw, bw)]
    cr = [y / x for x, y in zip(ac, bc) if x > 0]
    med = statistics.median
    print(f"{name} {rounds} {med(aw):.4f} {med(bw):.4f} {med(wr):.3f} {min(wr):.3f} {max(wr):.3f} "
          f"{med(ac):.4f} {med(bc):.4f} {med(cr):.3f} {min(cr):.3f} {max(cr):.3f}")


if __name__ == "__main__":
    main()

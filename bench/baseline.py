#!/usr/bin/env python3
"""The benchmark's baseline: what a finance bureau might write by hand.

Needs PyYAML built with libyaml (`pip install pyyaml`; `yaml.CLoader` must exist).

    python3 bench/baseline.py PATH...

Loads every *.yaml / *.yml under the paths with PyYAML's C loader, one after the other,
and runs ten of the built-in pack's core checks with a fixed tolerance of 0.015 (amounts)
or 0.01 (shares): totals of income and expenditure, basic + project, function classes and
their items, basic-expenditure split, the three 三公 parts, the balance identity, income and
expenditure shares, and self-evaluation scores against their maxima. Prints a summary line.
"""

import os
import sys

import yaml

try:
    LOADER = yaml.CLoader
except AttributeError:
    sys.exit("baseline.py needs PyYAML built with libyaml (yaml.CLoader)")

TOL = 0.015


def num(x):
    return 0.0 if x is None else float(x)


def close(a, b, tol=TOL):
    return abs(num(a) - num(b)) <= tol


def check(d):
    """The ten checks; returns the list of failed check names."""
    bad = []
    inc = d["income"]
    sources = ["gpb", "gov_fund", "superior_subsidy", "public_service", "business",
               "affiliate_remittance", "other"]
    if not close(sum(num(inc[s]["amount"]) for s in sources), inc["total"], 0.005 * 8):
        bad.append("income-total")
    exp = d["expenditure"]
    kinds = ["basic", "project", "remit_to_superior", "business", "subsidy_to_affiliates"]
    if not close(sum(num(exp[k]["amount"]) for k in kinds), exp["total"], 0.005 * 6):
        bad.append("expenditure-total")
    classes = d["function_classes"]
    if not close(sum(num(c["amount"]) for c in classes),
                 d["gpb_expenditure"]["structure_total"], 0.005 * (len(classes) + 1)):
        bad.append("function-classes-total")
    for c in classes:
        items = c.get("items") or []
        if not close(sum(num(i["amount"]) for i in items), c["amount"], 0.005 * (len(items) + 1)):
            bad.append("function-class-items")
    be = d["basic_expenditure"]
    if not close(num(be["personnel"]) + num(be["public_running"]), be["total"]):
        bad.append("basic-split")
    tp = d["three_public"]
    if not close(num(tp["overseas"]["amount"]) + num(tp["vehicle"]["amount"])
                 + num(tp["reception"]["amount"]), tp["total"], 0.02):
        bad.append("three-public-total")
    ov = d["overview"]["total"]
    bal = d["balance"]
    if not (close(num(inc["total"]) + num(bal["opening_carryover"]), ov)
            and close(num(exp["total"]) + num(bal["closing_carryover"]), ov)):
        bad.append("balance")
    for s in sources:
        if num(inc["total"]) and not close(num(inc[s]["amount"]) / num(inc["total"]) * 100,
                                           inc[s]["share"], 0.01):
            bad.append("income-share")
    for k in ("basic", "project"):
        if num(exp["total"]) and not close(num(exp[k]["amount"]) / num(exp["total"]) * 100,
                                           exp[k]["share"], 0.01):
            bad.append("expenditure-share")
    for l1 in d["self_evaluation"]["level1"]:
        for l2 in l1["level2"]:
            for l3 in l2["level3"]:
                if num(l3["score"]) > num(l3["max"]):
                    bad.append("score-over-max")
    return bad


def files(paths):
    for p in paths:
        if os.path.isfile(p):
            yield p
            continue
        for root, dirs, names in os.walk(p):
            dirs.sort()
            for n in sorted(names):
                if n.endswith((".yaml", ".yml")):
                    yield os.path.join(root, n)


def main():
    count = failed = findings = 0
    for path in files(sys.argv[1:]):
        count += 1
        try:
            with open(path, encoding="utf-8") as f:
                data = yaml.load(f, Loader=LOADER)
            bad = check(data)
        except Exception as e:  # a hand-written script: report and go on
            bad = [f"error: {e}"]
        findings += len(bad)
        failed += bool(bad)
    print(f"{count} files checked: {failed} with findings, {findings} findings")


if __name__ == "__main__":
    main()

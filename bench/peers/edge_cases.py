#!/usr/bin/env python3
"""Datasets at the edges of tally's rounding semantics, for bench/peers/verify.py.

    python3 bench/peers/edge_cases.py OUT_DIR

Writes OUT_DIR/edge-NN.yaml: bench/seed-2020.yaml (without meta.prior) with a few figures of
the peers' six rules rewritten, each file one case: sums whose intervals overlap, only touch
(both sides rounded: not equal) or miss; figures printed with one, two or three decimals or as
integers (exact); shares one and two hundredths off under `within 0.01`; an amount of 1 against
a share of 0; a class's items that do not add up; a rate of change with the other word, the wrong word, a word the rules ignore, as
an integer; a class whose items are empty. The seed passes all six rules, so every finding in
these files comes from the case.
"""

import os
import sys

import yaml


class Figure(str):
    """A number as printed."""


class Loader(yaml.CSafeLoader):
    pass


class Dumper(yaml.CSafeDumper):
    pass


Loader.add_constructor("tag:yaml.org,2002:float", lambda l, n: Figure(n.value))
Loader.add_constructor("tag:yaml.org,2002:int", lambda l, n: Figure(n.value))
Dumper.add_representer(
    Figure,
    lambda d, v: d.represent_scalar("tag:yaml.org,2002:" + ("float" if "." in v else "int"), str(v)))

F = Figure
CASES = [
    # FA-TOT-002: 1170.44 + 446.98 + 0 + 0 + 0 = 1617.42
    ("sum overlaps", {"expenditure.total": F("1617.43")}),
    ("sum misses by a cent", {"expenditure.total": F("1617.44")}),
    ("sum only touches (1170.4 + 446.98 ≤ 1617.435; 1617.44 ≥ 1617.435)",
     {"expenditure.basic.amount": F("1170.4"), "expenditure.total": F("1617.44")}),
    ("sum overlaps, one decimal", {"expenditure.basic.amount": F("1170.4"), "expenditure.total": F("1617.43")}),
    ("sum of exact integers misses", {"expenditure.basic.amount": F("1170"), "expenditure.project.amount": F("447"),
                                      "expenditure.total": F("1617.5")}),
    ("sum of exact integers inside", {"expenditure.basic.amount": F("1170"), "expenditure.project.amount": F("447"),
                                      "expenditure.total": F("1617.0")}),
    ("three decimals", {"expenditure.basic.amount": F("1170.440"), "expenditure.project.amount": F("446.980"),
                        "expenditure.total": F("1617.431")}),
    # FA-TOT-004: the first class, 881.48 + 317.14 + 25.00 + 44.54 + 40.00 = 1308.16
    ("items overlap", {"function_classes[0].amount": F("1308.18")}),
    ("items only touch (five items ≤ 1308.185; 1308.19 ≥ 1308.185)", {"function_classes[0].amount": F("1308.19")}),
    ("items overlap, three decimals", {"function_classes[0].amount": F("1308.185")}),
    ("items miss", {"function_classes[0].amount": F("1308.20")}),
    ("class amount an integer", {"function_classes[0].amount": F("1308")}),
    ("items empty", {"function_classes[1].items": []}),
    # FA-SHR-002: basic 1170.44 / 1617.42 = 72.3652…%, printed 72.36
    ("share off by a hundredth (within 0.01)", {"expenditure.basic.share": F("72.37")}),
    ("share off by two hundredths: 72.365 - 0.01 <= 72.3654", {"expenditure.basic.share": F("72.38")}),
    ("share off by three hundredths", {"expenditure.basic.share": F("72.39")}),
    ("share below", {"expenditure.basic.share": F("72.34")}),
    ("share one decimal", {"expenditure.basic.share": F("72.3")}),
    ("share integer", {"expenditure.basic.share": F("72")}),
    ("amount 1 against share 0", {"expenditure.business.amount": F("1")}),
    ("amount 0.07 against share 0", {"expenditure.business.amount": F("0.07")}),
    # FA-SHR-003: the first class, 1308.16 / 1617.42 = 80.879…%, printed 80.88
    ("class share off by 0.02", {"function_classes[0].share": F("80.90")}),
    ("class share off by 0.01", {"function_classes[4].share": F("3.44")}),
    ("class share integer", {"function_classes[0].share": F("81")}),
    # FA-YOY-001 / FA-YOY-003: 减少 377.22, 下降 18.91% (gpb); 减少 382.28, 下降 18.94% (overview)
    ("rate a hundredth off", {"gpb_expenditure.change.pct": F("18.92")}),
    ("rate one decimal", {"gpb_expenditure.change.pct": F("18.9")}),
    ("rate an integer", {"gpb_expenditure.change.pct": F("19")}),
    ("increase instead of decrease", {"overview.change.word": "增加", "overview.change.pct_word": "增长"}),
    ("the wrong rate word", {"overview.change.pct_word": "增长"}),
    ("a word the rules ignore", {"overview.change.word": "持平"}),
    ("decrease with 减少 as the rate word", {"overview.change.pct_word": "减少"}),
    ("several at once", {"expenditure.total": F("1617.52"), "function_classes[2].amount": F("151.44"),
                         "overview.change.pct": F("17.94"), "expenditure.project.share": F("27.7")}),
]


def put(data, path, value):
    keys = path.replace("[", ".[").split(".")
    node = data
    for k in keys[:-1]:
        node = node[int(k[1:-1])] if k.startswith("[") else node[k]
    last = keys[-1]
    if last.startswith("["):
        node[int(last[1:-1])] = value
    else:
        if last not in node:
            sys.exit(f"edge_cases.py: no {path} in the seed")
        node[last] = value


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    seed = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "seed-2020.yaml")
    for i, (name, changes) in enumerate(CASES):
        with open(seed, encoding="utf-8") as f:
            data = yaml.load(f, Loader=Loader)
        data["meta"].pop("prior", None)
        for path, value in changes.items():
            put(data, path, value)
        with open(os.path.join(out, f"edge-{i:02d}.yaml"), "w", encoding="utf-8") as f:
            f.write(f"# {name}\n")
            yaml.dump(data, f, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=1000)
    print(f"{len(CASES)} edge cases in {out}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Datasets at the edges of tally's rounding semantics, for bench/peers/verify.py.

    python3 bench/peers/edge_cases.py OUT_DIR

Writes OUT_DIR/edge-NN.yaml: bench/seed-2020.yaml (without meta.prior) with a few figures of
the peers' six rules rewritten or left out, each file one case: sums whose intervals overlap, only
touch (both sides rounded: not equal) or miss; figures printed with one, two or three decimals or
as integers (exact), whole-number percentages (± 0.5) and figures printed as text ("1,617.42",
"72.36%"), as the layout reads them; shares one and two hundredths off under `within 0.01`; an
amount of 1 against a share of 0; a class's items that do not add up; FA-TOT-002's `when` on the
shares adding up to 99 (just below, at, through rounding) and its unstated or empty categories
(`?? 0`); rates of change with the other direction, each word of the layout's vocabulary, a word
outside it, a word with a full-width space, a prior year of 0, near 0 or below; values tally
reports as findings of the check itself (the word a number, an empty mapping or list on the
path, a division by zero). The seed passes all six rules, so every finding in these files comes
from the case, and none of them has a finding of the layout's own (a key it does not know, a
value of the wrong kind).
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
DROP = object()  # the key is left out
CASES = [
    # FA-TOT-002: 1170.44 + 446.98 + 0 + 0 + 0 = 1617.42 (the shares add up to 100.00)
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
    ("share a whole number: 72 stands for 71.5 … 72.5", {"expenditure.basic.share": F("72")}),
    ("amount 1 against share 0", {"expenditure.business.amount": F("1")}),
    ("amount 0.07 against share 0", {"expenditure.business.amount": F("0.07")}),
    # FA-SHR-003: the first class, 1308.16 / 1617.42 = 80.879…%, printed 80.88
    ("class share off by 0.02", {"function_classes[0].share": F("80.90")}),
    ("class share off by 0.01", {"function_classes[4].share": F("3.44")}),
    ("class share a whole number: 81 stands for 80.5 … 81.5", {"function_classes[0].share": F("81")}),
    # FA-YOY-001 / FA-YOY-003: 减少 377.22, 下降 18.91% (gpb); 减少 382.28, 下降 18.94% (overview)
    ("rate a hundredth off", {"gpb_expenditure.change.pct": F("18.92")}),
    ("rate one decimal", {"gpb_expenditure.change.pct": F("18.9")}),
    ("rate a whole number: 19 stands for 18.5 … 19.5", {"gpb_expenditure.change.pct": F("19")}),
    ("increase instead of decrease", {"overview.change.word": "增加", "overview.change.pct_word": "增长"}),
    ("the wrong rate word", {"overview.change.pct_word": "增长"}),
    ("持平 (no change) against 下降", {"overview.change.word": "持平"}),
    ("decrease with 减少 as the rate word", {"overview.change.pct_word": "减少"}),
    ("several at once", {"expenditure.total": F("1617.52"), "function_classes[2].amount": F("151.44"),
                         "overview.change.pct": F("17.94"), "expenditure.project.share": F("27.7")}),
    # Added with the pack's present rules (FA-TOT-002's `when` and `?? 0`, sign() and the
    # layout's words, the layout's reading of figures).
    # FA-TOT-002: the shares stated must add up to 99 or more for the sum to be checked
    ("shares add up to 98.00: the sum is not checked",
     {"expenditure.basic.share": F("70.36"), "expenditure.total": F("1617.50")}),
    ("shares add up to 99.00: checked", {"expenditure.basic.share": F("71.36"), "expenditure.total": F("1617.50")}),
    ("shares add up to 98.99, which may stand for 99.00: checked",
     {"expenditure.basic.share": F("71.35"), "expenditure.total": F("1617.50")}),
    ("shares add up to 98.98: not checked", {"expenditure.basic.share": F("71.34"), "expenditure.total": F("1617.50")}),
    ("whole-number shares 72 + 28 (± 0.5 each): checked, the sum misses",
     {"expenditure.basic.share": F("72"), "expenditure.project.share": F("28"), "expenditure.total": F("1617.50")}),
    ("only basic and project stated (the rest ?? 0), the sum right",
     {"expenditure.remit_to_superior": DROP, "expenditure.business": DROP, "expenditure.subsidy_to_affiliates": DROP}),
    ("only basic and project stated, the sum misses",
     {"expenditure.remit_to_superior": DROP, "expenditure.business": DROP, "expenditure.subsidy_to_affiliates": DROP,
      "expenditure.total": F("1617.50")}),
    ("a category unstated (business), the sum misses", {"expenditure.business": DROP, "expenditure.total": F("1617.50")}),
    ("project's share unstated: the shares add up to 72.36, not checked",
     {"expenditure.project.share": DROP, "expenditure.total": F("1617.50")}),
    ("project's share empty (~ is 0): not checked", {"expenditure.project.share": None, "expenditure.total": F("1617.50")}),
    ("project's amount empty (~ is 0 in the sum; its share check does not apply)",
     {"expenditure.project.amount": None}),
    ("basic's amount unstated: the sum does not apply", {"expenditure.basic.amount": DROP,
                                                         "expenditure.total": F("1617.50")}),
    ("figures printed as text: \"1,617.42\" and \"72.36%\"",
     {"expenditure.total": "1,617.42", "expenditure.basic.share": "72.36%", "function_classes[0].share": "80.88 %"}),
    ("a total printed as text misses: \"1,617.50\"", {"expenditure.total": "1,617.50"}),
    ("a class share a whole number off: 82", {"function_classes[0].share": F("82")}),
    # FA-YOY: the direction words of the layout (增加 增长 上升 提高 增 / 减少 下降 降低 减 / 持平 不变 基本持平)
    ("increase, 上升 as the rate word, the rate of the decrease", {"overview.change.word": "增加",
                                                           "overview.change.pct_word": "上升"}),
    ("increase whose rate fits: 382.28 / (1635.91 - 382.28) = 30.49%",
     {"overview.change.word": "增加", "overview.change.pct": F("30.49"), "overview.change.pct_word": "提高"}),
    ("降低 for 下降", {"overview.change.pct_word": "降低", "gpb_expenditure.change.pct_word": "降低"}),
    ("one-character words 减 / 下降 and 减少 / 减", {"overview.change.word": "减",
                                                "gpb_expenditure.change.pct_word": "减"}),
    ("持平 and 不变: no rate check, the same direction", {"overview.change.word": "持平",
                                                   "overview.change.pct_word": "不变"}),
    ("基本持平 against 增长", {"gpb_expenditure.change.word": "基本持平", "gpb_expenditure.change.pct_word": "增长"}),
    ("a rate word outside the vocabulary (下滑): not applicable", {"overview.change.pct_word": "下滑"}),
    ("a change word outside the vocabulary (变动), the rate off: not applicable",
     {"overview.change.word": "变动", "overview.change.pct": F("17.94")}),
    ("a word with a full-width space, the rate off", {"overview.change.word": "\u3000减少 ",
                                                      "overview.change.pct": F("18.90")}),
    ("a rate word with a full-width space", {"gpb_expenditure.change.pct_word": "下降\u3000"}),
    ("prior year 0 (增加 1635.91 of 1635.91): no rate check",
     {"overview.change.word": "增加", "overview.change.pct_word": "增长", "overview.change.amount": F("1635.91")}),
    ("prior year 0.00 … 0.02, not surely above 0: no rate check",
     {"overview.change.word": "增加", "overview.change.pct_word": "增长", "overview.change.amount": F("1635.90")}),
    ("prior year 0.01 … 0.03, surely above 0: the rate is checked",
     {"overview.change.word": "增加", "overview.change.pct_word": "增长", "overview.change.amount": F("1635.89")}),
    ("prior year below 0: no rate check",
     {"gpb_expenditure.change.word": "增加", "gpb_expenditure.change.pct_word": "增长",
      "gpb_expenditure.change.amount": F("2000.00")}),
    ("the change word unstated", {"overview.change.word": DROP, "overview.change.pct": F("17.94")}),
    ("the change word empty", {"overview.change.word": None, "overview.change.pct": F("17.94")}),
    ("the rate word unstated, the rate off", {"overview.change.pct_word": DROP, "overview.change.pct": F("17.94")}),
    ("the total unstated: no rate check, the words still compared",
     {"overview.total": DROP, "overview.change.pct_word": "增长"}),
    # What tally reports as findings of the checks themselves
    ("the change word a number", {"overview.change.word": F("5")}),
    ("the rate word a number", {"gpb_expenditure.change.pct_word": F("5")}),
    ("both words numbers", {"overview.change.word": F("5"), "overview.change.pct_word": F("-1")}),
    ("the change empty (a path through ~)", {"gpb_expenditure.change": None}),
    ("the section empty", {"overview": None}),
    ("expenditure empty: one finding for the five shares", {"expenditure": None}),
    ("a category empty (a path through ~)", {"expenditure.project": None}),
    ("a class empty (~)", {"function_classes[3]": None}),
    ("a class's items empty (~)", {"function_classes[1].items": None}),
    ("an item empty (~)", {"function_classes[2].items[1]": None}),
    ("an item without its amount", {"function_classes[2].items[1].amount": DROP, "function_classes[2].amount": F("1")}),
    ("total 0: division by zero (the share empty, still)", {"expenditure.total": F("0"),
                                                            "expenditure.basic.share": None}),
    ("structure total 0: division by zero", {"gpb_expenditure.structure_total": F("0.00")}),
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
        if value is DROP:
            del node[last]
        else:
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

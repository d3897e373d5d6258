#!/usr/bin/env python3
"""A benchmark peer of tally: six rules of the built-in pack, in Python, with tally's numbers.

    python3 bench/peers/python_check.py PATH...       (files, or folders of *.yaml / *.yml)

Prints JSON like `tally check --format json` (trimmed): for each file, its findings, each with
the rule and the figures it read (`values`: path and printed value). bench/peers/verify.py
checks that it finds what tally finds with `--rules bench/peers/pack`.

The rules are those of bench/peers/pack/ (copied verbatim from rules/final-accounts/):
FA-TOT-002 (a sum identity), FA-TOT-004 (a roll-up over a list), FA-SHR-002 and FA-SHR-003
(shares with rounding and `within 0.01`, one over a list), FA-YOY-001 and FA-YOY-003 (rates of
change against the implied prior year, in `when` blocks).

What it does as tally does (README, "Numbers are exact, and rounding is part of the semantics"):
- YAML is read by PyYAML's C loader (yaml.CSafeLoader); numbers are kept as their printed text
  and read with `decimal` when a rule uses them, never through float: a figure printed with d decimals stands for ±½·10^-d, an integer
  is exact, and so is a literal of a rule;
- sums, differences, products and quotients carry the intervals (a divisor whose interval
  touches zero makes the quotient unbounded);
- `a = b` holds when the intervals meet; two sides that are both rounded (neither a single
  amount) and only touch do not meet, unless a tolerance applies (`within 0.01` widens the
  left side and is inclusive).
`meta.precision` is not implemented: a dataset whose precision reaches a figure these rules
read stops the script (the corpus's only entry, three_public.vehicle.change.pct, does not).

Needs PyYAML built with libyaml (`pip install pyyaml`).
"""

import decimal
import json
import os
import sys
from decimal import Decimal

import yaml

try:
    BASE_LOADER = yaml.CSafeLoader
except AttributeError:
    sys.exit("python_check.py needs PyYAML built with libyaml (yaml.CSafeLoader)")

# rust_decimal keeps 28 significant digits; a little more here only narrows what rounding hides.
decimal.getcontext().prec = 34
ZERO = Decimal(0)
HUNDRED = Decimal(100)


class Num:
    """A value with the interval of exact amounts it may stand for (None: unbounded)."""

    __slots__ = ("value", "lo", "hi", "text")

    def __init__(self, value, lo, hi, text=None):
        self.value, self.lo, self.hi, self.text = value, lo, hi, text

    @staticmethod
    def exact(value):
        return Num(value, value, value)

    def __add__(self, o):
        lo = None if self.lo is None or o.lo is None else self.lo + o.lo
        hi = None if self.hi is None or o.hi is None else self.hi + o.hi
        return Num(self.value + o.value, lo, hi)

    def __neg__(self):
        return Num(-self.value, None if self.hi is None else -self.hi,
                   None if self.lo is None else -self.lo)

    def __sub__(self, o):
        return self + (-o)

    def _span(self, o, f):
        if None in (self.lo, self.hi, o.lo, o.hi):
            return None, None
        ends = [f(a, b) for a in (self.lo, self.hi) for b in (o.lo, o.hi)]
        return min(ends), max(ends)

    def __mul__(self, o):
        lo, hi = self._span(o, lambda a, b: a * b)
        return Num(self.value * o.value, lo, hi)

    def __truediv__(self, o):
        if o.value == 0:
            raise ZeroDivisionError("division by zero")
        value = self.value / o.value
        if o.lo is None or o.hi is None or (o.lo <= 0 <= o.hi):
            return Num(value, None, None)
        lo, hi = self._span(o, lambda a, b: a / b)
        return Num(value, lo, hi)


def can_equal(left, right, tol=ZERO):
    """`left = right [within tol]`: the intervals meet (touching is not meeting when both
    sides are rounded and no tolerance applies)."""
    lo_l = None if left.lo is None else left.lo - tol
    hi_l = None if left.hi is None else left.hi + tol
    both_rounded = tol == 0 and left.lo != left.hi and right.lo != right.hi

    def le(a, b):
        if a is None or b is None:
            return True
        return a < b or (a == b and not both_rounded)

    return le(lo_l, right.hi) and le(right.lo, hi_l)


# --- reading: PyYAML's C parser, numbers from their printed text --------------------------


def half_unit(decimals):
    return ZERO if decimals == 0 else Decimal(5).scaleb(-(decimals + 1))


def number(text):
    body = text.lstrip("+-")
    whole, _, frac = body.partition(".")
    if not whole.isdigit() or (frac and not frac.isdigit()) or ("." in body and not frac):
        return text  # 1e5, .inf, 0x1F: text, as in tally
    value = Decimal(text.lstrip("+"))
    half = half_unit(len(frac))
    return Num(value, value - half, value + half, text)


class Loader(BASE_LOADER):
    pass


class Figure(str):
    """A scalar that YAML resolves as a number, kept as printed; read by Check.num."""

    __slots__ = ()


def _number(loader, node):
    return Figure(node.value)


Loader.add_constructor("tag:yaml.org,2002:float", _number)
Loader.add_constructor("tag:yaml.org,2002:int", _number)


# --- the rules --------------------------------------------------------------------------


class Missing(Exception):
    pass


def get(data, path):
    """The value at a dotted path with [i] indices, e.g. function_classes[2].amount."""
    node = data
    for part in path.replace("[", ".[").split("."):
        if part.startswith("["):
            node = node[int(part[1:-1])]
        else:
            if not isinstance(node, dict) or part not in node:
                raise Missing(path)
            node = node[part]
    return node


class Check:
    """One file's checking: collects the figures read and the findings."""

    def __init__(self, data):
        self.data = data
        self.findings = []
        self.read = []

    def num(self, path):
        v = get(self.data, path)
        if not isinstance(v, Figure):
            raise Missing(path)
        n = number(v)
        if not isinstance(n, Num):
            raise Missing(path)
        self.read.append((path, v))
        return n

    def text(self, path):
        v = get(self.data, path)
        self.read.append((path, str(v)))
        return v

    def run(self, rule, body):
        """Runs one check (a statement of a rule); a failed one becomes a finding."""
        self.read = []
        try:
            ok = body()
        except Missing:
            return  # not checked: tally reports a missing figure differently; not in the corpus
        except ZeroDivisionError:
            ok = False
        if not ok:
            seen, values = set(), []
            for path, value in self.read:
                if path not in seen:
                    seen.add(path)
                    values.append({"path": path, "value": value})
            self.findings.append({"rule": rule, "values": values})


EXPENDITURE_KINDS = ("basic", "project", "remit_to_superior", "business", "subsidy_to_affiliates")
# Paths the rules read, for the meta.precision guard (lists reached through, as in tally).
READS = [f"expenditure.{k}.{f}" for k in EXPENDITURE_KINDS for f in ("amount", "share")] + [
    "expenditure.total", "function_classes.amount", "function_classes.share",
    "function_classes.items.amount", "gpb_expenditure.structure_total", "gpb_expenditure.total",
    "gpb_expenditure.change.amount", "gpb_expenditure.change.pct", "overview.total",
    "overview.change.amount", "overview.change.pct",
]


def precision_guard(data):
    meta = data.get("meta") if isinstance(data, dict) else None
    precision = meta.get("precision") if isinstance(meta, dict) else None
    for pattern in precision or {}:
        parts = pattern.split(".")
        for path in READS:
            keys = path.split(".")
            if pattern == "*" or (len(parts) <= len(keys) and all(
                    p in ("*", k) for p, k in zip(parts, keys))):
                sys.exit(f"python_check.py: meta.precision {pattern!r} reaches {path}: not implemented")


def yoy(c, rule, section):
    """FA-YOY-001 / FA-YOY-003: the printed rate against the change over the implied prior."""
    ch = f"{section}.change"
    word = get(c.data, f"{ch}.word")
    pcts = {"减少": ("下降", "减少"), "增加": ("增长", "增加")}
    if word not in pcts:
        return

    def rate():
        amount = c.num(f"{ch}.amount")
        total = c.num(f"{section}.total")
        prior = total + amount if word == "减少" else total - amount
        return can_equal(c.num(f"{ch}.pct"), amount / prior * Num.exact(HUNDRED))

    c.run(rule, rate)
    c.run(rule, lambda: c.text(f"{ch}.pct_word") in pcts[word])


def check(data):
    precision_guard(data)
    c = Check(data)
    # FA-TOT-002: basic + project + … = total
    def tot002():
        parts = [c.num(f"expenditure.{k}.amount") for k in EXPENDITURE_KINDS]
        s = parts[0]
        for p in parts[1:]:
            s = s + p
        return can_equal(s, c.num("expenditure.total"))
    c.run("FA-TOT-002", tot002)
    classes = get(data, "function_classes") or []
    # FA-TOT-004: for c in function_classes { sum(c.items.amount) = c.amount }
    for i, cls in enumerate(classes):
        def tot004(i=i, cls=cls):
            s = Num.exact(ZERO)
            for j in range(len(cls.get("items") or [])):
                s = s + c.num(f"function_classes[{i}].items[{j}].amount")
            return can_equal(s, c.num(f"function_classes[{i}].amount"))
        c.run("FA-TOT-004", tot004)
    # FA-SHR-002: each kind's share = amount / total * 100 within 0.01
    within = Decimal("0.01")
    for k in EXPENDITURE_KINDS:
        c.run("FA-SHR-002", lambda k=k: can_equal(
            c.num(f"expenditure.{k}.share"),
            c.num(f"expenditure.{k}.amount") / c.num("expenditure.total") * Num.exact(HUNDRED),
            within))
    # FA-SHR-003: for c in function_classes { c.share = c.amount / structure_total * 100 within 0.01 }
    for i in range(len(classes)):
        c.run("FA-SHR-003", lambda i=i: can_equal(
            c.num(f"function_classes[{i}].share"),
            c.num(f"function_classes[{i}].amount") / c.num("gpb_expenditure.structure_total")
            * Num.exact(HUNDRED),
            within))
    yoy(c, "FA-YOY-001", "overview")
    yoy(c, "FA-YOY-003", "gpb_expenditure")
    return c.findings


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
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = []
    for path in files(sys.argv[1:]):
        with open(path, "rb") as f:
            data = yaml.load(f, Loader=Loader)
        out.append({"path": path, "findings": check(data)})
    json.dump({"files": out}, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 1 if any(f["findings"] for f in out) else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""A benchmark peer of tally: six rules of the built-in pack, in Python, with tally's numbers.

    python3 bench/peers/python_check.py PATH...       (files, or folders of *.yaml / *.yml)

Prints JSON like `tally check --format json` (trimmed): for each file, its findings, each with
the rule and the figures it read (`values`: path and printed value). bench/peers/verify.py
checks that it finds what tally finds with `--rules bench/peers/pack`.

The rules are those of bench/peers/pack/ (copied verbatim from rules/final-accounts/, with the
built-in pack's layout.yaml): FA-TOT-002 (a sum identity with `?? 0` defaults, in a `when` on the
shares adding up to at least 99), FA-TOT-004 (a roll-up over a list), FA-SHR-002 and FA-SHR-003
(shares with rounding and `within 0.01`, one over a list), FA-YOY-001 and FA-YOY-003 (rates of
change against the prior year implied through `sign(word)`, in a `when` that needs a direction
and a prior year above 0; and the two words' directions compared).

What it does as tally does (README, "Numbers are exact, and rounding is part of the semantics",
"Reports differ: applicability, the layout, units, words"):
- YAML is read by PyYAML's C loader (yaml.CSafeLoader); numbers are kept as their printed text
  and read with `decimal` when a rule uses them, never through float: a figure printed with d
  decimals stands for ±½·10^-d, an integer is exact, and so is a literal of a rule;
- the layout's reading of the figures these rules read (`share` and `pct` are percentages, the
  others amounts): a whole-number percentage other than 0 and 100 stands for ± 0.5; text such
  as "1,612.36" (groups of three) or "13.5%" is that number; any other value there is empty;
- sums, differences, products and quotients carry the intervals (a divisor whose interval
  touches zero makes the quotient unbounded);
- `a = b` holds when the intervals meet; two sides that are both rounded (neither a single
  amount) and only touch do not meet, unless a tolerance applies (`within 0.01` widens the
  left side and is inclusive); `>=` holds when it can for some amounts in the intervals, and
  in a `when`, `>` and `!=` must surely hold;
- `sign(word)` is 1, -1 or 0 for a word of the layout's `words` (read from
  bench/peers/pack/layout.yaml), trimmed; another word makes the check not apply;
- a figure not stated (absent, or empty) makes its check not apply, except under `?? 0`; a
  `when` whose condition does not apply runs nothing;
- what tally reports as a finding of the check itself is one here too, with the figures read
  before it: division by zero, a path through an empty value (`expenditure.project: ~`), the
  `sign` of a number;
- the figures of a finding: those the check read, and those of the `when` conditions around it.
The layout's own findings (a key it does not know, a value of the wrong kind, missing tables) are
not implemented: datasets verified against tally must have none (the corpus and the edge cases).
`meta.precision` is not implemented: a dataset whose precision reaches a figure these rules
read stops the script (the corpus's only entry, three_public.vehicle.change.pct, does not).

Needs PyYAML built with libyaml (`pip install pyyaml`).
"""

import decimal
import json
import os
import re
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
LAYOUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pack", "layout.yaml")


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


HUNDRED_NUM = Num.exact(HUNDRED)


def can_hold(left, op, right, tol=ZERO):
    """`left op right [within tol]` can hold for some amounts in the intervals (op one of
    "=", "<=", ">="); two sides that are both rounded and only touch do not meet unless a
    tolerance applies."""
    lo_l = None if left.lo is None else left.lo - tol
    hi_l = None if left.hi is None else left.hi + tol
    both_rounded = tol == 0 and left.lo != left.hi and right.lo != right.hi

    def le(a, b):
        if a is None or b is None:
            return True
        return a < b or (a == b and not both_rounded)

    if op == "=":
        return le(lo_l, right.hi) and le(right.lo, hi_l)
    if op == "<=":
        return le(lo_l, right.hi)
    if op == ">=":
        return le(right.lo, hi_l)
    raise ValueError(op)


def surely_greater(left, right):
    """`left > right` in a `when`: it must surely hold (`left <= right` cannot)."""
    return not can_hold(left, "<=", right)


# --- reading: PyYAML's C parser, numbers from their printed text --------------------------

# What Rust's str::trim removes (Unicode White_Space), the full-width space included.
WHITESPACE = ("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
              "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
PLAIN_DECIMAL = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?\Z")
GROUPED = re.compile(r"-?[0-9]{1,3}([,，][0-9]{3})+(\.[0-9]+)?\Z")


def half_unit(decimals):
    return ZERO if decimals == 0 else Decimal(5).scaleb(-(decimals + 1))


def number(text):
    """A plain decimal as tally reads one (`-12.50`, `+3`); None for anything else (1e5, .inf,
    0x1F, 1_000: text in tally)."""
    if not PLAIN_DECIMAL.match(text):
        return None
    value = Decimal(text.lstrip("+"))
    half = half_unit(len(text.partition(".")[2]))
    return Num(value, value - half, value + half, text)


def read_printed(text, percent):
    """A figure where the layout wants an amount or a percentage: a plain decimal, or text
    printed with groups of three (`1,612.36`, `27，080`) or a percent sign (`13.5%`). A
    whole-number percentage other than 0 and 100 was rounded to whole percents: ± 0.5."""
    t = text.strip(WHITESPACE)
    if percent and t[-1:] in ("%", "％"):
        t = t[:-1].rstrip(WHITESPACE)
    if "," in t or "，" in t:
        if not GROUPED.match(t):
            return None
        t = t.replace(",", "").replace("，", "")
    n = number(t)
    if n is not None and percent and "." not in t and n.value not in (ZERO, HUNDRED):
        n = Num(n.value, n.value - Decimal("0.5"), n.value + Decimal("0.5"), text)
    elif n is not None:
        n.text = text
    return n


class Loader(BASE_LOADER):
    pass


class Figure(str):
    """A scalar that YAML resolves as a number, kept as printed; read by Check.num."""

    __slots__ = ()


def _number(loader, node):
    return Figure(node.value)


Loader.add_constructor("tag:yaml.org,2002:float", _number)
Loader.add_constructor("tag:yaml.org,2002:int", _number)


def layout_words():
    """The layout's direction words: word -> 1 (increase), -1 (decrease), 0 (flat)."""
    with open(LAYOUT, "rb") as f:
        words = yaml.load(f, Loader=BASE_LOADER)["words"]
    signs = {"increase": 1, "decrease": -1, "flat": 0}
    return {str(w): signs[kind] for kind, ws in words.items() for w in ws}


WORDS = layout_words()


# --- the rules --------------------------------------------------------------------------


class Missing(Exception):
    """A figure not stated (absent, or empty) or a word of no direction: the check does not
    apply."""


class Problem(Exception):
    """What tally reports as a finding of the check itself (a path through an empty value,
    the `sign` of a number)."""


UNSET = object()


def steps(path):
    return [int(p[1:-1]) if p.startswith("[") else p
            for p in path.replace("[", ".[").split(".")]


def show(parts):
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")


class Check:
    """One file's checking: collects the figures read and the findings."""

    def __init__(self, data):
        self.data = data
        self.findings = []
        self.read = []
        self.guards = []  # the figures read by the `when` conditions around the checks run
        self.seen = set()

    def at(self, path):
        """The value at a dotted path with [i] indices, e.g. function_classes[2].amount. Every
        step is into a mapping (the layout's, for these paths): a value there that is not one
        is empty for tally (a layout's wrong kind is emptied), and a path through it a finding."""
        node, parts = self.data, steps(path)
        for n, part in enumerate(parts):
            if isinstance(part, int):
                node = node[part]  # only items the loops found
            elif not isinstance(node, dict):
                raise Problem(f"`{show(parts[:n])}` is empty, not a mapping")
            elif part not in node:
                raise Missing(path)
            else:
                node = node[part]
        return node

    def figure(self, path, v):
        """The figure `v` at `path`, read as the layout reads it (None: empty)."""
        if isinstance(v, str):  # a Figure, or text
            return read_printed(v, path.rsplit(".", 1)[-1] in ("share", "pct"))
        return None  # empty, or a boolean, a date, a list, a mapping: emptied

    def num(self, path, v=UNSET):
        """The figure at a path (or `v`, already found there); not stated: Missing."""
        if v is UNSET:
            v = self.at(path)
        self.read.append((path, v))
        n = self.figure(path, v)
        if n is None:
            raise Missing(path)
        return n

    def default(self, path):
        """`path ?? 0`: absent or empty gives 0 (and reads no figure)."""
        try:
            v = self.at(path)
        except Missing:
            return Num.exact(ZERO)
        if self.figure(path, v) is None:
            return Num.exact(ZERO)
        return self.num(path, v)

    def equal(self, path, right, tol=ZERO):
        """`path = right() [within tol]`, read in tally's order: the path is found first, the
        right side computed, then the figure read (so a division by zero on the right is a
        finding even when the figure is empty)."""
        v = self.at(path)
        r = right()
        return can_hold(self.num(path, v), "=", r, tol)

    def sign(self, path):
        """`sign(path)`: 1, -1 or 0 for a direction word of the layout."""
        v = self.at(path)
        if isinstance(v, Figure) and number(v) is not None:
            raise Problem("`sign` takes a word (text)")
        if not isinstance(v, str):
            raise Missing(path)  # empty (a boolean, a list or a mapping is emptied)
        self.read.append((path, v))
        s = WORDS.get(v.strip(WHITESPACE))
        if s is None:
            raise Missing(path)  # not a direction word: the check does not apply
        return Num.exact(Decimal(s))

    def when(self, rule, condition):
        """A `when`: whether its body runs. A condition that does not apply runs nothing; one
        that tally cannot evaluate is a finding."""
        self.read = []
        try:
            holds = condition()
        except Missing:
            return False
        except (Problem, ZeroDivisionError) as e:
            self.finding(rule, self.read, str(e))
            return False
        if holds:
            self.guards = list(self.read)
        return holds

    def run(self, rule, body, guarded=False):
        """Runs one check (a statement of a rule); a failed one becomes a finding, with the
        figures of the `when` around it (`guarded`)."""
        self.read = []
        try:
            ok = body()
        except Missing:
            return  # not applicable
        except (Problem, ZeroDivisionError) as e:
            self.finding(rule, self.read, str(e))  # the figures read before it
            return
        if not ok:
            self.finding(rule, self.read + (self.guards if guarded else []))

    def finding(self, rule, read, problem=""):
        """A finding, once: tally reports the same problem met by several checks of a rule
        (`expenditure: ~` under each share) with the same figures once."""
        seen, values = set(), []
        for path, value in read:
            if path not in seen:
                seen.add(path)
                values.append({"path": path, "value": str(value)})
        key = (rule, problem, tuple(v["path"] for v in values))
        if key not in self.seen:
            self.seen.add(key)
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


def yoy(c, rule, section, total):
    """FA-YOY-001 / FA-YOY-003: the printed rate against the change over the implied prior
    year, when the word gives a direction and that year is above 0; and the rate's word in
    the change's direction."""
    ch = f"{section}.change"

    def prior():  # let prior = total - sign(change.word) * change.amount
        return c.num(total) - c.sign(f"{ch}.word") * c.num(f"{ch}.amount")

    # when sign(change.word) != 0 and prior > 0 { change.pct = change.amount / prior * 100 }
    if c.when(rule, lambda: c.sign(f"{ch}.word").value != 0
              and surely_greater(prior(), Num.exact(ZERO))):
        c.run(rule, lambda: c.equal(f"{ch}.pct", lambda: c.num(f"{ch}.amount") / prior()
                                    * HUNDRED_NUM), guarded=True)
    # sign(change.pct_word) = sign(change.word)
    c.run(rule, lambda: c.sign(f"{ch}.pct_word").value == c.sign(f"{ch}.word").value)


def check(data):
    precision_guard(data)
    c = Check(data)
    # FA-TOT-002: when the shares stated add up to 99 or more, the parts stated (basic, and
    # the others ?? 0) add up to the total
    def shares():
        s = Num.exact(ZERO)
        for k in EXPENDITURE_KINDS:
            s = s + c.default(f"expenditure.{k}.share")
        return can_hold(s, ">=", Num.exact(Decimal(99)))
    if c.when("FA-TOT-002", shares):
        def tot002():
            s = c.num("expenditure.basic.amount")
            for k in EXPENDITURE_KINDS[1:]:
                s = s + c.default(f"expenditure.{k}.amount")
            return can_hold(s, "=", c.num("expenditure.total"))
        c.run("FA-TOT-002", tot002, guarded=True)
    classes = data.get("function_classes")
    classes = classes if isinstance(classes, list) else []  # absent, empty or emptied: no item
    # FA-TOT-004: for c in function_classes { sum(c.items.amount) = c.amount }
    for i in range(len(classes)):
        def tot004(i=i):
            items = c.at(f"function_classes[{i}].items")
            if not isinstance(items, list):  # empty (or emptied: not a list)
                raise Problem(f"`function_classes[{i}].items` is empty, not a mapping")
            for j, item in enumerate(items):  # every item's amount is found before any is read
                if not isinstance(item, dict):
                    raise Problem(f"`function_classes[{i}].items[{j}]` is empty, not a mapping")
                if "amount" not in item:
                    raise Missing("amount")
            s = Num.exact(ZERO)
            for j in range(len(items)):
                s = s + c.num(f"function_classes[{i}].items[{j}].amount")
            return can_hold(s, "=", c.num(f"function_classes[{i}].amount"))
        c.run("FA-TOT-004", tot004)
    # FA-SHR-002: each kind's share = amount / total * 100 within 0.01
    within = Decimal("0.01")
    for k in EXPENDITURE_KINDS:
        c.run("FA-SHR-002", lambda k=k: c.equal(
            f"expenditure.{k}.share",
            lambda: c.num(f"expenditure.{k}.amount") / c.num("expenditure.total") * HUNDRED_NUM,
            within))
    # FA-SHR-003: for c in function_classes { c.share = c.amount / structure_total * 100 within 0.01 }
    for i in range(len(classes)):
        c.run("FA-SHR-003", lambda i=i: c.equal(
            f"function_classes[{i}].share",
            lambda: c.num(f"function_classes[{i}].amount")
            / c.num("gpb_expenditure.structure_total") * HUNDRED_NUM,
            within))
    yoy(c, "FA-YOY-001", "overview", "overview.total")
    yoy(c, "FA-YOY-003", "gpb_expenditure", "gpb_expenditure.total")
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

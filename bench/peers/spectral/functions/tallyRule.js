// One custom function for the six rules of bench/peers/pack/, with tally's numbers (README,
// "Numbers are exact, and rounding is part of the semantics"): a figure printed with d
// decimals stands for ±½·10^-d, an integer is exact, arithmetic carries the intervals, and
// `a = b` holds when they meet; two rounded sides that only touch do not meet unless a
// tolerance (`within`, inclusive, on the left side) applies; `>=` holds when it can for some
// amounts in the intervals, and in a `when`, `>` and `!=` must surely hold. Numbers are exact
// fractions of BigInts, so nothing passes through floating point. The printed text of a figure
// comes from the YAML syntax tree (context.document.parserResult.ast): the parsed data has lost
// it. The syntax tree's plain scalars are typed as tally types them (null, true/false, plain
// decimals; the rest is text).
//
// The pack runs with the built-in pack's layout (bench/peers/pack/layout.yaml), so this reads
// as the layout does (README, "Reports differ: applicability, the layout, units, words"):
// - the figures these rules read are percentages (`share`, `pct`) or amounts: a whole-number
//   percentage other than 0 and 100 stands for ± 0.5; text such as "1,612.36" (groups of
//   three) or "13.5%" is that number; any other value there is empty;
// - `sign(word)` is 1, -1 or 0 for a word of the layout's `words` (WORDS below, a copy that
//   bench/peers/verify.py compares with the layout), trimmed; another word makes the check
//   not apply.
// A figure not stated (absent, or empty) makes its check not apply, except under `?? 0`; a
// `when` whose condition does not apply runs nothing. What tally reports as a finding of the
// check itself is one here too, with the figures read before it: division by zero, a path
// through an empty value (`expenditure.project: ~`), the `sign` of a number. A finding's
// figures are those the check read and those of the `when` conditions around it.
// The layout's own findings (unknown keys, values of the wrong kind, missing tables) are not
// implemented: datasets verified against tally must have none. meta.precision is not
// implemented (a dataset whose precision reaches these figures fails).

// --- exact fractions -----------------------------------------------------------------------
const gcd = (a, b) => {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
};
const frac = (n, d = 1n) => {
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
};
const fadd = (a, b) => frac(a.n * b.d + b.n * a.d, a.d * b.d);
const fneg = (a) => ({ n: -a.n, d: a.d });
const fmul = (a, b) => frac(a.n * b.n, a.d * b.d);
const fdiv = (a, b) => frac(a.n * b.d, a.d * b.n);
const fcmp = (a, b) => {
  const x = a.n * b.d, y = b.n * a.d;
  return x < y ? -1 : x > y ? 1 : 0;
};
const fmin = (xs) => xs.reduce((m, x) => (fcmp(x, m) < 0 ? x : m));
const fmax = (xs) => xs.reduce((m, x) => (fcmp(x, m) > 0 ? x : m));
const ZERO = frac(0n);

// --- intervals (lo/hi null: unbounded) -------------------------------------------------------
const exact = (v) => ({ value: v, lo: v, hi: v });
const add = (a, b) => ({
  value: fadd(a.value, b.value),
  lo: a.lo && b.lo ? fadd(a.lo, b.lo) : null,
  hi: a.hi && b.hi ? fadd(a.hi, b.hi) : null,
});
const neg = (a) => ({ value: fneg(a.value), lo: a.hi && fneg(a.hi), hi: a.lo && fneg(a.lo) });
const sub = (a, b) => add(a, neg(b));
const span = (a, b, f) => {
  if (!a.lo || !a.hi || !b.lo || !b.hi) return [null, null];
  const ends = [f(a.lo, b.lo), f(a.lo, b.hi), f(a.hi, b.lo), f(a.hi, b.hi)];
  return [fmin(ends), fmax(ends)];
};
const mul = (a, b) => {
  const [lo, hi] = span(a, b, fmul);
  return { value: fmul(a.value, b.value), lo, hi };
};
class DivisionByZero extends Error {}
const div = (a, b) => {
  if (b.value.n === 0n) throw new DivisionByZero();
  const value = fdiv(a.value, b.value);
  if (!b.lo || !b.hi || (fcmp(b.lo, ZERO) <= 0 && fcmp(b.hi, ZERO) >= 0)) {
    return { value, lo: null, hi: null };
  }
  const [lo, hi] = span(a, b, fdiv);
  return { value, lo, hi };
};
const same = (a, b) => (a === null && b === null) || (a && b && fcmp(a, b) === 0);

const HUNDRED = exact(frac(100n));
const WITHIN = frac(1n, 100n);
const HALF = frac(1n, 2n);

// `left op right [within tol]` can hold for some amounts in the intervals (op one of
// '=', '<=', '>=').
const canHold = (left, op, right, tol = ZERO) => {
  const loL = left.lo && fadd(left.lo, fneg(tol));
  const hiL = left.hi && fadd(left.hi, tol);
  const bothRounded = tol.n === 0n && !same(left.lo, left.hi) && !same(right.lo, right.hi);
  const le = (a, b) => {
    if (!a || !b) return true;
    const c = fcmp(a, b);
    return c < 0 || (c === 0 && !bothRounded);
  };
  if (op === '=') return le(loL, right.hi) && le(right.lo, hiL);
  if (op === '<=') return le(loL, right.hi);
  if (op === '>=') return le(right.lo, hiL);
  throw new Error(op);
};
// `left > right` in a `when`: it must surely hold (`left <= right` cannot).
const surelyGreater = (left, right) => !canHold(left, '<=', right);

// --- figures as printed, from the YAML syntax tree -------------------------------------------
// What Rust's str::trim removes (Unicode White_Space), the full-width space included.
const WS = '\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000';
const TRIM = new RegExp(`^[${WS}]+|[${WS}]+$`, 'g');
const TRIM_END = new RegExp(`[${WS}]+$`);
const trim = (t) => t.replace(TRIM, '');
const NUMBER = /^[+-]?[0-9]+(\.[0-9]+)?$/;
const GROUPED = /^-?[0-9]{1,3}([,，][0-9]{3})+(\.[0-9]+)?$/;
const parseFigure = (text) => {
  if (!NUMBER.test(text)) return null;
  const body = text.replace(/^\+/, '');
  const [whole, dec = ''] = body.split('.');
  const unit = 10n ** BigInt(dec.length);
  const value = frac(BigInt(whole + dec) * (whole.startsWith('-') && BigInt(whole + dec) > 0n ? -1n : 1n), unit);
  if (dec.length === 0) return exact(value);
  const half = frac(5n, unit * 10n);
  return { value, lo: fadd(value, fneg(half)), hi: fadd(value, half) };
};
// A figure where the layout wants an amount or a percentage: a plain decimal, or text printed
// with groups of three (`1,612.36`, `27，080`) or a percent sign (`13.5%`). A whole-number
// percentage other than 0 and 100 was rounded to whole percents: ± 0.5.
const readPrinted = (text, percent) => {
  let t = trim(text);
  if (percent && (t.endsWith('%') || t.endsWith('％'))) t = t.slice(0, -1).replace(TRIM_END, '');
  if (/[,，]/.test(t)) {
    if (!GROUPED.test(t)) return null;
    t = t.replace(/[,，]/g, '');
  }
  const n = parseFigure(t);
  if (n && percent && !t.includes('.') && fcmp(n.value, ZERO) !== 0 && fcmp(n.value, HUNDRED.value) !== 0) {
    return { value: n.value, lo: fadd(n.value, fneg(HALF)), hi: fadd(n.value, HALF) };
  }
  return n;
};

// A syntax-tree scalar as tally types it: null, a boolean, a number (plain decimals only) or
// text (quoted, block, or any other plain scalar).
const PLAIN_NULL = new Set(['', '~', 'null', 'Null', 'NULL']);
const PLAIN_BOOL = new Set(['true', 'True', 'TRUE', 'false', 'False', 'FALSE']);
const typeOf = (node) => {
  while (node && node.kind === 4) node = node.value; // anchor reference
  if (!node) return 'null';
  if (node.kind === 2) return 'map';
  if (node.kind === 3) return 'seq';
  if (node.kind !== 0) return 'other';
  if (!node.plainScalar) return 'text';
  if (PLAIN_NULL.has(node.value)) return 'null';
  if (PLAIN_BOOL.has(node.value)) return 'bool';
  return NUMBER.test(node.value) ? 'number' : 'text';
};
const deref = (node) => {
  while (node && node.kind === 4) node = node.value;
  return node;
};

// The layout's direction words (bench/peers/pack/layout.yaml, `words`).
const WORDS = {
  increase: ['增加', '增长', '上升', '提高', '增'],
  decrease: ['减少', '下降', '降低', '减'],
  flat: ['持平', '不变', '基本持平'],
};
const SIGNS = new Map([
  ...WORDS.increase.map((w) => [w, 1n]),
  ...WORDS.decrease.map((w) => [w, -1n]),
  ...WORDS.flat.map((w) => [w, 0n]),
]);

const show = (path) =>
  path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');

// A figure not stated (absent, empty) or a word of no direction: the check does not apply.
class Missing extends Error {}
// What tally reports as a finding of the check itself.
class Problem extends Error {}

// One file's checking, for one call of the function: `results` collects the failures, each
// one result whose message is "RULE|paths read".
class Check {
  constructor(ast, results) {
    this.ast = ast;
    this.results = results;
    this.read = [];
    this.guards = [];
    this.seen = new Set();
  }

  // The syntax-tree node at a path of keys and indices (null: empty). Every key is looked up
  // in a mapping (the layout's, for these paths): a value there that is not one is empty for
  // tally (a layout's wrong kind is emptied), and a path through it a finding.
  at(path) {
    let node = deref(this.ast);
    for (const [n, seg] of path.entries()) {
      if (typeof seg === 'number') {
        node = deref(node.items[seg]); // only items the loops found
      } else if (typeOf(node) !== 'map') {
        throw new Problem(`\`${show(path.slice(0, n))}\` is empty, not a mapping`);
      } else {
        const m = node.mappings.find((m) => m.key && m.key.value === seg);
        if (!m) throw new Missing();
        node = deref(m.value);
      }
    }
    return node;
  }

  // The figure of a node at a path, read as the layout reads it (null: empty).
  figure(path, node) {
    const type = typeOf(node);
    if (type !== 'number' && type !== 'text') return null; // emptied
    return readPrinted(node.value, ['share', 'pct'].includes(path[path.length - 1]));
  }

  // The figure at a path (`node`, when already found there); not stated: Missing.
  num(path, node = this.at(path)) {
    this.read.push(show(path));
    const n = this.figure(path, node);
    if (!n) throw new Missing();
    return n;
  }

  // `path ?? 0`: absent or empty gives 0 (and reads no figure).
  dflt(path) {
    let node;
    try {
      node = this.at(path);
    } catch (e) {
      if (e instanceof Missing) return exact(ZERO);
      throw e;
    }
    if (!this.figure(path, node)) return exact(ZERO);
    return this.num(path, node);
  }

  // `path = right() [within tol]`, in tally's order: the path is found first, the right side
  // computed, then the figure read.
  equal(path, right, tol = ZERO) {
    const node = this.at(path);
    const r = right();
    return canHold(this.num(path, node), '=', r, tol);
  }

  // `sign(path)`: 1, -1 or 0 for a direction word of the layout.
  sign(path) {
    const node = this.at(path);
    const type = typeOf(node);
    if (type === 'number') throw new Problem('`sign` takes a word (text)');
    if (type !== 'text') throw new Missing(); // empty (a boolean, a list, a mapping: emptied)
    this.read.push(show(path));
    const s = SIGNS.get(trim(node.value));
    if (s === undefined) throw new Missing(); // not a direction word: the check does not apply
    return exact(frac(s));
  }

  // A `when`: whether its body runs. A condition that does not apply runs nothing; one that
  // tally cannot evaluate is a finding, at `at`.
  when(rule, at, condition) {
    this.read = [];
    let holds;
    try {
      holds = condition();
    } catch (e) {
      if (e instanceof Missing) return false;
      if (!(e instanceof Problem || e instanceof DivisionByZero)) throw e;
      this.finding(rule, at, this.read, e.message || 'division by zero');
      return false;
    }
    if (holds) this.guards = [...this.read];
    return holds;
  }

  // One check (a statement of a rule): a failure is one result, at `at`, with the figures of
  // the `when` around it (`guarded`).
  run(rule, at, body, guarded = false) {
    this.read = [];
    let ok;
    try {
      ok = body();
    } catch (e) {
      if (e instanceof Missing) return; // not applicable
      if (!(e instanceof Problem || e instanceof DivisionByZero)) throw e;
      this.finding(rule, at, this.read, e.message || 'division by zero'); // the figures read before it
      return;
    }
    if (!ok) this.finding(rule, at, guarded ? [...this.read, ...this.guards] : this.read);
  }

  // A finding, once: tally reports the same problem met by several checks of a rule
  // (`expenditure: ~` under each share) with the same figures once.
  finding(rule, at, read, problem = '') {
    const paths = [...new Set(read)];
    const key = JSON.stringify([rule, problem, paths]);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.results.push({ message: `${rule}|${paths.sort().join(',')}`, path: at });
  }
}

const KINDS = ['basic', 'project', 'remit_to_superior', 'business', 'subsidy_to_affiliates'];

// FA-YOY-001 / FA-YOY-003: the printed rate against the change over the implied prior year,
// when the word gives a direction and that year is above 0; and the rate's word in the
// change's direction.
const yoy = (c, rule, section, total) => {
  const ch = [section, 'change'];
  const word = [...ch, 'word'];
  // let prior = total - sign(change.word) * change.amount
  const prior = () => sub(c.num(total), mul(c.sign(word), c.num([...ch, 'amount'])));
  // when sign(change.word) != 0 and prior > 0 { change.pct = change.amount / prior * 100 }
  if (c.when(rule, word, () => c.sign(word).value.n !== 0n && surelyGreater(prior(), exact(ZERO)))) {
    c.run(rule, [...ch, 'pct'], () =>
      c.equal([...ch, 'pct'], () => mul(div(c.num([...ch, 'amount']), prior()), HUNDRED)), true);
  }
  // sign(change.pct_word) = sign(change.word)
  c.run(rule, [...ch, 'pct_word'], () => fcmp(c.sign([...ch, 'pct_word']).value, c.sign(word).value) === 0);
};

// The function classes' list, if the dataset has one (Spectral's `[*]` also walks a mapping).
const isClassItem = (c, at) => typeof at[1] === 'number' && typeOf(c.at(['function_classes'])) === 'seq';

const RULES = {
  // when the shares stated add up to 99 or more, the parts stated (basic, and the others ?? 0)
  // add up to the total
  'FA-TOT-002': (c) => {
    const shares = () =>
      canHold(KINDS.reduce((s, k) => add(s, c.dflt(['expenditure', k, 'share'])), exact(ZERO)), '>=',
        exact(frac(99n)));
    if (c.when('FA-TOT-002', ['expenditure'], shares)) {
      c.run('FA-TOT-002', ['expenditure', 'total'], () => {
        let sum = c.num(['expenditure', 'basic', 'amount']);
        for (const k of KINDS.slice(1)) sum = add(sum, c.dflt(['expenditure', k, 'amount']));
        return canHold(sum, '=', c.num(['expenditure', 'total']));
      }, true);
    }
  },
  // sum(c.items.amount) = c.amount
  'FA-TOT-004': (c, at) => {
    if (!isClassItem(c, at)) return;
    c.run('FA-TOT-004', at, () => {
      const items = c.at([...at, 'items']);
      // empty (or emptied: not a list)
      if (typeOf(items) !== 'seq') throw new Problem(`\`${show([...at, 'items'])}\` is empty, not a mapping`);
      for (const [j, item] of items.items.entries()) { // every item's amount is found before any is read
        if (typeOf(item) !== 'map') throw new Problem(`\`${show([...at, 'items', j])}\` is empty, not a mapping`);
        if (!deref(item).mappings.some((m) => m.key && m.key.value === 'amount')) throw new Missing();
      }
      const sum = items.items.reduce((s, _, j) => add(s, c.num([...at, 'items', j, 'amount'])), exact(ZERO));
      return canHold(sum, '=', c.num([...at, 'amount']));
    });
  },
  'FA-SHR-002': (c) => {
    for (const k of KINDS) {
      c.run('FA-SHR-002', ['expenditure', k], () =>
        c.equal(['expenditure', k, 'share'],
          () => mul(div(c.num(['expenditure', k, 'amount']), c.num(['expenditure', 'total'])), HUNDRED),
          WITHIN));
    }
  },
  'FA-SHR-003': (c, at) => {
    if (!isClassItem(c, at)) return;
    c.run('FA-SHR-003', at, () =>
      c.equal([...at, 'share'],
        () => mul(div(c.num([...at, 'amount']), c.num(['gpb_expenditure', 'structure_total'])), HUNDRED),
        WITHIN));
  },
  'FA-YOY-001': (c) => yoy(c, 'FA-YOY-001', 'overview', ['overview', 'total']),
  'FA-YOY-003': (c) => yoy(c, 'FA-YOY-003', 'gpb_expenditure', ['gpb_expenditure', 'total']),
};

// Paths these rules read, for the meta.precision guard.
const READS = [
  ...KINDS.flatMap((k) => [`expenditure.${k}.amount`, `expenditure.${k}.share`]),
  'expenditure.total', 'function_classes.amount', 'function_classes.share',
  'function_classes.items.amount', 'gpb_expenditure.structure_total', 'gpb_expenditure.total',
  'gpb_expenditure.change.amount', 'gpb_expenditure.change.pct', 'overview.total',
  'overview.change.amount', 'overview.change.pct',
];
const checked = new WeakSet();
const precisionGuard = (data) => {
  if (!data || typeof data !== 'object' || checked.has(data)) return;
  checked.add(data);
  const precision = (data.meta && data.meta.precision) || {};
  for (const pattern of Object.keys(precision)) {
    const parts = pattern.split('.');
    for (const path of READS) {
      const keys = path.split('.');
      if (pattern === '*' || (parts.length <= keys.length && parts.every((p, i) => p === '*' || p === keys[i]))) {
        throw new Error(`meta.precision ${pattern} reaches ${path}: not implemented`);
      }
    }
  }
};

module.exports = function tallyRule(input, options, context) {
  const results = [];
  precisionGuard(context.document.data);
  RULES[options.rule](new Check(context.document.parserResult.ast, results), context.path);
  return results;
};
module.exports.WORDS = WORDS;

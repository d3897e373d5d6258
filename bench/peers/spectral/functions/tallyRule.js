// One custom function for the six rules of bench/peers/pack/, with tally's numbers (README,
// "Numbers are exact, and rounding is part of the semantics"): a figure printed with d
// decimals stands for ±½·10^-d, an integer is exact, arithmetic carries the intervals, and
// `a = b` holds when they meet; two rounded sides that only touch do not meet unless a
// tolerance (`within`, inclusive, on the left side) applies. Numbers are exact fractions of
// BigInts, so nothing passes through floating point. The printed text of a figure comes from
// the YAML syntax tree (context.document.parserResult.ast): the parsed data has lost it.
// meta.precision is not implemented (a dataset whose precision reaches these figures fails).

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
// `left = right [within tol]`
const canEqual = (left, right, tol = ZERO) => {
  const loL = left.lo && fadd(left.lo, fneg(tol));
  const hiL = left.hi && fadd(left.hi, tol);
  const bothRounded = tol.n === 0n && !same(left.lo, left.hi) && !same(right.lo, right.hi);
  const le = (a, b) => {
    if (!a || !b) return true;
    const c = fcmp(a, b);
    return c < 0 || (c === 0 && !bothRounded);
  };
  return le(loL, right.hi) && le(right.lo, hiL);
};
const HUNDRED = exact(frac(100n));
const WITHIN = frac(1n, 100n);

// --- figures as printed, from the YAML syntax tree -------------------------------------------
const NUMBER = /^[+-]?[0-9]+(\.[0-9]+)?$/;
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

// The syntax-tree node at a path of keys and indices (yaml-ast-parser: 0 scalar, 2 map, 3 seq).
const nodeAt = (ast, path) => {
  let node = ast;
  for (const seg of path) {
    while (node && node.kind === 4) node = node.value; // anchor reference
    if (!node) return null;
    if (node.kind === 2) {
      const m = node.mappings.find((m) => m.key && m.key.value === String(seg));
      node = m ? m.value : null;
    } else if (node.kind === 3) {
      node = node.items[seg];
    } else return null;
  }
  return node;
};

const show = (path) =>
  path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');

class Missing extends Error {}

// One check: `body(num, text)` returns whether it holds; a failure is one result whose message
// is "RULE|paths read".
const runCheck = (ctx, results, rule, at, body) => {
  const read = [];
  const num = (path) => {
    const node = nodeAt(ctx.ast, path);
    if (!node || node.kind !== 0 || node.doubleQuoted || node.singleQuoted) throw new Missing();
    const n = parseFigure(node.value);
    if (!n) throw new Missing();
    read.push(show(path));
    return n;
  };
  const text = (path) => {
    const node = nodeAt(ctx.ast, path);
    if (!node || node.kind !== 0) throw new Missing();
    read.push(show(path));
    return node.value;
  };
  let ok;
  try {
    ok = body(num, text);
  } catch (e) {
    if (e instanceof Missing) return;
    if (!(e instanceof DivisionByZero)) throw e;
    ok = false;
  }
  if (!ok) results.push({ message: `${rule}|${[...new Set(read)].sort().join(',')}`, path: at });
};

const KINDS = ['basic', 'project', 'remit_to_superior', 'business', 'subsidy_to_affiliates'];
const PCT_WORDS = { 减少: ['下降', '减少'], 增加: ['增长', '增加'] };

const yoy = (ctx, results, rule, section, data) => {
  const word = data && data.change && data.change.word;
  if (!(word in PCT_WORDS)) return;
  const ch = [section, 'change'];
  runCheck(ctx, results, rule, ch, (num) => {
    const amount = num([...ch, 'amount']);
    const total = num([section, 'total']);
    const prior = word === '减少' ? add(total, amount) : sub(total, amount);
    return canEqual(num([...ch, 'pct']), mul(div(amount, prior), HUNDRED));
  });
  runCheck(ctx, results, rule, ch, (num, text) => PCT_WORDS[word].includes(text([...ch, 'pct_word'])));
};

const RULES = {
  'FA-TOT-002': (ctx, results) =>
    runCheck(ctx, results, 'FA-TOT-002', ['expenditure'], (num) => {
      const parts = KINDS.map((k) => num(['expenditure', k, 'amount']));
      return canEqual(parts.reduce(add), num(['expenditure', 'total']));
    }),
  'FA-TOT-004': (ctx, results, input, at) =>
    runCheck(ctx, results, 'FA-TOT-004', at, (num) => {
      const items = (input && input.items) || [];
      const sum = items.reduce((s, _, j) => add(s, num([...at, 'items', j, 'amount'])), exact(ZERO));
      return canEqual(sum, num([...at, 'amount']));
    }),
  'FA-SHR-002': (ctx, results) => {
    for (const k of KINDS) {
      runCheck(ctx, results, 'FA-SHR-002', ['expenditure', k], (num) =>
        canEqual(
          num(['expenditure', k, 'share']),
          mul(div(num(['expenditure', k, 'amount']), num(['expenditure', 'total'])), HUNDRED),
          WITHIN,
        ),
      );
    }
  },
  'FA-SHR-003': (ctx, results, input, at) =>
    runCheck(ctx, results, 'FA-SHR-003', at, (num) =>
      canEqual(
        num([...at, 'share']),
        mul(div(num([...at, 'amount']), num(['gpb_expenditure', 'structure_total'])), HUNDRED),
        WITHIN,
      ),
    ),
  'FA-YOY-001': (ctx, results, input) => yoy(ctx, results, 'FA-YOY-001', 'overview', input),
  'FA-YOY-003': (ctx, results, input) => yoy(ctx, results, 'FA-YOY-003', 'gpb_expenditure', input),
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
  if (checked.has(data)) return;
  checked.add(data);
  const precision = (data && data.meta && data.meta.precision) || {};
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
  const ast = context.document.parserResult.ast;
  precisionGuard(context.document.data);
  RULES[options.rule]({ ast }, results, input, context.path);
  return results;
};

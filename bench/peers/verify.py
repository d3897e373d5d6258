#!/usr/bin/env python3
"""Before the peers are timed: do they find what tally finds?

    python3 bench/peers/verify.py DIR [--no-spectral]

Runs, on the *.yaml files of DIR (a corpus from `gen-corpus`, with planted errors):
- tally with the peers' pack: `target/release/tally check DIR --rules bench/peers/pack --format json`
  (TALLY=path for another binary);
- the Python peer: `python3 bench/peers/python_check.py DIR`;
- Spectral, when `npx` is available and bench/peers/spectral/node_modules is installed
  (`npm install --prefix bench/peers/spectral`), unless --no-spectral:
  `npx --prefix bench/peers/spectral spectral lint -r bench/peers/spectral/.spectral.yaml -f json 'DIR/*.yaml'`.

A finding is compared as (file name, rule, the set of figure paths the failing check read,
e.g. function_classes[2].items[0].amount). The script stops with exit code 1 and the
differences if any peer's findings differ from tally's, if tally finds nothing (the corpus
has no planted errors these rules see), or if the direction words of the Spectral peer (a copy:
a custom function cannot read files) are not those of bench/peers/pack/layout.yaml. Prints the
counts per peer and rule, and a note for a rule of bench/peers/pack/, or its layout, that the
built-in pack no longer has as it is.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PACK = os.path.join(ROOT, "bench", "peers", "pack")
SPECTRAL = os.path.join(ROOT, "bench", "peers", "spectral")


def fail(message):
    print(f"verify.py: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def run(command):
    p = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if p.returncode not in (0, 1):  # 1: findings
        fail(f"{' '.join(command)} exited with {p.returncode}:\n{p.stderr[-3000:]}")
    return p.stdout


def pack_rules():
    """The rules of bench/peers/pack/, with a note for each that is no longer, character for
    character, in the built-in pack (it was copied at a commit; the peers implement the copy,
    so the comparison stays valid, but the benchmark then no longer runs the pack's text)."""
    builtin = ""
    for name in sorted(os.listdir(os.path.join(ROOT, "rules", "final-accounts"))):
        if name.endswith(".tally"):
            with open(os.path.join(ROOT, "rules", "final-accounts", name), encoding="utf-8") as f:
                builtin += f.read()
    rules = []
    for name in sorted(n for n in os.listdir(PACK) if n.endswith(".tally")):
        with open(os.path.join(PACK, name), encoding="utf-8") as f:
            for block in re.findall(r"^rule .*?^}\n", f.read(), re.S | re.M):
                if block not in builtin:
                    print(f"note: {block.split()[1]} of bench/peers/pack/{name} is no longer the text "
                          "of rules/final-accounts/ (the peers implement the copy)")
                rules.append(block.split()[1])
    return rules


def layout_text(path, header):
    """A layout's text; for the copy in bench/peers/pack/, below its header (the comment lines
    up to the first line that is only `#`)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return text.split("\n#\n", 1)[1] if header else text


def check_layout():
    """A note when bench/peers/pack/layout.yaml is no longer the built-in pack's layout."""
    copy = layout_text(os.path.join(PACK, "layout.yaml"), header=True)
    if copy != layout_text(os.path.join(ROOT, "rules", "final-accounts", "layout.yaml"), header=False):
        print("note: bench/peers/pack/layout.yaml is no longer the text of rules/final-accounts/layout.yaml "
              "(the peers implement the copy)")


def check_spectral_words():
    """The Spectral peer's copy of the layout's direction words must be the layout's."""
    import yaml
    with open(os.path.join(PACK, "layout.yaml"), encoding="utf-8") as f:
        words = yaml.safe_load(f)["words"]
    script = ("process.stdout.write(JSON.stringify(require(process.argv[1]).WORDS))")
    p = subprocess.run(["node", "-e", script, os.path.join(SPECTRAL, "functions", "tallyRule.js")],
                       capture_output=True, text=True)
    if p.returncode != 0 or json.loads(p.stdout) != words:
        fail(f"the direction words of bench/peers/spectral/functions/tallyRule.js ({p.stdout or p.stderr}) "
             f"are not those of bench/peers/pack/layout.yaml ({json.dumps(words, ensure_ascii=False)})")


def key(path, rule, paths):
    return (os.path.basename(path), rule, tuple(sorted(set(paths))))


def from_tally_json(text):
    found = Counter()
    for f in json.loads(text)["files"]:
        for x in f["findings"]:
            found[key(f["path"], x["rule"], [v["path"] for v in x["values"]])] += 1
    return found


def from_spectral(text):
    found = Counter()
    for r in json.loads(text or "[]"):
        rule, _, paths = r["message"].partition("|")
        if rule != r["code"]:
            fail(f"Spectral reported {r['code']} ({r['message']}) in {r['source']}: not a peer rule")
        found[key(r["source"], rule, [p for p in paths.split(",") if p])] += 1
    return found


def compare(name, tally, other):
    if tally == other:
        return
    lines = [f"{name} differs from tally:"]
    for k, n in sorted((tally - other).items())[:20]:
        lines.append(f"  only tally ({n}): {k}")
    for k, n in sorted((other - tally).items())[:20]:
        lines.append(f"  only {name} ({n}): {k}")
    lines.append(f"  ({sum((tally - other).values())} only in tally, "
                 f"{sum((other - tally).values())} only in {name})")
    fail("\n".join(lines))


def by_rule(found):
    c = Counter()
    for (_, rule, _), n in found.items():
        c[rule] += n
    return " ".join(f"{r} {c[r]}" for r in sorted(c))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        sys.exit(__doc__)
    corpus = os.path.abspath(args[0])
    files = sorted(n for n in os.listdir(corpus) if n.endswith(".yaml"))
    rules = pack_rules()
    check_layout()
    tally_bin = os.environ.get("TALLY", os.path.join(ROOT, "target", "release", "tally"))
    tally = from_tally_json(run([tally_bin, "check", corpus, "--rules", PACK, "--format", "json"]))
    if not tally:
        fail("tally found nothing: no planted error reaches these rules; use a bigger corpus")
    unknown = {r for (_, r, _) in tally} - set(rules)
    if unknown:
        fail(f"tally reported findings of other rules: {sorted(unknown)}")
    print(f"{len(files)} files in {corpus}; rules {' '.join(rules)}")
    print(f"tally    {sum(tally.values()):5d} findings in {len({k[0] for k in tally})} files: {by_rule(tally)}")
    silent = sorted(set(rules) - {r for (_, r, _) in tally})
    if silent:
        print(f"warning: no finding of {' '.join(silent)} here: for them the comparison shows nothing")

    python = from_tally_json(run([sys.executable, "bench/peers/python_check.py", corpus]))
    print(f"python   {sum(python.values()):5d} findings in {len({k[0] for k in python})} files: {by_rule(python)}")
    compare("the Python peer", tally, python)

    if "--no-spectral" in sys.argv:
        print("spectral skipped (--no-spectral)")
    elif not shutil.which("npx") or not os.path.isdir(os.path.join(SPECTRAL, "node_modules", "@stoplight")):
        print("spectral skipped: needs npx and `npm install --prefix bench/peers/spectral`")
    else:
        check_spectral_words()
        spectral = from_spectral(run(["npx", "--prefix", SPECTRAL, "spectral", "lint", "-q",
                                      "-r", os.path.join(SPECTRAL, ".spectral.yaml"), "-f", "json",
                                      "--fail-severity", "error", os.path.join(corpus, "*.yaml")]))
        print(f"spectral {sum(spectral.values()):5d} findings in {len({k[0] for k in spectral})} files: {by_rule(spectral)}")
        compare("Spectral", tally, spectral)
    print("verify.py: the same findings (file, rule, figures) from every peer")


if __name__ == "__main__":
    main()

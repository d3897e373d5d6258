#!/usr/bin/env python3
"""Rewrites the outputs in docs/GUIDE.zh.md from a fresh run of target/release/tally (build it
first: cargo build --release), as tests/guide.rs runs the guide: after a change to the built-in
pack, read the diff (git diff docs/GUIDE.zh.md) before committing it. A line `…` keeps its place."""
import os, re, shutil, subprocess, sys, tempfile
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
tally = os.path.join(root, 'target/release/tally')
guide_path = os.path.join(root, 'docs/GUIDE.zh.md')
lines = open(guide_path).read().split('\n')
work = tempfile.mkdtemp()
shutil.copytree(os.path.join(root, 'examples/final-accounts'), work, dirs_exist_ok=True)
env = dict(os.environ); env['LANG'] = 'zh_CN.UTF-8'; env['NO_COLOR'] = '1'
for k in ['COLUMNS', 'LC_ALL', 'LC_MESSAGES']: env.pop(k, None)
out = []; i = 0; append = None
while i < len(lines):
    line = lines[i]
    m = re.match(r'<!-- guide-test: append (.*) -->$', line)
    if m: append = m.group(1); out.append(line); i += 1; continue
    if line.startswith('```'):
        j = i + 1
        while not lines[j].startswith('```'): j += 1
        block = lines[i+1:j]
        if append:
            open(os.path.join(work, append), 'a').write(''.join(l + '\n' for l in block))
            append = None
            out.extend(lines[i:j+1]); i = j + 1; continue
        if line == '```console':
            cmd = block[0]; args = cmd[len('$ tally '):].split()
            r = subprocess.run([tally] + args, cwd=work, env=env, capture_output=True, text=True)
            actual = r.stdout.rstrip('\n').split('\n') if r.stdout else []
            exp = block[1:]
            if '…' in exp:
                k = exp.index('…'); tail = len(exp) - k - 1
                new = actual[:k] + ['…'] + (actual[len(actual)-tail:] if tail else [])
            else:
                new = actual
            out.append(line); out.append(cmd); out.extend(new); out.append(lines[j]); i = j + 1; continue
        out.extend(lines[i:j+1]); i = j + 1; continue
    out.append(line); i += 1
open(guide_path, 'w').write('\n'.join(out))
print('updated')

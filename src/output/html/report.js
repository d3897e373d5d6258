// Filters (severity, status, rule, department), the sortable overview, and the findings, all
// rendered from the embedded JSON only as far as the filters select, a page at a time: a
// report of thousands of datasets opens about as fast as one of a few. The state is mirrored
// in the URL hash (#severity=error&rule=R&department=D&sort=errors:desc) so that a filtered
// view can be linked to and opened as it was. Everything goes into the page as text, never as
// markup.
(function () {
  'use strict';
  var PAGE = 200;
  var ROWS = 500;
  var KEYS = ['file', 'department', 'year', 'errors', 'warnings', 'infos', 'explained'];
  var data = JSON.parse(document.getElementById('tally-data').textContent);
  var selects = Array.prototype.slice.call(document.querySelectorAll('#filters select'));
  var departments = document.getElementById('f-department');
  var table = document.getElementById('datasets');
  var body = table.tBodies[0];
  var main = document.getElementById('findings');
  var more = document.getElementById('more');
  var moreRows = document.getElementById('more-rows');
  var sorted = null;
  var pending = [];
  var shownSection = {};
  var rows = data.rows.slice();
  var rowsShown = [];

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  // The departments' options, added when the list is first used (or named by the URL).
  var filled = false;
  function fillDepartments() {
    if (filled) return;
    filled = true;
    var keep = departments.value;
    var frag = document.createDocumentFragment();
    data.departments.forEach(function (d) {
      if (d === keep) return;
      var o = el('option', null, d);
      o.value = d;
      frag.appendChild(o);
    });
    departments.appendChild(frag);
  }
  ['mousedown', 'focus', 'keydown'].forEach(function (e) {
    departments.addEventListener(e, fillDepartments);
  });

  function wanted() {
    var want = {};
    selects.forEach(function (s) { if (s.value) want[s.dataset.key] = s.value; });
    return want;
  }

  function section(d) {
    var s = el('section', 'dataset');
    s.id = d.id;
    s.dataset.department = d.department || '';
    var h = el('h2', null, d.file);
    var about = [d.department, d.year].filter(function (x) { return x !== null && x !== undefined; });
    if (about.length) { h.appendChild(document.createTextNode(' ')); h.appendChild(el('small', null, about.join(' · '))); }
    s.appendChild(h);
    if (d.not_checked) s.appendChild(el('p', 'note', data.labels.notChecked + ': ' + d.not_checked));
    d.notes.forEach(function (n) { s.appendChild(el('p', 'note', n)); });
    return s;
  }

  function excerpt(f) {
    var pre = el('pre', 'excerpt');
    var prev = null;
    f.x.forEach(function (line) {
      var n = line[0], text = line[1], at = 0;
      if (prev !== null && n > prev + 1) {
        pre.appendChild(el('span', 'gap', '⋯'));
        pre.appendChild(document.createTextNode('\n'));
      }
      prev = n;
      pre.appendChild(el('span', 'ln', String(n)));
      line[2].forEach(function (m) {
        if (m[0] > at) pre.appendChild(document.createTextNode(text.slice(at, m[0])));
        var mark = el('mark', m[3] ? 'primary' : null, text.slice(m[0], m[1]));
        mark.title = f.v[m[2]];
        pre.appendChild(mark);
        at = m[1];
      });
      pre.appendChild(document.createTextNode(text.slice(at) + '\n'));
    });
    return pre;
  }

  function article(f, d) {
    var a = el('article', 'finding sev-' + f.severity + (f.explained !== undefined ? ' explained' : ''));
    a.dataset.severity = f.severity;
    a.dataset.status = f.status;
    a.dataset.rule = f.rule;
    a.dataset.department = d.department || '';
    a.dataset.section = d.id;
    var h = el('h3');
    h.appendChild(el('span', 'sev', data.labels.severity[f.severity]));
    h.appendChild(document.createTextNode(' '));
    h.appendChild(el('code', 'rule', f.rule));
    h.appendChild(document.createTextNode(' '));
    h.appendChild(el('span', 'msg', f.message));
    h.appendChild(document.createTextNode(' '));
    h.appendChild(el('span', 'loc', d.file + ':' + f.at[0] + ':' + f.at[1]));
    a.appendChild(h);
    var help = [f.e, f.h === undefined ? undefined : data.texts[f.h]].filter(function (t) { return t !== undefined; });
    if (help.length) a.appendChild(el('pre', 'help', help.join('\n')));
    if (f.prior !== undefined) a.appendChild(el('pre', 'prior', f.prior));
    if (f.explained !== undefined) a.appendChild(el('p', 'explanation', data.labels.explained + ': ' + f.explained));
    if (f.x.length) a.appendChild(excerpt(f));
    return a;
  }

  // What the filters select: the datasets shown, each with its findings, in report order.
  function selection(want) {
    var narrowed = Boolean(want.severity || want.rule || want.status);
    var byDataset = data.datasets.map(function () { return []; });
    var count = 0;
    data.findings.forEach(function (f) {
      var d = data.datasets[f.d];
      if (want.department && d.department !== want.department) return;
      if (want.severity && f.severity !== want.severity) return;
      if (want.status && f.status !== want.status) return;
      if (want.rule && f.rule !== want.rule) return;
      byDataset[f.d].push(f);
      count += 1;
    });
    var items = [];
    var hit = {};
    data.datasets.forEach(function (d, i) {
      if (want.department && d.department !== want.department) return;
      if (narrowed && !byDataset[i].length) return;
      hit[d.id] = true;
      items.push({ dataset: d, findings: byDataset[i] });
    });
    return { items: items, count: count, hit: hit };
  }

  function showPage() {
    var budget = PAGE;
    var frag = document.createDocumentFragment();
    while (pending.length && budget > 0) {
      var item = pending[0];
      var s = shownSection[item.dataset.id];
      if (!s) {
        s = section(item.dataset);
        shownSection[item.dataset.id] = s;
        frag.appendChild(s);
        if (!item.findings.length && !item.dataset.not_checked) s.appendChild(el('p', 'clean', data.labels.clean));
      }
      var take = item.findings.splice(0, budget);
      take.forEach(function (f) { s.appendChild(article(f, item.dataset)); });
      budget -= Math.max(take.length, 1);
      if (!item.findings.length) pending.shift();
    }
    main.appendChild(frag);
    more.hidden = pending.length === 0;
  }

  // The overview: the rows the filters leave, in the chosen order, ROWS at a time.
  function row(r) {
    var tr = el('tr');
    tr.dataset.section = r[0];
    tr.dataset.department = r[2] || '';
    var td = el('td');
    var a = el('a', null, r[1]);
    a.href = '#' + r[0];
    td.appendChild(a);
    tr.appendChild(td);
    tr.appendChild(el('td', null, r[2] || ''));
    tr.appendChild(el('td', 'num', r[3] === null ? '' : String(r[3])));
    tr.appendChild(el('td', 'num sev-error', String(r[4])));
    tr.appendChild(el('td', 'num sev-warning', String(r[5])));
    tr.appendChild(el('td', 'num sev-info', String(r[6])));
    tr.appendChild(el('td', 'num', String(r[7])));
    return tr;
  }

  function showRows(all) {
    var frag = document.createDocumentFragment();
    var from = body.rows.length;
    var to = all ? rowsShown.length : Math.min(rowsShown.length, from + ROWS);
    for (var i = from; i < to; i++) frag.appendChild(row(rowsShown[i]));
    body.appendChild(frag);
    moreRows.hidden = body.rows.length >= rowsShown.length;
  }

  var hitNow = {};
  function renderRows() {
    rowsShown = rows.filter(function (r) { return hitNow[r[0]]; });
    body.textContent = '';
    showRows(false);
  }

  function apply() {
    var sel = selection(wanted());
    main.textContent = '';
    shownSection = {};
    pending = sel.items;
    showPage();
    hitNow = sel.hit;
    renderRows();
    document.getElementById('shown').textContent = data.labels.shown
      .replace('{shown}', sel.count).replace('{total}', data.findings.length);
  }

  function sortBy(th, dir) {
    var index = KEYS.indexOf(th.dataset.key) + 1;
    var numeric = th.classList.contains('num');
    var sign = dir === 'desc' ? -1 : 1;
    var collator = new Intl.Collator('zh');
    rows.sort(function (a, b) {
      var x = a[index], y = b[index];
      return sign * (numeric ? (Number(x) || 0) - (Number(y) || 0)
        : collator.compare(x === null ? '' : String(x), y === null ? '' : String(y)));
    });
    table.querySelectorAll('th').forEach(function (h) { delete h.dataset.dir; });
    th.dataset.dir = dir;
    sorted = th.dataset.key + ':' + dir;
    renderRows();
  }

  function toHash() {
    var want = wanted();
    var parts = Object.keys(want).map(function (k) {
      return k + '=' + encodeURIComponent(want[k]);
    });
    if (sorted) parts.push('sort=' + sorted);
    history.replaceState(null, '', parts.length ? '#' + parts.join('&') : location.pathname);
  }

  function fromHash() {
    var hash = location.hash.slice(1);
    if (hash.indexOf('=') < 0) return null;
    var sort = null;
    hash.split('&').forEach(function (pair) {
      var at = pair.indexOf('=');
      var key = decodeURIComponent(pair.slice(0, at));
      var value = decodeURIComponent(pair.slice(at + 1));
      if (key === 'sort') {
        sort = value.split(':');
        return;
      }
      if (key === 'department' && data.departments.indexOf(value) >= 0) {
        var o = el('option', null, value);
        o.value = value;
        departments.appendChild(o);
      }
      selects.forEach(function (s) { if (s.dataset.key === key) s.value = value; });
    });
    return sort;
  }

  // A link to a dataset not yet rendered shows it first.
  body.addEventListener('click', function (e) {
    var a = e.target.closest('a');
    if (!a) return;
    var id = a.getAttribute('href').slice(1);
    while (!document.getElementById(id) && pending.length) showPage();
  });
  more.addEventListener('click', showPage);
  moreRows.addEventListener('click', function () { showRows(true); });
  selects.forEach(function (s) {
    s.addEventListener('change', function () { apply(); toHash(); });
  });
  table.querySelectorAll('th').forEach(function (th) {
    th.addEventListener('click', function () {
      sortBy(th, th.dataset.dir === 'asc' ? 'desc' : 'asc');
      toHash();
    });
  });
  var sort = fromHash();
  apply();
  if (sort) {
    var th = table.querySelector('th[data-key="' + sort[0].replace(/[^a-z]/g, '') + '"]');
    if (th) sortBy(th, sort[1] === 'desc' ? 'desc' : 'asc');
  }
  // When the report was ready, in milliseconds since navigation began (the benchmark reads it).
  document.documentElement.dataset.readyMs = String(Math.round(performance.now()));
}());

// Filters (severity, status, rule, department), the sortable overview, and the findings,
// rendered from the embedded JSON only as far as the filters select, a page at a time: a
// report of thousands of datasets opens as fast as one of a few. The state is mirrored in the
// URL hash (#severity=error&rule=R&department=D&sort=errors:desc) so that a filtered view can
// be linked to and opened as it was. Text goes in as text; only the excerpts, escaped when
// the report was written, go in as markup.
(function () {
  'use strict';
  var PAGE = 200;
  var data = JSON.parse(document.getElementById('tally-data').textContent);
  var selects = Array.prototype.slice.call(document.querySelectorAll('#filters select'));
  var table = document.getElementById('datasets');
  var main = document.getElementById('findings');
  var more = document.getElementById('more');
  var sorted = null;
  var pending = [];
  var shownSection = {};

  function wanted() {
    var want = {};
    selects.forEach(function (s) { if (s.value) want[s.dataset.key] = s.value; });
    return want;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
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
    h.appendChild(el('span', 'loc', f.place));
    a.appendChild(h);
    if (f.help !== undefined) a.appendChild(el('pre', 'help', f.help));
    if (f.prior !== undefined) a.appendChild(el('pre', 'prior', f.prior));
    if (f.explained !== undefined) a.appendChild(el('p', 'explanation', data.labels.explained + ': ' + f.explained));
    if (f.x) a.insertAdjacentHTML('beforeend', f.x);
    return a;
  }

  // What the filters select: a list of items, each a dataset's heading (clean or not) or a
  // finding, in report order.
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

  function apply() {
    var want = wanted();
    var sel = selection(want);
    main.textContent = '';
    shownSection = {};
    pending = sel.items;
    showPage();
    table.querySelectorAll('tbody tr').forEach(function (r) {
      r.hidden = !sel.hit[r.dataset.section];
    });
    document.getElementById('shown').textContent = data.labels.shown
      .replace('{shown}', sel.count).replace('{total}', data.findings.length);
  }

  function sortBy(th, dir) {
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var numeric = th.classList.contains('num');
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var sign = dir === 'desc' ? -1 : 1;
    var keyed = rows.map(function (r) {
      var t = r.cells[index].textContent;
      return { row: r, key: numeric ? (Number(t) || 0) : t };
    });
    var collator = new Intl.Collator('zh');
    keyed.sort(function (a, b) {
      return sign * (numeric ? a.key - b.key : collator.compare(a.key, b.key));
    });
    var frag = document.createDocumentFragment();
    keyed.forEach(function (k) { frag.appendChild(k.row); });
    body.appendChild(frag);
    table.querySelectorAll('th').forEach(function (h) { delete h.dataset.dir; });
    th.dataset.dir = dir;
    sorted = th.dataset.key + ':' + dir;
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
    if (hash.indexOf('=') < 0) return;
    hash.split('&').forEach(function (pair) {
      var at = pair.indexOf('=');
      var key = decodeURIComponent(pair.slice(0, at));
      var value = decodeURIComponent(pair.slice(at + 1));
      if (key === 'sort') {
        var spec = value.split(':');
        var th = table.querySelector('th[data-key="' + spec[0].replace(/[^a-z]/g, '') + '"]');
        if (th) sortBy(th, spec[1] === 'desc' ? 'desc' : 'asc');
        return;
      }
      selects.forEach(function (s) { if (s.dataset.key === key) s.value = value; });
    });
  }

  // A link to a dataset not yet rendered shows it first.
  table.addEventListener('click', function (e) {
    var a = e.target.closest('a');
    if (!a) return;
    var id = a.getAttribute('href').slice(1);
    while (!document.getElementById(id) && pending.length) showPage();
  });
  more.addEventListener('click', showPage);
  selects.forEach(function (s) {
    s.addEventListener('change', function () { apply(); toHash(); });
  });
  table.querySelectorAll('th').forEach(function (th) {
    th.addEventListener('click', function () {
      sortBy(th, th.dataset.dir === 'asc' ? 'desc' : 'asc');
      toHash();
    });
  });
  fromHash();
  apply();
  // When the report was ready, in milliseconds since navigation began (the benchmark reads it).
  document.documentElement.dataset.readyMs = String(Math.round(performance.now()));
}());

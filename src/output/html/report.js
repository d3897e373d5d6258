// Filters (severity, rule, department) and the sortable overview. Reads only the document;
// the state is mirrored in the URL hash (#severity=error&rule=R&department=D&sort=errors:desc)
// so that a filtered view can be linked to and opened as it was.
(function () {
  'use strict';
  var selects = Array.prototype.slice.call(document.querySelectorAll('#filters select'));
  var table = document.getElementById('datasets');
  var sorted = null;

  function wanted() {
    var want = {};
    selects.forEach(function (s) { if (s.value) want[s.dataset.key] = s.value; });
    return want;
  }

  function matches(el, want) {
    return Object.keys(want).every(function (k) { return el.dataset[k] === want[k]; });
  }

  function apply() {
    var want = wanted();
    var narrowed = Boolean(want.severity || want.rule);
    var hit = {};
    var findings = document.querySelectorAll('article.finding');
    var shown = 0;
    findings.forEach(function (a) {
      var ok = matches(a, want);
      a.hidden = !ok;
      if (ok) { shown += 1; hit[a.dataset.section] = true; }
    });
    function visible(el, section) {
      if (want.department && el.dataset.department !== want.department) return false;
      return !narrowed || Boolean(hit[section]);
    }
    document.querySelectorAll('section.dataset').forEach(function (s) {
      s.hidden = !visible(s, s.id);
    });
    table.querySelectorAll('tbody tr').forEach(function (r) {
      r.hidden = !visible(r, r.dataset.section);
    });
    document.getElementById('shown').textContent =
      shown + ' of ' + findings.length + ' findings shown';
  }

  function sortBy(th, dir) {
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var numeric = th.classList.contains('num');
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var sign = dir === 'desc' ? -1 : 1;
    rows.sort(function (a, b) {
      var x = a.cells[index].textContent, y = b.cells[index].textContent;
      var c = numeric ? (Number(x) || 0) - (Number(y) || 0) : x.localeCompare(y, 'zh');
      return sign * c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
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
}());

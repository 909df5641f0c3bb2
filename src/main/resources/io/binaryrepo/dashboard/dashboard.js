// Refreshes the numbers and charts from /api/v1/stats every 10 s; the page itself is not reloaded.
(function () {
  var api = document.body.getAttribute('data-api');
  function at(obj, path) {
    return path.split('.').reduce(function (o, k) { return o == null ? null : o[k]; }, obj);
  }
  function human(v) {
    var u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'], i = 0;
    while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
    return (i === 0 ? v : v.toFixed(1)) + ' ' + u[i];
  }
  function text(v, format) {
    if (v == null) return '\u2013';
    if (format === 'percent') return (v * 100).toFixed(1) + '%';
    if (format === 'human') return human(v);
    return String(v);
  }
  function points(values, max, w, h) {
    var step = w / (values.length - 1);
    return values.map(function (v, i) {
      return (i * step).toFixed(1) + ',' + (h - 5 - (max > 0 ? v / max * (h - 10) : 0)).toFixed(1);
    }).join(' ');
  }
  function update(stats) {
    document.querySelectorAll('[data-stat]').forEach(function (e) {
      e.textContent = text(at(stats, e.getAttribute('data-stat')), e.getAttribute('data-format'));
    });
    document.querySelectorAll('[data-bar]').forEach(function (e) {
      var p = e.getAttribute('data-bar').split('/');
      var v = at(stats, p[0]), m = at(stats, p[1]);
      e.style.width = (m > 0 ? Math.min(100, v / m * 100) : 0) + '%';
    });
    document.querySelectorAll('svg[data-chart]').forEach(function (svg) {
      var lines = svg.querySelectorAll('polyline[data-series]'), max = 0;
      lines.forEach(function (l) { at(stats, l.getAttribute('data-series')).forEach(function (v) { max = Math.max(max, v); }); });
      lines.forEach(function (l) {
        l.setAttribute('points', points(at(stats, l.getAttribute('data-series')), max, 600, 120));
      });
      var top = svg.querySelector('[data-max]');
      if (top) top.textContent = 'max ' + (svg.getAttribute('data-chart') === 'bytes' ? human(max) : max) + '/min';
    });
    var tbody = document.getElementById('errors');
    tbody.textContent = '';
    stats.upstreamErrors.forEach(function (x) {
      var tr = document.createElement('tr');
      [new Date(x.time).toISOString().replace('T', ' ').substring(0, 19), x.repository, x.status, x.method + ' ' + x.path]
        .forEach(function (v, i) { var td = document.createElement('td'); td.textContent = v; if (i === 3) td.className = 'path'; tr.appendChild(td); });
      tbody.appendChild(tr);
    });
    document.getElementById('updated').textContent = new Date(stats.time).toISOString().replace('T', ' ').substring(0, 19) + ' UTC';
    document.body.setAttribute('data-refreshed', String(stats.time));
  }
  function refresh() {
    fetch(api, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(update)
      .catch(function (e) { document.getElementById('updated').textContent = 'refresh failed (' + e + ')'; });
  }
  setInterval(refresh, 10000);
})();

/**
 * The console's browser script, served as /console/console.js (same origin, so helmet's
 * `script-src 'self'` allows it). Plain ES2020 without template literals, because it lives in
 * this raw string: no build step, and esbuild bundles it into the gateway like any module.
 *
 * It reads only the admin API with the credential the operator signed in with, and shows a
 * "not available" state for any endpoint the platform does not offer (404/501/503) instead of
 * inventing figures.
 */
export const CONSOLE_SCRIPT = String.raw`
'use strict';
(function () {
  var TOKEN_KEY = 'mlops-console-token';
  var enc = encodeURIComponent;
  var API = {
    stats: '/admin/stats',
    models: '/admin/models',
    alias: function (model, alias) { return '/admin/models/' + enc(model) + '/aliases/' + enc(alias); },
    experiments: '/admin/experiments',
    experimentAction: function (id, action) { return '/admin/experiments/' + enc(id) + '/' + action; },
    drift: '/admin/drift',
    training: '/admin/training/runs'
  };
  var COLORS = { accent: '#4cc2ff', violet: '#a78bfa', bad: '#f85149', ok: '#3fb950', warn: '#d29922' };
  var VERSION_COLORS = ['#3fb950', '#4cc2ff', '#a78bfa', '#d29922', '#f778ba'];
  var $ = function (id) { return document.getElementById(id); };
  var timers = [];
  var state = { production: null, modelName: null };

  // ---------- HTTP ----------
  function NotAvailable(message) { this.message = message; }
  function api(method, path, body) {
    var token = sessionStorage.getItem(TOKEN_KEY) || '';
    var headers = { Accept: 'application/json' };
    // The gateway takes API keys in X-API-Key and JWTs as bearer tokens, never both at once.
    if (token.indexOf('mlk_') === 0) headers['X-API-Key'] = token; else headers.Authorization = 'Bearer ' + token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) }).then(function (res) {
      return res.text().then(function (text) {
        var json = null;
        try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
        if (res.status === 401 || res.status === 403) {
          signOut((json && json.message) || 'the credential was refused (' + res.status + ')');
          throw new Error('signed out');
        }
        if (res.status === 404 || res.status === 501 || res.status === 503) {
          throw new NotAvailable(res.status === 404 ? 'the gateway has no ' + method + ' ' + path.split('?')[0] + ' yet' : (json && json.message) || 'unavailable (' + res.status + ')');
        }
        if (!res.ok) throw new Error((json && json.message) || method + ' ' + path + ' failed with ' + res.status);
        return json;
      });
    });
  }

  // ---------- DOM helpers ----------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === 'text') node.textContent = attrs[key];
      else if (key === 'onclick') node.addEventListener('click', attrs[key]);
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child); });
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    return node;
  }
  function replace(container, node) { container.textContent = ''; container.appendChild(node); }
  function unavailable(what, reason) {
    return el('div', { 'class': 'unavailable', 'data-state': 'unavailable' }, [el('strong', { text: what + ' not available' }), reason]);
  }
  // A source that exists but has nothing to show yet: not the same as "not available".
  function waiting(what, reason) {
    return el('div', { 'class': 'unavailable', 'data-state': 'empty' }, [el('strong', { text: what }), reason]);
  }
  function chip(text, kind) { return el('span', { 'class': 'chip ' + (kind || text), text: text }); }
  function fmt(value, digits) { return typeof value === 'number' && isFinite(value) ? value.toFixed(digits === undefined ? 3 : digits) : '–'; }
  function pct(value) { return typeof value === 'number' && isFinite(value) ? (value * 100).toFixed(1) + '%' : '–'; }
  function when(value) {
    if (!value) return '–';
    var d = new Date(value);
    return isNaN(d.getTime()) ? String(value) : d.toLocaleString();
  }
  function pick(obj, names) {
    for (var i = 0; i < names.length; i++) if (obj && obj[names[i]] !== undefined && obj[names[i]] !== null) return obj[names[i]];
    return undefined;
  }
  function listOf(body, key) { return Array.isArray(body) ? body : (body && Array.isArray(body[key]) ? body[key] : []); }
  function markUpdated(section) {
    var small = $(section).querySelector('.updated');
    if (small) small.textContent = 'updated ' + new Date().toLocaleTimeString();
  }
  function toast(message, bad) {
    var node = $('toast');
    node.textContent = message;
    node.className = bad ? 'bad' : '';
    node.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { node.hidden = true; }, 5000);
  }

  // ---------- Confirmation ----------
  function confirmAction(title, text, run) {
    var dialog = $('confirm');
    $('confirm-title').textContent = title;
    $('confirm-text').textContent = text;
    dialog.returnValue = '';
    dialog.onclose = function () {
      if (dialog.returnValue !== 'ok') return;
      run().then(function (message) { toast(message); refreshAll(); }, function (error) {
        toast(error instanceof NotAvailable ? 'Not available: ' + error.message : error.message, true);
      });
    };
    dialog.showModal();
  }

  // ---------- Charts (hand-made SVG) ----------
  function lineChart(container, series, options) {
    var W = 600, H = 180, L = 44, R = 8, T = 8, B = 22;
    var all = [];
    series.forEach(function (s) { s.points.forEach(function (p) { if (p[1] !== null) all.push(p); }); });
    var now = Date.now(), t0 = now - options.windowMs;
    var maxY = Math.max(options.minMax || 1, Math.max.apply(null, all.map(function (p) { return p[1]; }).concat([0])) * 1.15);
    var x = function (t) { return L + ((t - t0) / options.windowMs) * (W - L - R); };
    var y = function (v) { return T + (1 - v / maxY) * (H - T - B); };
    var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, preserveAspectRatio: 'none', role: 'img', 'aria-label': options.label });
    for (var i = 0; i <= 4; i++) {
      var v = (maxY * i) / 4;
      root.appendChild(svg('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), 'class': 'grid-line' }));
      var label = svg('text', { x: L - 6, y: y(v) + 3, 'text-anchor': 'end', 'class': 'axis-label' });
      label.textContent = v >= 100 ? v.toFixed(0) : v.toFixed(v >= 10 ? 1 : 2);
      root.appendChild(label);
    }
    [5, 4, 3, 2, 1, 0].forEach(function (minutesAgo) {
      var t = now - minutesAgo * 60000;
      if (t < t0) return;
      var tick = svg('text', { x: x(t), y: H - 6, 'text-anchor': minutesAgo === 0 ? 'end' : 'middle', 'class': 'axis-label' });
      tick.textContent = minutesAgo === 0 ? 'now' : '-' + minutesAgo + 'm';
      root.appendChild(tick);
    });
    series.forEach(function (s) {
      // A second without data (null) breaks the line rather than being bridged; a lone point is a dot.
      var runs = [[]];
      s.points.forEach(function (p) {
        if (p[0] < t0) return;
        if (p[1] === null) { if (runs[runs.length - 1].length) runs.push([]); return; }
        runs[runs.length - 1].push(p);
      });
      runs.forEach(function (pts) {
        if (pts.length === 0) return;
        if (pts.length === 1) {
          root.appendChild(svg('circle', { cx: x(pts[0][0]).toFixed(1), cy: y(pts[0][1]).toFixed(1), r: 3, fill: s.color, 'data-series': s.name }));
          return;
        }
        var line = pts.map(function (p) { return x(p[0]).toFixed(1) + ',' + y(p[1]).toFixed(1); }).join(' ');
        if (s.fill) {
          root.appendChild(svg('polygon', { points: x(pts[0][0]).toFixed(1) + ',' + y(0) + ' ' + line + ' ' + x(pts[pts.length - 1][0]).toFixed(1) + ',' + y(0), fill: s.color, 'class': 'area' }));
        }
        root.appendChild(svg('polyline', { points: line, stroke: s.color, 'class': 'series', 'data-series': s.name }));
      });
    });
    var legend = el('div', { 'class': 'legend' }, series.map(function (s) {
      var swatch = el('i');
      swatch.style.background = s.color;
      return el('span', {}, [swatch, s.name + (s.latest !== undefined ? ': ' + s.latest : '')]);
    }));
    var wrapper = el('div', {}, [root, legend]);
    wrapper.setAttribute('data-points', String(all.length));
    replace(container, wrapper);
  }

  // ---------- Sections ----------
  function renderStats(stats) {
    var points = stats.points || [];
    var windowMs = stats.windowSeconds * 1000;
    var perSecond = stats.intervalMs / 1000;
    var recent = points.slice(-10), minute = points.slice(-60);
    var sum = function (list, key) { return list.reduce(function (a, p) { return a + (p[key] || 0); }, 0); };
    var rate = recent.length ? sum(recent, 'requests') / (recent.length * perSecond) : 0;
    var p95s = recent.map(function (p) { return p.latencyP95Ms; }).filter(function (v) { return v !== null; });
    var minuteRequests = sum(minute, 'requests');
    $('kpi-rate').textContent = rate.toFixed(2);
    $('kpi-p95').textContent = p95s.length ? Math.max.apply(null, p95s).toFixed(1) + ' ms' : '–';
    $('kpi-errors').textContent = minuteRequests ? pct(sum(minute, 'errors') / minuteRequests) : '–';
    $('kpi-rate').setAttribute('data-total', String(stats.totals.requests));
    lineChart($('chart-rate').querySelector('.chart-body'), [
      { name: 'requests', color: COLORS.accent, fill: true, latest: rate.toFixed(2) + '/s', points: points.map(function (p) { return [p.at, p.requests / perSecond]; }) },
      { name: 'errors', color: COLORS.bad, points: points.map(function (p) { return [p.at, p.errors / perSecond]; }) }
    ], { windowMs: windowMs, label: 'request rate', minMax: 1 });
    lineChart($('chart-latency').querySelector('.chart-body'), [
      { name: 'p95', color: COLORS.violet, points: points.map(function (p) { return [p.at, p.latencyP95Ms]; }) },
      { name: 'mean', color: COLORS.accent, points: points.map(function (p) { return [p.at, p.latencyMeanMs]; }) }
    ], { windowMs: windowMs, label: 'latency', minMax: 10 });
    renderAccuracy(stats.accuracy, windowMs);
  }

  // One line per model version: its share of labelled predictions that were right.
  function renderAccuracy(accuracy, windowMs) {
    var body = $('chart-accuracy').querySelector('.chart-body');
    if (!accuracy || !Array.isArray(accuracy.points)) { replace(body, unavailable('Accuracy over time', 'this gateway does not report accuracy.')); return; }
    body.title = 'Source: ' + accuracy.source;
    if (!accuracy.points.length) { replace(body, waiting('No labelled feedback yet', 'accuracy appears once feedback (POST /feedback) names the true label of a prediction.')); return; }
    var versions = [];
    accuracy.points.forEach(function (p) { if (versions.indexOf(p.modelVersion) < 0) versions.push(p.modelVersion); });
    lineChart(body, versions.map(function (version, i) {
      var own = accuracy.points.filter(function (p) { return p.modelVersion === version; });
      var last = own[own.length - 1];
      return { name: version, color: VERSION_COLORS[i % VERSION_COLORS.length], latest: pct(last.accuracy) + ' of ' + last.labelled,
        points: own.map(function (p) { return [p.at, p.accuracy]; }) };
    }), { windowMs: windowMs, label: 'accuracy', minMax: 1 });
  }

  function modelRows(body) {
    var rows = [];
    listOf(body, 'models').forEach(function (model) {
      var name = pick(model, ['name', 'model_name', 'modelName']);
      var aliases = model.aliases || {};
      var productionVersion = aliases.production;
      listOf(model, 'versions').forEach(function (v) {
        var version = pick(v, ['version', 'model_version', 'modelVersion']);
        var own = Array.isArray(v.aliases) ? v.aliases : Object.keys(aliases).filter(function (a) { return aliases[a] === version; });
        var metrics = v.metrics || {};
        rows.push({
          model: name, version: version, aliases: own, status: pick(v, ['status', 'state']) || (v.serving ? 'serving' : ''),
          accuracy: pick(v, ['accuracy', 'live_accuracy', 'test_accuracy']) !== undefined ? pick(v, ['accuracy', 'live_accuracy', 'test_accuracy']) : pick(metrics.test || metrics, ['accuracy']),
          created: pick(v, ['created_at', 'createdAt', 'loaded_at', 'loadedAt']),
          production: productionVersion
        });
      });
    });
    return rows;
  }

  function versionNumber(version) { var m = /(\d+)$/.exec(String(version)); return m ? Number(m[1]) : 0; }

  function renderModels(body) {
    var rows = modelRows(body);
    var container = $('models').querySelector('.body');
    if (!rows.length) { replace(container, unavailable('Models', 'the registry lists no model version yet.')); return; }
    // The KPI is the gateway's own model; the table lists every model the platform announces.
    state.modelName = body.default_model || rows[0].model;
    var own = rows.filter(function (r) { return r.model === state.modelName; });
    state.production = own.length ? own[0].production || null : null;
    $('model-name').textContent = state.modelName || '';
    $('kpi-production').textContent = state.production || 'none';
    var table = el('table', {}, [el('thead', {}, [el('tr', {}, ['Model', 'Version', 'Aliases', 'Status', 'Accuracy', 'Created', ''].map(function (h) { return el('th', { text: h }); }))])]);
    var tbody = el('tbody');
    rows.forEach(function (row) {
      var isProduction = row.aliases.indexOf('production') >= 0;
      var action = null;
      if (!isProduction) {
        var older = row.production && versionNumber(row.version) < versionNumber(row.production);
        var label = older ? 'Roll back to ' + row.version : 'Promote ' + row.version;
        action = el('button', { 'class': older ? 'danger' : 'primary', 'data-action': older ? 'rollback' : 'promote', 'data-version': row.version, text: label, onclick: function () {
          confirmAction(label + '?', 'The production alias of ' + row.model + ' moves from ' + (row.production || 'nothing') + ' to ' + row.version + '. Live traffic follows within seconds.', function () {
            return api('PUT', API.alias(row.model, 'production'), { version: row.version }).then(function () { return 'production now points at ' + row.version; });
          });
        } });
      }
      tbody.appendChild(el('tr', { 'data-model': row.model, 'data-version': row.version }, [
        el('td', { text: row.model }), el('td', { 'class': 'mono', text: row.version }),
        el('td', {}, row.aliases.length ? row.aliases.map(function (a) { return chip(a); }) : [el('span', { 'class': 'muted', text: '–' })]),
        el('td', {}, [row.status ? chip(row.status, row.status === 'rejected' ? 'bad' : 'ok') : el('span', { 'class': 'muted', text: '–' })]),
        el('td', { 'class': 'num', text: pct(row.accuracy) }), el('td', { text: when(row.created) }),
        el('td', {}, [el('div', { 'class': 'actions' }, [action])])
      ]));
    });
    table.appendChild(tbody);
    replace(container, table);
  }

  function splitBar(variants) {
    var bar = el('div', { 'class': 'split' });
    var labels = [];
    variants.forEach(function (v) {
      var share = Number(pick(v, ['traffic', 'share', 'weight', 'traffic_share'])) || 0;
      var part = el('span');
      part.style.width = (share <= 1 ? share * 100 : share) + '%';
      bar.appendChild(part);
      labels.push(pick(v, ['name', 'variant', 'id']) + ' ' + pick(v, ['model_version', 'modelVersion', 'version']) + ' ' + (share <= 1 ? Math.round(share * 100) : share) + '%');
    });
    return el('div', {}, [bar, el('div', { 'class': 'split-labels', text: labels.join(' · ') })]);
  }

  function renderExperiments(body) {
    var list = listOf(body, 'experiments');
    var container = $('experiments').querySelector('.body');
    if (!list.length) { replace(container, unavailable('Experiments', 'no experiment is defined yet.')); return; }
    var table = el('table', {}, [el('thead', {}, [el('tr', {}, ['Experiment', 'Status', 'Traffic split', 'Effect', '95% CI', 'p-value', 'Decision', ''].map(function (h) { return el('th', { text: h }); }))])]);
    var tbody = el('tbody');
    var runningOn = {};
    list.forEach(function (exp) { if (String(pick(exp, ['status', 'state'])) === 'running') runningOn[pick(exp, ['model_name', 'modelName'])] = pick(exp, ['id', 'experiment_id', 'experimentId']); });
    list.forEach(function (exp) {
      var id = pick(exp, ['id', 'experiment_id', 'experimentId']);
      var status = String(pick(exp, ['status', 'state']) || 'unknown');
      var analysis = exp.analysis || {};
      var ci = pick(analysis, ['ci', 'confidence_interval', 'confidenceInterval']);
      var running = status === 'running';
      tbody.appendChild(el('tr', { 'data-experiment': id, 'data-status': status }, [
        el('td', {}, [el('div', { text: pick(exp, ['name']) || id }), el('div', { 'class': 'muted mono', text: id })]),
        el('td', {}, [chip(status, running ? 'running' : status)]),
        el('td', {}, [splitBar(listOf(exp, 'variants'))]),
        el('td', { 'class': 'num', text: fmt(pick(analysis, ['effect', 'lift', 'difference']), 4) }),
        el('td', { 'class': 'num', text: Array.isArray(ci) ? '[' + fmt(ci[0], 4) + ', ' + fmt(ci[1], 4) + ']' : '–' }),
        el('td', { 'class': 'num', text: fmt(pick(analysis, ['p_value', 'pValue']), 4) }),
        el('td', {}, [pick(analysis, ['decision']) ? chip(String(analysis.decision), /ship|winner|treatment/.test(String(analysis.decision)) ? 'ok' : 'warn') : el('span', { 'class': 'muted', text: 'collecting data' })]),
        el('td', {}, [el('div', { 'class': 'actions' }, [experimentButton(id, status, runningOn[pick(exp, ['model_name', 'modelName'])])])])
      ]));
    });
    table.appendChild(tbody);
    replace(container, table);
  }

  // The ab-router's rule: only a draft starts, and only while no other experiment splits its model's
  // traffic; only a running one stops. Stopped, completed and rolled-back experiments are final.
  function experimentButton(id, status, runningOnModel) {
    if (status !== 'draft' && status !== 'running') return el('span', { 'class': 'muted', text: 'final' });
    var running = status === 'running';
    var action = running ? 'stop' : 'start';
    var button = el('button', { 'class': running ? 'danger' : 'primary', 'data-action': action, text: running ? 'Stop' : 'Start', onclick: function () {
      confirmAction((running ? 'Stop ' : 'Start ') + id + '?', running ? 'Traffic returns to the production alias; the analysis so far is kept.' : 'Live traffic is split between the variants as defined.', function () {
        return api('POST', API.experimentAction(id, action)).then(function () { return 'experiment ' + id + (running ? ' stopped' : ' started'); });
      });
    } });
    if (!running && runningOnModel && runningOnModel !== id) {
      button.disabled = true;
      button.title = 'experiment ' + runningOnModel + ' already splits this model\'s traffic; stop it first';
    }
    return button;
  }

  function renderDrift(report) {
    var container = $('drift').querySelector('.body');
    if (!report.enabled) { replace(container, unavailable('Drift monitoring', report.reason || 'drift monitoring is off in the feature store.')); return; }
    var rows = (report.features || []).concat(report.prediction_confidence || []);
    if (!rows.length) { replace(container, unavailable('Drift figures', 'no window has been evaluated yet.')); return; }
    var table = el('table', {}, [el('thead', {}, [el('tr', {}, ['Feature', 'Test', 'PSI', 'p-value', 'Status'].map(function (h) { return el('th', { text: h }); }))])]);
    var tbody = el('tbody');
    rows.forEach(function (r) {
      tbody.appendChild(el('tr', {}, [el('td', { text: r.feature + (r.model_version ? ' (' + r.model_version + ')' : '') }), el('td', { text: r.test }),
        el('td', { 'class': 'num', text: fmt(r.psi) }), el('td', { 'class': 'num', text: fmt(r.p_value, 4) }), el('td', {}, [chip(r.detected ? 'drift' : 'stable', r.detected ? 'bad' : 'ok')])]));
    });
    table.appendChild(tbody);
    replace(container, table);
  }

  function renderTraining(body) {
    var runs = listOf(body, 'runs').slice(0, 8);
    var container = $('training').querySelector('.body');
    if (!runs.length) { replace(container, unavailable('Training runs', 'no training run has been recorded yet.')); return; }
    var table = el('table', {}, [el('thead', {}, [el('tr', {}, ['Run', 'Status', 'Version', 'Accuracy', 'Duration', 'Started'].map(function (h) { return el('th', { text: h }); }))])]);
    var tbody = el('tbody');
    runs.forEach(function (run) {
      var status = String(pick(run, ['status', 'state']) || '');
      var seconds = pick(run, ['duration_seconds', 'durationSeconds']);
      tbody.appendChild(el('tr', {}, [el('td', { 'class': 'mono', text: String(pick(run, ['id', 'run_id', 'runId', 'jobId']) || '') }),
        el('td', {}, [chip(status, status === 'succeeded' ? 'ok' : status === 'failed' || status === 'rejected' ? 'bad' : 'warn')]),
        el('td', { 'class': 'mono', text: pick(run, ['model_version', 'modelVersion']) || '–' }),
        el('td', { 'class': 'num', text: pct(pick(run, ['accuracy', 'test_accuracy'])) }),
        el('td', { 'class': 'num', text: typeof seconds === 'number' ? seconds.toFixed(0) + ' s' : '–' }),
        el('td', { text: when(pick(run, ['started_at', 'startedAt'])) })]));
    });
    table.appendChild(tbody);
    replace(container, table);
  }

  function section(id, path, render) {
    return api('GET', path).then(function (body) { render(body); markUpdated(id); }, function (error) {
      if (error.message === 'signed out') return;
      var container = $(id).querySelector('.body');
      replace(container, unavailable($(id).querySelector('h2').firstChild.textContent.trim(), error instanceof NotAvailable ? error.message : 'error: ' + error.message));
    });
  }

  function refreshStats() {
    return api('GET', API.stats).then(function (stats) {
      renderStats(stats);
      $('connection-dot').className = 'status-dot live';
      $('connection-text').textContent = 'live';
    }, function (error) {
      if (error.message === 'signed out') return;
      $('connection-dot').className = 'status-dot down';
      $('connection-text').textContent = error.message;
    });
  }

  function refreshAll() {
    return Promise.all([
      refreshStats(),
      section('models', API.models, renderModels),
      section('experiments', API.experiments, renderExperiments),
      section('drift', API.drift, renderDrift),
      section('training', API.training, renderTraining)
    ]);
  }

  // ---------- Session ----------
  function showDashboard() {
    $('login').hidden = true;
    $('dashboard').hidden = false;
    $('logout').hidden = false;
    $('connection').hidden = false;
    refreshAll();
    timers.push(setInterval(refreshStats, 2000), setInterval(function () {
      section('models', API.models, renderModels);
      section('experiments', API.experiments, renderExperiments);
    }, 5000), setInterval(function () {
      section('drift', API.drift, renderDrift);
      section('training', API.training, renderTraining);
    }, 15000));
  }

  function signOut(reason) {
    sessionStorage.removeItem(TOKEN_KEY);
    timers.forEach(clearInterval);
    timers = [];
    $('dashboard').hidden = true;
    $('logout').hidden = true;
    $('connection').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = reason || '';
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('login-form').addEventListener('submit', function (event) {
      event.preventDefault();
      $('login-error').textContent = '';
      sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
      api('GET', API.stats).then(function () { $('token').value = ''; showDashboard(); }, function (error) {
        if (error.message !== 'signed out') signOut('could not sign in: ' + error.message);
      });
    });
    $('logout').addEventListener('click', function () { signOut(''); });
    if (sessionStorage.getItem(TOKEN_KEY)) showDashboard();
  });
})();
`;

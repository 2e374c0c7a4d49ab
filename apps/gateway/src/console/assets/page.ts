/**
 * The console's HTML shell, served at /console. It holds no data and no inline script (helmet's
 * CSP): everything it shows comes from the admin API, fetched by /console/console.js with the
 * credential the operator signs in with.
 */
export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>MLOps console</title>
<link rel="stylesheet" href="/console/console.css">
<script src="/console/console.js" defer></script>
</head>
<body>
<header>
  <h1><span>&#9679;</span> MLOps console</h1>
  <span class="muted" id="model-name"></span>
  <span class="spacer"></span>
  <span id="connection" hidden><i class="status-dot" id="connection-dot"></i><span id="connection-text"></span></span>
  <button id="logout" hidden>Sign out</button>
</header>

<section class="card login" id="login">
  <h2>Sign in</h2>
  <p>Paste an admin API key (<span class="mono">mlk_…</span>) or a JWT with the <span class="mono">admin</span> scope.
  It stays in this tab only (session storage).</p>
  <form id="login-form">
    <label for="token">Admin credential</label>
    <input type="password" id="token" autocomplete="off" spellcheck="false" required>
    <button class="primary" type="submit">Sign in</button>
    <div class="error" id="login-error" role="alert"></div>
  </form>
</section>

<main id="dashboard" hidden>
  <div class="grid kpis">
    <section class="card kpi"><h2>Requests / s</h2><div class="value" id="kpi-rate">–</div><div class="hint">mean of the last 10 s</div></section>
    <section class="card kpi"><h2>Latency p95</h2><div class="value" id="kpi-p95">–</div><div class="hint">last 10 s, at the gateway</div></section>
    <section class="card kpi"><h2>Error rate</h2><div class="value" id="kpi-errors">–</div><div class="hint">last 60 s</div></section>
    <section class="card kpi"><h2>Production</h2><div class="value" id="kpi-production">–</div><div class="hint" id="kpi-production-hint">model version</div></section>
  </div>

  <div class="grid charts">
    <section class="card chart" id="chart-rate"><h2>Request rate <small>req/s, last 5 min</small></h2><div class="chart-body"></div></section>
    <section class="card chart" id="chart-latency"><h2>Latency <small>ms, last 5 min</small></h2><div class="chart-body"></div></section>
    <section class="card chart" id="chart-accuracy"><h2>Accuracy <small>labelled feedback</small></h2><div class="chart-body"></div></section>
  </div>

  <section class="card" id="models"><h2>Models and aliases <small class="updated"></small></h2><div class="body"></div></section>
  <section class="card" id="experiments"><h2>Experiments <small class="updated"></small></h2><div class="body"></div></section>

  <div class="grid halves">
    <section class="card" id="drift"><h2>Drift <small class="updated"></small></h2><div class="body"></div></section>
    <section class="card" id="training"><h2>Recent training runs <small class="updated"></small></h2><div class="body"></div></section>
  </div>
</main>

<dialog id="confirm">
  <form method="dialog">
    <h3 id="confirm-title"></h3>
    <p id="confirm-text"></p>
    <div class="actions">
      <button value="cancel" id="confirm-cancel">Cancel</button>
      <button value="ok" class="primary" id="confirm-ok">Confirm</button>
    </div>
  </form>
</dialog>
<div id="toast" role="status" hidden></div>
</body>
</html>
`;

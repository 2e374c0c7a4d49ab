#!/usr/bin/env node
// Runs the project's specs with node's test runner (through tsx, so specs are TypeScript)
// and ends with one line `N passed, N failed`.
//
//   node tools/run-tests.js [--unit|--integration] [projectRoot ...]
//
// Unit specs are `*.spec.ts` next to the code; specs that need Kafka, Redis or a browser are
// `*.int.spec.ts`. With no project root, every project under apps/ and libs/ is searched.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { run } = require('node:test');
const { spec: SpecReporter } = require('node:test/reporters');

const workspaceRoot = path.resolve(__dirname, '..');

function parseArgs(argv) {
  const kinds = new Set();
  const roots = [];
  for (const arg of argv) {
    if (arg === '--unit') kinds.add('unit');
    else if (arg === '--integration') kinds.add('integration');
    else roots.push(arg);
  }
  if (kinds.size === 0) { kinds.add('unit'); kinds.add('integration'); }
  if (roots.length === 0) {
    // Every Nx project: one per folder under apps/ and libs/, plus the top-level folders
    // that hold their own checks (tools, infra, charts, docker, .github).
    for (const group of ['libs', 'apps']) {
      for (const name of fs.readdirSync(path.join(workspaceRoot, group)).sort()) roots.push(`${group}/${name}`);
    }
    for (const folder of ['tools', 'infra', 'charts', 'docker', '.github']) {
      if (fs.existsSync(path.join(workspaceRoot, folder))) roots.push(folder);
    }
  }
  return { kinds, roots };
}

function findSpecs(dir, found = []) {
  if (!fs.existsSync(dir)) return found;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name === '.cache' || entry.name === '.venv') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) findSpecs(full, found);
    else if (entry.name.endsWith('.spec.ts')) found.push(full);
  }
  return found;
}

function selectFiles(kinds, roots) {
  const files = [];
  for (const root of roots) {
    for (const file of findSpecs(path.resolve(workspaceRoot, root)).sort()) {
      const kind = file.endsWith('.int.spec.ts') ? 'integration' : 'unit';
      if (kinds.has(kind)) files.push({ file, kind });
    }
  }
  return files;
}

function runFiles(files, concurrency) {
  return new Promise((resolve) => {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    if (files.length === 0) return resolve(counts);
    const stream = run({ files, concurrency, timeout: 10 * 60_000 });
    stream.on('test:pass', (event) => {
      if (event.details?.type === 'suite') return;
      if (event.skip || event.todo) counts.skipped += 1; else counts.passed += 1;
    });
    stream.on('test:fail', (event) => {
      // A failing suite with no failing child (e.g. a hook threw) still counts once.
      if (event.details?.type === 'suite' && event.details?.error?.failureType === 'subtestsFailed') return;
      counts.failed += 1;
    });
    const report = stream.compose(new SpecReporter());
    report.pipe(process.stdout, { end: false });
    report.on('end', () => resolve(counts));
  });
}

async function main() {
  if (!process.execArgv.some((arg) => arg.includes('tsx'))) {
    // Re-run under tsx so node's test runner hands `--import tsx` to each spec process.
    const { spawnSync } = require('node:child_process');
    // Specs make temp folders (model stores, configs, vocabularies) and not every one removes its
    // own: the run gets a temp folder of its own (TMPDIR, which os.tmpdir() follows), removed after.
    const specsTmp = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'mlops-specs-'));
    const result = spawnSync(process.execPath, ['--import', 'tsx', __filename, ...process.argv.slice(2)], {
      stdio: 'inherit',
      cwd: workspaceRoot,
      env: { ...process.env, TMPDIR: specsTmp },
    });
    fs.rmSync(specsTmp, { recursive: true, force: true });
    process.exit(result.status ?? 1);
  }
  const { kinds, roots } = parseArgs(process.argv.slice(2));
  const selected = selectFiles(kinds, roots);
  const unit = selected.filter((s) => s.kind === 'unit').map((s) => s.file);
  const integration = selected.filter((s) => s.kind === 'integration').map((s) => s.file);
  const total = { passed: 0, failed: 0, skipped: 0 };
  // Unit specs are independent processes; integration specs share one broker, so one at a time.
  for (const [files, concurrency] of [[unit, 2], [integration, 1]]) {
    const counts = await runFiles(files, concurrency);
    for (const key of Object.keys(total)) total[key] += counts[key];
  }
  const skipped = total.skipped ? `, ${total.skipped} skipped` : '';
  console.log(`${total.passed} passed, ${total.failed} failed${skipped}`);
  process.exitCode = total.failed > 0 ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

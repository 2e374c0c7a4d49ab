import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadActions, loadWorkflows, needsOf, nxProjects, readJson, repoRoot, runScripts, type Job, type Workflow } from '../testing/workflows';

const workflows = loadWorkflows();
const byFile = new Map(workflows.map((workflow) => [workflow.file, workflow]));
const scripts = runScripts(workflows);
const allSteps = [
  ...workflows.flatMap((w) => Object.values(w.jobs).flatMap((job) => job.steps ?? [])),
  ...[...loadActions().values()].flatMap((action) => action.runs.steps),
];

function job(file: string, id: string): Job {
  const found = byFile.get(file)?.jobs[id];
  assert.ok(found, `${file} has a job ${id}`);
  return found;
}

describe('every workflow', () => {
  test('is the set the repository promises, each with a name, triggers and jobs', () => {
    assert.deepEqual([...byFile.keys()], ['ci.yml', 'deploy.yml', 'model-training.yml', 'release.yml']);
    for (const workflow of workflows) {
      assert.ok(workflow.name && workflow.on && Object.keys(workflow.jobs).length > 0, workflow.file);
      for (const [id, job] of Object.entries(workflow.jobs)) {
        assert.ok(job['runs-on'] || job.uses, `${workflow.file} ${id}: runs-on or a reusable workflow`);
        for (const step of job.steps ?? []) assert.ok(step.uses || step.run, `${workflow.file} ${id}: a step does nothing`);
      }
    }
  });

  test('needs only jobs that exist, without cycles', () => {
    for (const workflow of workflows) {
      const ids = Object.keys(workflow.jobs);
      for (const [id, job] of Object.entries(workflow.jobs)) {
        for (const need of needsOf(job)) assert.ok(ids.includes(need), `${workflow.file}: ${id} needs a missing job ${need}`);
      }
      // Kahn's algorithm: every job must be reachable in some order.
      const done = new Set<string>();
      let progressed = true;
      while (progressed) {
        progressed = false;
        for (const [id, job] of Object.entries(workflow.jobs)) {
          if (!done.has(id) && needsOf(job).every((need) => done.has(need))) {
            done.add(id);
            progressed = true;
          }
        }
      }
      assert.deepEqual([...done].sort(), [...ids].sort(), `${workflow.file}: cycle among ${ids.filter((id) => !done.has(id))}`);
    }
  });

  test('reads only outputs of jobs it needs and that declare them', () => {
    for (const workflow of workflows) {
      for (const [id, job] of Object.entries(workflow.jobs)) {
        for (const [, need, output] of JSON.stringify(job).matchAll(/needs\.([\w-]+)\.outputs\.([\w-]+)/g)) {
          assert.ok(needsOf(job).includes(need), `${workflow.file} ${id} reads needs.${need} without needing it`);
          assert.ok(workflow.jobs[need].outputs?.[output] !== undefined, `${workflow.file}: job ${need} has no output ${output}`);
        }
      }
    }
  });

  test('calls reusable workflows and local actions that exist, with their required inputs and secrets', () => {
    const actions = loadActions();
    for (const step of allSteps.filter((s) => s.uses?.startsWith('./'))) {
      assert.ok(actions.has(step.uses as string), `no local action ${step.uses}`);
      const declared = Object.keys(actions.get(step.uses as string)?.inputs ?? {});
      for (const input of Object.keys(step.with ?? {})) assert.ok(declared.includes(input), `${step.uses} has no input ${input}`);
    }
    for (const workflow of workflows) {
      for (const [id, caller] of Object.entries(workflow.jobs).filter(([, j]) => j.uses?.startsWith('./'))) {
        const called = byFile.get(path.basename(caller.uses as string)) as Workflow;
        const contract = called?.on.workflow_call as { inputs: Record<string, { required?: boolean }>; secrets: Record<string, { required?: boolean }> };
        assert.ok(contract, `${workflow.file} ${id}: ${caller.uses} is not a reusable workflow`);
        for (const kind of ['inputs', 'secrets'] as const) {
          const given = Object.keys((kind === 'inputs' ? caller.with : caller.secrets) ?? {});
          for (const name of given) assert.ok(name in contract[kind], `${workflow.file} ${id}: ${caller.uses} has no ${kind} ${name}`);
          for (const [name, spec] of Object.entries(contract[kind])) {
            if (spec.required) assert.ok(given.includes(name), `${workflow.file} ${id}: required ${kind} ${name} missing`);
          }
        }
      }
    }
  });

  test('checks out the repository before using one of its local actions', () => {
    for (const workflow of workflows) {
      for (const [id, job] of Object.entries(workflow.jobs)) {
        const steps = job.steps ?? [];
        const firstLocal = steps.findIndex((s) => s.uses?.startsWith('./'));
        const checkout = steps.findIndex((s) => s.uses?.startsWith('actions/checkout@'));
        if (firstLocal >= 0) assert.ok(checkout >= 0 && checkout < firstLocal, `${workflow.file} ${id}: ${steps[firstLocal].uses} before checkout`);
      }
    }
  });

  test('pins third-party actions to a release, never a branch', () => {
    for (const uses of allSteps.map((s) => s.uses).filter((u): u is string => !!u && !u.startsWith('./'))) {
      assert.match(uses, /^[\w.-]+\/[\w./-]+@(v\d+(\.\d+)*|\d+\.\d+\.\d+|[0-9a-f]{40})$/, uses);
    }
  });
});

describe('the commands the workflows run', () => {
  test('`npm run X` names a script in package.json', () => {
    const packageScripts = readJson<{ scripts: Record<string, string> }>('package.json').scripts;
    const called = scripts.flatMap(({ where, script }) => [...script.matchAll(/npm run ([\w:-]+)/g)].map(([, name]) => ({ where, name })));
    assert.ok(called.length > 0);
    for (const { where, name } of called) assert.ok(name in packageScripts, `${where}: npm run ${name} is not a script`);
  });

  test('nx targets and projects exist (nx.json targetDefaults, project.json files)', () => {
    const targetDefaults = Object.keys(readJson<{ targetDefaults: Record<string, unknown> }>('nx.json').targetDefaults);
    const projects = nxProjects();
    let checked = 0;
    for (const { where, script } of scripts) {
      for (const [, targets] of script.matchAll(/nx (?:affected|run-many)\b[^\n]*?-t((?: [a-z][\w:-]*)+)/g)) {
        for (const target of targets.trim().split(' ')) {
          assert.ok(targetDefaults.includes(target), `${where}: nx target ${target} is not in nx.json targetDefaults`);
          checked += 1;
        }
      }
      for (const [, project, target] of script.matchAll(/nx run ([\w-]+):([\w-]+)/g)) {
        assert.ok(projects.get(project)?.has(target), `${where}: no nx project ${project} with target ${target}`);
        checked += 1;
      }
    }
    assert.ok(checked >= 5, `only ${checked} nx targets found`);
  });

  test('scripts and files of this repository that they name exist', () => {
    let checked = 0;
    for (const { where, script } of scripts) {
      for (const [, file] of script.matchAll(/(?:^|[\s"'=(])((?:tools|docker|charts)\/[\w./-]*[\w-])(?![\w$/.-])/g)) {
        assert.ok(fs.existsSync(path.join(repoRoot, file)), `${where}: ${file} does not exist`);
        checked += 1;
      }
    }
    assert.ok(checked >= 5, `only ${checked} paths found`);
  });

  test('every `mlops <command>` is a command of apps/cli', () => {
    const calls = new Set(scripts.flatMap(({ script }) => [...script.matchAll(/(?:npx |-- )mlops ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?/g)].map(([, command, sub]) => `${command} ${sub ?? ''}`.trim())));
    const missing = [...calls].filter((call) => {
      const [command, sub] = call.split(' ');
      const file = path.join(repoRoot, 'apps/cli/src/commands', `${command}.ts`);
      return !fs.existsSync(file) || (sub !== undefined && !fs.readFileSync(file, 'utf8').includes(sub));
    });
    assert.ok(calls.size >= 3, [...calls].join(', '));
    assert.deepEqual(missing, [], `the workflows call commands apps/cli does not have: ${missing.map((m) => `mlops ${m}`).join(', ')}`);
  });
});

describe('ci.yml', () => {
  const ci = byFile.get('ci.yml') as Workflow;

  test('runs on pull requests and on pushes to main', () => {
    assert.ok('pull_request' in ci.on);
    assert.deepEqual((ci.on.push as { branches: string[] }).branches, ['main']);
  });

  test('sets the nx base with nx-set-shas on full history before `nx affected -t lint typecheck test build`', () => {
    const steps = job('ci.yml', 'affected').steps ?? [];
    const setShas = steps.findIndex((s) => s.uses?.startsWith('nrwl/nx-set-shas@'));
    const affected = steps.findIndex((s) => /npx nx affected -t lint typecheck test build\b/.test(s.run ?? ''));
    assert.ok(setShas >= 0 && affected > setShas, 'nx-set-shas comes before nx affected');
    assert.equal(steps.find((s) => s.uses?.startsWith('actions/checkout@'))?.with?.['fetch-depth'], 0);
  });

  test('runs the integration specs with their services, and the chart through helm per environment', () => {
    const integration = job('ci.yml', 'integration');
    assert.ok(integration.steps?.some((s) => s.run === 'npm run test:integration'));
    assert.deepEqual(integration.steps?.find((s) => s.uses === './.github/actions/setup')?.with, { helm: 'true', services: 'true' });
    const helm = (job('ci.yml', 'helm').steps ?? []).map((s) => s.run ?? '').join('\n');
    assert.match(helm, /for env in dev staging prod/);
    assert.match(helm, /helm lint --strict charts\/mlops -f "charts\/mlops\/values-\$\{env\}\.yaml"/);
    assert.match(helm, /helm template mlops charts\/mlops -f "charts\/mlops\/values-\$\{env\}\.yaml"/);
    for (const env of ['dev', 'staging', 'prod']) assert.ok(fs.existsSync(path.join(repoRoot, `charts/mlops/values-${env}.yaml`)));
  });

  test('builds and scans every app image, on main only, after everything else passed', () => {
    const images = job('ci.yml', 'images');
    assert.match(images.if ?? '', /github\.ref == 'refs\/heads\/main'/);
    assert.deepEqual(needsOf(images).sort(), ['affected', 'helm', 'integration']);
    const apps = Object.keys(readJson<Record<string, unknown>>('docker/apps.json')).sort();
    assert.deepEqual([...((images as { strategy: { matrix: { app: string[] } } } & Job).strategy.matrix.app)].sort(), apps);
    const scan = images.steps?.find((s) => s.uses?.startsWith('aquasecurity/trivy-action@'));
    assert.equal(scan?.with?.['exit-code'], '1');
  });
});

describe('model-training.yml', () => {
  test('runs weekly and by hand', () => {
    const on = byFile.get('model-training.yml')?.on as { schedule: { cron: string }[]; workflow_dispatch: unknown };
    assert.deepEqual(on.schedule, [{ cron: '0 2 * * 0' }]);
    assert.ok('workflow_dispatch' in on);
  });

  test('promotes only after the gates job and only when the gates passed', () => {
    const promote = job('model-training.yml', 'promote');
    assert.ok(needsOf(promote).includes('gates'));
    assert.match(promote.if ?? '', /needs\.train\.outputs\.gates-passed == 'true'/);
    assert.equal(promote.environment, 'production');
    const gates = (job('model-training.yml', 'gates').steps ?? []).map((s) => s.run ?? '').join('\n');
    assert.match(gates, /if \[ "\$\{PASSED\}" != "true" \]; then[\s\S]*exit 1/);
  });
});

describe('release.yml and deploy.yml', () => {
  test('deploy to staging before production, with images tagged by the commit', () => {
    assert.deepEqual(needsOf(job('release.yml', 'staging')).sort(), ['chart', 'images', 'version']);
    assert.ok(needsOf(job('release.yml', 'production')).includes('staging'));
    for (const id of ['staging', 'production']) assert.equal(job('release.yml', id).with?.['image-tag'], '${{ needs.version.outputs.tag }}');
    assert.match(job('release.yml', 'version').steps?.[0].run ?? '', /tag=\$\{SHA:0:12\}/);
  });

  test('install with `helm upgrade --install --atomic` and roll back when the smoke test fails', () => {
    const steps = (job('deploy.yml', 'deploy').steps ?? []).map((s) => s.run ?? '').join('\n');
    assert.match(steps, /helm upgrade --install mlops [\s\S]*--atomic --wait/);
    assert.match(steps, /if ! helm test mlops [^\n]*; then[\s\S]*helm rollback mlops[\s\S]*exit 1/);
  });
});

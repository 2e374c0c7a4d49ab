/** The workflow files and composite actions as the specs read them, plus what they may call. */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export const repoRoot = path.resolve(__dirname, '../..');
export const workflowsDir = path.join(repoRoot, '.github/workflows');

export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  if?: string;
}

export interface Job {
  name?: string;
  'runs-on'?: string;
  uses?: string;
  needs?: string | string[];
  if?: string;
  outputs?: Record<string, string>;
  with?: Record<string, unknown>;
  secrets?: Record<string, unknown>;
  steps?: Step[];
  environment?: string;
}

export interface Workflow {
  file: string;
  name: string;
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}

export function loadWorkflows(dir = workflowsDir): Workflow[] {
  return fs
    .readdirSync(dir)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .map((file) => ({ file, ...(YAML.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Omit<Workflow, 'file'>) }));
}

/** Every composite action under .github/actions, keyed by its `uses: ./.github/actions/<name>` path. */
export function loadActions(): Map<string, { inputs?: Record<string, unknown>; runs: { steps: Step[] } }> {
  const dir = path.join(repoRoot, '.github/actions');
  return new Map(
    fs.readdirSync(dir).map((name) => [`./.github/actions/${name}`, YAML.parse(fs.readFileSync(path.join(dir, name, 'action.yml'), 'utf8'))]),
  );
}

export function needsOf(job: Job): string[] {
  return job.needs === undefined ? [] : ([] as string[]).concat(job.needs);
}

/** Every shell script the workflows and composite actions run, with where it is. */
export function runScripts(workflows: Workflow[]): { where: string; script: string }[] {
  const fromWorkflows = workflows.flatMap((workflow) =>
    Object.entries(workflow.jobs).flatMap(([jobId, job]) =>
      (job.steps ?? []).filter((step) => step.run).map((step) => ({ where: `${workflow.file} ${jobId}`, script: step.run as string })),
    ),
  );
  const fromActions = [...loadActions()].flatMap(([uses, action]) =>
    action.runs.steps.filter((step) => step.run).map((step) => ({ where: uses, script: step.run as string })),
  );
  return [...fromWorkflows, ...fromActions];
}

/** Nx projects (name -> target names) from every project.json outside node_modules. */
export function nxProjects(): Map<string, Set<string>> {
  const projects = new Map<string, Set<string>>();
  const visit = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (['node_modules', 'dist', '.cache', '.venv', '.git', '.nx'].includes(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.name === 'project.json') {
        const project = JSON.parse(fs.readFileSync(full, 'utf8')) as { name: string; targets?: Record<string, unknown> };
        projects.set(project.name, new Set(Object.keys(project.targets ?? {})));
      }
    }
  };
  visit(repoRoot);
  return projects;
}

export function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(repoRoot, file), 'utf8')) as T;
}

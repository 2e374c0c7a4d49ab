/**
 * The chart as the specs see it: rendered by the real, pinned helm (tools/helm/ensure-helm.sh)
 * per environment and parsed into plain objects.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import YAML from 'yaml';

export const repoRoot = path.resolve(__dirname, '../..');
export const chartDir = path.join(repoRoot, 'charts/mlops');
export const environments = ['dev', 'staging', 'prod'] as const;
export type Environment = (typeof environments)[number];

/** A Kubernetes object as rendered; the specs read the fields they check. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec: any; data?: Record<string, string> };

let helmBinary: string | undefined;
export function helmPath(): string {
  helmBinary ??= execFileSync(path.join(repoRoot, 'tools/helm/ensure-helm.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  return helmBinary;
}

export interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function helm(args: string[]): HelmResult {
  const result = spawnSync(helmPath(), args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function valuesArgs(env: Environment): string[] {
  return ['-f', path.join(chartDir, `values-${env}.yaml`)];
}

/** `helm template` for one environment; throws with helm's message when it refuses. */
export function render(env: Environment, extraArgs: string[] = []): Manifest[] {
  const result = helm(['template', 'mlops', chartDir, '--namespace', `mlops-${env}`, ...valuesArgs(env), ...extraArgs]);
  if (result.status !== 0) throw new Error(`helm template (${env}) failed: ${result.stderr}`);
  return YAML.parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

export function ofKind(manifests: Manifest[], kind: string): Manifest[] {
  return manifests.filter((manifest) => manifest.kind === kind);
}

export function component(manifest: Manifest): string {
  return manifest.metadata.labels?.['app.kubernetes.io/component'] ?? '';
}

export function byComponent(manifests: Manifest[], kind: string): Map<string, Manifest> {
  return new Map(ofKind(manifests, kind).map((manifest) => [component(manifest), manifest]));
}

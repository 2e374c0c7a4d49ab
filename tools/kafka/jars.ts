/**
 * The broker's jars: fetched once from Maven Central by tools/kafka/pom.xml into
 * .cache/kafka/<version>/libs, and reused from there.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type LogLine, logToStderr, workspaceRoot } from './daemon';

const pomFile = path.join(__dirname, 'pom.xml');

export interface JarOptions {
  /** Parent of the per-version cache folders; default .cache/kafka in the repository. */
  cacheDir?: string;
  log?: LogLine;
}

/** The pinned Kafka version: `<kafka.version>` in pom.xml, so there is one place to change it. */
export function kafkaVersion(): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(fs.readFileSync(pomFile, 'utf8'));
  if (!match) throw new Error(`${pomFile} has no <kafka.version>`);
  return match[1].trim();
}

function requireTool(command: string, versionFlag: string, install: string): void {
  const probe = spawnSync(command, [versionFlag], { stdio: 'ignore' });
  if (probe.error) throw new Error(`${command} not found: the local Kafka needs it (${install})`);
}

/** The folder of broker jars for the pinned version; fetches them first when missing. */
export function ensureKafkaJars(options: JarOptions = {}): string {
  const version = kafkaVersion();
  const versionDir = path.join(options.cacheDir ?? path.join(workspaceRoot, '.cache', 'kafka'), version);
  const libsDir = path.join(versionDir, 'libs');
  requireTool('java', '-version', 'apt-get install -y openjdk-17-jre-headless');
  if (fs.existsSync(path.join(libsDir, `kafka_2.13-${version}.jar`))) return libsDir;

  requireTool('mvn', '-v', 'apt-get install -y maven');
  const log = options.log ?? logToStderr;
  const shown = libsDir.startsWith(workspaceRoot) ? path.relative(workspaceRoot, libsDir) : libsDir;
  log(`kafka: fetching the Kafka ${version} jars into ${shown} (once)`);
  // Fetch into a folder of our own, then rename: an interrupted fetch never looks complete.
  const partialDir = `${libsDir}.partial-${process.pid}`;
  fs.rmSync(partialDir, { recursive: true, force: true });
  const fetch = spawnSync(
    'mvn',
    ['-q', '-B', '-f', pomFile, 'dependency:copy-dependencies', `-DoutputDirectory=${partialDir}`],
    { encoding: 'utf8', timeout: 15 * 60_000 },
  );
  if (fetch.status !== 0) {
    fs.rmSync(partialDir, { recursive: true, force: true });
    const output = `${fetch.stdout ?? ''}${fetch.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`fetching the Kafka jars with Maven failed (exit ${fetch.status ?? fetch.signal}):\n${output}`);
  }
  try {
    fs.renameSync(partialDir, libsDir);
  } catch (error) {
    // Another process finished the same fetch first: keep its copy.
    fs.rmSync(partialDir, { recursive: true, force: true });
    if (!fs.existsSync(libsDir)) throw error;
  }
  return libsDir;
}

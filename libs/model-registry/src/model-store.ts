/**
 * The model registry on disk (`MODEL_STORE_DIR`):
 *
 *   <store>/<model>/aliases.json            {"production": "v2", "candidate": "v3"}
 *   <store>/<model>/<version>/model.onnx    HF signature: input_ids, attention_mask -> logits
 *   <store>/<model>/<version>/vocab.txt     WordPiece vocabulary
 *   <store>/<model>/<version>/config.json   labels, max length, architecture (HF format)
 *   <store>/<model>/<version>/version.json  status (registered | rejected), reasons, created time
 *   <store>/<model>/<version>/metrics.json, lineage.json, validation-report.json (optional)
 *
 * Versions are immutable: they are written to a temporary folder and renamed into place. Aliases
 * move atomically (write then rename). A folder dropped in by hand with just model.onnx, vocab.txt
 * and config.json is a registered version.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseModelConfig, type ModelConfig } from './model-config';

export type VersionStatus = 'registered' | 'rejected';

export interface VersionManifest {
  version: string;
  status: VersionStatus;
  createdAt: string;
  reasons?: string[];
}

export interface ModelVersion {
  modelName: string;
  version: string;
  dir: string;
  modelPath: string;
  vocabPath: string;
  config: ModelConfig;
  manifest: VersionManifest;
  modelSizeBytes: number;
}

export interface NewVersion {
  /** The ONNX file's bytes, or the path of one to copy. */
  model: Uint8Array | string;
  /** vocab.txt contents as lines, or the path of one to copy. */
  vocab: string[] | string;
  config: Record<string, unknown>;
  status?: VersionStatus;
  reasons?: string[];
  /** Extra JSON documents: metrics.json, lineage.json, validation-report.json, ... */
  documents?: Record<string, unknown>;
}

export class ModelStoreError extends Error {
  override name = 'ModelStoreError';
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}$/;

function assertName(kind: string, value: string): void {
  if (!NAME.test(value)) throw new ModelStoreError(`${kind} '${value}' must be 1-128 letters, digits, '.', '_' or '-'`);
}

function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** `v10` sorts after `v9`; anything else sorts by name after the numbered ones. */
function compareVersions(a: string, b: string): number {
  const na = /^v(\d+)$/.exec(a)?.[1];
  const nb = /^v(\d+)$/.exec(b)?.[1];
  if (na && nb) return Number(na) - Number(nb);
  if (na) return -1;
  if (nb) return 1;
  return a.localeCompare(b);
}

export class ModelStore {
  constructor(readonly rootDir: string) {}

  listModels(): string[] {
    if (!fs.existsSync(this.rootDir)) return [];
    return fs
      .readdirSync(this.rootDir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && NAME.test(e.name))
      .map((e) => e.name)
      .sort();
  }

  /** Version ids of a model, oldest first; folders without a model.onnx are ignored. */
  listVersions(modelName: string): string[] {
    const dir = path.join(this.rootDir, modelName);
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && NAME.test(e.name) && fs.existsSync(path.join(dir, e.name, 'model.onnx')))
      .map((e) => e.name)
      .sort(compareVersions);
  }

  readVersion(modelName: string, version: string): ModelVersion {
    assertName('model name', modelName);
    assertName('model version', version);
    const dir = path.join(this.rootDir, modelName, version);
    const modelPath = path.join(dir, 'model.onnx');
    if (!fs.existsSync(modelPath)) throw new ModelStoreError(`model ${modelName} has no version ${version} (no ${modelPath})`);
    const vocabPath = path.join(dir, 'vocab.txt');
    if (!fs.existsSync(vocabPath)) throw new ModelStoreError(`${modelName}/${version} has no vocab.txt`);
    const configPath = path.join(dir, 'config.json');
    if (!fs.existsSync(configPath)) throw new ModelStoreError(`${modelName}/${version} has no config.json`);
    const manifestPath = path.join(dir, 'version.json');
    const manifest: VersionManifest = fs.existsSync(manifestPath)
      ? (readJson(manifestPath) as VersionManifest)
      : { version, status: 'registered', createdAt: fs.statSync(modelPath).mtime.toISOString() };
    return {
      modelName,
      version,
      dir,
      modelPath,
      vocabPath,
      config: parseModelConfig(readJson(configPath), `${modelName}/${version}`),
      manifest,
      modelSizeBytes: fs.statSync(modelPath).size,
    };
  }

  readDocument(modelName: string, version: string, name: string): unknown {
    const file = path.join(this.rootDir, modelName, version, name);
    return fs.existsSync(file) ? readJson(file) : undefined;
  }

  aliases(modelName: string): Record<string, string> {
    const file = path.join(this.rootDir, modelName, 'aliases.json');
    return fs.existsSync(file) ? (readJson(file) as Record<string, string>) : {};
  }

  /** A version id or an alias to a version id; throws when neither exists. */
  resolve(modelName: string, versionOrAlias: string): string {
    const aliased = this.aliases(modelName)[versionOrAlias];
    if (aliased) return aliased;
    if (this.listVersions(modelName).includes(versionOrAlias)) return versionOrAlias;
    throw new ModelStoreError(`model ${modelName} has no version or alias '${versionOrAlias}'`);
  }

  /** Points `alias` at `version`; returns the version it pointed at before, if any. */
  setAlias(modelName: string, alias: string, version: string): string | undefined {
    assertName('alias', alias);
    const target = this.readVersion(modelName, version);
    if (target.manifest.status !== 'registered') {
      throw new ModelStoreError(`${modelName}/${version} is ${target.manifest.status}; only registered versions can take an alias`);
    }
    const aliases = this.aliases(modelName);
    const previous = aliases[alias];
    aliases[alias] = version;
    writeJsonAtomic(path.join(this.rootDir, modelName, 'aliases.json'), aliases);
    return previous;
  }

  nextVersion(modelName: string): string {
    const numbers = this.listVersions(modelName)
      .map((v) => /^v(\d+)$/.exec(v)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number);
    return `v${numbers.length ? Math.max(...numbers) + 1 : 1}`;
  }

  /** Writes a new immutable version and returns its id. */
  registerVersion(modelName: string, input: NewVersion): string {
    assertName('model name', modelName);
    parseModelConfig(input.config, `${modelName} (new version)`);
    const modelDir = path.join(this.rootDir, modelName);
    fs.mkdirSync(modelDir, { recursive: true });
    const staging = fs.mkdtempSync(path.join(modelDir, '.staging-'));
    try {
      if (typeof input.model === 'string') fs.copyFileSync(input.model, path.join(staging, 'model.onnx'));
      else fs.writeFileSync(path.join(staging, 'model.onnx'), input.model);
      if (typeof input.vocab === 'string') fs.copyFileSync(input.vocab, path.join(staging, 'vocab.txt'));
      else fs.writeFileSync(path.join(staging, 'vocab.txt'), `${input.vocab.join('\n')}\n`);
      fs.writeFileSync(path.join(staging, 'config.json'), `${JSON.stringify(input.config, null, 2)}\n`);
      for (const [name, document] of Object.entries(input.documents ?? {})) {
        fs.writeFileSync(path.join(staging, name), `${JSON.stringify(document, null, 2)}\n`);
      }
      // Take the next free id; a concurrent writer that won the same id makes us take the next one.
      for (let attempt = 0; attempt < 100; attempt++) {
        const version = this.nextVersion(modelName);
        const manifest: VersionManifest = { version, status: input.status ?? 'registered', createdAt: new Date().toISOString(), ...(input.reasons ? { reasons: input.reasons } : {}) };
        fs.writeFileSync(path.join(staging, 'version.json'), `${JSON.stringify(manifest, null, 2)}\n`);
        try {
          fs.renameSync(staging, path.join(modelDir, version));
          return version;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOTEMPTY' && (error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
      }
      throw new ModelStoreError(`could not allocate a version id for ${modelName}`);
    } catch (error) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw error;
    }
  }
}

/**
 * Config loading shared by every app: a TypeBox schema with defaults, overlaid by a YAML file and
 * then by environment variables, validated once, frozen. An invalid value stops the process with a
 * message naming the key and the variable it came from.
 *
 * Environment names are derived from the key path: `kafka.brokers` ← `KAFKA_BROKERS`,
 * `maxQueueDelayMs` ← `MAX_QUEUE_DELAY_MS`. Arrays of strings take comma-separated values.
 */
import fs from 'node:fs';
import { type Static, type TObject, type TSchema, Kind } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import YAML from 'yaml';
import { compileSchema, describeSchemaError } from '@mlops/schemas';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface ConfigSources {
  env: NodeJS.ProcessEnv;
  /** A YAML file whose keys mirror the schema; env `CONFIG_FILE` names one when this is omitted. */
  file?: string;
  /** Extra environment names for a key path, e.g. `{ port: ['API_PORT'] }` for the product's names. */
  envAliases?: Record<string, string[]>;
}

export function envNameFor(path: string[]): string {
  return path.map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
}

function coerce(raw: string, schema: TSchema, where: string): unknown {
  const type = schema.type ?? (schema.anyOf ? 'union' : undefined);
  switch (type) {
    case 'integer':
    case 'number': {
      const value = Number(raw);
      if (raw.trim() === '' || Number.isNaN(value)) throw new ConfigError(`${where}: '${raw}' is not a number`);
      return value;
    }
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(raw)) return true;
      if (/^(false|0|no|off)$/i.test(raw)) return false;
      throw new ConfigError(`${where}: '${raw}' is not a boolean (true/false)`);
    case 'array':
      return raw.split(',').map((item) => item.trim()).filter(Boolean);
    default:
      return raw;
  }
}

function overlayEnv(schema: TObject, target: Record<string, unknown>, path: string[], sources: ConfigSources): void {
  for (const [key, child] of Object.entries(schema.properties)) {
    const childPath = [...path, key];
    if (child[Kind] === 'Object') {
      const nested = (target[key] ??= {}) as Record<string, unknown>;
      overlayEnv(child as TObject, nested, childPath, sources);
      continue;
    }
    const names = [envNameFor(childPath), ...(sources.envAliases?.[childPath.join('.')] ?? [])];
    const name = names.find((n) => sources.env[n] !== undefined && sources.env[n] !== '');
    if (name) target[key] = coerce(sources.env[name] as string, child, `${childPath.join('.')} (from ${name})`);
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function readYaml(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`config file ${file} cannot be read: ${(error as Error).message}`);
  }
  const parsed: unknown = YAML.parse(text);
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`config file ${file} must hold a mapping of keys`);
  return parsed as Record<string, unknown>;
}

export function loadConfig<T extends TObject>(schema: T, sources: ConfigSources): Readonly<Static<T>> {
  const file = sources.file ?? sources.env.CONFIG_FILE;
  const value: Record<string, unknown> = file ? readYaml(file) : {};
  overlayEnv(schema, value, [], sources);
  const withDefaults = Value.Default(schema, value) as Record<string, unknown>;
  const validate = compileSchema(schema);
  if (!validate(withDefaults)) {
    const first = validate.errors?.[0];
    const keyPath = first?.instancePath.slice(1).split('/').filter(Boolean) ?? [];
    const hint = keyPath.length ? ` (env ${envNameFor(keyPath)})` : '';
    throw new ConfigError(`invalid configuration: ${describeSchemaError(validate.errors)}${hint}`);
  }
  return deepFreeze(withDefaults as Static<T>);
}

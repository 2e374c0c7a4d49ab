/** Argument parsing shared by the commands: node's parseArgs, with usage errors as UsageError. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command';

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function gatewayUrl(env: NodeJS.ProcessEnv, flag?: string): string {
  return (flag ?? env.GATEWAY_URL ?? `http://localhost:${env.API_PORT ?? 8000}`).replace(/\/$/, '');
}

export function modelStoreDir(env: NodeJS.ProcessEnv, flag?: string): string {
  return flag ?? env.MODEL_STORE_DIR ?? 'model-store';
}

export function writeJson(stream: NodeJS.WritableStream, value: unknown): void {
  stream.write(`${JSON.stringify(value)}\n`);
}

/**
 * One `mlops` command. Each lives in `commands/<name>.ts` and is listed in `commands/index.ts`.
 *
 * Contract shared by every command:
 * - `run` gets the arguments after the command's name and returns the exit code;
 * - exit 0 on success, 2 on bad input (with a message on stderr naming what is wrong),
 *   1 on any other failure;
 * - `--help` anywhere prints `usage` and exits 0.
 */
export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/** Thrown for bad input; the dispatcher prints the message and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

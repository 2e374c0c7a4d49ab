import type { CliCommand } from '../command';

/** Every `mlops` command, in the order `mlops --help` lists them. */
export const commands: CliCommand[] = [];

import type { CliCommand } from '../command';
import { abCommand } from './ab';
import { dataCommand } from './data';
import { featuresCommand } from './features';
import { keysCommand } from './keys';
import { modelsCommand } from './models';
import { predictCommand } from './predict';
import { statsCommand } from './stats';
import { tokenizeCommand } from './tokenize';
import { trainCommand } from './train';

/** Every `mlops` command, in the order `mlops --help` lists them. */
export const commands: CliCommand[] = [
  predictCommand,
  modelsCommand,
  statsCommand,
  tokenizeCommand,
  featuresCommand,
  dataCommand,
  trainCommand,
  keysCommand,
  abCommand,
];

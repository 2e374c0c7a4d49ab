/**
 * `mlops stats <test> ...`: the statistics library for analysts. Each subcommand prints one JSON
 * object on stdout and exits 0; bad input exits 2 with the reason on stderr. The JSON keys are a
 * published interface (issue 5): add keys if needed, never rename or drop one.
 */
import {
  adjustPValues,
  isCorrectionMethod,
  sampleRatioMismatch,
  sampleSizeForProportions,
  StatisticsError,
  twoProportionZTest,
  welchTTest,
  CORRECTION_METHODS,
  type MeanSample,
  type ProportionSample,
} from '@mlops/statistics';
import { parse, writeJson } from '../args';
import { UsageError, type CliCommand } from '../command';

const USAGE = `Usage: mlops stats <test> [options]

Tests (each prints one JSON object):
  two-proportion --control S/N --treatment S/N [--alpha 0.05]
      {"statistic", "p_value", "difference", "ci": [low, high], "cohens_h"}
      pooled z, two-sided p, treatment − control, Newcombe (Wilson-score) interval
  welch --control MEAN,SD,N --treatment MEAN,SD,N [--alpha 0.05]
      {"statistic", "df", "p_value", "difference", "ci": [low, high], "cohens_d"}
  srm --observed 5030,4970 [--expected 0.5,0.5]
      {"statistic", "p_value", "mismatch"}   chi-squared goodness of fit; mismatch when p < 0.001
  sample-size --baseline 0.5 --mde 0.02 [--alpha 0.05] [--power 0.8]
      {"per_variant"}
  correct --method holm|bonferroni|bh --p 0.01,0.04,0.03
      {"adjusted": [...]}

Exit codes: 0 success, 2 bad input (message on stderr).
`;

type Options = Map<string, string>;

interface Subcommand {
  options: readonly string[];
  required: readonly string[];
  run(options: Options): Record<string, unknown>;
}

function parseOptions(args: string[], subcommand: Subcommand): Options {
  const config = Object.fromEntries(subcommand.options.map((name) => [name, { type: 'string' as const }]));
  const { values } = parse(args, config, false);
  const options: Options = new Map(Object.entries(values).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  const missing = subcommand.required.find((name) => !options.has(name));
  if (missing) throw new UsageError(`--${missing} is required`);
  return options;
}

function toNumber(text: string, what: string): number {
  const value = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(value)) throw new UsageError(`${what}: '${text}' is not a number`);
  return value;
}

function numberList(text: string, option: string): number[] {
  return text.split(',').map((part) => toNumber(part, `--${option}`));
}

function optionalNumber(options: Options, name: string): number | undefined {
  const text = options.get(name);
  return text === undefined ? undefined : toNumber(text, `--${name}`);
}

/** `480/1000` → 480 successes out of 1000. */
function proportionSample(options: Options, name: string): ProportionSample {
  const text = options.get(name) ?? '';
  const parts = text.split('/');
  if (parts.length !== 2) throw new UsageError(`--${name}: expected SUCCESSES/TOTAL, got '${text}'`);
  return { successes: toNumber(parts[0], `--${name} successes`), total: toNumber(parts[1], `--${name} total`) };
}

/** `120.5,35,400` → mean 120.5, sd 35, n 400. */
function meanSample(options: Options, name: string): MeanSample {
  const text = options.get(name) ?? '';
  const values = numberList(text, name);
  if (values.length !== 3) throw new UsageError(`--${name}: expected MEAN,SD,N, got '${text}'`);
  const [mean, sd, n] = values;
  return { mean, sd, n };
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  'two-proportion': {
    options: ['control', 'treatment', 'alpha'],
    required: ['control', 'treatment'],
    run(options) {
      const alpha = optionalNumber(options, 'alpha');
      const r = twoProportionZTest(proportionSample(options, 'control'), proportionSample(options, 'treatment'), alpha);
      return { statistic: r.statistic, p_value: r.pValue, difference: r.difference, ci: r.ci, cohens_h: r.cohensH };
    },
  },
  welch: {
    options: ['control', 'treatment', 'alpha'],
    required: ['control', 'treatment'],
    run(options) {
      const alpha = optionalNumber(options, 'alpha');
      const r = welchTTest(meanSample(options, 'control'), meanSample(options, 'treatment'), alpha);
      return { statistic: r.statistic, df: r.df, p_value: r.pValue, difference: r.difference, ci: r.ci, cohens_d: r.cohensD };
    },
  },
  srm: {
    options: ['observed', 'expected'],
    required: ['observed'],
    run(options) {
      const observed = numberList(options.get('observed') ?? '', 'observed');
      const expectedText = options.get('expected');
      const expected = expectedText === undefined ? observed.map(() => 1) : numberList(expectedText, 'expected');
      const r = sampleRatioMismatch(observed, expected);
      return { statistic: r.statistic, p_value: r.pValue, mismatch: r.mismatch };
    },
  },
  'sample-size': {
    options: ['baseline', 'mde', 'alpha', 'power'],
    required: ['baseline', 'mde'],
    run(options) {
      const perVariant = sampleSizeForProportions({
        baseline: toNumber(options.get('baseline') ?? '', '--baseline'),
        mde: toNumber(options.get('mde') ?? '', '--mde'),
        alpha: optionalNumber(options, 'alpha'),
        power: optionalNumber(options, 'power'),
      });
      return { per_variant: perVariant };
    },
  },
  correct: {
    options: ['method', 'p'],
    required: ['method', 'p'],
    run(options) {
      const method = options.get('method') ?? '';
      if (!isCorrectionMethod(method)) throw new UsageError(`--method must be one of ${CORRECTION_METHODS.join(', ')}, got '${method}'`);
      return { adjusted: adjustPValues(numberList(options.get('p') ?? '', 'p'), method) };
    },
  },
};

export const statsCommand: CliCommand = {
  name: 'stats',
  summary: 'Hypothesis tests, SRM check, sample size and p-value corrections, as JSON',
  usage: USAGE,
  async run(args, io) {
    const [test, ...rest] = args;
    const subcommand = test === undefined ? undefined : Object.hasOwn(SUBCOMMANDS, test) ? SUBCOMMANDS[test] : undefined;
    if (!subcommand) {
      const known = Object.keys(SUBCOMMANDS).join(', ');
      throw new UsageError(test === undefined ? `name a test: ${known}` : `unknown test '${test}' (use ${known})`);
    }
    let result: Record<string, unknown>;
    try {
      result = subcommand.run(parseOptions(rest, subcommand));
    } catch (error) {
      if (error instanceof StatisticsError) throw new UsageError(`${error.code}: ${error.message}`);
      throw error;
    }
    writeJson(io.stdout, result);
    return 0;
  },
};

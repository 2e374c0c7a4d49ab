import { textHash, type ExportResponse, type FeatureViewListResponse, type FeatureViewResponse, type OnlineFeaturesResponse } from '@mlops/schemas';
import type { CliCommand, CliIo } from '../command';
import { UsageError } from '../command';
import { parse, writeJson } from '../args';

const usage = `Usage: mlops features <subcommand> [options] [--url URL]

Subcommands:
  list                                  feature views: entity key, latest version, features
  describe <view> [--version N]         one version's definition (default: the latest)
  lineage <view> [--version N]          sources, and the model versions computed from, served or trained with it
  get <view> <entity>... [--version N] [--features a,b] [--text TEXT]...
                                        online values with their freshness; --text looks a text up by its text_hash
  export --views a,b [--from ISO] [--to ISO] [--model-version V]
                                        point-in-time snapshot of labelled feedback, written for the trainer
  drift                                 the last drift test of every monitored feature
  quality                               data-quality findings on the live stream

Talks to the feature store's HTTP API (FEATURE_STORE_URL, default http://localhost:8004).
Prints JSON, except 'list' (a table unless --json).`;

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function featureStoreUrl(env: NodeJS.ProcessEnv, flag?: string): string {
  return (flag ?? env.FEATURE_STORE_URL ?? 'http://localhost:8004').replace(/\/$/, '');
}

async function call<T>(url: string, route: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url + route, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch (error) {
    throw new HttpFailure(0, `cannot reach the feature store at ${url} (${(error as Error).cause ?? (error as Error).message}); is the platform running (npm start)?`);
  }
  const answer = (await response.json()) as T & { error?: string; message?: string };
  if (!response.ok) throw new HttpFailure(response.status, `${response.status} ${answer.error}: ${answer.message}`);
  return answer;
}

function versionOption(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(raw)) throw new UsageError(`--version must be a version number, got '${raw}'`);
  return Number(raw);
}

function table(io: CliIo, rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  io.stdout.write(`${rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n')}\n`);
}

async function runSubcommand(sub: string | undefined, rest: string[], values: Record<string, string | string[] | boolean | undefined>, url: string, io: CliIo): Promise<void> {
  const version = versionOption(values.version as string | undefined);
  const viewOf = () => {
    if (!rest[0]) throw new UsageError(`${sub} needs a feature view name`);
    return rest[0];
  };
  switch (sub) {
    case 'list': {
      const { feature_views } = await call<FeatureViewListResponse>(url, '/feature-views');
      if (values.json) return writeJson(io.stdout, feature_views);
      if (feature_views.length === 0) return void io.stdout.write('no feature views registered\n');
      table(io, [['VIEW', 'ENTITY', 'LATEST', 'FEATURES', 'OWNER'], ...feature_views.map((v) => [v.name, v.entity_key, `v${v.latest_version}`, String(v.features.length), v.owner])]);
      return;
    }
    case 'describe':
    case 'lineage': {
      const name = encodeURIComponent(viewOf());
      const resolved = version ?? (await call<FeatureViewResponse>(url, `/feature-views/${name}`)).latest_version;
      return writeJson(io.stdout, await call(url, `/feature-views/${name}/versions/${resolved}${sub === 'lineage' ? '/lineage' : ''}`));
    }
    case 'get': {
      const view = viewOf();
      const entities = [...rest.slice(1), ...((values.text as string[] | undefined) ?? []).map(textHash)];
      if (entities.length === 0) throw new UsageError('get needs at least one entity (or --text)');
      const features = typeof values.features === 'string' ? values.features.split(',').map((f) => f.trim()).filter(Boolean) : undefined;
      const answer = await call<OnlineFeaturesResponse>(url, '/features/online', { feature_view: view, entities, ...(version ? { version } : {}), ...(features ? { features } : {}) });
      return writeJson(io.stdout, answer);
    }
    case 'export': {
      const views = typeof values.views === 'string' ? values.views.split(',').map((v) => v.trim()).filter(Boolean) : [];
      if (views.length === 0) throw new UsageError('export needs --views with at least one feature view');
      const spine = { source: 'feedback', ...(values.from ? { from: values.from } : {}), ...(values.to ? { to: values.to } : {}) };
      const body = { feature_views: views.map((name) => ({ name })), spine, ...(values['model-version'] ? { model_version: values['model-version'] } : {}) };
      return writeJson(io.stdout, await call<ExportResponse>(url, '/exports', body));
    }
    case 'drift':
    case 'quality':
      return writeJson(io.stdout, await call(url, `/${sub}`));
    default:
      throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'give a subcommand: list, describe, lineage, get, export, drift or quality');
  }
}

export const featuresCommand: CliCommand = {
  name: 'features',
  summary: 'Feature views, online features, lineage, exports, drift and data quality',
  usage,
  async run(args, io) {
    const { values, positionals } = parse(args, {
      url: { type: 'string' },
      version: { type: 'string' },
      features: { type: 'string' },
      text: { type: 'string', multiple: true },
      views: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'model-version': { type: 'string' },
      json: { type: 'boolean' },
    });
    const [sub, ...rest] = positionals;
    try {
      await runSubcommand(sub, rest, values, featureStoreUrl(io.env, values.url), io);
      return 0;
    } catch (error) {
      if (!(error instanceof HttpFailure)) throw error;
      io.stderr.write(`mlops features: ${error.message}\n`);
      return error.status >= 400 && error.status < 500 ? 2 : 1;
    }
  },
};

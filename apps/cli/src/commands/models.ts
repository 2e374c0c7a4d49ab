import { ModelStore } from '@mlops/model-registry';
import type { CliCommand } from '../command';
import { UsageError } from '../command';
import { gatewayUrl, modelStoreDir, parse, writeJson } from '../args';
import { callGateway, HttpFailure } from '../gateway-client';

const usage = `Usage: mlops models <subcommand> [--store DIR] [--json]

Subcommands:
  list                          every model version with its status, aliases and metrics
  show <model> <version|alias>  one version's config, metrics and lineage
  promote <model> <version> [--alias production] [--reason TEXT] [--gateway URL]
                                point the alias at the version on the running platform:
                                the gateway moves it in the store and announces it on
                                models.events, and inference swaps without dropping a request

list and show read the model store (MODEL_STORE_DIR, default ./model-store). promote talks to
the gateway (GATEWAY_URL, default http://localhost:8000) as an admin: MLOPS_API_KEY is sent as
X-API-Key, MLOPS_TOKEN (a JWT) as Authorization: Bearer.`;

export const modelsCommand: CliCommand = {
  name: 'models',
  summary: 'List and inspect model versions in the registry',
  usage,
  async run(args, io) {
    const { values, positionals } = parse(args, { store: { type: 'string' }, json: { type: 'boolean' }, alias: { type: 'string' }, reason: { type: 'string' }, gateway: { type: 'string' } });
    const [sub, ...rest] = positionals;
    if (sub === 'promote') {
      const [modelName, version] = rest;
      if (!modelName || !version) throw new UsageError('promote needs <model> and <version>');
      const alias = values.alias ?? 'production';
      const route = `/admin/models/${encodeURIComponent(modelName)}/aliases/${encodeURIComponent(alias)}`;
      try {
        const moved = await callGateway<Record<string, unknown>>(io, gatewayUrl(io.env, values.gateway), route, { version, ...(values.reason ? { reason: values.reason } : {}) }, 'PUT');
        if (values.json) writeJson(io.stdout, moved);
        else io.stdout.write(`${modelName} ${alias} -> ${version}${moved.previous_version ? ` (was ${String(moved.previous_version)})` : ''}\n`);
        return 0;
      } catch (error) {
        if (!(error instanceof HttpFailure)) throw error;
        io.stderr.write(`mlops models promote: ${error.message}\n`);
        return 1;
      }
    }
    const store = new ModelStore(modelStoreDir(io.env, values.store));
    if (sub === 'list') {
      const rows = store.listModels().flatMap((modelName) => {
        const aliases = store.aliases(modelName);
        return store.listVersions(modelName).map((version) => {
          const manifest = store.readVersion(modelName, version).manifest;
          const metrics = store.readDocument(modelName, version, 'metrics.json') as { test?: { accuracy?: number } } | undefined;
          return {
            model: modelName,
            version,
            status: manifest.status,
            aliases: Object.entries(aliases).filter(([, v]) => v === version).map(([a]) => a),
            created: manifest.createdAt,
            accuracy: metrics?.test?.accuracy,
          };
        });
      });
      if (values.json) {
        writeJson(io.stdout, rows);
        return 0;
      }
      if (rows.length === 0) {
        io.stdout.write(`no models in ${store.rootDir}\n`);
        return 0;
      }
      const lines = [['MODEL', 'VERSION', 'STATUS', 'ALIASES', 'TEST ACC', 'CREATED']];
      for (const r of rows) lines.push([r.model, r.version, r.status, r.aliases.join(',') || '-', r.accuracy === undefined ? '-' : r.accuracy.toFixed(4), r.created]);
      const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
      io.stdout.write(`${lines.map((l) => l.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n')}\n`);
      return 0;
    }
    if (sub === 'show') {
      const [modelName, ref] = rest;
      if (!modelName || !ref) throw new UsageError('show needs <model> and <version|alias>');
      let version: string;
      try {
        version = store.resolve(modelName, ref);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      const v = store.readVersion(modelName, version);
      writeJson(io.stdout, {
        model: modelName,
        version,
        manifest: v.manifest,
        config: v.config.raw,
        metrics: store.readDocument(modelName, version, 'metrics.json'),
        lineage: store.readDocument(modelName, version, 'lineage.json'),
        sizeBytes: v.modelSizeBytes,
      });
      return 0;
    }
    throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'give a subcommand: list, show or promote');
  },
};

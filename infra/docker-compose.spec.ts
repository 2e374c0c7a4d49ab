import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { APP_NAMES } from './catalogue';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string; args: Record<string, string> };
  environment?: Record<string, string | number>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}

const composeText = fs.readFileSync(path.join(__dirname, 'docker-compose.yml'), 'utf8');
// `merge: true` resolves the `<<: *app` keys the way docker compose does.
const compose = parseYaml(composeText, { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const SECRET_NAME = /PASSWORD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|CREDENTIAL/i;

test('the stack has Kafka, Redis, Prometheus, Grafana and the five apps', () => {
  for (const name of ['kafka', 'redis', 'prometheus', 'grafana', ...APP_NAMES]) assert.ok(services[name], `${name} is missing`);
});

test('every service has an image or a build, and a healthcheck', () => {
  for (const [name, service] of Object.entries(services)) {
    assert.ok(service.image || service.build, `${name} has neither image nor build`);
    assert.ok(service.healthcheck?.test?.length, `${name} has no healthcheck`);
  }
});

test('each app is built from docker/Dockerfile with APP=<its name> and waits for a healthy Kafka', () => {
  for (const app of APP_NAMES) {
    const { build, depends_on, environment } = services[app];
    assert.equal(build?.dockerfile, 'docker/Dockerfile', app);
    assert.equal(path.resolve(__dirname, build?.context ?? ''), path.resolve(__dirname, '..'), `${app} builds from the repo root`);
    assert.equal(build?.args.APP, app);
    assert.equal(depends_on?.kafka?.condition, 'service_healthy', app);
    assert.equal(environment?.KAFKA_BROKERS, 'kafka:9092', app);
  }
});

test('Prometheus scrapes each app on the port its image is built for', () => {
  const prometheus = parseYaml(fs.readFileSync(path.join(__dirname, 'prometheus', 'prometheus.yml'), 'utf8'));
  const targets: string[] = prometheus.scrape_configs.find((c: { job_name: string }) => c.job_name === 'mlops').static_configs.flatMap((c: { targets: string[] }) => c.targets);
  assert.deepEqual(targets.sort(), APP_NAMES.map((app) => `${app}:${services[app].build?.args.PORT}`).sort());
});

test('Prometheus and Grafana mount the config this folder provisions', () => {
  assert.ok(services.prometheus.volumes?.includes('./prometheus:/etc/prometheus:ro'));
  const provider = parseYaml(fs.readFileSync(path.join(__dirname, 'grafana', 'provisioning', 'dashboards', 'mlops.yml'), 'utf8')).providers[0];
  assert.ok(services.grafana.volumes?.includes(`./grafana/dashboards:${provider.options.path}:ro`));
  assert.ok(services.grafana.volumes?.includes('./grafana/provisioning:/etc/grafana/provisioning:ro'));
});

test('no secret is written in the compose file: every secret-like setting comes from the env file', () => {
  for (const [name, service] of Object.entries(services)) {
    for (const [key, value] of Object.entries(service.environment ?? {})) {
      if (SECRET_NAME.test(key)) assert.match(String(value), /^\$\{[A-Z_]+(:?[?-][^}]*)?\}$/, `${name}.${key} is hard-coded`);
    }
  }
  assert.match(String(services.grafana.environment?.GF_SECURITY_ADMIN_PASSWORD), /^\$\{GRAFANA_ADMIN_PASSWORD:\?/, 'the Grafana password is required');
  assert.doesNotMatch(composeText, /admin123/);
});

test('.env.example names every variable the compose file requires, with no secret filled in', () => {
  const example = fs.readFileSync(path.join(__dirname, '.env.example'), 'utf8');
  const defined = new Map([...example.matchAll(/^([A-Z_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
  const required = [...composeText.matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]);
  for (const name of required) assert.ok(defined.has(name), `${name} is missing from .env.example`);
  for (const [name, value] of defined) if (SECRET_NAME.test(name)) assert.equal(value, '', `${name} has a value in .env.example`);
  assert.match(fs.readFileSync(path.join(__dirname, '.gitignore'), 'utf8'), /^\.env$/m);
});

test('the feature store mounts the vocabulary and training data where the trainer does, and the gateway knows its URL', () => {
  const featureStore = services['feature-store'];
  const trainer = services.trainer;
  for (const key of ['SST2_DIR', 'VOCAB_FILE']) {
    assert.ok(featureStore.environment?.[key], `feature-store ${key}`);
    // Same paths as the trainer's: the lineage of a version names the trainer's path to its data.
    assert.equal(featureStore.environment?.[key], trainer.environment?.[key], key);
  }
  // `<source>:<container path>[:ro]`, where the source may be `${VAR:?message}`.
  const mountPoints = (service: Service) => (service.volumes ?? []).map((v) => /:(\/[^:]*)(:ro)?$/.exec(v)?.[1]);
  for (const mount of ['/data/sst2', '/data/vocab']) assert.ok(mountPoints(featureStore).includes(mount), `feature-store mounts ${mount}`);
  assert.ok(String(featureStore.environment?.VOCAB_FILE).startsWith('/data/vocab/'));
  assert.ok(featureStore.volumes?.includes('model-store:/var/lib/mlops/model-store:ro'), 'the feature store reads lineage from the model store, read-only');
  assert.equal(featureStore.environment?.MODEL_STORE_DIR, '/var/lib/mlops/model-store');
  assert.equal(services.gateway.environment?.FEATURE_STORE_URL, `http://feature-store:${featureStore.build?.args.PORT}`);
});

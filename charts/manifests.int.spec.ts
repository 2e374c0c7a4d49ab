import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { byComponent, component, environments, ofKind, render, repoRoot, type Environment, type Manifest } from './testing/helm';

/** The apps and their ports, as the images are built (docker/apps.json). */
const appPorts: Record<string, { port: number }> = JSON.parse(fs.readFileSync(path.join(repoRoot, 'docker/apps.json'), 'utf8'));
const apps = Object.keys(appPorts).sort();

/** HPA bounds each environment promises (min, max); the trainer is not autoscaled. */
const hpaBounds: Record<Environment, Record<string, [number, number]>> = {
  dev: { 'ab-router': [1, 2], 'feature-store': [1, 2], gateway: [1, 2], inference: [1, 2] },
  staging: { 'ab-router': [2, 3], 'feature-store': [2, 3], gateway: [2, 4], inference: [2, 6] },
  prod: { 'ab-router': [3, 10], 'feature-store': [3, 10], gateway: [3, 20], inference: [3, 30] },
};
const authMode: Record<Environment, string> = { dev: 'open', staging: 'api-key', prod: 'jwt' };

function podSpecs(manifests: Manifest[]) {
  return [
    ...ofKind(manifests, 'Deployment').map((d) => ({ owner: `Deployment ${d.metadata.name}`, pod: d.spec.template.spec })),
    ...ofKind(manifests, 'CronJob').map((c) => ({ owner: `CronJob ${c.metadata.name}`, pod: c.spec.jobTemplate.spec.template.spec })),
  ];
}

for (const env of environments) {
  describe(`helm template with values-${env}.yaml`, () => {
    const manifests = render(env);
    const deployments = byComponent(manifests, 'Deployment');

    test('renders one Deployment, Service, ServiceAccount, ConfigMap, PDB and NetworkPolicy per app', () => {
      for (const kind of ['Deployment', 'Service', 'ServiceAccount', 'ConfigMap', 'PodDisruptionBudget', 'NetworkPolicy']) {
        assert.deepEqual(ofKind(manifests, kind).map(component).sort(), apps, kind);
      }
    });

    test('every pod runs as a non-root user without privilege escalation, on a read-only root filesystem', () => {
      for (const { owner, pod } of podSpecs(manifests)) {
        assert.equal(pod.securityContext.runAsNonRoot, true, owner);
        assert.ok(pod.securityContext.runAsUser > 0, owner);
        assert.equal(pod.automountServiceAccountToken, false, owner);
        for (const container of pod.containers) {
          assert.equal(container.securityContext.allowPrivilegeEscalation, false, owner);
          assert.equal(container.securityContext.readOnlyRootFilesystem, true, owner);
          assert.deepEqual(container.securityContext.capabilities.drop, ['ALL'], owner);
          assert.ok(container.volumeMounts.some((m: { mountPath: string }) => m.mountPath === '/tmp'), `${owner}: writable /tmp`);
        }
      }
    });

    test('every container has CPU and memory requests and limits', () => {
      for (const { owner, pod } of podSpecs(manifests)) {
        for (const container of pod.containers) {
          for (const kind of ['requests', 'limits']) {
            assert.ok(container.resources[kind]?.cpu, `${owner}: ${kind}.cpu`);
            assert.ok(container.resources[kind]?.memory, `${owner}: ${kind}.memory`);
          }
        }
      }
    });

    test("probes call /health and /ready on the app's own port, and the Service routes to it", () => {
      const services = byComponent(manifests, 'Service');
      for (const app of apps) {
        const container = deployments.get(app)?.spec.template.spec.containers[0];
        const port = container.ports.find((p: { name: string }) => p.name === 'http');
        assert.equal(port.containerPort, appPorts[app].port, `${app} listens on its image's port`);
        assert.deepEqual(container.livenessProbe.httpGet, { path: '/health', port: 'http' }, app);
        assert.deepEqual(container.startupProbe.httpGet, { path: '/health', port: 'http' }, app);
        assert.deepEqual(container.readinessProbe.httpGet, { path: '/ready', port: 'http' }, app);
        assert.equal(container.env?.find((e: { name: string }) => e.name === 'PORT'), undefined);
        assert.deepEqual(services.get(app)?.spec.ports, [{ name: 'http', port: appPorts[app].port, targetPort: 'http', protocol: 'TCP' }]);
      }
    });

    test('autoscaling/v2 HPAs scale on CPU and memory within the environment bounds', () => {
      const hpas = byComponent(manifests, 'HorizontalPodAutoscaler');
      assert.deepEqual([...hpas.keys()].sort(), Object.keys(hpaBounds[env]).sort());
      for (const [app, [min, max]] of Object.entries(hpaBounds[env])) {
        const hpa = hpas.get(app) as Manifest;
        assert.equal(hpa.apiVersion, 'autoscaling/v2');
        assert.deepEqual([hpa.spec.minReplicas, hpa.spec.maxReplicas], [min, max], app);
        assert.equal(hpa.spec.scaleTargetRef.name, deployments.get(app)?.metadata.name);
        const resources = hpa.spec.metrics.filter((m: { type: string }) => m.type === 'Resource').map((m: { resource: { name: string } }) => m.resource.name);
        assert.deepEqual(resources, ['cpu', 'memory'], app);
        // The HPA owns the replica count: the Deployment must not reset it on every upgrade.
        assert.equal(deployments.get(app)?.spec.replicas, undefined, app);
      }
      assert.equal(deployments.get('trainer')?.spec.replicas, 1);
    });

    test('inference scales on Kafka consumer lag outside dev', () => {
      const external = byComponent(manifests, 'HorizontalPodAutoscaler')
        .get('inference')
        ?.spec.metrics.filter((m: { type: string }) => m.type === 'External');
      if (env === 'dev') {
        assert.deepEqual(external, []);
      } else {
        assert.equal(external.length, 1);
        assert.equal(external[0].external.metric.name, 'mlops_kafka_consumer_lag');
        assert.equal(external[0].external.metric.selector.matchLabels.group, 'inference');
        assert.equal(external[0].external.target.type, 'AverageValue');
      }
    });

    test('PDBs and NetworkPolicies select exactly their app’s pods', () => {
      for (const kind of ['PodDisruptionBudget', 'NetworkPolicy']) {
        for (const [app, policy] of byComponent(manifests, kind)) {
          const podLabels = deployments.get(app)?.spec.template.metadata.labels;
          const selector = kind === 'NetworkPolicy' ? policy.spec.podSelector.matchLabels : policy.spec.selector.matchLabels;
          assert.equal(selector['app.kubernetes.io/component'], app);
          for (const [key, value] of Object.entries(selector)) assert.equal(podLabels[key], value, `${kind} ${app}: ${key}`);
        }
      }
    });

    test('only the gateway accepts traffic from anywhere; every app may reach DNS and Kafka', () => {
      for (const [app, policy] of byComponent(manifests, 'NetworkPolicy')) {
        assert.deepEqual(policy.spec.policyTypes, ['Ingress', 'Egress']);
        const [ingress] = policy.spec.ingress;
        if (app === 'gateway') assert.equal(ingress.from, undefined);
        else assert.ok(ingress.from.length >= 2, `${app} ingress is limited to the release and monitoring`);
        const egressPorts = policy.spec.egress.flatMap((rule: { ports: { port: number }[] }) => rule.ports.map((p) => p.port));
        assert.ok(egressPorts.includes(53) && egressPorts.includes(9092), app);
      }
    });

    test('the apps get their config as env: brokers, auth mode, batching, model store', () => {
      const config = byComponent(manifests, 'ConfigMap');
      for (const app of apps) {
        assert.equal(config.get(app)?.data?.PORT, String(appPorts[app].port));
        assert.match(config.get(app)?.data?.KAFKA_BROKERS ?? '', /^[^,\s]+:\d+(,[^,\s]+:\d+)*$/);
      }
      // Topics: enough partitions for inference's most replicas, three copies on a three-broker cluster.
      const topics = { dev: ['0', '1'], staging: ['6', '3'], prod: ['30', '3'] }[env];
      for (const app of apps) assert.deepEqual([config.get(app)?.data?.KAFKA_PARTITIONS, config.get(app)?.data?.KAFKA_REPLICATION_FACTOR], topics, app);
      assert.equal(config.get('gateway')?.data?.AUTH_MODE, authMode[env]);
      assert.equal(config.get('gateway')?.data?.RATE_LIMIT_REQUESTS_PER_MINUTE, '100');
      assert.match(config.get('inference')?.data?.MAX_BATCH_SIZE ?? '', /^\d+$/);
      assert.match(config.get('inference')?.data?.MAX_QUEUE_DELAY_MS ?? '', /^\d+$/);
      assert.equal(config.get('ab-router')?.data?.ROLLOUT_STRATEGY, 'canary');
      assert.equal(config.get('ab-router')?.data?.ROLLOUT_CANARY_STEPS, '5,25,50,100');
      for (const app of ['inference', 'trainer']) assert.equal(config.get(app)?.data?.MODEL_STORE_DIR, '/var/lib/mlops/model-store');
    });

    test('the feature store gets its vocabulary, training data and model store, and the gateway its URL', () => {
      const config = byComponent(manifests, 'ConfigMap');
      const featureStore = config.get('feature-store')?.data ?? {};
      const pod = deployments.get('feature-store')?.spec.template.spec;
      const dataMount = pod.containers[0].volumeMounts.find((m: { name: string }) => m.name === 'training-data');
      assert.equal(dataMount?.readOnly, true);
      const dataVolume = pod.volumes.find((v: { name: string }) => v.name === 'training-data');
      assert.equal(dataVolume?.persistentVolumeClaim?.claimName, 'mlops-training-data');
      assert.equal(featureStore.VOCAB_FILE, `${dataMount.mountPath}/bert-base-uncased/vocab.txt`);
      assert.equal(featureStore.SST2_DIR, `${dataMount.mountPath}/sst2`);
      assert.equal(featureStore.MODEL_STORE_DIR, '/var/lib/mlops/model-store');
      // The trainer sees the data at the same paths, so the paths its lineage records resolve here too.
      assert.equal(config.get('trainer')?.data?.SST2_DIR, featureStore.SST2_DIR);
      assert.equal(config.get('trainer')?.data?.VOCAB_FILE, featureStore.VOCAB_FILE);
      const service = byComponent(manifests, 'Service').get('feature-store') as Manifest;
      assert.equal(config.get('gateway')?.data?.FEATURE_STORE_URL, `http://${service.metadata.name}:${service.spec.ports[0].port}`);
      const toFeatureStore = byComponent(manifests, 'NetworkPolicy')
        .get('gateway')
        ?.spec.egress.find((rule: { to?: Array<{ podSelector?: { matchLabels: Record<string, string> } }> }) => rule.to?.[0]?.podSelector?.matchLabels['app.kubernetes.io/component'] === 'feature-store');
      assert.deepEqual(toFeatureStore?.ports, [{ port: appPorts['feature-store'].port, protocol: 'TCP' }], 'the gateway may reach the feature store');
    });

    test('the model store is read-only for inference and the feature store; the apps that move aliases write it', () => {
      const mount = (app: string) => deployments.get(app)?.spec.template.spec.containers[0].volumeMounts.find((m: { name: string }) => m.name === 'model-store');
      assert.equal(mount('inference').readOnly, true);
      assert.equal(mount('feature-store').readOnly, true);
      // The trainer registers versions; the gateway's alias route and the ab-router's promotions move aliases.
      for (const app of ['trainer', 'gateway', 'ab-router']) assert.equal(mount(app).readOnly, false, app);
      assert.equal(ofKind(manifests, 'PersistentVolumeClaim').length, 1);
    });

    test('images are <registry>/<app>:<tag> for every app', () => {
      for (const [app, deployment] of deployments) {
        assert.match(deployment.spec.template.spec.containers[0].image, new RegExp(`/${app}:[\\w.-]+$`));
      }
    });
  });
}

test('the weekly training CronJob runs `mlops train`, on a GPU only in prod', () => {
  assert.deepEqual(ofKind(render('dev'), 'CronJob'), []);
  for (const env of ['staging', 'prod'] as const) {
    const [cronJob] = ofKind(render(env), 'CronJob');
    assert.equal(cronJob.spec.schedule, '0 2 * * 0');
    assert.equal(cronJob.spec.concurrencyPolicy, 'Forbid');
    const container = cronJob.spec.jobTemplate.spec.template.spec.containers[0];
    assert.deepEqual(container.args, ['mlops', 'train']);
    assert.equal(container.resources.limits['nvidia.com/gpu'], env === 'prod' ? 1 : undefined, env);
  }
});

test('prod spreads pods over nodes strictly and over zones where it can', () => {
  const [gateway] = ofKind(render('prod'), 'Deployment').filter((d) => component(d) === 'gateway');
  const spread = gateway.spec.template.spec.topologySpreadConstraints;
  assert.deepEqual(
    spread.map((c: { topologyKey: string; whenUnsatisfiable: string }) => [c.topologyKey, c.whenUnsatisfiable]).sort(),
    [['kubernetes.io/hostname', 'DoNotSchedule'], ['topology.kubernetes.io/zone', 'ScheduleAnyway']],
  );
  assert.deepEqual(spread[0].labelSelector.matchLabels['app.kubernetes.io/component'], 'gateway');
});

test('ServiceMonitors render only where the Prometheus operator API exists', () => {
  assert.deepEqual(ofKind(render('prod'), 'ServiceMonitor'), []);
  const monitors = ofKind(render('prod', ['--api-versions', 'monitoring.coreos.com/v1/ServiceMonitor']), 'ServiceMonitor');
  assert.deepEqual(monitors.map(component).sort(), apps);
  for (const monitor of monitors) {
    assert.deepEqual(monitor.spec.endpoints[0].path, '/metrics');
    assert.equal(monitor.metadata.labels?.release, 'kube-prometheus-stack');
  }
});

test('a changed config rolls the pods; the same config does not', () => {
  const checksum = (manifests: Manifest[]) =>
    ofKind(manifests, 'Deployment').find((d) => component(d) === 'inference')?.spec.template.metadata.annotations['checksum/config'];
  const before = checksum(render('staging'));
  assert.equal(checksum(render('staging')), before);
  assert.notEqual(checksum(render('staging', ['--set', 'inference.config.maxBatchSize=8'])), before);
});

test('the release tag reaches every image', () => {
  const images = ofKind(render('prod', ['--set', 'global.image.tag=0123456789ab']), 'Deployment').map(
    (d) => d.spec.template.spec.containers[0].image,
  );
  assert.deepEqual(images.sort(), apps.map((app) => `ghcr.io/mlops-platform/${app}:0123456789ab`));
});

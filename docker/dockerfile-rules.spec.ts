import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { checkDockerfile, parseDockerfile } from './dockerfile-rules';

const dockerfile = fs.readFileSync(path.join(__dirname, 'Dockerfile'), 'utf8');
const insecure = fs.readFileSync(path.join(__dirname, 'testdata/insecure.Dockerfile'), 'utf8');

test('the app Dockerfile passes every rule', () => {
  assert.deepEqual(checkDockerfile(dockerfile), []);
});

test('the app Dockerfile builds in stages and runs as uid 1000 with a health check on /health', () => {
  const { stages } = parseDockerfile(dockerfile);
  assert.deepEqual(stages.map((stage) => stage.name), ['manifests', 'build', 'prod-deps', 'runtime']);
  const runtime = stages[3].instructions;
  assert.equal(runtime.filter((i) => i.keyword === 'USER').at(-1)?.args, '1000:1000');
  assert.match(runtime.find((i) => i.keyword === 'HEALTHCHECK')?.args ?? '', /process\.env\.PORT\+'\/health'/);
  // Nothing in the runtime stage is installed or built: it only copies.
  assert.deepEqual(runtime.filter((i) => i.keyword === 'RUN' && /npm (ci|install)|nx run/.test(i.args)), []);
});

test('an insecure Dockerfile is rejected once for every rule it breaks', () => {
  const problems = checkDockerfile(insecure);
  const expected = [
    /not multi-stage/,
    /base image 'node:latest' is not pinned/,
    /ARG NPM_TOKEN bakes a secret/,
    /ENV DATABASE_PASSWORD bakes a secret/,
    /COPY \.env copies a secret/,
    /COPY deploy\/server\.key copies a secret/,
    /has no USER: it would run as root/,
    /has no HEALTHCHECK/,
    /CMD in shell form/,
    /copies nothing from a build stage/,
    /node_modules in the runtime stage/,
  ];
  for (const pattern of expected) assert.ok(problems.some((p) => pattern.test(p)), `expected a problem matching ${pattern}:\n${problems.join('\n')}`);
  assert.equal(problems.length, expected.length, problems.join('\n'));
});

test('a floating base image tag behind the NODE_IMAGE arg is rejected', () => {
  const floating = dockerfile.replace(/ARG NODE_IMAGE=\S+/, 'ARG NODE_IMAGE=node:20-bookworm-slim');
  assert.deepEqual(checkDockerfile(floating), [
    "base image 'node:20-bookworm-slim' is not pinned to an exact version (name:MAJOR.MINOR.PATCH or a digest)",
    "base image 'node:20-bookworm-slim' is not pinned to an exact version (name:MAJOR.MINOR.PATCH or a digest)",
    "base image 'node:20-bookworm-slim' is not pinned to an exact version (name:MAJOR.MINOR.PATCH or a digest)",
    "base image 'node:20-bookworm-slim' is not pinned to an exact version (name:MAJOR.MINOR.PATCH or a digest)",
  ]);
  const digest = dockerfile.replace(/ARG NODE_IMAGE=\S+/, `ARG NODE_IMAGE=node:20.20.2-bookworm-slim@sha256:${'a'.repeat(64)}`);
  assert.deepEqual(checkDockerfile(digest), []);
});

test('a runtime stage that switches to root or a user name is rejected', () => {
  assert.deepEqual(checkDockerfile(dockerfile.replace('USER 1000:1000', 'USER 0')), [
    'USER 0: use a numeric non-root uid, so Kubernetes runAsNonRoot can verify it',
  ]);
  assert.deepEqual(checkDockerfile(dockerfile.replace('USER 1000:1000', 'USER node')), [
    'USER node: use a numeric non-root uid, so Kubernetes runAsNonRoot can verify it',
  ]);
});

test('node_modules copied from the full build stage (with dev dependencies) is rejected', () => {
  const withDevDeps = dockerfile.replace('COPY --from=prod-deps /app/node_modules', 'COPY --from=build /src/node_modules');
  assert.deepEqual(checkDockerfile(withDevDeps), [
    'node_modules in the runtime stage must come from a stage that runs `npm ci --omit=dev`',
  ]);
});

#!/usr/bin/env node
// Bundles one app with esbuild into dist/<projectRoot>/main.js. The workspace libs (@mlops/*) are
// bundled in; npm packages stay external and load from node_modules at run time (native addons
// such as onnxruntime-node cannot be bundled).
//
//   node tools/build-app.mjs apps/gateway
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const projectRoot = process.argv[2];
if (!projectRoot || !fs.existsSync(path.join(root, projectRoot, 'src', 'main.ts'))) {
  console.error(`usage: node tools/build-app.mjs apps/<app>   (no src/main.ts under '${projectRoot ?? ''}')`);
  process.exit(2);
}

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const external = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.optionalDependencies }).flatMap((name) => [name, `${name}/*`]);
const outfile = path.join(root, 'dist', projectRoot, 'main.js');

const started = performance.now();
await build({
  entryPoints: [path.join(root, projectRoot, 'src', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  tsconfig: path.join(root, 'tsconfig.base.json'),
  external,
  logLevel: 'warning',
});
console.log(`built ${path.relative(root, outfile)} in ${Math.round(performance.now() - started)} ms`);

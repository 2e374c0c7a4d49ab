import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
// What the runtime stage installs (`npm ci --omit=dev --omit=optional`); optional packages
// (tfjs-node-gpu) must be loaded in a try, as the architecture says.
const installed = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})]);
const everyPackage = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.optionalDependencies });
const imagedApps = [...Object.keys(JSON.parse(fs.readFileSync(path.join(__dirname, 'apps.json'), 'utf8'))), 'cli'];

/** The npm packages an app's bundle loads at run time, bundled the way tools/build-app.mjs does. */
async function runtimePackages(app: string): Promise<string[]> {
  const result = await build({
    entryPoints: [path.join(root, 'apps', app, 'src/main.ts')],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: 'main.js',
    tsconfig: path.join(root, 'tsconfig.base.json'),
    external: everyPackage.flatMap((name) => [name, `${name}/*`]),
    logLevel: 'silent',
  });
  const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path));
  const packageName = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
  return [...new Set(imports.filter((i) => !i.startsWith('node:') && !builtinModules.includes(i)).map(packageName))].sort();
}

for (const app of imagedApps) {
  const entry = path.join(root, 'apps', app, 'src/main.ts');
  test(`${app}: every package its bundle loads is installed in the runtime image`, { skip: !fs.existsSync(entry) && `apps/${app} has no src/main.ts yet` }, async () => {
    const packages = await runtimePackages(app);
    assert.deepEqual(packages.filter((name) => !installed.has(name)), [], `apps/${app} needs dev-only packages at run time`);
  });
}

import nx from '@nx/eslint-plugin';

// Module boundaries: an app depends on libs of its own scope and `shared`; libs never on apps;
// no app imports another app (see README, "Workspace").
const depConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  ...['gateway', 'inference', 'trainer', 'ab-router', 'feature-store', 'cli'].map((scope) => ({
    sourceTag: `scope:${scope}`,
    onlyDependOnLibsWithTags: [`scope:${scope}`, 'scope:shared'],
  })),
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  // The workspace's own tooling (test harnesses, benchmarks, local Kafka and Redis) drives every project.
  { sourceTag: 'type:tools', onlyDependOnLibsWithTags: ['*'] },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/.cache', '**/.run', '**/testdata/**/*.json'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { allow: [], depConstraints }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Benchmarks and harnesses build an app's parts in-process (e.g. the feature store under load).
    files: ['tools/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', { allow: ['../../apps/**'], depConstraints }] },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];

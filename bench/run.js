#!/usr/bin/env node
/* eslint-disable no-console */
// Runs a benchmark written in TypeScript: bundles it with esbuild (the
// workspace's own TypeScript packages included, every npm package left
// external) and runs the bundle with node.
//
//   node bench/run.js [scorecard | kubernetes | report | events | github]
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const name = process.argv[2] ?? 'scorecard';
// inside node_modules so the bundle resolves the workspace's packages
const outfile = path.join(
  root,
  'node_modules',
  '.cache',
  'env-parity-bench',
  `${name}.cjs`,
);

async function main() {
  await require('esbuild').build({
    entryPoints: [path.join(__dirname, `${name}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    sourcemap: 'inline',
    logLevel: 'warning',
    plugins: [
      {
        name: 'external-npm-packages',
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, args =>
            args.path.startsWith('@env-parity/')
              ? undefined
              : { path: args.path, external: true },
          );
        },
      },
    ],
  });

  const result = spawnSync(
    process.execPath,
    ['--enable-source-maps', outfile, ...process.argv.slice(3)],
    { stdio: 'inherit', cwd: root },
  );
  process.exit(result.status ?? 1);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});

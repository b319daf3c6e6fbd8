#!/usr/bin/env node
/*
 * Applies the root README's install section to the install check's app, so
 * the check follows the README literally:
 * - the JSON blocks marked <!-- install-check:... --> are merged into the
 *   app's package.json files (resolutions to the tarballs, dependencies);
 * - every backend.add(import('@env-parity/...')) line is added to the
 *   backend's index.ts;
 * - every import from '@env-parity/...' in the section's TypeScript blocks is
 *   re-exported from a file in each app, so tsc fails on an import that does
 *   not exist;
 * - the registry `yarn add` lines must name exactly the packages the tarball
 *   steps declare, so the two ways stay the same install.
 *
 * Usage: node install-check/readme.js <README.md> <app dir>
 */
const fs = require('node:fs');
const path = require('node:path');

const [readmePath, appDir] = process.argv.slice(2);
if (!readmePath || !appDir) {
  console.error('usage: readme.js <README.md> <app dir>');
  process.exit(2);
}

const readme = fs.readFileSync(readmePath, 'utf8');
const start = readme.indexOf('## Install into an existing Backstage app');
const end = readme.indexOf('\n## ', start + 1);
if (start < 0)
  fail('README has no "## Install into an existing Backstage app" section');
const section = readme.slice(start, end < 0 ? undefined : end);

function fail(message) {
  console.error(`install check: ${message}`);
  process.exit(1);
}

function markedJson(marker) {
  const at = section.indexOf(`<!-- install-check:${marker} -->`);
  if (at < 0)
    fail(
      `README install section has no <!-- install-check:${marker} --> block`,
    );
  const m = /```json\n([\s\S]*?)```/.exec(section.slice(at));
  if (!m) fail(`no json block after <!-- install-check:${marker} -->`);
  try {
    return JSON.parse(m[1]);
  } catch (e) {
    return fail(
      `the json block after install-check:${marker} does not parse: ${e.message}`,
    );
  }
}

function mergeInto(file, fragment) {
  const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const [field, entries] of Object.entries(fragment)) {
    pkg[field] = { ...pkg[field], ...entries };
  }
  fs.writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
  console.log(
    `${path.relative(appDir, file)}: ${Object.keys(fragment).join(
      ', ',
    )} from the README`,
  );
}

const codeBlocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map(m => ({
  lang: m[1],
  code: m[2],
}));

// 1. package.json changes
const resolutions = markedJson('resolutions');
const backendDeps = markedJson('backend-dependencies');
const appDeps = markedJson('app-dependencies');
mergeInto(path.join(appDir, 'package.json'), resolutions);
mergeInto(path.join(appDir, 'packages/backend/package.json'), backendDeps);
for (const app of ['app', 'app-legacy']) {
  mergeInto(path.join(appDir, `packages/${app}/package.json`), appDeps);
}

// Every tarball the resolutions name must exist.
for (const [name, target] of Object.entries(resolutions.resolutions ?? {})) {
  const file = path.join(appDir, target.replace(/^file:/, ''));
  if (!fs.existsSync(file))
    fail(
      `README resolves ${name} to ${target}, which pack:plugins did not produce`,
    );
}

// 2. The registry lines add the same packages.
const shell = codeBlocks
  .filter(b => b.lang === 'sh')
  .map(b => b.code.replace(/\\\n/g, ' '));
const added = { backend: new Set(), app: new Set() };
for (const line of shell.join('\n').split('\n')) {
  const m = /yarn --cwd packages\/(backend|app) add (.*)/.exec(line);
  if (m)
    m[2]
      .trim()
      .split(/\s+/)
      .forEach(p => added[m[1]].add(p));
}
const same = (a, b) => a.size === b.length && b.every(x => a.has(x));
if (!same(added.backend, Object.keys(backendDeps.dependencies))) {
  fail(
    `the registry line adds ${[
      ...added.backend,
    ]} to the backend, the tarball steps ${Object.keys(
      backendDeps.dependencies,
    )}`,
  );
}
if (!same(added.app, Object.keys(appDeps.dependencies))) {
  fail(
    `the registry line adds ${[
      ...added.app,
    ]} to the app, the tarball steps ${Object.keys(appDeps.dependencies)}`,
  );
}

// 3. backend.add lines
const ts = codeBlocks
  .filter(b => ['ts', 'tsx'].includes(b.lang))
  .map(b => b.code)
  .join('\n');
const backendAdds = [
  ...ts.matchAll(/^backend\.add\(import\('@env-parity\/[^']+'\)\);$/gm),
].map(m => m[0]);
if (backendAdds.length === 0)
  fail("README has no backend.add(import('@env-parity/...')) line");
const indexFile = path.join(appDir, 'packages/backend/src/index.ts');
const marker = "// install-check: the README's backend.add lines go here";
const index = fs.readFileSync(indexFile, 'utf8');
if (!index.includes(marker)) fail(`${indexFile} has no "${marker}" line`);
fs.writeFileSync(indexFile, index.replace(marker, backendAdds.join('\n')));
console.log(
  `packages/backend/src/index.ts: ${backendAdds.length} backend.add lines from the README`,
);

// 4. frontend imports, re-exported so that tsc checks each one exists
const namesByModule = new Map();
for (const m of ts.matchAll(
  /^import\s+([\s\S]*?)\s+from\s+'(@env-parity\/[^']+)';/gm,
)) {
  const [, clause, from] = m;
  const names = namesByModule.get(from) ?? new Set();
  const named = /\{([\s\S]*)\}/.exec(clause);
  const def = clause
    .replace(/\{[\s\S]*\}/, '')
    .replace(/,\s*$/, '')
    .trim();
  if (def) names.add(`default as ${def}`);
  if (named)
    named[1]
      .split(',')
      .map(s => s.trim())
      .filter(Boolean)
      .forEach(n => names.add(n));
  namesByModule.set(from, names);
}
const exportsOf = [...namesByModule].map(
  ([from, names]) => `export { ${[...names].join(', ')} } from '${from}';`,
);
if (exportsOf.length === 0) fail('README has no import from @env-parity/...');
for (const app of ['app', 'app-legacy']) {
  fs.writeFileSync(
    path.join(appDir, `packages/${app}/src/readmeImports.ts`),
    `// Generated by install-check/readme.js: every import of the README's install section.\n${exportsOf.join(
      '\n',
    )}\n`,
  );
}
console.log(
  `packages/app*/src/readmeImports.ts: ${exportsOf.length} imports from the README`,
);

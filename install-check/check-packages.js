#!/usr/bin/env node
/*
 * Checks the packed plugins as a registry would serve them: publishable, with
 * Backstage's publish metadata, entry points in dist/, and dependency ranges
 * that an app on the pinned Backstage release satisfies with its own copies
 * (a `^` range that includes the release's version), so installing them never
 * pulls a second copy of a Backstage package.
 *
 * Usage: node install-check/check-packages.js <folder of .tgz> <release.json>
 */
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const semver = require('semver');

const [dir, releaseFile] = process.argv.slice(2);
const release = JSON.parse(fs.readFileSync(releaseFile, 'utf8'));
// The release's own packages and the libraries at the versions they require;
// the workspace's root resolutions pin the same set.
const rootResolutions = require(path.resolve(
  __dirname,
  '../package.json',
)).resolutions;
const pinned = {
  ...rootResolutions,
  ...release.companions,
  ...release.packages,
};

const problems = [];
const tarballs = fs.readdirSync(dir).filter(f => f.endsWith('.tgz'));
if (tarballs.length === 0) problems.push(`no tarballs in ${dir}`);

for (const tarball of tarballs) {
  const file = path.join(dir, tarball);
  const listing = execFileSync('tar', ['-tzf', file], {
    encoding: 'utf8',
  }).split('\n');
  const pkg = JSON.parse(
    execFileSync('tar', ['-xzOf', file, 'package/package.json'], {
      encoding: 'utf8',
    }),
  );
  const say = msg => problems.push(`${pkg.name}: ${msg}`);
  const has = p => listing.includes(`package/${p}`);
  const role = pkg.backstage?.role;

  if (pkg.private) say('is private');
  if (pkg.publishConfig?.access !== 'public')
    say('publishConfig.access is not public');
  if (!role) say('has no backstage.role');
  if (!pkg.backstage?.pluginId) say('has no backstage.pluginId');
  if (/-module$/.test(role ?? '')) {
    if (!pkg.backstage?.pluginPackage)
      say('module without backstage.pluginPackage');
  } else if (!pkg.backstage?.pluginPackages?.includes(pkg.name)) {
    say(
      'backstage.pluginPackages does not list it (backstage-cli repo fix --publish)',
    );
  }
  for (const entry of [pkg.main, pkg.types, pkg.module]
    .filter(Boolean)
    .map(e => e.replace(/^\.\//, ''))) {
    if (!entry.startsWith('dist/')) say(`entry point ${entry} is not in dist/`);
    else if (!has(entry)) say(`entry point ${entry} is not in the tarball`);
  }
  if (pkg.configSchema && !has(pkg.configSchema))
    say(`configSchema ${pkg.configSchema} is not in the tarball`);
  if (
    pkg.name.endsWith('-backend') &&
    !listing.some(p => p.startsWith('package/migrations/'))
  ) {
    say('migrations/ is not in the tarball');
  }
  if (!has('README.md')) say('has no README.md');
  if (!has('CHANGELOG.md')) say('has no CHANGELOG.md');

  for (const field of ['dependencies', 'peerDependencies']) {
    for (const [name, range] of Object.entries(pkg[field] ?? {})) {
      if (range.startsWith('workspace:'))
        say(`${field} ${name}@${range} was not replaced by pack`);
      if (!/^@backstage(-community)?\//.test(name)) continue;
      if (!range.startsWith('^'))
        say(`${field} ${name}@${range} is not a ^ range`);
      const version = pinned[name];
      if (!version)
        say(`${field} ${name} is not part of the pinned Backstage release`);
      else if (!semver.satisfies(version, range)) {
        say(
          `${field} ${name}@${range} does not accept the release's ${version}: an app on the release would get a second copy`,
        );
      }
    }
  }
  if (role === 'frontend-plugin') {
    for (const peer of ['react', 'react-dom', 'react-router-dom']) {
      if (!pkg.peerDependencies?.[peer]) say(`no peerDependency on ${peer}`);
      if (pkg.dependencies?.[peer])
        say(`${peer} is a dependency, not a peerDependency`);
    }
  }
  console.log(
    `${pkg.name}@${pkg.version}: ${
      Object.keys(pkg.dependencies ?? {}).length
    } dependencies`,
  );
}

if (problems.length) {
  console.error(`\n${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `${tarballs.length} packages publishable, every Backstage range accepts the pinned release`,
);

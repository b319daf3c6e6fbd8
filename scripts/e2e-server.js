#!/usr/bin/env node
/*
 * The server the end-to-end suite runs against (Playwright's webServer in
 * playwright.config.ts; `node scripts/e2e-server.js` to run it by hand):
 *
 *   1. builds the app (packages/app/dist) when needed, see E2E_BUILD, and
 *      copies it for the backend to serve (node_modules/.cache/env-parity-e2e/),
 *      so that rebuilding the app during a run cannot break it;
 *   2. starts the demo environments and fake GitHub
 *      (scripts/demo-environments.js) on 127.0.0.1:7012;
 *   3. starts the backend, which also serves the built app, on
 *      http://localhost:7011, with app-config.yaml, app-config.e2e.yaml and a
 *      generated overlay that points the demo at 127.0.0.1:7012 instead of
 *      the dev demo's 7010 (see app-config.e2e.yaml).
 *
 * Its own ports, so that a developer's `yarn start` (3000, 7007, 7010) can
 * keep running; it refuses to start, saying so, when they are taken.
 *
 * The backend runs the way `backstage-cli package start` runs it (TypeScript
 * transpiled on load, NODE_ENV=development), minus the file watcher: a source
 * file saved during a run must not restart the backend under the suite.
 *
 * Signals (SIGINT, SIGTERM, SIGHUP) stop both children; when either exits,
 * the other is stopped and this process exits with an error.
 *
 * Environment:
 *   E2E_PORT               app and backend (default 7011)
 *   E2E_ENVIRONMENTS_PORT  demo environments and fake GitHub (default 7012)
 *   E2E_BUILD              1: always build the app; 0: never; unset: build
 *                          when dist is missing or older than the app's or a
 *                          frontend plugin's sources
 *
 * Output: this script's progress on stderr; the children's in
 * e2e-test-report/server.log (the last lines are printed if one fails).
 */
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const backendDir = path.join(root, 'packages', 'backend');
const appDir = path.join(root, 'packages', 'app');

const DEMO_ENVIRONMENTS_PORT = 7010; // what app-config.yaml and the catalog name
const PORT = Number(process.env.E2E_PORT || 7011);
const ENV_PORT = Number(process.env.E2E_ENVIRONMENTS_PORT || 7012);

// per port: servers on other ports (E2E_PORT) have their own copies
const cacheDir = path.join(
  root,
  'node_modules',
  '.cache',
  'env-parity-e2e',
  String(PORT),
);
const logFile = path.join(root, 'e2e-test-report', 'server.log');

function log(message) {
  process.stderr.write(`e2e-server: ${message}\n`);
}

function fail(message) {
  log(message);
  process.exit(1);
}

/* ---------------------------------------------------------------- ports */

/** Resolves when nothing listens on the port (IPv4 or IPv6), else rejects. */
function assertPortFree(port, what) {
  const tryListen = host =>
    new Promise((resolve, reject) => {
      const server = net.createServer();
      server.once('error', error => {
        if (error.code === 'EADDRNOTAVAIL' || error.code === 'EAFNOSUPPORT') {
          resolve(); // no such address family here: nothing can listen on it
        } else {
          reject(error);
        }
      });
      server.listen({ port, host, exclusive: true }, () =>
        server.close(() => resolve()),
      );
    });
  return tryListen('127.0.0.1')
    .then(() => tryListen('::'))
    .catch(error => {
      throw new Error(
        error.code === 'EADDRINUSE'
          ? `port ${port} (${what}) is already in use. Another e2e server or ` +
            `backend may be running: stop it, or choose other ports with ` +
            `E2E_PORT and E2E_ENVIRONMENTS_PORT.`
          : `cannot listen on port ${port} (${what}): ${error.message}`,
      );
    });
}

/** Resolves once something accepts connections on 127.0.0.1:port. */
function waitForPort(port, timeoutMs, isAlive) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (!isAlive()) {
          reject(new Error('exited before listening'));
        } else if (Date.now() > deadline) {
          reject(new Error(`nothing listens on ${port} after ${timeoutMs} ms`));
        } else {
          setTimeout(attempt, 200);
        }
      });
    };
    attempt();
  });
}

/* ---------------------------------------------------------------- build */

/** The newest modification time of the files under dir, skipping outputs. */
function newestMtime(dir) {
  let newest = 0;
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (['node_modules', 'dist', 'dist-types'].includes(entry.name)) {
      continue;
    }
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      newest = Math.max(newest, newestMtime(file));
    } else if (entry.isFile()) {
      newest = Math.max(newest, fs.statSync(file).mtimeMs);
    }
  }
  return newest;
}

/** Whether dir holds a whole app build: index.html and what it loads. */
function isCompleteBuild(dir) {
  let html;
  try {
    html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
  } catch {
    return false;
  }
  const assets = [...html.matchAll(/\bsrc="\/(static\/[^"?#]+)"/g)].map(
    m => m[1],
  );
  return (
    assets.length > 0 && assets.every(a => fs.existsSync(path.join(dir, a)))
  );
}

/** Why the app must be built, or undefined when dist is current. */
function buildReason() {
  if (process.env.E2E_BUILD === '1') {
    return 'E2E_BUILD=1';
  }
  const index = path.join(appDir, 'dist', 'index.html');
  if (!isCompleteBuild(path.join(appDir, 'dist'))) {
    return fs.existsSync(index)
      ? 'packages/app/dist is incomplete'
      : 'packages/app/dist is missing';
  }
  if (process.env.E2E_BUILD === '0') {
    return undefined;
  }
  // the app and what it bundles from this repository: frontend plugins and
  // the libraries they share with the backend
  const packages = [appDir];
  for (const name of fs.readdirSync(path.join(root, 'plugins'))) {
    const dir = path.join(root, 'plugins', name);
    try {
      const { backstage } = JSON.parse(
        fs.readFileSync(path.join(dir, 'package.json'), 'utf8'),
      );
      if (
        [
          'frontend-plugin',
          'frontend-plugin-module',
          'web-library',
          'common-library',
        ].includes(backstage?.role)
      ) {
        packages.push(dir);
      }
    } catch {
      // not a package
    }
  }
  const newestSource = dir =>
    Math.max(
      ...['src', 'public', 'package.json', 'config.d.ts'].map(entry => {
        const file = path.join(dir, entry);
        try {
          return fs.statSync(file).isDirectory()
            ? newestMtime(file)
            : fs.statSync(file).mtimeMs;
        } catch {
          return 0;
        }
      }),
    );
  const built = fs.statSync(index).mtimeMs;
  const changed = packages.filter(dir => newestSource(dir) > built);
  return changed.length
    ? `sources changed since the last build (${changed
        .map(dir => path.relative(root, dir))
        .join(', ')})`
    : undefined;
}

function buildApp() {
  const reason = buildReason();
  if (!reason) {
    log(
      process.env.E2E_BUILD === '0'
        ? 'using packages/app/dist as it is (E2E_BUILD=0)'
        : 'packages/app/dist is up to date (E2E_BUILD=1 forces a build)',
    );
    return;
  }
  log(`building the app: ${reason} ...`);
  const started = Date.now();
  const cli = require.resolve('@backstage/cli/bin/backstage-cli', {
    paths: [appDir],
  });
  const result = spawnSync(process.execPath, [cli, 'package', 'build'], {
    cwd: appDir,
    // the build's own output would drown Playwright's; errors stay visible
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) {
    fail(
      `the app build failed (yarn workspace app build, exit ${result.status})`,
    );
  }
  log(`built the app in ${Math.round((Date.now() - started) / 1000)} s`);
}

/**
 * The backend serves a copy of packages/app/dist taken here, as the package
 * SNAPSHOT_PACKAGE (found through NODE_PATH, named by app.packageName in the
 * overlay): a build of the app started during the run (another e2e run,
 * `yarn build:all`) empties dist for a while, which must not take the app
 * away from the suite. Returns the NODE_PATH entry.
 */
const SNAPSHOT_PACKAGE = 'env-parity-e2e-app';

async function snapshotApp() {
  const modules = path.join(cacheDir, 'modules');
  const target = path.join(modules, SNAPSHOT_PACKAGE);
  for (let attempt = 1; ; attempt++) {
    buildApp();
    fs.rmSync(target, { recursive: true, force: true });
    fs.mkdirSync(target, { recursive: true });
    fs.writeFileSync(
      path.join(target, 'package.json'),
      `${JSON.stringify(
        {
          name: SNAPSHOT_PACKAGE,
          description:
            'A copy of packages/app/dist for the e2e backend (scripts/e2e-server.js)',
          version: '0.0.0',
          private: true,
        },
        null,
        2,
      )}\n`,
    );
    fs.cpSync(path.join(appDir, 'dist'), path.join(target, 'dist'), {
      recursive: true,
    });
    if (isCompleteBuild(path.join(target, 'dist'))) {
      return modules;
    }
    if (attempt === 3) {
      fail(
        'packages/app/dist keeps changing while it is copied: is another build of the app running?',
      );
    }
    log(
      'packages/app/dist changed while it was copied (another build of the app?); again in 15 s',
    );
    await new Promise(resolve => setTimeout(resolve, 15_000));
  }
}

/* --------------------------------------------------------------- config */

/**
 * Writes the overlay config that moves the demo from 127.0.0.1:7010 to the
 * suite's environments port: every string of app-config.yaml naming
 * 127.0.0.1:7010 is rewritten, and every catalog file location whose file
 * names it is replaced by a rewritten copy. Only what changed is written
 * (arrays whole, since later config files replace arrays).
 */
function writeOverlay() {
  const yaml = require('yaml');
  fs.mkdirSync(cacheDir, { recursive: true });
  const from = new RegExp(
    `\\b(127\\.0\\.0\\.1|localhost):${DEMO_ENVIRONMENTS_PORT}\\b`,
    'g',
  );
  const mentions = new RegExp(from.source); // test() without lastIndex state
  const to = `127.0.0.1:${ENV_PORT}`;
  const base = yaml.parse(
    fs.readFileSync(path.join(root, 'app-config.yaml'), 'utf8'),
  );

  const rewriteLocation = location => {
    if (location?.type !== 'file' || typeof location.target !== 'string') {
      return location;
    }
    const file = path.resolve(backendDir, location.target);
    let text;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return location;
    }
    if (!mentions.test(text)) {
      return location;
    }
    const copy = path.join(
      cacheDir,
      path.relative(root, file).replace(/[\\/]/g, '__'),
    );
    fs.writeFileSync(copy, text.replace(from, to));
    return { ...location, target: copy };
  };

  // a copy of value with the rewrites applied
  const rewrite = (value, keyPath) => {
    if (typeof value === 'string') {
      return value.replace(from, to);
    }
    if (Array.isArray(value)) {
      return value.map(item =>
        keyPath === 'catalog.locations'
          ? rewriteLocation(rewrite(item, ''))
          : rewrite(item, ''),
      );
    }
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [
          key,
          rewrite(item, keyPath ? `${keyPath}.${key}` : key),
        ]),
      );
    }
    return value;
  };

  // the parts of b that differ from a
  const changes = (a, b) => {
    if (JSON.stringify(a) === JSON.stringify(b)) {
      return undefined;
    }
    if (
      a &&
      b &&
      typeof a === 'object' &&
      typeof b === 'object' &&
      !Array.isArray(a) &&
      !Array.isArray(b)
    ) {
      const out = {};
      for (const key of Object.keys(b)) {
        const change = changes(a[key], b[key]);
        if (change !== undefined) {
          out[key] = change;
        }
      }
      return out;
    }
    return b;
  };

  const overlay = changes(base, rewrite(base, '')) ?? {};
  overlay.app = { ...overlay.app, packageName: SNAPSHOT_PACKAGE };
  if (process.env.E2E_PORT) {
    const url = `http://localhost:${PORT}`;
    overlay.app = { ...overlay.app, baseUrl: url };
    overlay.backend = {
      ...overlay.backend,
      baseUrl: url,
      listen: { port: PORT },
      cors: { origin: url },
    };
  }
  const file = path.join(cacheDir, 'app-config.overlay.yaml');
  fs.writeFileSync(
    file,
    `# Generated by scripts/e2e-server.js on each start: do not edit.\n${JSON.stringify(
      overlay,
      null,
      2,
    )}\n`,
  );
  return file;
}

/* ------------------------------------------------------------- children */

const children = [];
let stopping = false;

function alive(child) {
  return child.exitCode === null && child.signalCode === null;
}

function tailOfLog(lines) {
  try {
    return fs
      .readFileSync(logFile, 'utf8')
      .split('\n')
      .slice(-lines)
      .join('\n');
  } catch {
    return '';
  }
}

function stopAll(signal, code) {
  if (stopping) {
    return;
  }
  stopping = true;
  process.exitCode = code;
  for (const child of children) {
    if (alive(child)) {
      child.kill(signal);
    }
  }
  // whatever has not stopped in time is killed
  setTimeout(() => {
    for (const child of children) {
      if (alive(child)) {
        child.kill('SIGKILL');
      }
    }
    process.exit();
  }, 10_000).unref();
  const exitWhenAllStopped = () => {
    if (children.every(c => !alive(c))) {
      process.exit();
    }
  };
  for (const child of children) {
    child.once('exit', exitWhenAllStopped);
  }
  exitWhenAllStopped();
}

function start(name, args, options) {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, args, {
    ...options,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  children.push(child);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      log(
        `${name} exited (${signal ?? `code ${code}`}); stopping. ` +
          `The end of ${path.relative(root, logFile)}:\n${tailOfLog(40)}`,
      );
      stopAll('SIGTERM', 1);
    }
  });
  child.on('error', error => {
    log(`${name}: ${error.message}`);
    stopAll('SIGTERM', 1);
  });
  return child;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => stopAll(signal, 0));
}
process.on('exit', () => {
  for (const child of children) {
    if (alive(child)) {
      child.kill('SIGKILL');
    }
  }
});

async function main() {
  await assertPortFree(PORT, 'app and backend, E2E_PORT');
  await assertPortFree(ENV_PORT, 'demo environments, E2E_ENVIRONMENTS_PORT');
  const nodePath = await snapshotApp();
  const overlay = writeOverlay();

  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.writeFileSync(logFile, '');
  log(`logs: ${path.relative(root, logFile)}`);

  const environments = start(
    'demo environments',
    [path.join(__dirname, 'demo-environments.js')],
    {
      cwd: root,
      env: { ...process.env, DEMO_ENVIRONMENTS_PORT: String(ENV_PORT) },
    },
  );
  await waitForPort(ENV_PORT, 15_000, () => alive(environments));
  log(`demo environments on http://127.0.0.1:${ENV_PORT}`);

  // the loader `backstage-cli package start` gives the backend
  const buildModule = path.dirname(
    require.resolve('@backstage/cli-module-build/package.json', {
      paths: [path.dirname(require.resolve('@backstage/cli/package.json'))],
    }),
  );
  const transform = require.resolve(
    '@backstage/cli-node/config/nodeTransform.cjs',
    { paths: [buildModule] },
  );
  const backend = start(
    'backend',
    [
      '--enable-source-maps',
      '--require',
      transform,
      'src/index',
      '--config',
      path.join(root, 'app-config.yaml'),
      '--config',
      path.join(root, 'app-config.e2e.yaml'),
      '--config',
      overlay,
    ],
    {
      cwd: backendDir,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        NODE_PATH: [nodePath, process.env.NODE_PATH]
          .filter(Boolean)
          .join(path.delimiter),
        ESBK_TSCONFIG_PATH: path.join(root, 'tsconfig.json'),
      },
    },
  );
  await waitForPort(PORT, 170_000, () => alive(backend));
  log(`app and backend on http://localhost:${PORT}`);
}

main().catch(error => {
  if (!stopping) {
    log(error.message);
    stopAll('SIGTERM', 1);
  }
});

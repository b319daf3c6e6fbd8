#!/usr/bin/env node
/*
 * The demo's environments: one small HTTP server standing in for every
 * environment of every demo service in examples/entities.yaml, which point
 * their `env-parity/<env>.url` annotations at http://127.0.0.1:7010/<service>/<env>.
 *
 *   GET /<service>/<env>/version   what the environment runs, as JSON
 *   GET /<service>/<env>/health    {"status": "UP", ...}
 *   GET /<service>/<env>/          {"service": ..., "environment": ...}
 *
 * Most environments answer what their annotations say, each service in one
 * of the JSON shapes the http provider understands. Two exceptions show
 * what the provider is for:
 *
 *   - inventory-service staging deploys a new patch version every
 *     DEMO_DRIFT_MINUTES (default 10) minutes, derived from the clock, so its
 *     history shows drift;
 *   - checkout-web development answers 503, a contained failure.
 *
 * Plain Node, no dependencies. Port: DEMO_ENVIRONMENTS_PORT (default 7010).
 */
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const PORT = Number(process.env.DEMO_ENVIRONMENTS_PORT || 7010);
const HOST = '127.0.0.1';
const DRIFT_MINUTES = Number(process.env.DEMO_DRIFT_MINUTES || 10);
const ENTITIES = path.resolve(__dirname, '..', 'examples', 'entities.yaml');

const DRIFTING = { service: 'inventory-service', environment: 'staging' };
const FAILING = { service: 'checkout-web', environment: 'development' };

/**
 * Reads `metadata.name` and the `env-parity/<env>.<field>` annotations of each
 * document of examples/entities.yaml. Only the simple form that file uses is
 * understood (one `key: 'value'` per line), which keeps this script free of
 * dependencies.
 */
function readServices(file) {
  const services = new Map();
  for (const doc of fs.readFileSync(file, 'utf8').split(/^---\s*$/m)) {
    const name = /^ {2}name:\s*'?([\w.-]+)'?\s*$/m.exec(doc)?.[1];
    if (!name) {
      continue;
    }
    const environments = {};
    const annotation =
      /^\s+env-parity\/([\w-]+)\.([\w-]+):\s*(?:'([^']*)'|"([^"]*)"|(\S.*?))\s*$/gm;
    for (const m of doc.matchAll(annotation)) {
      const [, env, field] = m;
      const value = m[3] ?? m[4] ?? m[5];
      (environments[env] ??= {})[field] = value;
    }
    // only environments with a URL have an instance to ask
    for (const env of Object.keys(environments)) {
      if (!environments[env].url) {
        delete environments[env];
      }
    }
    if (Object.keys(environments).length > 0) {
      services.set(name, environments);
    }
  }
  return services;
}

const hash = (algorithm, text) =>
  crypto.createHash(algorithm).update(text).digest('hex');

/** inventory-service staging: a new patch release every DRIFT_MINUTES minutes. */
function drifting(annotated, now) {
  const periodMs = DRIFT_MINUTES * 60 * 1000;
  const slot = Math.floor(now / periodMs);
  const [major, minor] = (annotated.version || '0.0.0').split('.');
  const version = `${major}.${minor}.${1 + (slot % 100)}`;
  const repository = (annotated.artifact || 'ghcr.io/acme/app:0').replace(
    /:[^:/@]*(@.*)?$/,
    '',
  );
  return {
    ...annotated,
    version,
    revision: hash(
      'sha1',
      `${DRIFTING.service}/${DRIFTING.environment}/${slot}`,
    ),
    artifact: `${repository}:${version}@sha256:${hash('sha256', version)}`,
    'deployed-at': new Date(slot * periodMs).toISOString(),
  };
}

function splitArtifact(artifact) {
  if (!artifact) {
    return {};
  }
  const at = artifact.indexOf('@');
  return at < 0
    ? { image: artifact }
    : { image: artifact.slice(0, at), digest: artifact.slice(at + 1) };
}

/** Each service answers in one of the shapes the http provider understands. */
const SHAPES = {
  // Spring Boot actuator /info, git "full" mode
  'payments-api': d => ({
    build: {
      artifact: 'payments-api',
      version: d.version,
      time: d['deployed-at'],
    },
    git: {
      branch: 'main',
      commit: { id: { abbrev: d.revision.slice(0, 7), full: d.revision } },
    },
  }),
  // {version, commit} with the image
  'checkout-web': d => ({
    version: d.version,
    commit: d.revision,
    image: d.artifact,
  }),
  // {version, revision} with image and digest apart
  'search-indexer': d => ({
    version: d.version,
    revision: d.revision,
    ...splitArtifact(d.artifact),
  }),
  'inventory-service': d => ({
    version: d.version,
    revision: d.revision,
    ...splitArtifact(d.artifact),
    deployedAt: d['deployed-at'],
  }),
  // {app: {version}} and a commit
  'notifications-worker': d => ({
    app: { name: 'notifications-worker', version: d.version },
    commit: d.revision,
  }),
  // {version, commit, image, buildTime}: mirrors the malformed staging
  // annotations, so staging stays an error there too
  'pricing-engine': d => ({
    version: d.version,
    commit: d.revision,
    image: d.artifact,
    buildTime: d['deployed-at'],
  }),
  // Spring Boot actuator /info, git "simple" mode (abbreviated id)
  'legacy-billing': d => ({
    build: { version: d.version, time: d['deployed-at'] },
    git: { commit: { id: d.revision.slice(0, 7) } },
  }),
};

function versionBody(service, env, annotated, now) {
  const deployment =
    service === DRIFTING.service && env === DRIFTING.environment
      ? drifting(annotated, now)
      : annotated;
  const shape =
    SHAPES[service] || (d => ({ version: d.version, revision: d.revision }));
  return shape({ ...deployment, revision: deployment.revision || '' });
}

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function createServer(services) {
  return http.createServer((req, res) => {
    const url = new URL(req.url || '/', `http://${HOST}`);
    const [service, env, endpoint = '', ...rest] = url.pathname
      .split('/')
      .filter(Boolean);
    const annotated = services.get(service)?.[env];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, { error: 'only GET and HEAD' }, { allow: 'GET, HEAD' });
      return;
    }
    if (!annotated || rest.length > 0) {
      send(res, 404, { error: `no demo environment at ${url.pathname}` });
      return;
    }
    if (service === FAILING.service && env === FAILING.environment) {
      send(res, 503, {
        error: 'Service Unavailable',
        message: `${service} is down in ${env} (a demo of a contained failure)`,
      });
      return;
    }
    switch (endpoint) {
      case 'version':
        send(res, 200, versionBody(service, env, annotated, Date.now()));
        return;
      case 'health':
        send(res, 200, { status: 'UP', service, environment: env });
        return;
      case '':
        send(res, 200, {
          service,
          environment: env,
          links: { version: 'version', health: 'health' },
        });
        return;
      default:
        send(res, 404, { error: `no ${endpoint} endpoint` });
    }
  });
}

if (require.main === module) {
  const services = readServices(ENTITIES);
  const server = createServer(services);
  server.on('error', error => {
    console.error(`demo environments: ${error.message}`);
    process.exit(1);
  });
  server.listen(PORT, HOST, () => {
    console.log(
      `demo environments: ${services.size} services on http://${HOST}:${PORT}/<service>/<env>/version ` +
        `(${DRIFTING.service} ${DRIFTING.environment} changes every ${DRIFT_MINUTES} min, ` +
        `${FAILING.service} ${FAILING.environment} answers 503)`,
    );
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

module.exports = { readServices, createServer, versionBody };

#!/usr/bin/env node
/*
 * The demo's environments: one small HTTP server standing in for every
 * environment of every demo service in examples/entities.yaml, which point
 * their `env-parity/<env>.url` annotations at http://127.0.0.1:7010/<service>/<env>.
 *
 *   GET /<service>/<env>/version   what the environment runs, as JSON
 *   GET /<service>/<env>/health    {"status": "UP", ...}
 *   GET /<service>/<env>/api/config  feature flags and limits; production
 *                                  and preprod differ from the others, for
 *                                  the Parity tab's "Compare an endpoint"
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
 * Under path prefixes of the same server, fakes of what the provider modules
 * read (each described where it is implemented, below):
 *
 *   /github/api/v3/...                  GitHub REST API (token demo-token):
 *                                       repos, deployments, statuses, compare
 *   /gitlab/api/v4/...                  GitLab REST API (token
 *                                       demo-gitlab-token): projects,
 *                                       deployments, compare
 *   /k8s/{staging,production}/...       Kubernetes API servers (bearer
 *                                       demo-k8s-<cluster>-token):
 *       /apis/apps/v1[/namespaces/{ns}]/{deployments,replicasets,
 *                                        statefulsets,daemonsets}[/{name}]
 *       /api/v1[/namespaces/{ns}]/{pods,configmaps,secrets}[/{name}]
 *       /apis/argoproj.io/...           404 page not found (no Argo Rollouts)
 *       /apis/{kustomize,helm,source}.toolkit.fluxcd.io/...
 *                                       Flux Kustomizations, HelmReleases
 *                                       and GitRepositories (shipping-service)
 *   /k8s/sandbox/...                    a writable Kubernetes API server
 *                                       (bearer demo-k8s-sandbox-token):
 *                                       the sandbox production replicas
 *                                       are created in (envParity.replicas)
 *   /argocd/{staging,production}/...    Argo CD API servers (bearer
 *                                       demo-argocd-<instance>-token):
 *       /api/v1/applications?selector=  /api/v1/applications/{name}
 *
 * The clusters run payments-api (same digest as production, but its
 * configuration drifts, and Argo CD shows staging OutOfSync) and
 * search-indexer (staging runs a rebuilt 3.2.0, and its rollout is stuck
 * on two digests).
 *
 * Aligning an environment with production (envParity.align in
 * app-config.yaml) rolls out here too: a GitHub deployment created through
 * the fake GitHub API (POST /github/api/v3/repos/acme/<service>/deployments,
 * or a workflow dispatch) succeeds at once, and from then on that
 * environment's /version answers the deployed commit, with the version
 * and artifact of its payload (or of the environment already running that
 * commit); an Argo CD sync (POST /argocd/<instance>/api/v1/applications/
 * <name>/sync) likewise changes the image /version answers. So the next
 * collection sees the environment in sync. The state lives in memory:
 * restart the server to start over.
 *
 * For the end-to-end journeys, a new production build of a demo service:
 *
 *   POST /demo/builds   {"service": "<name>", "environment": "production",
 *                        "version": "x.y.z"}
 *       a new commit (tag v<version>, on top of what the environment runs)
 *       in acme/<service> of the fake GitHub, a successful GitHub
 *       deployment of it to the environment (default production), and a
 *       new artifact (a digest of its own) that /version answers from then
 *       on. Answers 201 {service, environment, version, revision, artifact};
 *       400 for a malformed body, 404 for a service without a demo
 *       repository or environment, 409 for a version that exists already.
 *
 *   POST /demo/reset    {"service": "<name>", "environment": "<env>"}
 *       puts the environment back as the server started: what /version
 *       answers, its GitHub deployments (those made since are removed, the
 *       seeded ones get their statuses back) and, for services in the demo
 *       clusters, what its pods run. Answers 200 {service, environment,
 *       version, revision}; 400 for a malformed body, 404 for an unknown
 *       service or environment. (Argo CD applications are not reset.)
 *
 * Plain Node; the fake GitHub, GitLab, Kubernetes and Argo CD API servers
 * are the ones the GitHub, GitLab, Kubernetes and Argo CD modules' tests use
 * (packages/fake-apis, TypeScript, loaded through Backstage's node
 * transform, so no build step is needed).
 * Port: DEMO_ENVIRONMENTS_PORT (default 7010).
 */
'use strict';

// The fake APIs are TypeScript, one implementation shared with the provider
// modules' tests (packages/fake-apis): loaded through Backstage's transform.
require('@backstage/cli/config/nodeTransform.cjs');
const {
  FakeArgocd,
  FakeGithub,
  FakeGitlab,
  FakeKubernetes,
  fluxGitRepository,
  fluxHelmRelease,
  fluxKustomization,
  rollOutImage,
} = require('@env-parity/fake-apis');
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

/** The commit inventory-service staging runs in one DRIFT_MINUTES slot. */
const driftRevision = slot =>
  hash('sha1', `${DRIFTING.service}/${DRIFTING.environment}/${slot}`);

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
    revision: driftRevision(slot),
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
  // staging follows production (envParity.align.follow): POST /demo/builds
  'order-history': d => ({
    version: d.version,
    revision: d.revision,
    ...splitArtifact(d.artifact),
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

/** Runtime configuration: production-like environments differ from the rest. */
function configBody(service, env, annotated) {
  const productionLike = env === 'production' || env === 'preprod';
  return {
    service,
    environment: env,
    version: annotated.version,
    features: {
      newCheckout: !productionLike,
      darkMode: true,
      searchV2: env === 'development',
    },
    limits: { requestsPerMinute: productionLike ? 600 : 100 },
    logLevel: productionLike ? 'warn' : 'debug',
  };
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

/* ------------------------------------------------------------------------
 * A fake GitHub, so that the GitHub module
 * (plugins/env-parity-backend-module-github) shows real data offline: the
 * FakeGithub of @env-parity/fake-apis (the one the module's tests use),
 * mounted under /github/api/v3 and filled with the demo's repositories.
 *
 * It answers the GitHub REST API (v3) under
 * http://127.0.0.1:7010/github/api/v3, the apiBaseUrl of the
 * `github.demo.test` entry of integrations.github in app-config.yaml, for the
 * repositories acme/<service> named by the demo services'
 * github.com/project-slug annotations:
 *
 *   GET /repos/{owner}/{repo}
 *   GET /repos/{owner}/{repo}/deployments?environment=&sha=&ref=&per_page=&page=
 *   GET /repos/{owner}/{repo}/deployments/{id}/statuses?per_page=&page=
 *   GET /repos/{owner}/{repo}/compare/{base}...{head}?per_page=&page=
 *
 * with GitHub's bodies and headers: newest first, `Link` pagination, ETag and
 * 304 Not Modified, rate-limit headers, 401 without the demo token
 * (`Authorization: Bearer demo-token`), GitHub's 404 body.
 *
 * Each repository has a small commit history (GITHUB_REPOS below) whose
 * release commits carry the SHAs the annotations of examples/entities.yaml
 * name, so the GitHub deployments agree with the annotations, and compare
 * tells:
 *
 *   checkout-web       staging 1.5.0 DIVERGED from production 1.4.2: 4 commits
 *                      ahead, and 2 behind (production runs a hotfix made on
 *                      release/1.4 that never reached main)
 *   inventory-service  staging 2.8.x AHEAD of production 2.7.3 (the drifting
 *                      staging releases are commits on top of 2.8.0);
 *                      pre-production 2.7.2 BEHIND it by 2 commits (the 2.7.3
 *                      hotfix skipped pre-production)
 *   search-indexer     staging's 3.2.0 was rebuilt from a commit 1 ahead of
 *                      production's 3.2.0 (still tag-mismatch); development
 *                      3.3.0-beta.1 is 4 commits ahead
 *   payments-api       in sync everywhere: nothing to compare
 *
 * Deployments: for every environment an annotated service has, a successful
 * GitHub deployment of the annotated commit at the annotated time, after
 * older ones (now `inactive`); checkout-web staging also has a newer failed
 * deployment of 1.5.1-rc.1, which the module skips; inventory-service
 * development has a nightly deployment for every day, so it pages.
 * ---------------------------------------------------------------------- */

const GITHUB_PREFIX = '/github/api/v3';
const GITHUB_HOST = process.env.DEMO_GITHUB_HOST || 'github.demo.test';
const GITHUB_TOKEN = process.env.DEMO_GITHUB_TOKEN || 'demo-token';
const GITHUB_OWNER = 'acme';
const RELEASE_BOT = 'Acme Release Bot'; // git author without a GitHub account
const GITHUB_ENV_ORDER = ['development', 'staging', 'preprod', 'production'];

/** GitHub logins of commit authors, and their names. */
const GITHUB_PEOPLE = {
  aandersson: 'Alice Andersson',
  bbrown: 'Bob Brown',
  jnakamura: 'Jun Nakamura',
  kpatel: 'Kiran Patel',
  lmartin: 'Léa Martin',
  srossi: 'Sofia Rossi',
  'dependabot[bot]': 'dependabot[bot]',
};

/**
 * The demo repositories. `commits` in the order they were made, each on
 * `branch` (main unless said; a new branch starts `from` a release), with an
 * explicit `sha` where examples/entities.yaml names it (others are derived
 * from the message). `release` tags the commit v<release>. `history` lists
 * the releases each environment ran before what its annotations say;
 * `extra` adds deployments that did not succeed.
 */
const GITHUB_REPOS = {
  // staging follows production: in sync at start, a new production build
  // comes from POST /demo/builds
  'order-history': {
    commits: [
      {
        release: '2.2.0',
        sha: '4f54885352672d51ed52d770e9944f37d2d5ae28',
        at: '2026-10-29T10:12:40Z',
      },
      {
        message: 'Paginate order history by cursor (#52)',
        author: 'kpatel',
        at: '2026-11-04T09:41:13Z',
      },
      {
        release: '2.3.0',
        sha: '1d721e4bc17f23ef84b58dc853628f8520288506',
        at: '2026-11-10T15:27:05Z',
      },
    ],
    history: { staging: ['2.2.0'], production: ['2.2.0'] },
  },
  'payments-api': {
    commits: [
      { release: '2.14.2', at: '2026-10-26T16:04:51Z' },
      {
        message: 'Retry captures on acquirer timeouts (#301)',
        author: 'kpatel',
        at: '2026-11-03T15:20:37Z',
      },
      {
        message: 'Log the reason of every refund (#304)',
        author: 'srossi',
        at: '2026-11-05T11:47:02Z',
      },
      {
        message: 'Bump jackson-databind from 2.18.1 to 2.18.2 (#305)',
        author: 'dependabot[bot]',
        at: '2026-11-06T08:12:40Z',
      },
      {
        release: '2.14.3',
        sha: 'ef4e9bda211ed9da057ddc0c296392a3947514b1',
        at: '2026-11-08T16:30:15Z',
      },
    ],
    history: {
      development: ['2.14.2'],
      staging: ['2.14.2'],
      preprod: ['2.14.2'],
      production: ['2.14.2'],
    },
  },
  'checkout-web': {
    commits: [
      { release: '1.4.1', at: '2026-10-30T14:11:09Z' },
      {
        message: 'Add Apple Pay to the payment step (#412)',
        author: 'bbrown',
        at: '2026-11-04T10:26:44Z',
      },
      {
        message: 'Keep the cart across sessions (#415)',
        author: 'lmartin',
        at: '2026-11-06T15:02:31Z',
      },
      {
        message: 'Fix double charge when a payment is retried (#419)',
        author: 'bbrown',
        branch: 'release/1.4',
        from: '1.4.1',
        at: '2026-11-11T17:45:12Z',
      },
      {
        release: '1.4.2',
        branch: 'release/1.4',
        sha: 'abc1234eaa6de9809eca37a397adaee3d3eed8b8',
        at: '2026-11-11T18:20:03Z',
      },
      {
        message: 'Show the delivery estimate on the review step (#418)',
        author: 'lmartin',
        at: '2026-11-12T11:38:50Z',
      },
      {
        release: '1.5.0',
        sha: '167aa0ae343c4162f9b2fdff292d163f45ea0d94',
        at: '2026-11-17T16:55:27Z',
      },
      {
        message: 'Redesign the address form (#421)',
        author: 'jnakamura',
        at: '2026-11-18T13:10:05Z',
      },
      { release: '1.5.1-rc.1', at: '2026-11-18T15:02:48Z' },
      {
        message: 'Validate postcodes per country (#424)',
        author: 'bbrown',
        at: '2026-11-19T11:21:36Z',
      },
      {
        release: '1.5.1-rc.2',
        sha: 'ae839db0a5118a7f5f70c94a77704358879be849',
        at: '2026-11-19T15:58:19Z',
      },
    ],
    history: {
      development: ['1.4.1', '1.5.0', '1.5.1-rc.1'],
      staging: ['1.4.1'],
      preprod: ['1.4.1'],
      production: ['1.4.1'],
    },
    extra: [
      {
        environment: 'staging',
        release: '1.5.1-rc.1',
        at: '2026-11-18T15:31:40Z',
        states: ['in_progress', 'failure'],
      },
    ],
  },
  'search-indexer': {
    commits: [
      { release: '3.1.0', at: '2026-10-21T09:30:24Z' },
      {
        message: 'Index stock availability per warehouse (#77)',
        author: 'jnakamura',
        at: '2026-10-28T14:05:18Z',
      },
      {
        message: 'Batch index writes (#81)',
        author: 'kpatel',
        at: '2026-11-02T10:44:51Z',
      },
      {
        release: '3.2.0',
        sha: '4fbe4da156e2b9299e2e2858ed175af07a359229',
        at: '2026-11-05T16:12:37Z',
      },
      {
        // staging's 3.2.0 was rebuilt from here and re-pushed under 3.2.0
        message: 'Build with Go 1.23.4 (#84)',
        author: 'srossi',
        sha: 'c3b71caa9e41b7484e0bde9228a2c321d2328a53',
        at: '2026-11-17T13:26:02Z',
      },
      {
        message: 'Add synonyms to the search index (#86)',
        author: 'jnakamura',
        at: '2026-11-18T10:03:44Z',
      },
      {
        message: 'Stream catalogue changes instead of polling (#89)',
        author: 'kpatel',
        at: '2026-11-19T15:37:20Z',
      },
      {
        release: '3.3.0-beta.1',
        sha: '9cafb6fbc377980b8dcf76a3c2f993c091464204',
        at: '2026-11-19T18:48:31Z',
      },
    ],
    history: {
      development: ['3.1.0', '3.2.0'],
      staging: ['3.1.0', '3.2.0'],
      production: ['3.1.0'],
    },
  },
  'inventory-service': {
    commits: [
      { release: '2.7.1', at: '2026-10-20T11:15:42Z' },
      {
        message: 'Expire stale reservations after 30 minutes (#221)',
        author: 'bbrown',
        at: '2026-10-24T14:40:09Z',
      },
      {
        release: '2.7.2',
        sha: 'eae7fe7d8f1fc28153b5d314bd9fbc3359a2f4c1',
        at: '2026-10-29T10:05:33Z',
      },
      {
        message: 'Release reserved stock when an order is cancelled (#229)',
        author: 'aandersson',
        at: '2026-11-04T09:12:58Z',
      },
      {
        release: '2.7.3',
        sha: '2f5d158b3c21a73ade6072924cd66c5c9bed629a',
        at: '2026-11-04T11:30:21Z',
      },
      {
        message: 'Reserve stock per warehouse zone (#231)',
        author: 'bbrown',
        at: '2026-11-06T13:22:47Z',
      },
      {
        message: 'Expose reservation metrics (#234)',
        author: 'lmartin',
        at: '2026-11-10T10:51:16Z',
      },
      {
        message: 'Upgrade to Kotlin 2.1 (#236)',
        author: 'jnakamura',
        at: '2026-11-12T16:08:39Z',
      },
      {
        message: 'Add a bulk stock adjustment API (#238)',
        author: 'bbrown',
        at: '2026-11-14T11:34:02Z',
      },
      {
        release: '2.8.0',
        sha: 'cfcf0cd2686e7267b975ee38c3eb67a3f231f985',
        at: '2026-11-15T17:20:54Z',
      },
      {
        message: 'Move reservations to their own table (#241)',
        author: 'lmartin',
        at: '2026-11-18T09:57:31Z',
      },
      {
        message: 'Reserve stock for pre-orders (#245)',
        author: 'bbrown',
        at: '2026-11-20T14:46:10Z',
      },
      {
        release: '2.9.0-alpha.3',
        sha: '49412836e4a2422f76cd9d6bd4581b100ff895e5',
        at: '2026-11-21T09:02:27Z',
      },
    ],
    history: {
      staging: ['2.7.1', '2.7.2', '2.7.3'],
      preprod: ['2.7.1'],
      production: ['2.7.2'],
    },
    nightly: 'development',
  },
};

/** ISO 8601 in UTC, as GitHub writes times. */
function githubTime(value) {
  const ms = Date.parse(value);
  return Number.isNaN(ms)
    ? undefined
    : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function shiftTime(iso, ms) {
  return githubTime(new Date(Date.parse(iso) + ms).toISOString());
}

/**
 * Builds the fake GitHub (the one the GitHub module's tests use,
 * @env-parity/fake-apis) from GITHUB_REPOS and the annotations of
 * examples/entities.yaml (what each environment runs), and warns when an
 * annotated revision is not in the repository's history.
 */
function buildGithub(services, { warn = console.warn } = {}) {
  const github = FakeGithub.create({
    basePath: GITHUB_PREFIX,
    tokens: [GITHUB_TOKEN],
    htmlHost: GITHUB_HOST,
    // the limit of a GitHub App on GitHub Enterprise Cloud
    rateLimit: 15000,
    recordRequests: false,
  });
  const repos = new Map();
  let nextDeploymentId = 401000;
  let nextStatusId = 1802000;
  let repoId = 700100;
  const deploy = (repo, d) => {
    const id = (nextDeploymentId += 1);
    repo.deploy({
      id,
      environment: d.environment,
      sha: d.sha,
      ref: d.ref,
      payload: d.version ? { version: d.version } : {},
      creator: d.creator || 'github-actions[bot]',
      createdAt: githubTime(d.at),
      statuses: d.states.map((state, i) => ({
        id: (nextStatusId += 1),
        state,
        createdAt: shiftTime(d.at, i === d.states.length - 1 ? d.doneMs : 0),
        environmentUrl:
          state === 'success' || state === 'inactive' ? d.url || '' : '',
        logUrl: `https://${GITHUB_HOST}/${repo.fullName}/actions/runs/${
          11800000 + id
        }`,
      })),
    });
  };

  for (const [name, spec] of Object.entries(GITHUB_REPOS)) {
    const repo = github.addRepo(GITHUB_OWNER, name, { id: (repoId += 1) });
    for (const commit of spec.commits) {
      const branch = commit.branch || 'main';
      const message = commit.message || `Release ${commit.release}`;
      repo.commit(message, {
        branch,
        ...(commit.from ? { parents: [repo.tags.get(`v${commit.from}`)] } : {}),
        sha:
          commit.sha || hash('sha1', `${repo.fullName}\n${branch}\n${message}`),
        author: commit.release && !commit.author ? null : commit.author,
        authorName:
          GITHUB_PEOPLE[commit.author] ||
          (commit.release ? RELEASE_BOT : 'Unknown'),
        date: commit.at,
        ...(commit.release ? { tag: `v${commit.release}` } : {}),
      });
    }
    repos.set(name, repo);
    const environments = services.get(name) || {};
    for (const [env, annotated] of Object.entries(environments)) {
      const current = annotated.revision && repo.resolve(annotated.revision);
      if (!current) {
        warn(
          `demo GitHub: ${name} ${env} runs ${annotated.revision}, which is not in the history of ${repo.fullName} (see GITHUB_REPOS)`,
        );
        continue;
      }
      const deployedAt =
        githubTime(annotated['deployed-at']) || githubTime(current.date);
      const creator = annotated['deployed-by'];
      // older releases, each replaced by the next (and so now inactive)
      (spec.history?.[env] || []).forEach(release => {
        const sha = repo.tags.get(`v${release}`);
        // promoted in order, 45 minutes apart
        const step = Math.max(0, GITHUB_ENV_ORDER.indexOf(env)) + 1;
        const at = shiftTime(repo.commits.get(sha).date, step * 45 * 60e3);
        deploy(repo, {
          environment: env,
          sha,
          ref: `v${release}`,
          version: release,
          creator,
          at,
          doneMs: 4 * 60e3,
          url: annotated.url,
          states: ['success', 'inactive'],
        });
      });
      if (spec.nightly === env) {
        // a deployment of main every night since the first commit
        const first = Date.parse([...repo.commits.values()][0].date);
        for (
          let night = Date.parse(deployedAt) - 24 * 3600e3;
          night > first;
          night -= 24 * 3600e3
        ) {
          const tip = [...repo.ancestors(current.sha)]
            .map(s => repo.commits.get(s))
            .filter(c => Date.parse(c.date) <= night)
            .sort((a, b) => b.order - a.order)[0];
          deploy(repo, {
            environment: env,
            sha: tip.sha,
            ref: 'main',
            creator: 'github-actions[bot]',
            at: new Date(night).toISOString(),
            doneMs: 3 * 60e3,
            url: annotated.url,
            states: ['success', 'inactive'],
          });
        }
      }
      // what the annotations say runs there: live since deployed-at
      const tag = [...repo.tags].find(([, sha]) => sha === current.sha)?.[0];
      deploy(repo, {
        environment: env,
        sha: current.sha,
        ref: tag || 'main',
        version: annotated.version,
        creator,
        at: shiftTime(deployedAt, -5 * 60e3),
        doneMs: 5 * 60e3,
        url: annotated.url,
        states: ['in_progress', 'success'],
      });
    }
    for (const extra of spec.extra || []) {
      const sha = repo.tags.get(`v${extra.release}`);
      deploy(repo, {
        environment: extra.environment,
        sha,
        ref: `v${extra.release}`,
        version: extra.release,
        creator: environments[extra.environment]?.['deployed-by'],
        at: extra.at,
        doneMs: 7 * 60e3,
        url: environments[extra.environment]?.url,
        states: extra.states,
      });
    }
  }

  // the drifting staging releases of inventory-service are commits on top
  // of what its staging annotations name
  const drift = repos.get(DRIFTING.service);
  const driftBase = services.get(DRIFTING.service)?.[DRIFTING.environment];
  const driftParent = drift && driftBase && drift.resolve(driftBase.revision);
  if (driftParent) {
    drift.findExtra = sha => {
      const periodMs = DRIFT_MINUTES * 60 * 1000;
      const now = Math.floor(Date.now() / periodMs);
      // a week of slots back, and one ahead for clock skew
      for (
        let slot = now + 1;
        slot > now - (7 * 24 * 60) / DRIFT_MINUTES;
        slot--
      ) {
        if (driftRevision(slot) === sha) {
          const { version } = drifting(driftBase, slot * periodMs);
          const commit = {
            sha,
            parents: [driftParent.sha],
            message: `Release ${version}`,
            authorName: RELEASE_BOT,
            date: githubTime(new Date(slot * periodMs).toISOString()),
            order: 1e6 + slot,
          };
          drift.commits.set(sha, commit);
          return commit;
        }
      }
      return undefined;
    };
  }
  return github;
}

/* ------------------------------------------------------------------------
 * A fake GitLab, so that the GitLab module
 * (plugins/env-parity-backend-module-gitlab) shows real data offline: the
 * FakeGitlab of @env-parity/fake-apis (the one the module's tests use),
 * mounted under /gitlab/api/v4 and filled with one demo project.
 *
 * It answers the GitLab REST API (v4) under
 * http://127.0.0.1:7010/gitlab/api/v4, the apiBaseUrl of the
 * `gitlab.demo.test` entry of integrations.gitlab in app-config.yaml
 * (`Authorization: Bearer demo-gitlab-token` or `PRIVATE-TOKEN`, else 401):
 *
 *   GET /projects/{id or url-encoded path}
 *   GET /projects/{id}/deployments?environment=&status=&order_by=&sort=&per_page=&page=
 *   GET /projects/{id}/repository/compare?from=&to=&straight=
 *
 * with GitLab's bodies and headers (x-next-page/Link pagination, weak ETags
 * and 304s, RateLimit-* headers, 429 Retry later).
 *
 *   ledger-service (acme/payments/ledger-service, annotated only with
 *   gitlab.com/project-slug: GitLab is its only source)
 *     production  v3.1.0, deployed by alice after a failed v3.0.9 rollback
 *     preprod     v3.1.0
 *     staging     main, 3 commits AHEAD of production (one merge request
 *                 !42 among them); a newer deployment failed and is skipped
 *     development main as staging, and a newer deployment RUNNING
 *                 ("deploying")
 * ---------------------------------------------------------------------- */

const GITLAB_PREFIX = '/gitlab/api/v4';
const GITLAB_HOST = process.env.DEMO_GITLAB_HOST || 'gitlab.demo.test';
const GITLAB_TOKEN = process.env.DEMO_GITLAB_TOKEN || 'demo-gitlab-token';
const GITLAB_PROJECT = 'acme/payments/ledger-service';

/** Builds the fake GitLab (@env-parity/fake-apis) with the demo project. */
function buildGitlab() {
  const gitlab = FakeGitlab.create({
    basePath: GITLAB_PREFIX,
    tokens: [GITLAB_TOKEN],
    htmlHost: GITLAB_HOST,
    recordRequests: false,
  });
  const project = gitlab.addProject(GITLAB_PROJECT, { id: 4711 });
  const url = env => `https://ledger.${env}.acme.example`;
  const commit = (message, at, options = {}) =>
    project.commit(message, {
      sha: hash('sha1', `${GITLAB_PROJECT}\n${message}`),
      date: at,
      authorName: options.author || 'Kiran Patel',
      authorEmail: `${(options.author || 'Kiran Patel')
        .toLowerCase()
        .replace(/\s+/g, '.')}@acme.example`,
      ...options,
    });
  commit('Release 3.0.9', '2026-11-02T10:05:00Z', { tag: 'v3.0.9' });
  commit('Book refunds as reversing entries', '2026-11-05T14:21:00Z', {
    author: 'Sofia Rossi',
  });
  const release = commit('Release 3.1.0', '2026-11-09T09:30:00Z', {
    tag: 'v3.1.0',
  });
  commit('Add a trial balance endpoint', '2026-11-16T11:02:00Z', {
    author: 'Jun Nakamura',
  });
  commit(
    "Merge branch 'feature/multi-currency' into 'main'\n\nMulti-currency journals\n\nSee merge request acme/payments/ledger-service!42",
    '2026-11-18T15:47:00Z',
    { author: 'Léa Martin' },
  );
  const tip = commit(
    'Speed up balance queries with a covering index',
    '2026-11-20T08:12:00Z',
    {
      author: 'Bob Brown',
    },
  );
  const running = commit('Export journals as CSV', '2026-11-23T09:40:00Z', {
    author: 'Alice Andersson',
  });

  const deploy = (environment, sha, ref, status, user, at) =>
    project.deploy({
      environment,
      sha,
      ref,
      status,
      user,
      createdAt: at,
      externalUrl: url(environment),
    });
  const v309 = project.tags.get('v3.0.9');
  deploy(
    'production',
    v309,
    'v3.0.9',
    'success',
    'alice',
    '2026-11-03T09:00:00Z',
  );
  deploy(
    'production',
    release,
    'v3.1.0',
    'success',
    'alice',
    '2026-11-10T14:00:00Z',
  );
  deploy(
    'production',
    v309,
    'v3.0.9',
    'failed',
    'alice',
    '2026-11-11T08:30:00Z',
  );
  deploy(
    'preprod',
    release,
    'v3.1.0',
    'success',
    'release-bot',
    '2026-11-09T16:00:00Z',
  );
  deploy(
    'staging',
    release,
    'v3.1.0',
    'success',
    'release-bot',
    '2026-11-09T12:00:00Z',
  );
  deploy('staging', tip, 'main', 'success', 'bbrown', '2026-11-20T09:00:00Z');
  deploy(
    'staging',
    running,
    'main',
    'failed',
    'aandersson',
    '2026-11-23T10:00:00Z',
  );
  deploy(
    'development',
    tip,
    'main',
    'success',
    'bbrown',
    '2026-11-20T08:30:00Z',
  );
  deploy(
    'development',
    running,
    'main',
    'running',
    'aandersson',
    '2026-11-23T09:45:00Z',
  );
  return gitlab;
}

/* ------------------------------------------------------------------------
 * A fake Kubernetes API server and a fake Argo CD, so that the Kubernetes
 * and Argo CD modules (plugins/env-parity-backend-module-kubernetes,
 * plugins/env-parity-backend-module-argocd) show real data offline. The
 * clusters and instances are configured under `kubernetes` and `argocd` in
 * app-config.yaml; each answers only its own demo token.
 *
 * Kubernetes, two clusters at http://127.0.0.1:7010/k8s/{staging,production}
 * (`Authorization: Bearer demo-k8s-<cluster>-token`, else a 401 Status):
 *
 *   GET /apis/apps/v1[/namespaces/{ns}]/{deployments,replicasets,statefulsets,daemonsets}[/{name}]
 *   GET /api/v1[/namespaces/{ns}]/{pods,configmaps,secrets}[/{name}]
 *   GET /version, /api, /apis    (discovery: no argoproj.io group, so
 *                                 /apis/argoproj.io/... answers the API
 *                                 server's text/plain "404 page not found")
 *
 * Lists take `labelSelector` (=, ==, !=, in, notin, exists, !exists),
 * `fieldSelector` (metadata.name, metadata.namespace, status.phase), `limit`
 * and `continue`; items carry no kind/apiVersion, as the real API server
 * answers. Unknown objects answer a NotFound Status.
 *
 * Argo CD, two instances at http://127.0.0.1:7010/argocd/{staging,production}
 * (`Authorization: Bearer demo-argocd-<instance>-token` or the argocd.token
 * cookie, else 401 with code 16):
 *
 *   GET /api/v1/applications?selector=&name=&projects=
 *   GET /api/v1/applications/{name}    (404 with code 5 when unknown)
 *   GET /api/version
 *
 * What runs there (the digests are those of examples/entities.yaml):
 *
 *   payments-api    the same digest in both clusters, but configuration
 *                   drift: production turned instant refunds on
 *                   (ConfigMap payments-api-config FEATURE_FLAGS, from the
 *                   Helm value featureFlags.instantRefunds), and staging's
 *                   DATABASE_URL (Secret payments-api-secrets) was edited
 *                   by hand, dropping sslmode=verify-full, so Argo CD shows
 *                   staging OutOfSync. Replicas (2 vs 3) and the acquirer
 *                   URL differ as expected (ignored by envParity.config.ignore
 *                   and the env-parity/ignore-config annotation).
 *   search-indexer  tag 3.2.0 in both clusters, but staging runs the rebuilt
 *                   3.2.0 (another digest: tag-mismatch), and its rollout is
 *                   stuck: one new pod crash-loops, so one pod still runs
 *                   the original 3.2.0 build (mixed digests).
 *
 * plus an ingress controller the label selectors must leave out.
 * ---------------------------------------------------------------------- */

const K8S_PREFIX = '/k8s';
const K8S_CLUSTERS = {
  staging: process.env.DEMO_K8S_STAGING_TOKEN || 'demo-k8s-staging-token',
  production:
    process.env.DEMO_K8S_PRODUCTION_TOKEN || 'demo-k8s-production-token',
};
/*
 * The sandbox cluster of production replicas (envParity.replicas in
 * app-config.yaml): empty at start, writable (create, get, list, patch and
 * delete of namespaces, workloads, services, ConfigMaps, Secrets, quotas,
 * limit ranges, network policies and role bindings). Each Deployment or
 * StatefulSet created there gets one pod per replica, ready
 * DEMO_REPLICA_READY_MS (default 3000) after its creation and running the
 * digest its image names; an image whose name contains `does-not-exist`
 * waits with ErrImagePull. Not an environment: not in envParity.kubernetes.clusters.
 */
const K8S_SANDBOX = 'sandbox';
const K8S_SANDBOX_TOKEN =
  process.env.DEMO_K8S_SANDBOX_TOKEN || 'demo-k8s-sandbox-token';
const REPLICA_READY_MS = Number(process.env.DEMO_REPLICA_READY_MS ?? 3000);
const ARGOCD_PREFIX = '/argocd';
const ARGOCD_INSTANCES = {
  staging: process.env.DEMO_ARGOCD_STAGING_TOKEN || 'demo-argocd-staging-token',
  production:
    process.env.DEMO_ARGOCD_PRODUCTION_TOKEN || 'demo-argocd-production-token',
};
const GITOPS_REPO = 'https://github.com/acme/shop-gitops';

/** A made-up but stable sha256 digest or uid for a label. */
const fakeDigest = label => `sha256:${hash('sha256', label)}`;
const fakeUid = label => {
  const h = hash('sha1', label);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(
    16,
    20,
  )}-${h.slice(20, 32)}`;
};
/** A pod-template-hash / pod name suffix: 10 or 5 lowercase alphanumerics. */
const fakeSuffix = (label, length) =>
  [...Buffer.from(hash('sha256', label), 'hex')]
    .map(b => 'bcdfghjklmnpqrstvwxz2456789'[b % 27])
    .join('')
    .slice(0, length);
const shiftIso = (iso, ms) => new Date(Date.parse(iso) + ms).toISOString();
const k8sTime = iso => `${new Date(iso).toISOString().slice(0, 19)}Z`;

const OTEL_IMAGE = 'otel/opentelemetry-collector-contrib:0.112.0';
const OTEL_DIGEST = fakeDigest(OTEL_IMAGE);

/**
 * The demo workloads: per service, per cluster, the configuration and the
 * pods. `digest: 'annotated'` is the digest the service's
 * env-parity/<env>.artifact annotation names for that environment;
 * `digest: 'production'` production's (an older build, for a stuck rollout).
 */
const K8S_WORKLOADS = {
  'payments-api': {
    team: 'payments-team',
    port: 8080,
    clusters: {
      staging: {
        replicas: 2,
        config: {
          FEATURE_FLAGS: 'instant-refunds=off,3ds2-frictionless=on',
          ACQUIRER_BASE_URL: 'https://sandbox.acquirer.example/v2',
          CAPTURE_TIMEOUT_MS: '5000',
          CURRENCY_DEFAULT: 'EUR',
        },
        secrets: {
          // hand-edited while debugging a TLS issue, never reverted
          DATABASE_URL:
            'postgres://payments:demo-only-db-password@payments-db:5432/payments?sslmode=disable',
          ACQUIRER_API_KEY: 'demo-only-acquirer-key-7f3a9c',
        },
        secretEditedAt: '2026-11-12T16:41:09Z',
        pods: [
          { digest: 'annotated', ready: true },
          { digest: 'annotated', ready: true },
        ],
      },
      production: {
        replicas: 3,
        config: {
          FEATURE_FLAGS: 'instant-refunds=on,3ds2-frictionless=on',
          ACQUIRER_BASE_URL: 'https://api.acquirer.example/v2',
          CAPTURE_TIMEOUT_MS: '5000',
          CURRENCY_DEFAULT: 'EUR',
        },
        secrets: {
          DATABASE_URL:
            'postgres://payments:demo-only-db-password@payments-db:5432/payments?sslmode=verify-full',
          ACQUIRER_API_KEY: 'demo-only-acquirer-key-7f3a9c',
        },
        pods: [
          { digest: 'annotated', ready: true },
          { digest: 'annotated', ready: true },
          { digest: 'annotated', ready: true },
        ],
      },
    },
  },
  'search-indexer': {
    team: 'search-team',
    port: 9090,
    clusters: {
      staging: {
        replicas: 3,
        config: {
          FEATURE_FLAGS: 'synonyms=off,stream-changes=off',
          INDEX_BATCH_SIZE: '500',
          OPENSEARCH_URL: 'https://opensearch.search.svc:9200',
        },
        secrets: {
          DATABASE_URL:
            'postgres://indexer:demo-only-indexer-password@catalog-db:5432/catalog',
          OPENSEARCH_PASSWORD: 'demo-only-opensearch-password',
        },
        // `kubectl rollout restart` after 3.2.0 was re-pushed: the new
        // pods pulled the rebuilt image, one of them crash-loops, so the
        // rollout stopped with one pod of the previous ReplicaSet left
        rollout: {
          stuck: true,
          restartedAt: '2026-11-17T15:10:26Z',
        },
        pods: [
          { digest: 'annotated', ready: true },
          { digest: 'annotated', ready: true },
          { digest: 'annotated', ready: false, crashLoop: true },
          { digest: 'production', ready: true, previous: true },
        ],
      },
      production: {
        replicas: 3,
        config: {
          FEATURE_FLAGS: 'synonyms=off,stream-changes=off',
          INDEX_BATCH_SIZE: '500',
          OPENSEARCH_URL: 'https://opensearch.search.svc:9200',
        },
        secrets: {
          DATABASE_URL:
            'postgres://indexer:demo-only-indexer-password@catalog-db:5432/catalog',
          OPENSEARCH_PASSWORD: 'demo-only-opensearch-password',
        },
        pods: [
          { digest: 'annotated', ready: true },
          { digest: 'annotated', ready: true },
          { digest: 'annotated', ready: true },
        ],
      },
    },
  },
};

/** A deployment with its pods, ReplicaSets, ConfigMap and Secret. */
function k8sServiceObjects(service, spec, cluster, annotated) {
  const ns = service;
  const c = spec.clusters[cluster];
  const mine = annotated[cluster];
  const prod = annotated.production;
  const version = mine.version;
  const repository = splitArtifact(mine.artifact).image.replace(/:[^:/]*$/, '');
  const image = `${repository}:${version}`;
  const digestOf = pod =>
    pod.digest === 'production'
      ? splitArtifact(prod.artifact).digest
      : splitArtifact(mine.artifact).digest;
  const deployedAt = mine['deployed-at'];
  const created = k8sTime(shiftIso(deployedAt, -90 * 86400e3));
  const selector = { 'app.kubernetes.io/name': service };
  const labels = {
    ...selector,
    'app.kubernetes.io/instance': service,
    'app.kubernetes.io/version': version,
    'app.kubernetes.io/part-of': 'shop',
    'app.kubernetes.io/managed-by': 'Helm',
    'backstage.io/kubernetes-id': service,
    team: spec.team,
  };
  const configName = `${service}-config`;
  const secretName = `${service}-secrets`;
  const stuck = Boolean(c.rollout?.stuck);
  const revision = stuck ? 8 : 7;
  const template = restartedAt => ({
    metadata: {
      labels: { ...labels },
      annotations: {
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(spec.port),
        ...(restartedAt
          ? { 'kubectl.kubernetes.io/restartedAt': restartedAt }
          : {}),
      },
    },
    spec: {
      serviceAccountName: service,
      containers: [
        {
          name: service,
          image,
          imagePullPolicy: 'Always',
          ports: [{ name: 'http', containerPort: spec.port, protocol: 'TCP' }],
          env: [
            { name: 'LOG_LEVEL', value: 'info' },
            {
              name: 'DATABASE_URL',
              valueFrom: {
                secretKeyRef: { name: secretName, key: 'DATABASE_URL' },
              },
            },
            {
              name: 'FEATURE_FLAGS',
              valueFrom: {
                configMapKeyRef: { name: configName, key: 'FEATURE_FLAGS' },
              },
            },
          ],
          envFrom: [{ configMapRef: { name: configName } }],
          resources: {
            requests: { cpu: '250m', memory: '256Mi' },
            limits: { memory: '512Mi' },
          },
          readinessProbe: {
            httpGet: { path: '/health', port: 'http' },
            periodSeconds: 10,
          },
        },
        {
          name: 'otel-agent',
          image: OTEL_IMAGE,
          args: ['--config=/conf/otel-agent.yaml'],
          resources: {
            requests: { cpu: '50m', memory: '64Mi' },
            limits: { memory: '128Mi' },
          },
        },
      ],
    },
  });

  const rsName = restartedAt =>
    `${service}-${fakeSuffix(
      `${cluster}/${service}/${restartedAt || ''}`,
      10,
    )}`;
  const current = { hash: rsName(c.rollout?.restartedAt).slice(-10) };
  const previous = { hash: rsName(undefined).slice(-10) };
  const ready = c.pods.filter(p => p.ready).length;
  const updated = c.pods.filter(p => !p.previous).length;

  const deployment = {
    metadata: {
      name: service,
      namespace: ns,
      uid: fakeUid(`${cluster}/deployment/${service}`),
      resourceVersion: String(4812000 + revision * 17),
      generation: revision,
      creationTimestamp: created,
      labels,
      annotations: {
        'deployment.kubernetes.io/revision': String(revision),
        'meta.helm.sh/release-name': service,
        'meta.helm.sh/release-namespace': ns,
      },
    },
    spec: {
      replicas: c.replicas,
      selector: { matchLabels: selector },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
      },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      template: template(c.rollout?.restartedAt),
    },
    status: {
      observedGeneration: revision,
      replicas: c.pods.length,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: ready,
      ...(c.pods.length - ready
        ? { unavailableReplicas: c.pods.length - ready }
        : {}),
      conditions: [
        {
          type: 'Available',
          status: 'True',
          lastUpdateTime: k8sTime(deployedAt),
          lastTransitionTime: k8sTime(deployedAt),
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        },
        stuck
          ? {
              type: 'Progressing',
              status: 'False',
              lastUpdateTime: k8sTime(shiftIso(deployedAt, 600e3)),
              lastTransitionTime: k8sTime(shiftIso(deployedAt, 600e3)),
              reason: 'ProgressDeadlineExceeded',
              message: `ReplicaSet "${service}-${current.hash}" has timed out progressing.`,
            }
          : {
              type: 'Progressing',
              status: 'True',
              lastUpdateTime: k8sTime(deployedAt),
              lastTransitionTime: created,
              reason: 'NewReplicaSetAvailable',
              message: `ReplicaSet "${service}-${current.hash}" has successfully progressed.`,
            },
      ],
    },
  };

  const replicaSet = (rs, count, readyCount, restartedAt, rsRevision) => ({
    metadata: {
      name: `${service}-${rs.hash}`,
      namespace: ns,
      uid: fakeUid(`${cluster}/rs/${service}-${rs.hash}`),
      resourceVersion: String(4812000 + rsRevision * 13),
      generation: 1,
      creationTimestamp: k8sTime(restartedAt || deployedAt),
      labels: { ...labels, 'pod-template-hash': rs.hash },
      annotations: {
        'deployment.kubernetes.io/desired-replicas': String(c.replicas),
        'deployment.kubernetes.io/max-replicas': String(c.replicas + 1),
        'deployment.kubernetes.io/revision': String(rsRevision),
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: service,
          uid: deployment.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      replicas: count,
      selector: {
        matchLabels: { ...selector, 'pod-template-hash': rs.hash },
      },
      template: template(restartedAt),
    },
    status: {
      replicas: count,
      fullyLabeledReplicas: count,
      readyReplicas: readyCount,
      availableReplicas: readyCount,
      observedGeneration: 1,
    },
  });
  const replicaSets = [
    replicaSet(
      current,
      updated,
      c.pods.filter(p => p.ready && !p.previous).length,
      c.rollout?.restartedAt,
      revision,
    ),
  ];
  if (stuck) {
    replicaSets.push(
      replicaSet(
        previous,
        c.pods.length - updated,
        c.pods.filter(p => p.ready && p.previous).length,
        undefined,
        revision - 1,
      ),
    );
  }

  const pods = c.pods.map((pod, i) => {
    const rs = pod.previous ? previous : current;
    const name = `${service}-${rs.hash}-${fakeSuffix(
      `${cluster}/${service}/pod/${i}`,
      5,
    )}`;
    const started = k8sTime(
      shiftIso(
        pod.previous
          ? prod['deployed-at']
          : c.rollout?.restartedAt || deployedAt,
        (i + 1) * 41e3,
      ),
    );
    const digest = digestOf(pod);
    const appStatus = {
      name: service,
      image,
      imageID: `${repository}@${digest}`,
      containerID: `containerd://${hash('sha256', name)}`,
      ready: pod.ready,
      started: !pod.crashLoop,
      restartCount: pod.crashLoop ? 14 : 0,
      state: pod.crashLoop
        ? {
            waiting: {
              reason: 'CrashLoopBackOff',
              message: `back-off 5m0s restarting failed container=${service} pod=${name}`,
            },
          }
        : { running: { startedAt: started } },
      ...(pod.crashLoop
        ? {
            lastState: {
              terminated: {
                exitCode: 1,
                reason: 'Error',
                startedAt: started,
                finishedAt: started,
              },
            },
          }
        : {}),
    };
    return {
      metadata: {
        name,
        generateName: `${service}-${rs.hash}-`,
        namespace: ns,
        uid: fakeUid(`${cluster}/pod/${name}`),
        resourceVersion: String(4812100 + i),
        creationTimestamp: started,
        labels: { ...labels, 'pod-template-hash': rs.hash },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: `${service}-${rs.hash}`,
            uid: fakeUid(`${cluster}/rs/${service}-${rs.hash}`),
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        ...template(pod.previous ? undefined : c.rollout?.restartedAt).spec,
        nodeName: `${cluster}-pool-a-${fakeSuffix(`node/${i % 2}`, 5)}`,
      },
      status: {
        phase: 'Running',
        conditions: [
          { type: 'Initialized', status: 'True' },
          { type: 'Ready', status: pod.ready ? 'True' : 'False' },
          { type: 'ContainersReady', status: pod.ready ? 'True' : 'False' },
          { type: 'PodScheduled', status: 'True' },
        ],
        podIP: `10.${cluster === 'staging' ? 42 : 43}.${i + 1}.${
          service.length + 10
        }`,
        startTime: started,
        qosClass: 'Burstable',
        containerStatuses: [
          appStatus,
          {
            name: 'otel-agent',
            image: `docker.io/${OTEL_IMAGE}`,
            imageID: `docker.io/${OTEL_IMAGE.replace(
              /:.*$/,
              '',
            )}@${OTEL_DIGEST}`,
            containerID: `containerd://${hash('sha256', `${name}/otel`)}`,
            ready: true,
            started: true,
            restartCount: 0,
            state: { running: { startedAt: started } },
          },
        ],
      },
    };
  });

  const base64 = value => Buffer.from(value, 'utf8').toString('base64');
  const managed = {
    'app.kubernetes.io/instance': service,
    'app.kubernetes.io/managed-by': 'Helm',
    'backstage.io/kubernetes-id': service,
  };
  const configMap = {
    metadata: {
      name: configName,
      namespace: ns,
      uid: fakeUid(`${cluster}/cm/${configName}`),
      resourceVersion: '4811001',
      creationTimestamp: created,
      labels: managed,
    },
    data: c.config,
  };
  const secret = {
    metadata: {
      name: secretName,
      namespace: ns,
      uid: fakeUid(`${cluster}/secret/${secretName}`),
      resourceVersion: c.secretEditedAt ? '4811377' : '4811002',
      creationTimestamp: created,
      labels: managed,
    },
    type: 'Opaque',
    data: Object.fromEntries(
      Object.entries(c.secrets).map(([key, value]) => [key, base64(value)]),
    ),
  };
  return {
    deployments: [deployment],
    replicasets: replicaSets,
    pods,
    configmaps: [configMap],
    secrets: [secret],
  };
}

/** Something else in every cluster, that the label selectors must leave out. */
function k8sIngressObjects(cluster) {
  const ns = 'ingress-nginx';
  const name = 'ingress-nginx-controller';
  const labels = {
    'app.kubernetes.io/name': 'ingress-nginx',
    'app.kubernetes.io/component': 'controller',
    'app.kubernetes.io/version': '1.11.3',
  };
  const image = 'registry.k8s.io/ingress-nginx/controller:v1.11.3';
  const digest = fakeDigest(image);
  return {
    deployments: [
      {
        metadata: {
          name,
          namespace: ns,
          uid: fakeUid(`${cluster}/deployment/${name}`),
          resourceVersion: '310442',
          generation: 2,
          creationTimestamp: '2026-06-02T08:00:00Z',
          labels,
        },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: 'controller', image }] },
          },
        },
        status: {
          observedGeneration: 2,
          replicas: 1,
          updatedReplicas: 1,
          readyReplicas: 1,
          availableReplicas: 1,
          conditions: [
            { type: 'Available', status: 'True' },
            {
              type: 'Progressing',
              status: 'True',
              reason: 'NewReplicaSetAvailable',
            },
          ],
        },
      },
    ],
    replicasets: [],
    pods: [
      {
        metadata: {
          name: `${name}-7d9f8c6b5d-x2kqv`,
          namespace: ns,
          uid: fakeUid(`${cluster}/pod/${name}`),
          resourceVersion: '310440',
          creationTimestamp: '2026-06-02T08:00:00Z',
          labels,
        },
        spec: { containers: [{ name: 'controller', image }] },
        status: {
          phase: 'Running',
          containerStatuses: [
            {
              name: 'controller',
              image,
              imageID: `${image.replace(/:[^:/]*$/, '')}@${digest}`,
              ready: true,
              started: true,
              restartCount: 0,
              state: { running: { startedAt: '2026-06-02T08:00:41Z' } },
            },
          ],
        },
      },
    ],
    configmaps: [],
    secrets: [],
  };
}

/**
 * The demo clusters: cluster → the shared fake API server
 * (@env-parity/fake-apis) holding every object of that cluster.
 */
function buildKubernetes(services) {
  const clusters = {};
  for (const cluster of Object.keys(K8S_CLUSTERS)) {
    const all = k8sIngressObjects(cluster);
    for (const [service, spec] of Object.entries(K8S_WORKLOADS)) {
      const annotated = services.get(service);
      if (!annotated?.[cluster]?.artifact || !annotated.production?.artifact) {
        continue; // examples/entities.yaml changed: leave the service out
      }
      const objects = k8sServiceObjects(service, spec, cluster, annotated);
      for (const [resource, items] of Object.entries(objects)) {
        all[resource].push(...items);
      }
    }
    all.statefulsets = [];
    all.daemonsets = [];
    const fake = FakeKubernetes.create({
      name: cluster,
      token: K8S_CLUSTERS[cluster],
      prefix: `${K8S_PREFIX}/${cluster}`,
      recordRequests: false,
    });
    for (const [resource, items] of Object.entries(all)) {
      const { group, kind } = K8S_RESOURCES[resource];
      fake.add(
        ...items.map(item => ({
          apiVersion: group ? `${group}/v1` : 'v1',
          kind,
          ...item,
        })),
      );
    }
    fake.add(...fluxObjects(cluster));
    clusters[cluster] = fake;
  }
  const sandbox = FakeKubernetes.create({
    name: K8S_SANDBOX,
    token: K8S_SANDBOX_TOKEN,
    prefix: `${K8S_PREFIX}/${K8S_SANDBOX}`,
    recordRequests: false,
    writable: true,
  });
  sandbox.sandbox.readyAfterMs = REPLICA_READY_MS;
  clusters[K8S_SANDBOX] = sandbox;
  return clusters;
}

/*
 * Flux on the demo clusters: shipping-service is delivered by a
 * Kustomization of its own repository (flux-system/shipping-service) and a
 * HelmRelease of its chart (shipping/shipping-service). Staging runs a
 * newer commit and chart, and its Helm values differ from production's:
 * replicaCount, log.level, featureFlags.newRates and the database password
 * (the Flux module shows the key names, never the values). Staging's
 * HelmRelease is still reconciling its upgrade.
 */
const FLUX_REPO = 'https://git.acme.example/acme/shipping-service.git';
const FLUX_SERVICE = {
  staging: {
    commit: '3b9e2f7c1d4a6e8f0b2c4d6e8f0a1b3c5d7e9f12',
    chart: '2.4.0',
    values: {
      replicaCount: 2,
      log: { level: 'debug' },
      featureFlags: { newRates: true },
      database: {
        host: 'db.shipping.internal',
        password: 'demo-staging-db-pw',
      },
    },
    ready: {
      status: 'Unknown',
      reason: 'Progressing',
      message: 'Running upgrade action for release shipping/shipping-service',
    },
  },
  production: {
    commit: '8a1c3e5f7b9d2f4a6c8e0b1d3f5a7c9e2b4d6f80',
    chart: '2.3.1',
    values: {
      replicaCount: 4,
      log: { level: 'info' },
      featureFlags: { newRates: false },
      database: {
        host: 'db.shipping.internal',
        password: 'demo-production-db-pw',
      },
    },
  },
};

function fluxObjects(cluster, now = new Date()) {
  const spec = FLUX_SERVICE[cluster];
  if (!spec) return [];
  // applied a while before the server started: staging 2 hours, production 3 days
  const at = k8sTime(
    shiftIso(now.toISOString(), -(cluster === 'staging' ? 2 : 72) * 3_600_000),
  );
  return [
    fluxGitRepository({
      namespace: 'flux-system',
      name: 'shipping-service',
      url: FLUX_REPO,
      commit: spec.commit,
      at,
    }),
    fluxKustomization({
      namespace: 'flux-system',
      name: 'shipping-service',
      source: { name: 'shipping-service' },
      path: './deploy',
      revision: `main@sha1:${spec.commit}`,
      at,
    }),
    fluxHelmRelease({
      namespace: 'shipping',
      name: 'shipping-service',
      chart: 'shipping-service',
      version: spec.chart,
      appVersion: spec.chart,
      source: { name: 'acme-charts', namespace: 'flux-system' },
      values: spec.values,
      ready: spec.ready,
      at,
    }),
  ];
}

/** The kinds of the demo's objects: resource → API group and kind. */
const K8S_RESOURCES = {
  deployments: { group: 'apps', kind: 'Deployment' },
  replicasets: { group: 'apps', kind: 'ReplicaSet' },
  statefulsets: { group: 'apps', kind: 'StatefulSet' },
  daemonsets: { group: 'apps', kind: 'DaemonSet' },
  pods: { group: '', kind: 'Pod' },
  configmaps: { group: '', kind: 'ConfigMap' },
  secrets: { group: '', kind: 'Secret' },
};

function k8sPageNotFound(res) {
  const text = '404 page not found\n';
  res.writeHead(404, {
    'content-type': 'text/plain; charset=utf-8',
    'x-content-type-options': 'nosniff',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The Argo CD Applications: instance → applications. */
function buildArgocd(services) {
  const instances = {};
  for (const instance of Object.keys(ARGOCD_INSTANCES)) {
    instances[instance] = [];
    const service = 'payments-api';
    const annotated = services.get(service)?.[instance];
    const spec = K8S_WORKLOADS[service]?.clusters[instance];
    if (!annotated || !spec) {
      continue;
    }
    const staging = instance === 'staging';
    const version = annotated.version;
    const image = `${splitArtifact(annotated.artifact).image.replace(
      /:[^:/]*$/,
      '',
    )}:${version}`;
    const syncedRevision = hash(
      'sha1',
      `shop-gitops/${service}/${instance}/${version}`,
    );
    const syncedAt = shiftIso(annotated['deployed-at'], 95e3);
    const values = [
      `replicaCount: ${spec.replicas}`,
      'image:',
      `  repository: ${image.replace(/:[^:/]*$/, '')}`,
      'resources:',
      '  requests:',
      '    cpu: 250m',
      '    memory: 256Mi',
      '  limits:',
      '    memory: 512Mi',
      'featureFlags:',
      `  instantRefunds: ${!staging}`,
      '  threeDs2Frictionless: true',
      'acquirer:',
      `  baseUrl: ${spec.config.ACQUIRER_BASE_URL}`,
      'database:',
      '  host: payments-db',
      '  name: payments',
      '  sslmode: verify-full',
      // DEMO ONLY: real charts take secrets from a secret store
      '  password: demo-only-db-password',
      '',
    ].join('\n');
    const source = {
      repoURL: GITOPS_REPO,
      path: `apps/${service}`,
      targetRevision: 'HEAD',
      helm: {
        valueFiles: [`values-${instance}.yaml`],
        parameters: [{ name: 'image.tag', value: version }],
        values,
      },
    };
    const destination = {
      server: 'https://kubernetes.default.svc',
      namespace: service,
    };
    const resource = (kind, name, group, status) => ({
      ...(group ? { group } : {}),
      version: 'v1',
      kind,
      namespace: service,
      name,
      status,
      ...(kind === 'Deployment' || kind === 'Service'
        ? { health: { status: 'Healthy' } }
        : {}),
    });
    instances[instance].push({
      metadata: {
        name: service,
        namespace: 'argocd',
        uid: fakeUid(`argocd/${instance}/${service}`),
        resourceVersion: staging ? '918273' : '554433',
        generation: staging ? 412 : 233,
        creationTimestamp: '2026-03-02T10:15:00Z',
        labels: { env: instance, team: K8S_WORKLOADS[service].team },
        annotations: {
          'notifications.argoproj.io/subscribe.on-sync-failed.slack':
            'payments-deploys',
        },
      },
      spec: {
        project: 'default',
        source,
        destination,
        syncPolicy: staging
          ? {
              // self-heal off: a hand edit stays until someone syncs
              automated: { prune: true, selfHeal: false },
              syncOptions: ['CreateNamespace=false'],
            }
          : { syncOptions: ['CreateNamespace=false'] },
      },
      status: {
        sync: {
          status: staging ? 'OutOfSync' : 'Synced',
          comparedTo: { source, destination },
          revision: syncedRevision,
        },
        health: { status: 'Healthy' },
        summary: { images: [image] },
        sourceType: 'Helm',
        reconciledAt: '2026-11-24T09:00:00Z',
        resources: [
          resource('ConfigMap', `${service}-config`, '', 'Synced'),
          // staging's Secret was edited by hand (sslmode=disable)
          resource(
            'Secret',
            `${service}-secrets`,
            '',
            staging ? 'OutOfSync' : 'Synced',
          ),
          resource('Service', service, '', 'Synced'),
          resource('Deployment', service, 'apps', 'Synced'),
        ],
        history: [
          {
            id: staging ? 41 : 22,
            revision: syncedRevision,
            deployedAt: syncedAt,
            deployStartedAt: shiftIso(syncedAt, -20e3),
            source,
          },
        ],
        operationState: {
          operation: {
            sync: { revision: syncedRevision, syncStrategy: { hook: {} } },
            initiatedBy: { username: 'alice' },
            retry: {},
          },
          phase: 'Succeeded',
          message: 'successfully synced (all tasks run)',
          syncResult: { revision: syncedRevision, source },
          startedAt: shiftIso(syncedAt, -20e3),
          finishedAt: syncedAt,
        },
      },
    });
  }
  // the shared fake Argo CD API server (@env-parity/fake-apis), one per instance
  return Object.fromEntries(
    Object.entries(instances).map(([instance, apps]) => [
      instance,
      FakeArgocd.create({
        basePath: `${ARGOCD_PREFIX}/${instance}`,
        token: ARGOCD_INSTANCES[instance],
        recordRequests: false,
      }).add(...apps),
    ]),
  );
}

/* ------------------------------------------------------------------------
 * Rollouts: what the fakes were asked to deploy becomes what the demo
 * environments answer (see the header).
 */

/** The version of an image reference's tag, e.g. `1.4.2` of `x/y:1.4.2@sha256:...`. */
function imageTag(reference) {
  const last = (reference || '').split('@')[0].split('/').pop() || '';
  const colon = last.lastIndexOf(':');
  return colon >= 0 ? last.slice(colon + 1) : undefined;
}

/**
 * What runs in a demo cluster after a rollout: every pod of the service
 * runs the artifact (when it pins a digest).
 */
function rollOutToCluster(kubernetes, service, environment, deployment) {
  const cluster = kubernetes[environment];
  const { image, digest } = splitArtifact(deployment.artifact);
  if (!cluster || !K8S_WORKLOADS[service] || !image || !digest) {
    return;
  }
  const repository = image.replace(/:[^:/]*$/, '');
  rollOutImage(cluster, {
    namespace: service,
    labels: { 'app.kubernetes.io/name': service },
    container: service,
    image: `${repository}:${deployment.version}`,
    imageID: `${repository}@${digest}`,
  });
}

/** Makes the fakes' rollouts change what /version answers and clusters run. */
function followRollouts(services, github, argocd, kubernetes) {
  github.onDeployment(rollout => {
    const [owner, service] = rollout.repository.split('/');
    const environments = services.get(service);
    const current = environments?.[rollout.environment];
    if (owner !== GITHUB_OWNER || !current) {
      return;
    }
    // the version and artifact the deployment names, else those of an
    // environment already running that commit
    const payload = rollout.payload || {};
    const running = Object.values(environments).find(
      d => d.revision === rollout.sha,
    );
    environments[rollout.environment] = {
      ...current,
      version: payload.version || running?.version || current.version,
      revision: rollout.sha,
      artifact: payload.artifact || running?.artifact || current.artifact,
      'deployed-at': new Date().toISOString(),
      'deployed-by': rollout.creator,
    };
    rollOutToCluster(
      kubernetes,
      service,
      rollout.environment,
      environments[rollout.environment],
    );
  });
  for (const [instance, fake] of Object.entries(argocd)) {
    fake.onRollout(rollout => {
      const current = services.get(rollout.name)?.[instance];
      const image = rollout.images[0];
      if (!current || !image) {
        return;
      }
      // the service's own commit is not the GitOps repository's: kept
      const digest = splitArtifact(image).digest;
      const repository = splitArtifact(current.artifact).image;
      services.get(rollout.name)[instance] = {
        ...current,
        version: imageTag(image) || current.version,
        artifact: digest
          ? `${repository.replace(/:[^:/]*$/, '')}:${
              imageTag(image) || current.version
            }@${digest}`
          : current.artifact,
        'deployed-at': new Date().toISOString(),
        'deployed-by': rollout.username,
      };
      rollOutToCluster(
        kubernetes,
        rollout.name,
        instance,
        services.get(rollout.name)[instance],
      );
    });
  }
}

/** Reads a POST's JSON body, answering 405 or 400 itself. */
function readJson(req, res, then) {
  if (req.method !== 'POST') {
    send(res, 405, { error: 'only POST' }, { allow: 'POST' });
    return;
  }
  const chunks = [];
  req.on('data', chunk => chunks.push(chunk));
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      send(res, 400, { error: 'the body must be JSON' });
      return;
    }
    then(body || {});
  });
}

/**
 * What the server started with, and a function putting one environment of
 * one service back to it (POST /demo/reset, see the header).
 */
function seedOf(services, github, kubernetes) {
  const copy = value => JSON.parse(JSON.stringify(value));
  const seeded = new Map(
    [...services].map(([name, environments]) => [name, copy(environments)]),
  );
  // the GitHub deployments made while building the demo: id → status count
  const statuses = new Map();
  for (const name of Object.keys(GITHUB_REPOS)) {
    for (const d of github.getRepo(`${GITHUB_OWNER}/${name}`)?.deployments ??
      []) {
      statuses.set(d.id, d.statuses.length);
    }
  }
  return (service, environment) => {
    const seed = seeded.get(service)?.[environment];
    if (!seed) {
      return undefined;
    }
    services.get(service)[environment] = copy(seed);
    const repo = github.getRepo(`${GITHUB_OWNER}/${service}`);
    if (repo) {
      const kept = repo.deployments.filter(
        d => d.environment !== environment || statuses.has(d.id),
      );
      repo.deployments.splice(0, repo.deployments.length, ...kept);
      for (const d of repo.deployments) {
        if (d.environment === environment) {
          d.statuses.splice(statuses.get(d.id));
        }
      }
    }
    const cluster = kubernetes[environment];
    if (cluster && K8S_WORKLOADS[service]) {
      // the seeded objects again, replacing the rolled-out ones by name
      const objects = k8sServiceObjects(
        service,
        K8S_WORKLOADS[service],
        environment,
        services.get(service),
      );
      for (const [resource, items] of Object.entries(objects)) {
        const { group, kind } = K8S_RESOURCES[resource];
        cluster.add(
          ...items.map(item => ({
            apiVersion: group ? `${group}/v1` : 'v1',
            kind,
            ...item,
          })),
        );
      }
    }
    return seed;
  };
}

/** POST /demo/reset: one environment as the server started (see the header). */
function postReset(reset, req, res) {
  readJson(req, res, ({ service, environment }) => {
    if (typeof service !== 'string' || typeof environment !== 'string') {
      send(res, 400, {
        error: 'expected {"service": "<name>", "environment": "<env>"}',
      });
      return;
    }
    const seed = reset(service, environment);
    if (!seed) {
      send(res, 404, {
        error: `no demo environment ${service} ${environment}`,
      });
      return;
    }
    send(res, 200, {
      service,
      environment,
      version: seed.version,
      revision: seed.revision,
    });
  });
}

/** POST /demo/builds: a new build deployed to an environment (see the header). */
function postBuild(services, github, req, res) {
  readJson(req, res, body => {
    const { service, environment = 'production', version } = body;
    if (
      typeof service !== 'string' ||
      typeof environment !== 'string' ||
      typeof version !== 'string' ||
      !/^\d+(\.\d+)+([-+][0-9A-Za-z.+-]+)?$/.test(version)
    ) {
      send(res, 400, {
        error:
          'expected {"service": "<name>", "environment": "production", "version": "x.y.z"}',
      });
      return;
    }
    const repo = github.getRepo(`${GITHUB_OWNER}/${service}`);
    const current = services.get(service)?.[environment];
    if (!repo || !current) {
      send(res, 404, {
        error: `no demo repository or environment for ${service} ${environment}`,
      });
      return;
    }
    if (repo.tags.has(`v${version}`)) {
      send(res, 409, { error: `${service} ${version} exists already` });
      return;
    }
    const parent = repo.resolve(current.revision || 'main');
    const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const revision = repo.commit(`Release ${version}`, {
      branch: `release/${version}`,
      ...(parent ? { parents: [parent.sha] } : {}),
      author: null,
      authorName: RELEASE_BOT,
      date: at,
      tag: `v${version}`,
    });
    const image = (splitArtifact(current.artifact).image || '').replace(
      /:[^:/]*$/,
      '',
    );
    const artifact = `${image}:${version}@sha256:${hash(
      'sha256',
      `${service}:${version}`,
    )}`;
    github.rollOutDeployment(repo, {
      sha: revision,
      ref: `v${version}`,
      environment,
      payload: { version, artifact },
    });
    send(res, 201, { service, environment, version, revision, artifact });
  });
}

/** Serves one fake Argo CD; `path` is what follows /argocd/<instance>. */
function createServer(
  services,
  github = buildGithub(services),
  kubernetes = buildKubernetes(services),
  argocd = buildArgocd(services),
  gitlab = buildGitlab(),
) {
  followRollouts(services, github, argocd, kubernetes);
  const reset = seedOf(services, github, kubernetes);
  return http.createServer((req, res) => {
    const url = new URL(req.url || '/', `http://${HOST}`);
    if (url.pathname === '/demo/builds') {
      postBuild(services, github, req, res);
      return;
    }
    if (url.pathname === '/demo/reset') {
      postReset(reset, req, res);
      return;
    }
    const k8s = /^\/k8s\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (k8s) {
      const cluster = kubernetes[k8s[1]];
      if (!cluster || !cluster.handle(req, res)) {
        k8sPageNotFound(res);
      }
      return;
    }
    const cd = /^\/argocd\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (cd) {
      const instance = argocd[cd[1]];
      if (!instance || !instance.handle(req, res)) {
        send(res, 404, { error: 'Not Found', code: 5, message: 'Not Found' });
      }
      return;
    }
    if (github.handle(req, res) || gitlab.handle(req, res)) {
      return;
    }
    const [service, env, endpoint = '', ...rest] = url.pathname
      .split('/')
      .filter(Boolean);
    const annotated = services.get(service)?.[env];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, { error: 'only GET and HEAD' }, { allow: 'GET, HEAD' });
      return;
    }
    const apiConfig = endpoint === 'api' && rest.join('/') === 'config';
    if (
      !annotated ||
      (rest.length > 0 && !apiConfig) ||
      (endpoint === 'api' && !apiConfig)
    ) {
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
      case 'api':
        // only api/config (see the check above)
        send(res, 200, configBody(service, env, annotated));
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
    console.log(
      `demo environments: a fake GitHub (${GITHUB_HOST}) for ${Object.keys(
        GITHUB_REPOS,
      )
        .map(name => `${GITHUB_OWNER}/${name}`)
        .join(', ')} on http://${HOST}:${PORT}${GITHUB_PREFIX}`,
    );
    console.log(
      `demo environments: a fake GitLab (${GITLAB_HOST}) for ${GITLAB_PROJECT} on http://${HOST}:${PORT}${GITLAB_PREFIX}`,
    );
    console.log(
      `demo environments: fake Kubernetes clusters (${[
        ...Object.keys(K8S_CLUSTERS),
        K8S_SANDBOX,
      ].join(', ')}) on http://${HOST}:${PORT}${K8S_PREFIX}/<cluster> and ` +
        `fake Argo CD instances on http://${HOST}:${PORT}${ARGOCD_PREFIX}/<instance> ` +
        `(${Object.keys(K8S_WORKLOADS).join(', ')})`,
    );
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

module.exports = {
  readServices,
  createServer,
  followRollouts,
  versionBody,
  buildGithub,
  buildGitlab,
  buildKubernetes,
  buildArgocd,
};

import { JsonObject, JsonValue } from '@backstage/types';
import {
  Deployment,
  parseArtifact,
} from '@env-parity/plugin-env-parity-common';

/**
 * Dot paths tried for each field, in order, after any configured one.
 * Documented in the README; keep them in sync.
 */
export const DEFAULT_FIELD_PATHS = {
  version: ['version', 'build.version', 'app.version'],
  revision: ['revision', 'commit', 'git.commit.id', 'git.commit', 'sha'],
  artifact: ['artifact', 'image'],
  deployedAt: ['deployedAt', 'deployed_at', 'buildTime', 'build.time'],
} as const;

/** Configured dot paths tried before the built-in ones. */
export interface FieldPaths {
  version?: string;
  revision?: string;
  artifact?: string;
  deployedAt?: string;
}

type Field = keyof typeof DEFAULT_FIELD_PATHS;

const REVISION = /^[0-9a-f]{7,40}$/i;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const TIMESTAMP =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A value for an error message, short: responses are not echoed at length. */
function shown(value: JsonValue): string {
  const text = JSON.stringify(value);
  return text.length > 50 ? `${text.slice(0, 50)}…` : text;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a dot path: nested objects first (`git.commit.id` in
 * `{git: {commit: {id}}}`), then a flat key holding the whole path
 * (`{"git.commit.id": ...}`, as flattened properties are served).
 */
export function readPath(
  body: JsonObject,
  path: string,
): JsonValue | undefined {
  let current: JsonValue | undefined = body;
  for (const part of path.split('.')) {
    current = isObject(current) ? current[part] : undefined;
  }
  if (current !== undefined && current !== null) {
    return current;
  }
  const flat = body[path];
  return flat === null ? undefined : flat;
}

/** A revision may be a string, or Spring Boot's `{abbrev, full}` object. */
function revisionValue(value: JsonValue): JsonValue | undefined {
  if (isObject(value)) {
    return value.full ?? value.id ?? value.sha ?? value.abbrev ?? undefined;
  }
  return value;
}

function find(
  body: JsonObject,
  field: Field,
  configured: string | undefined,
): { path: string; value: JsonValue } | undefined {
  const paths = [
    ...(configured ? [configured] : []),
    ...DEFAULT_FIELD_PATHS[field],
  ];
  for (const path of paths) {
    let value = readPath(body, path);
    if (value !== undefined && field === 'revision') {
      value = revisionValue(value);
    }
    if (value === undefined || value === null || value === '') {
      continue;
    }
    // `git.commit` is an object in Spring Boot's shapes: only a string counts
    if (isObject(value) || Array.isArray(value)) {
      continue;
    }
    return { path, value };
  }
  return undefined;
}

function toIso(value: JsonValue, path: string): string {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    // epoch seconds (what most build tools write) or milliseconds
    return new Date(value < 1e11 ? value * 1000 : value).toISOString();
  }
  if (
    typeof value === 'string' &&
    TIMESTAMP.test(value.trim()) &&
    !Number.isNaN(Date.parse(value))
  ) {
    return new Date(value).toISOString();
  }
  throw new Error(
    `field ${path} is ${shown(
      value,
    )}, not an ISO 8601 timestamp with a time zone or epoch seconds`,
  );
}

/**
 * Extracts what a version endpoint says is deployed. Throws an `Error`
 * naming the field when a value is unusable or no version is found.
 */
export function extractDeployment(
  body: JsonValue,
  fieldPaths: FieldPaths = {},
  configKey = 'envParity.http',
): Deployment {
  if (!isObject(body)) {
    throw new Error(
      `the response is JSON but not an object (${
        Array.isArray(body) ? 'an array' : typeof body
      })`,
    );
  }
  const deployment: Deployment = {};

  const version = find(body, 'version', fieldPaths.version);
  if (!version) {
    const looked = [
      ...(fieldPaths.version ? [fieldPaths.version] : []),
      ...DEFAULT_FIELD_PATHS.version,
    ];
    throw new Error(
      `the response has no version: looked for ${looked.join(
        ', ',
      )}; set ${configKey}.fieldPaths.version for another field`,
    );
  }
  if (typeof version.value !== 'string' && typeof version.value !== 'number') {
    throw new Error(`field ${version.path} is not a string`);
  }
  const versionText = String(version.value).trim();
  if (versionText.length > 200) {
    throw new Error(`field ${version.path} is longer than 200 characters`);
  }
  deployment.version = versionText;

  const revision = find(body, 'revision', fieldPaths.revision);
  if (revision) {
    const text = String(revision.value).trim();
    if (!REVISION.test(text)) {
      throw new Error(
        `field ${revision.path} is ${shown(
          revision.value,
        )}, not a git commit SHA (7 to 40 hexadecimal characters)`,
      );
    }
    deployment.revision = text.toLowerCase();
  }

  const artifact = find(body, 'artifact', fieldPaths.artifact);
  if (artifact) {
    let text = String(artifact.value).trim();
    const digest = readPath(body, 'digest');
    if (
      !text.includes('@') &&
      typeof digest === 'string' &&
      DIGEST.test(digest)
    ) {
      text = `${text}@${digest}`;
    }
    try {
      parseArtifact(text);
    } catch (error) {
      throw new Error(`field ${artifact.path}: ${(error as Error).message}`);
    }
    deployment.artifact = text;
  }

  const deployedAt = find(body, 'deployedAt', fieldPaths.deployedAt);
  if (deployedAt) {
    deployment.deployedAt = toIso(deployedAt.value, deployedAt.path);
  }
  return deployment;
}

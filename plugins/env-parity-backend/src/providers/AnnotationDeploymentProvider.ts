import { Entity } from '@backstage/catalog-model';
import {
  Deployment,
  ENV_PARITY_ANNOTATION_PREFIX,
  ENVIRONMENT_ANNOTATION_FIELDS,
  parseArtifact,
  parseEnvironmentAnnotation,
} from '@env-parity/plugin-env-parity-common';
import {
  DeploymentProvider,
  ObserveRequest,
  ProviderObservation,
} from '@env-parity/plugin-env-parity-node';

const REVISION = /^[0-9a-f]{7,40}$/i;
// ISO 8601 date-time with a zone, the form CI tools write
const TIMESTAMP =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

type Field = (typeof ENVIRONMENT_ANNOTATION_FIELDS)[number];

function checkValue(field: Field, value: string): string | undefined {
  switch (field) {
    case 'revision':
      return REVISION.test(value)
        ? undefined
        : 'is not a git commit SHA (7 to 40 hexadecimal characters)';
    case 'artifact':
      try {
        parseArtifact(value);
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    case 'deployed-at':
      return TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value))
        ? undefined
        : 'is not an ISO 8601 timestamp with a time zone, e.g. 2026-11-27T14:05:00Z';
    case 'url':
    case 'version-url':
      try {
        const url = new URL(value);
        return url.protocol === 'http:' || url.protocol === 'https:'
          ? undefined
          : 'must be an http or https URL';
      } catch {
        return 'is not a URL';
      }
    default:
      return value.length > 200 ? 'is longer than 200 characters' : undefined;
  }
}

// version-url is for the HTTP provider: checked here, not a deployment field
const FIELD_TO_DEPLOYMENT: Record<Field, keyof Deployment | undefined> = {
  version: 'version',
  revision: 'revision',
  artifact: 'artifact',
  'deployed-at': 'deployedAt',
  'deployed-by': 'deployedBy',
  url: 'url',
  'version-url': undefined,
};

/**
 * Reads what a CI pipeline wrote into the entity's annotations on each
 * deploy: `env-parity/<environment>.<field>`.
 */
export class AnnotationDeploymentProvider implements DeploymentProvider {
  readonly precedence = 0;

  getProviderName() {
    return 'annotations';
  }

  supports(entity: Entity): boolean {
    return Object.keys(entity.metadata.annotations ?? {}).some(key =>
      key.startsWith(ENV_PARITY_ANNOTATION_PREFIX),
    );
  }

  async observe({
    entity,
    environments,
  }: ObserveRequest): Promise<ProviderObservation[]> {
    const known = new Set(environments.map(e => e.name));
    const deployments = new Map<string, Deployment>();
    const problems = new Map<string, string[]>();
    const problem = (environment: string, text: string) =>
      problems.set(environment, [...(problems.get(environment) ?? []), text]);

    for (const [key, raw] of Object.entries(
      entity.metadata.annotations ?? {},
    )) {
      const parsed = parseEnvironmentAnnotation(key);
      if (!parsed) {
        continue;
      }
      const { environment, field } = parsed;
      if (
        !(ENVIRONMENT_ANNOTATION_FIELDS as readonly string[]).includes(field)
      ) {
        problem(
          environment,
          `Annotation ${key}: unknown field "${field}" (expected one of ${ENVIRONMENT_ANNOTATION_FIELDS.join(
            ', ',
          )})`,
        );
        continue;
      }
      if (!known.has(environment)) {
        problem(
          environment,
          `Annotation ${key} names environment "${environment}", which is not configured (configured: ${[
            ...known,
          ].join(', ')})`,
        );
        continue;
      }
      const value = raw.trim();
      if (!value) {
        continue;
      }
      const invalid = checkValue(field as Field, value);
      if (invalid) {
        problem(environment, `Annotation ${key}: "${value}" ${invalid}`);
        continue;
      }
      const target = FIELD_TO_DEPLOYMENT[field as Field];
      if (!target) {
        continue;
      }
      const deployment = deployments.get(environment) ?? {};
      (deployment as Record<string, string>)[target] =
        target === 'deployedAt' ? new Date(value).toISOString() : value;
      deployments.set(environment, deployment);
    }

    const names = new Set([...deployments.keys(), ...problems.keys()]);
    return [...names].map(environment =>
      problems.has(environment)
        ? { environment, error: problems.get(environment)!.join('; ') }
        : { environment, deployment: deployments.get(environment)! },
    );
  }
}

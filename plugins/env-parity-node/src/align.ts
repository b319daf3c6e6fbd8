import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  AlignmentTarget,
  EnvironmentDefinition,
} from '@env-parity/plugin-env-parity-common';

/**
 * What a deployer is asked to deploy: production's deployment, to one
 * environment of one service, on behalf of the requester, once approved.
 *
 * @public
 */
export interface AlignmentDeployRequest {
  /** The alignment's id (a UUID). */
  alignmentId: string;
  /** e.g. `component:default/checkout-web`. */
  entityRef: string;
  /** The environment to deploy to. */
  environment: string;
  /** Production's version, revision and artifact as last observed. */
  target: AlignmentTarget;
  /** User entity ref of whoever asked. */
  requester: string;
}

/**
 * What a deployer knows while it describes or dispatches an alignment.
 *
 * @public
 */
export interface AlignmentDeployerContext {
  /** The service, as the catalog has it. */
  entity: Entity;
  /** The environment to deploy to. */
  environment: EnvironmentDefinition;
  target: AlignmentTarget;
}

/**
 * What a deployer will do, shown before anyone asks for it.
 *
 * @public
 */
export interface AlignmentDeployerDescription {
  /** One sentence, e.g. "Sends a signed request to hooks.example.com". */
  summary: string;
  /**
   * Which configuration keys the deployment carries along with the
   * artifact: `all`, or the key names; `[]` when it carries none, so every
   * configuration drift remains after alignment.
   */
  carriesConfig: 'all' | string[];
}

/**
 * What a deployer answers when it accepted a deployment.
 *
 * @public
 */
export interface AlignmentDispatchResult {
  /** Where the deployment can be followed, e.g. a deployment id or URL. */
  reference?: string;
  /** One line for the alignment's timeline. */
  message: string;
}

/**
 * Deploys production's artifact to another environment: through Argo CD,
 * a GitHub deployment, a webhook, or anything else a module adds.
 *
 * `dispatch` is called at most once per alignment, by the one backend
 * replica whose conditional write moved the alignment to `dispatched`; it
 * passes the alignment id as `idempotencyKey` so the delivery system can
 * ignore a repeat of its own. It succeeds once the delivery system has
 * accepted the deployment; whether it happened is then verified by
 * observation. It fails by throwing an error of `@backstage/errors`
 * (`AuthenticationError`, `NotAllowedError`, `NotFoundError`, `InputError`,
 * `ServiceUnavailableError`, ...) whose message says why; the message is
 * shown to users, so it must carry no secret.
 *
 * @public
 */
export interface EnvParityDeployer {
  /** Unique among deployers, e.g. `webhook`; named by `envParity.align.environments.<env>.deployer`. */
  readonly id: string;
  /** What it will deploy and which configuration it carries; no I/O needed. */
  describe(
    context: AlignmentDeployerContext,
  ): Promise<AlignmentDeployerDescription>;
  /** Asks the delivery system to deploy; see the interface's documentation. */
  dispatch(
    request: AlignmentDeployRequest,
    options: {
      idempotencyKey: string;
      signal: AbortSignal;
      context: AlignmentDeployerContext;
    },
  ): Promise<AlignmentDispatchResult>;
}

/**
 * Lets backend modules add deployers for alignments.
 *
 * @public
 */
export interface EnvParityDeployersExtensionPoint {
  /** Adds deployers; an id already registered is refused with an error. */
  addDeployer(...deployers: EnvParityDeployer[]): void;
}

/**
 * The extension point for alignment deployers.
 *
 * @example
 * ```ts
 * createBackendModule({
 *   pluginId: 'env-parity',
 *   moduleId: 'my-deployer',
 *   register(reg) {
 *     reg.registerInit({
 *       deps: { deployers: envParityDeployersExtensionPoint },
 *       async init({ deployers }) {
 *         deployers.addDeployer(new MyDeployer());
 *       },
 *     });
 *   },
 * });
 * ```
 *
 * @public
 */
export const envParityDeployersExtensionPoint =
  createExtensionPoint<EnvParityDeployersExtensionPoint>({
    id: 'env-parity.deployers',
  });

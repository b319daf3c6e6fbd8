import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { AccessRequest } from '@env-parity/plugin-env-parity-common';

/**
 * What a provisioner gets besides the request itself.
 *
 * @public
 */
export interface AccessProvisionerContext {
  /** The service, read with the plugin's own credentials; absent if it left the catalog. */
  entity?: Entity;
  /** The requester's user entity, when the catalog has it. */
  user?: Entity;
  /** What an earlier `grant` of this request returned, for `revoke`. */
  grantMetadata?: Record<string, string>;
  /** The current time, as the plugin sees it (tests use a fake clock). */
  now: Date;
}

/**
 * What a successful grant may return.
 *
 * @public
 */
export interface AccessGrantResult {
  /**
   * Facts about the grant, stored with the request, passed back to `revoke`
   * and available to instruction templates as `{{ grant.<key> }}`
   * (for example the Kubernetes namespace and RoleBinding name).
   */
  metadata?: Record<string, string>;
  /** How to use the access; replaces the configured instruction template. */
  instructions?: string;
}

/**
 * Carries out temporary access in the system that enforces it: a cluster,
 * a cloud account, an identity provider, or nothing at all when the portal is
 * the system of record.
 *
 * Both calls must be idempotent: they can be repeated after a crash, by a
 * retry, or by two backend replicas at once. Throw to report a failure; the
 * request becomes `provisioning-failed` and the call is retried with backoff.
 *
 * @public
 */
export interface AccessProvisioner {
  /** A stable, unique name, chosen with `envParity.access.provisioner` and stored with each request. */
  readonly name: string;
  /**
   * Rejects a request this provisioner could never carry out (for example
   * a service without a namespace) before anything is stored. Throw an
   * `InputError` with a message for the requester.
   */
  validate?(
    request: AccessRequest,
    context: AccessProvisionerContext,
  ): Promise<void>;
  /** Grants read-only access until `request.expiresAt`. */
  grant(
    request: AccessRequest,
    context: AccessProvisionerContext,
  ): Promise<AccessGrantResult | void>;
  /** Takes the access away. Revoking something that is not there succeeds. */
  revoke(
    request: AccessRequest,
    context: AccessProvisionerContext,
  ): Promise<void>;
  /**
   * Called by every sweep to repair drift: remove anything this provisioner
   * created that has expired, or whose request `isFinal` says is over.
   */
  reconcile?(options: {
    now: Date;
    isFinal(requestIds: string[]): Promise<Set<string>>;
  }): Promise<void>;
}

/**
 * Lets backend modules add access provisioners to the env-parity plugin.
 *
 * @public
 */
export interface EnvParityAccessProvisionersExtensionPoint {
  addProvisioner(...provisioners: AccessProvisioner[]): void;
}

/**
 * The extension point for access provisioners. The one named by
 * `envParity.access.provisioner` is used; `record-only`, `webhook` and
 * `kubernetes` are built in.
 *
 * @example
 * ```ts
 * createBackendModule({
 *   pluginId: 'env-parity',
 *   moduleId: 'my-provisioner',
 *   register(reg) {
 *     reg.registerInit({
 *       deps: { access: envParityAccessProvisionersExtensionPoint },
 *       async init({ access }) {
 *         access.addProvisioner(new MyProvisioner());
 *       },
 *     });
 *   },
 * });
 * ```
 *
 * @public
 */
export const envParityAccessProvisionersExtensionPoint =
  createExtensionPoint<EnvParityAccessProvisionersExtensionPoint>({
    id: 'env-parity.access-provisioners',
  });

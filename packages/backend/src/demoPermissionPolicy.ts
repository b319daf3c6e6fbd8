/*
 * DEMO ONLY: a permission policy that allows everything, except that the demo
 * user "dana" (an outside contractor) may not use Env Parity at all, so the
 * demo can show what a user without the permissions sees. A real app writes
 * its own policy; see https://backstage.io/docs/permissions/writing-a-policy
 */
import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';

const RESTRICTED_USERS = ['user:default/dana'];

/** Allows everything, but Env Parity to the restricted demo users. */
export class DemoPermissionPolicy implements PermissionPolicy {
  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const principal = user?.credentials.principal as
      | { userEntityRef?: string }
      | undefined;
    if (
      request.permission.name.startsWith('env-parity.') &&
      RESTRICTED_USERS.includes(principal?.userEntityRef ?? '')
    ) {
      return { result: AuthorizeResult.DENY };
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'env-parity-demo-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new DemoPermissionPolicy());
      },
    });
  },
});

import { mockCredentials } from '@backstage/backend-test-utils';
import { ActionContext } from '@backstage/plugin-scaffolder-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';

export const GUEST = 'user:default/guest';

/** A mock action context whose initiator is `user` (guest by default). */
export function actionContext(
  input: Record<string, unknown>,
  user: string = GUEST,
): ActionContext<any, any> {
  return {
    ...createMockActionContext<any>({ input, user: { ref: user } }),
    // not among the options createMockActionContext takes
    getInitiatorCredentials: async () => mockCredentials.user(user),
  };
}

/** The last value of every output the action set. */
export function outputsOf(ctx: ActionContext<any, any>): Record<string, any> {
  return Object.fromEntries((ctx.output as jest.Mock).mock.calls);
}

import {
  AuditorService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { envParityAccessCreatePermission } from '@env-parity/plugin-env-parity-common';
import { AccessService } from '../access';
import { accessCallerFor } from '../access/caller';
import { audited } from '../http';
import { ParityLinks } from './links';

/**
 * `request-production-access`: asks for temporary read-only access to an
 * environment of a service, exactly as `POST /access/requests` does (the
 * same permission check, validation, limits, approver resolution,
 * notifications and audit, all in `AccessService.create`). It only ever
 * creates a pending request for the environment's approvers: break-glass is
 * not offered, and nothing is granted until someone else approves.
 */
export function registerAccessRequestAction(options: {
  actionsRegistry: ActionsRegistryService;
  auditor: AuditorService;
  permissions: PermissionsService;
  access: Pick<AccessService, 'create'>;
  links: ParityLinks;
}) {
  const { auditor, permissions, access, links } = options;
  options.actionsRegistry.register({
    name: 'request-production-access',
    title: 'Request temporary read-only production access',
    description: [
      "Asks for temporary read-only access to a service's production (or another environment), for the signed-in user,",
      'with a reason (why the access is needed) and how long it should last.',
      "This only creates a pending request: the environment's owners review it in Backstage, and access starts only once one of them approves it.",
      'It never approves anything. The answer says who may approve and links to the request.',
    ].join(' '),
    visibilityPermission: envParityAccessCreatePermission,
    // creates a record each call; grants nothing by itself
    attributes: { readOnly: false, destructive: false, idempotent: false },
    schema: {
      input: z =>
        z.object({
          entityRef: z
            .string()
            .min(1)
            .max(300)
            .describe(
              'The service, e.g. component:default/payments-api; a bare name means a Component in the default namespace',
            ),
          environment: z
            .string()
            .max(100)
            .optional()
            .describe('Default: the reference environment (production)'),
          reason: z
            .string()
            .min(1)
            .max(2000)
            .describe(
              'Why the access is needed, for the approvers, e.g. the incident being investigated',
            ),
          durationMinutes: z
            .number()
            .int()
            .min(1)
            .describe(
              'How long the access lasts once approved; the configured maximum applies',
            ),
          ticket: z
            .string()
            .max(255)
            .optional()
            .describe('Ticket or incident reference, e.g. INC-1234'),
        }),
      output: z =>
        z.object({
          id: z.string(),
          status: z
            .string()
            .describe(
              'pending: waiting for an approver; nothing is granted yet',
            ),
          entityRef: z.string(),
          environment: z.string(),
          requester: z.string(),
          approverRef: z
            .string()
            .describe('The user or group whose members may approve'),
          requiredApprovals: z.number(),
          durationMinutes: z.number(),
          reviewDeadline: z
            .string()
            .describe('A request not decided by then times out'),
          url: z.string().describe('The request on the Parity tab'),
        }),
    },
    examples: [
      {
        title: 'Thirty minutes of read-only access to production',
        input: {
          entityRef: 'component:default/payments-api',
          reason:
            'Checkout fails for EU customers; is it broken in production too?',
          durationMinutes: 30,
        },
      },
    ],
    action: async ({ input, credentials }) => {
      const principal = credentials.principal as { userEntityRef?: string };
      const request = await audited(
        auditor,
        {
          eventId: 'access-request',
          severityLevel: 'medium',
          meta: {
            action: 'create',
            via: 'action',
            ...(principal.userEntityRef && { actor: principal.userEntityRef }),
          },
        },
        async meta => {
          // the route's own check: `POST /access/requests`
          const caller = await accessCallerFor({
            permissions,
            credentials,
            needs: ['create'],
            action: 'request access',
          });
          const created = await access.create(caller, {
            entityRef: input.entityRef,
            environment: input.environment,
            reason: input.reason,
            durationMinutes: input.durationMinutes,
            ticket: input.ticket,
            // never: break-glass access starts without review
            breakGlass: false,
          });
          meta.requestId = created.id;
          return created;
        },
      );
      return {
        output: {
          id: request.id,
          status: request.status,
          entityRef: request.entityRef,
          environment: request.environment,
          requester: request.requester,
          approverRef: request.approverRef,
          requiredApprovals: request.requiredApprovals,
          durationMinutes: request.durationMinutes,
          reviewDeadline: request.reviewDeadline,
          url: `${links.parityTab(request.entityRef)}?accessRequest=${
            request.id
          }`,
        },
      };
    },
  });
}

import { TemplateExample } from '@backstage/plugin-scaffolder-node';

export const createReplicaExamples: TemplateExample[] = [
  {
    description:
      'A replica of production for two hours, waiting until it is ready',
    example: `steps:
  - id: replica
    name: Launch a production replica
    action: env-parity:replica:create
    input:
      entityRef: \${{ parameters.entityRef }}
      reason: \${{ parameters.reason }}
      lifetimeMinutes: 120
`,
  },
  {
    description:
      'Production plus my change: one workload runs another build of its repository',
    example: `steps:
  - id: replica
    name: Launch production with my build
    action: env-parity:replica:create
    input:
      entityRef: component:default/payments-api
      reason: Check release 1.5.0 against production's data shape
      override:
        workload: payments-api
        image: "1.5.0"
      timeoutMinutes: 20
`,
  },
  {
    description: 'Launch without waiting; the step outputs status creating',
    example: `steps:
  - id: replica
    name: Launch a production replica
    action: env-parity:replica:create
    input:
      entityRef: component:default/payments-api
      reason: Reproduce a support ticket
      waitUntilReady: false
`,
  },
];

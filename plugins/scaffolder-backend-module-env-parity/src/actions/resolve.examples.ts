import { TemplateExample } from '@backstage/plugin-scaffolder-node';

export const resolveExamples: TemplateExample[] = [
  {
    description: 'What production (the reference environment) runs',
    example: `steps:
  - id: resolve
    name: Resolve production
    action: env-parity:resolve
    input:
      entityRef: \${{ parameters.entityRef }}
`,
  },
  {
    description: 'What staging runs, and its verdict against production',
    example: `steps:
  - id: staging
    name: Resolve staging
    action: env-parity:resolve
    input:
      entityRef: component:default/payments-api
      environment: staging
  - id: log
    name: Show it
    action: debug:log
    input:
      message: >-
        staging runs \${{ steps.staging.output.artifact }}
        (\${{ steps.staging.output.verdict }} against production)
`,
  },
];

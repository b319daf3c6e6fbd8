import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';

// A minimal backend for working on the plugin alone: `yarn start` here, then
//   curl http://localhost:7007/api/env-parity/entities/component/default/sample
const backend = createBackend();

backend.add(mockServices.auth.factory());
backend.add(mockServices.httpAuth.factory());
backend.add(
  catalogServiceMock.factory({
    entities: [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: 'sample',
          annotations: {
            'env-parity/staging.version': '1.5.0',
            'env-parity/staging.revision':
              'aa11bb22cc33dd44ee55ff6677889900aabbccdd',
            'env-parity/production.version': '1.4.2',
            'env-parity/production.revision':
              'abc1234def5678901234567890abcdef12345678',
          },
        },
        spec: { type: 'service', owner: 'guests', lifecycle: 'production' },
      },
    ],
  }),
);
backend.add(import('../src'));

backend.start();

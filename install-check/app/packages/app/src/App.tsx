// The new frontend system, as the README's install section shows it.
import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import orgPlugin from '@backstage/plugin-org/alpha';
import envParityPlugin from '@env-parity/plugin-env-parity';

export default createApp({
  features: [catalogPlugin, orgPlugin, envParityPlugin],
});

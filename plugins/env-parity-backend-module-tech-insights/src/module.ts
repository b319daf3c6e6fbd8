import { createBackendModule } from '@backstage/backend-plugin-api';
import { techInsightsFactRetrieversExtensionPoint } from '@backstage-community/plugin-tech-insights-node';
import {
  createEnvParityFactRetriever,
  ENV_PARITY_FACT_RETRIEVER_ID,
} from './EnvParityFactRetriever';

/**
 * Adds the env-parity fact retriever (`envParityFactRetriever`) to Tech
 * Insights. Schedule it under `techInsights.factRetrievers.envParityFactRetriever`.
 *
 * @public
 */
export const techInsightsModuleEnvParity = createBackendModule({
  pluginId: 'tech-insights',
  moduleId: 'env-parity',
  register(reg) {
    reg.registerInit({
      deps: { providers: techInsightsFactRetrieversExtensionPoint },
      async init({ providers }) {
        providers.addFactRetrievers({
          [ENV_PARITY_FACT_RETRIEVER_ID]: createEnvParityFactRetriever(),
        });
      },
    });
  },
});

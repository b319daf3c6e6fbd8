/**
 * Env parity facts (parity score, verdict, drift age, commits behind) for
 * Backstage Tech Insights: a backend module for the tech-insights plugin.
 *
 * @packageDocumentation
 */

export { techInsightsModuleEnvParity as default } from './module';
export { techInsightsModuleEnvParity } from './module';
export {
  createEnvParityFactRetriever,
  ENV_PARITY_FACT_RETRIEVER_ID,
} from './EnvParityFactRetriever';
export type {
  EnvParityFactRetrieverOptions,
  EnvParityFacts,
} from './EnvParityFactRetriever';

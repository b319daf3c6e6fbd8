import { startTestBackend } from '@backstage/backend-test-utils';
import { techInsightsFactRetrieversExtensionPoint } from '@backstage-community/plugin-tech-insights-node';
import techInsightsModuleEnvParity from '.';

describe('techInsightsModuleEnvParity', () => {
  it('adds the env-parity fact retriever to Tech Insights', async () => {
    const addFactRetrievers = jest.fn();
    await startTestBackend({
      extensionPoints: [
        [techInsightsFactRetrieversExtensionPoint, { addFactRetrievers }],
      ],
      features: [techInsightsModuleEnvParity],
    });
    expect(addFactRetrievers).toHaveBeenCalledTimes(1);
    const retrievers = addFactRetrievers.mock.calls[0][0];
    expect(Object.keys(retrievers)).toEqual(['envParityFactRetriever']);
    expect(retrievers.envParityFactRetriever).toMatchObject({
      id: 'envParityFactRetriever',
      version: '0.3.0',
      entityFilter: [{ kind: ['component'] }],
    });
  });
});

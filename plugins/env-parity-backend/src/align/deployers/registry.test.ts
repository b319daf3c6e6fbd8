import { EnvParityDeployer } from '@env-parity/plugin-env-parity-node';
import { createDeployersExtension } from './registry';

const deployer = (id: string): EnvParityDeployer => ({
  id,
  describe: async () => ({ summary: id, carriesConfig: [] }),
  dispatch: async () => ({ message: 'ok' }),
});

describe('createDeployersExtension', () => {
  it('collects deployers and refuses an id registered twice', () => {
    const { deployers, extensionPoint } = createDeployersExtension();
    extensionPoint.addDeployer(deployer('argocd'), deployer('github'));
    expect(() => extensionPoint.addDeployer(deployer('argocd'))).toThrow(
      'An alignment deployer with id argocd is already registered',
    );
    expect(deployers.map(d => d.id)).toEqual(['argocd', 'github']);
  });
});

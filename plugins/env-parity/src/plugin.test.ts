import { envParityPlugin } from './plugin';

describe('env-parity', () => {
  it('should export plugin', () => {
    expect(envParityPlugin).toBeDefined();
  });
});

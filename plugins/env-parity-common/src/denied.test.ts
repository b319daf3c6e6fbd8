import { permissionDeniedMessage } from './denied';

describe('permissionDeniedMessage', () => {
  it('says what was refused and names the permission', () => {
    expect(
      permissionDeniedMessage(
        'review access requests',
        'env-parity.access.review',
      ),
    ).toBe(
      'You are not allowed to review access requests: this needs the permission env-parity.access.review.',
    );
  });

  it('names every permission that would do', () => {
    expect(
      permissionDeniedMessage('see access requests', [
        'env-parity.access.create',
        'env-parity.access.review',
        'env-parity.access.admin',
      ]),
    ).toBe(
      'You are not allowed to see access requests: this needs one of the permissions env-parity.access.create, env-parity.access.review or env-parity.access.admin.',
    );
    expect(permissionDeniedMessage('probe environments', ['a'])).toBe(
      'You are not allowed to probe environments: this needs the permission a.',
    );
  });
});

import { InputError } from '@backstage/errors';
import { logSafe, logSafeError, logSafeJson } from './logSafe';

describe('logSafe', () => {
  it('escapes line breaks, terminal escapes and Unicode separators', () => {
    expect(logSafe('a\nb\r\tc\u001b[31md\u2028e\u0085f\u007f')).toBe(
      'a\\nb\\r\\tc\\u001b[31md\\u2028e\\u0085f\\u007f',
    );
  });

  it('leaves ordinary text alone', () => {
    expect(logSafe('/api/v1/status?x=ü')).toBe('/api/v1/status?x=ü');
  });

  it('escapes every string and key of a JSON value', () => {
    expect(
      logSafeJson({ 'k\n': ['a\nb', 1, null, { c: 'd\re' }], n: true }),
    ).toEqual({ 'k\\n': ['a\\nb', 1, null, { c: 'd\\re' }], n: true });
  });

  it('copies an error with a safe message and stack, leaving the original as is', () => {
    const original = new InputError('bad path "/x\nforged line"');
    const safe = logSafeError(original);
    expect(safe.name).toBe('InputError');
    expect(safe.message).toBe('bad path "/x\\nforged line"');
    expect(safe.stack?.split('\n')[0]).toBe(
      'InputError: bad path "/x\\nforged line"',
    );
    expect(original.message).toBe('bad path "/x\nforged line"');
  });
});

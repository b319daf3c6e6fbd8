import { ProbeEnvironmentResult } from './probe';
import {
  compareProbeResults,
  diffHeaders,
  diffJson,
  diffLines,
  jsonPath,
  prettyProbeBody,
  ProbeDiffEntry,
} from './probeDiff';

describe('jsonPath', () => {
  it.each([
    [[], '$'],
    [['a', 'b'], '$.a.b'],
    [['items', 2, 'id'], '$.items[2].id'],
    [['a key', 'x-y'], '$["a key"]["x-y"]'],
    [['$ref', '_x1'], '$.$ref._x1'],
  ])('%j is %s', (parts, expected) => {
    expect(jsonPath(parts as Array<string | number>)).toBe(expected);
  });
});

describe('diffJson', () => {
  it.each<[string, unknown, unknown, ProbeDiffEntry[]]>([
    [
      'equal objects',
      { a: 1, b: [1, { c: true }] },
      { b: [1, { c: true }], a: 1 },
      [],
    ],
    ['equal scalars', 'x', 'x', []],
    [
      'a changed field',
      { features: { newCheckout: false, darkMode: true } },
      { features: { newCheckout: true, darkMode: true } },
      [
        {
          kind: 'json',
          path: '$.features.newCheckout',
          change: 'changed',
          reference: 'false',
          environment: 'true',
        },
      ],
    ],
    [
      'added and removed keys',
      { a: 1, gone: 'x' },
      { a: 1, fresh: { n: 2 } },
      [
        { kind: 'json', path: '$.gone', change: 'removed', reference: '"x"' },
        {
          kind: 'json',
          path: '$.fresh',
          change: 'added',
          environment: '{"n":2}',
        },
      ],
    ],
    [
      'array elements by index',
      { items: [1, 2, 3] },
      { items: [1, 5] },
      [
        {
          kind: 'json',
          path: '$.items[1]',
          change: 'changed',
          reference: '2',
          environment: '5',
        },
        { kind: 'json', path: '$.items[2]', change: 'removed', reference: '3' },
      ],
    ],
    [
      'a type change is one change',
      { a: { b: 1 } },
      { a: [1] },
      [
        {
          kind: 'json',
          path: '$.a',
          change: 'changed',
          reference: '{"b":1}',
          environment: '[1]',
        },
      ],
    ],
    [
      'different roots',
      [1],
      null,
      [
        {
          kind: 'json',
          path: '$',
          change: 'changed',
          reference: '[1]',
          environment: 'null',
        },
      ],
    ],
    [
      'keys that need quoting',
      { 'feature-flags': { 'eu.checkout': 'on' } },
      { 'feature-flags': { 'eu.checkout': 'off' } },
      [
        {
          kind: 'json',
          path: '$["feature-flags"]["eu.checkout"]',
          change: 'changed',
          reference: '"on"',
          environment: '"off"',
        },
      ],
    ],
  ])('%s', (_name, a, b, expected) => {
    expect(diffJson(a, b)).toEqual(expected);
  });

  it('shortens long values', () => {
    const [entry] = diffJson({ a: 'x'.repeat(500) }, { a: 'y' });
    expect(entry.reference).toHaveLength(200);
    expect(entry.reference?.endsWith('…')).toBe(true);
  });
});

describe('diffHeaders', () => {
  it.each<
    [
      string,
      Record<string, string> | undefined,
      Record<string, string> | undefined,
      ProbeDiffEntry[],
    ]
  >([
    ['no headers', undefined, undefined, []],
    [
      'same headers, names in any case, volatile ones ignored',
      { 'Content-Type': 'application/json', date: 'Mon' },
      { 'content-type': 'application/json', Date: 'Tue' },
      [],
    ],
    [
      'changed, added and removed, sorted by name',
      { 'content-type': 'text/plain', 'x-version': '1', server: 'nginx' },
      {
        'content-type': 'application/json',
        'set-cookie': '[redacted]',
        server: 'nginx',
      },
      [
        {
          kind: 'header',
          path: 'content-type',
          change: 'changed',
          reference: 'text/plain',
          environment: 'application/json',
        },
        {
          kind: 'header',
          path: 'set-cookie',
          change: 'added',
          environment: '[redacted]',
        },
        {
          kind: 'header',
          path: 'x-version',
          change: 'removed',
          reference: '1',
        },
      ],
    ],
  ])('%s', (_name, a, b, expected) => {
    expect(diffHeaders(a, b)).toEqual(expected);
  });

  it('compares volatile headers when told to ignore nothing', () => {
    expect(
      diffHeaders({ date: 'Mon' }, { date: 'Tue' }, { ignore: [] }),
    ).toHaveLength(1);
  });
});

describe('diffLines', () => {
  it.each([
    ['equal', 'a\nb\n', 'a\nb', ['  a', '  b']],
    ['empty', '', '', []],
    ['all added', '', 'a\nb', ['+ a', '+ b']],
    ['a changed line', 'a\nb\nc', 'a\nx\nc', ['  a', '- b', '+ x', '  c']],
    [
      'an inserted line in the middle',
      'a\nb\nc\nd',
      'a\nb\nnew\nc\nd',
      ['  a', '  b', '+ new', '  c', '  d'],
    ],
    [
      'moved lines',
      'one\ntwo\nthree',
      'two\nthree\none',
      ['- one', '  two', '  three', '+ one'],
    ],
    ['CRLF and LF alike', 'a\r\nb\r\n', 'a\nb\n', ['  a', '  b']],
  ])('%s', (_name, a, b, expected) => {
    const marks = { same: ' ', added: '+', removed: '-' };
    expect(diffLines(a, b).map(op => `${marks[op.type]} ${op.text}`)).toEqual(
      expected,
    );
  });

  it('numbers lines on both sides', () => {
    expect(diffLines('a\nb\nc', 'a\nx\nc')).toEqual([
      { type: 'same', text: 'a', referenceLine: 1, line: 1 },
      { type: 'removed', text: 'b', referenceLine: 2 },
      { type: 'added', text: 'x', line: 2 },
      { type: 'same', text: 'c', referenceLine: 3, line: 3 },
    ]);
  });

  it('stays fast on large, entirely different texts', () => {
    const a = Array.from({ length: 5000 }, (_, i) => `a${i}`).join('\n');
    const b = Array.from({ length: 5000 }, (_, i) => `b${i}`).join('\n');
    const ops = diffLines(a, b);
    expect(ops.filter(op => op.type === 'removed')).toHaveLength(5000);
    expect(ops.filter(op => op.type === 'added')).toHaveLength(5000);
  });
});

function result(
  environment: string,
  fields: Partial<ProbeEnvironmentResult> = {},
): ProbeEnvironmentResult {
  return {
    environment,
    title: environment,
    reference: environment === 'production',
    status: 200,
    headers: { 'content-type': 'application/json' },
    bodyType: 'none',
    ...fields,
  };
}

const json = (value: unknown) => {
  const body = JSON.stringify(value);
  return { bodyType: 'json' as const, body, bodyBytes: body.length };
};

describe('compareProbeResults', () => {
  it.each<
    [
      string,
      Partial<ProbeEnvironmentResult>,
      Partial<ProbeEnvironmentResult>,
      Array<Partial<ProbeDiffEntry>>,
    ]
  >([
    ['identical answers', json({ v: 1 }), json({ v: 1 }), []],
    [
      'status and JSON fields',
      { status: 200, ...json({ version: '1.4.2', flags: { a: true } }) },
      { status: 503, ...json({ version: '1.5.0', flags: { a: true } }) },
      [
        { kind: 'status', reference: '200', environment: '503' },
        { kind: 'json', path: '$.version', change: 'changed' },
      ],
    ],
    [
      'text bodies line by line',
      { bodyType: 'text', body: 'ok\nv1\n' },
      { bodyType: 'text', body: 'ok\nv2\nextra\n' },
      [
        {
          kind: 'text',
          path: 'line 2',
          change: 'changed',
          reference: 'v1',
          environment: 'v2',
        },
        { kind: 'text', path: 'line 3', change: 'added', environment: 'extra' },
      ],
    ],
    [
      'JSON against text',
      json({ v: 1 }),
      { bodyType: 'text', body: 'v1', bodyBytes: 2 },
      [
        {
          kind: 'body',
          change: 'changed',
          reference: 'json, 7 bytes',
          environment: 'text, 2 bytes',
        },
      ],
    ],
    [
      'a body only one side has',
      { bodyType: 'none' },
      { bodyType: 'binary', bodyBytes: 10 },
      [{ kind: 'body', change: 'added', environment: 'binary, 10 bytes' }],
    ],
    [
      'a redirect only one side reports',
      { status: 302, redirect: { location: 'http://a/x', sameOrigin: true } },
      { status: 302, redirect: { location: 'http://b/x', sameOrigin: false } },
      [
        {
          kind: 'redirect',
          reference: 'http://a/x',
          environment: 'http://b/x',
        },
      ],
    ],
    [
      'an environment that did not answer',
      json({ v: 1 }),
      {
        status: undefined,
        headers: undefined,
        bodyType: undefined,
        error: { reason: 'timeout', message: 'timed out after 1000 ms' },
      },
      [
        {
          kind: 'error',
          change: 'added',
          environment: 'timeout: timed out after 1000 ms',
        },
      ],
    ],
    [
      'headers',
      { headers: { 'x-version': '1', date: 'Mon' } },
      { headers: { 'x-version': '2', date: 'Tue' } },
      [{ kind: 'header', path: 'x-version', change: 'changed' }],
    ],
  ])('%s', (_name, a, b, expected) => {
    const comparison = compareProbeResults(
      result('production', a),
      result('staging', b),
    );
    expect(comparison.environment).toBe('staging');
    expect(comparison.against).toBe('production');
    expect(comparison.same).toBe(expected.length === 0);
    expect(comparison.entries).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(comparison.entries[i]).toMatchObject(e));
  });

  it('limits the number of entries', () => {
    const many = (n: number) =>
      json(
        Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, n])),
      );
    const comparison = compareProbeResults(
      result('production', many(1)),
      result('staging', many(2)),
      { limit: 50 },
    );
    expect(comparison.entries).toHaveLength(50);
    expect(comparison.truncated).toBe(true);
  });
});

describe('prettyProbeBody', () => {
  it('pretty-prints JSON and keeps text as is', () => {
    expect(prettyProbeBody(result('x', json({ a: [1] })))).toBe(
      '{\n  "a": [\n    1\n  ]\n}',
    );
    expect(prettyProbeBody(result('x', { bodyType: 'text', body: 'hi' }))).toBe(
      'hi',
    );
    expect(
      prettyProbeBody(result('x', { bodyType: 'json', body: '{bad' })),
    ).toBe('{bad');
    expect(
      prettyProbeBody(result('x', { bodyType: 'binary' })),
    ).toBeUndefined();
  });
});

import { ProbeEnvironmentResult } from './probe';
import { compareProbeResults, comparableReferenceBody } from './probeDiff';
import {
  parseProbeIgnore,
  parseProbeIgnorePath,
  probeIgnoreMatcher,
  splitProbeIgnore,
} from './probeDiffIgnore';

function json(
  environment: string,
  body: unknown,
  headers: Record<string, string> = {},
): ProbeEnvironmentResult {
  const text = JSON.stringify(body);
  return {
    environment,
    title: environment,
    reference: environment === 'production',
    status: 200,
    headers: { 'content-type': 'application/json', ...headers },
    bodyType: 'json',
    body: text,
    bodyBytes: text.length,
  };
}

// the demo's payments-api /version: a Spring Boot actuator /info
const version = (time: string, commit = 'ef4e9bd') => ({
  build: { artifact: 'payments-api', version: '2.14.3', time },
  git: { branch: 'main', commit: { id: { abbrev: commit } } },
});

describe('splitProbeIgnore', () => {
  it('splits on commas and new lines, keeping quoted commas', () => {
    expect(
      splitProbeIgnore(' $.build.time, $.uptime\nx-served-by,, $["a,b"] '),
    ).toEqual(['$.build.time', '$.uptime', 'x-served-by', '$["a,b"]']);
    expect(splitProbeIgnore(undefined)).toEqual([]);
  });
});

describe('parseProbeIgnorePath', () => {
  it.each([
    ['$', []],
    ['$.build.time', ['build', 'time']],
    ['$.items[2].id', ['items', 2, 'id']],
    ['$.instances[*].uptime', ['instances', { any: true }, 'uptime']],
    ['$.*.time', [{ any: true }, 'time']],
    ['$["content-hash"][\'a.b\']', ['content-hash', 'a.b']],
    ['$.build-info.time', ['build-info', 'time']],
  ])('reads %s', (path, steps) => {
    expect(parseProbeIgnorePath(path)).toEqual(steps);
  });

  it.each([
    ['build.time', 'a JSON path starts with $'],
    ['$.build..time', 'expected a key after "." at character 8'],
    ['$.build[', 'expected .key, [index], ["key"] or * at character 8'],
    ['$["unclosed', 'expected "] to end the quoted key at character 2'],
    ['$ .a', 'expected .key, [index], ["key"] or * at character 2'],
  ])('refuses %s, saying where', (path, message) => {
    expect(() => parseProbeIgnorePath(path)).toThrow(message);
  });
});

describe('parseProbeIgnore', () => {
  it('sorts paths from header names and lists the rest as not applied', () => {
    expect(
      parseProbeIgnore([
        '$.build.time',
        'X-Served-By',
        'build.time',
        '$.build..time',
        '$.build.time',
        'x'.repeat(300),
        '',
      ]),
    ).toEqual({
      paths: ['$.build.time'],
      headers: ['x-served-by'],
      invalid: [
        {
          entry: 'build.time',
          message: 'neither a JSON path (e.g. $.build.time) nor a header name',
        },
        {
          entry: '$.build..time',
          message: 'not a JSON path: expected a key after "." at character 8',
        },
        {
          entry: `${'x'.repeat(40)}…`,
          message: 'longer than 200 characters',
        },
      ],
    });
  });

  it('applies at most 100 entries', () => {
    const entries = Array.from({ length: 102 }, (_, i) => `$.f${i}`);
    const list = parseProbeIgnore(entries);
    expect(list.paths).toHaveLength(100);
    expect(list.invalid.map(i => i.entry)).toEqual(['$.f100', '$.f101']);
  });

  it('never throws on what an annotation or config may hold', () => {
    expect(() =>
      parseProbeIgnore([
        '$[',
        '$["\\u12"]',
        "$['",
        '$[99999999999999999999]',
        null as unknown as string,
        42 as unknown as string,
      ]),
    ).not.toThrow();
  });
});

describe('probeIgnoreMatcher', () => {
  it('matches a field and everything inside it, with * for any one step', () => {
    const m = probeIgnoreMatcher([
      '$.build',
      '$.instances[*].uptime',
      'X-Served-By',
      'not a path',
    ]);
    expect(m.json(['build', 'time'])).toBe(true);
    expect(m.json(['build'])).toBe(true);
    expect(m.json(['git', 'branch'])).toBe(false);
    expect(m.json(['instances', 3, 'uptime'])).toBe(true);
    expect(m.json(['instances', 3, 'version'])).toBe(false);
    expect(m.json(['instances'])).toBe(false);
    expect(m.header('x-served-by')).toBe(true);
    expect(m.header('server')).toBe(false);
    expect(probeIgnoreMatcher([]).empty).toBe(true);
  });
});

describe('compareProbeResults with fields expected to differ', () => {
  const production = json('production', version('2026-11-10T14:47:51Z'));
  const staging = json('staging', version('2026-11-09T11:30:02Z'));

  it('counts the build time without an ignore list', () => {
    const comparison = compareProbeResults(production, staging);
    expect(comparison.same).toBe(false);
    expect(comparison.entries.map(e => e.path)).toEqual(['$.build.time']);
    expect(comparison.ignored).toBeUndefined();
  });

  it('lists an ignored field apart and calls the build the same', () => {
    const comparison = compareProbeResults(production, staging, {
      ignore: ['$.build.time', 'build..time'],
    });
    expect(comparison.same).toBe(true);
    expect(comparison.entries).toEqual([]);
    expect(comparison.ignored).toEqual([
      {
        kind: 'json',
        path: '$.build.time',
        change: 'changed',
        reference: '"2026-11-10T14:47:51Z"',
        environment: '"2026-11-09T11:30:02Z"',
      },
    ]);
  });

  it('still counts what differs outside the ignored fields', () => {
    const other = json('staging', version('2026-11-09T11:30:02Z', 'abc1234'));
    const comparison = compareProbeResults(production, other, {
      ignore: ['$.build.time'],
    });
    expect(comparison.same).toBe(false);
    expect(comparison.entries.map(e => e.path)).toEqual([
      '$.git.commit.id.abbrev',
    ]);
    expect(comparison.ignored?.map(e => e.path)).toEqual(['$.build.time']);
  });

  it('ignores headers by name, in any case', () => {
    const a = json('production', {}, { 'x-served-by': 'prod-1', etag: '"1"' });
    const b = json('staging', {}, { 'x-served-by': 'stg-4', etag: '"2"' });
    const comparison = compareProbeResults(a, b, { ignore: ['X-Served-By'] });
    expect(comparison.entries.map(e => e.path)).toEqual(['etag']);
    expect(comparison.ignored?.map(e => e.path)).toEqual(['x-served-by']);
  });
});

describe('comparableReferenceBody', () => {
  it("takes the ignored fields from the other's body, so a line diff skips them", () => {
    const production = json('production', version('2026-11-10T14:47:51Z'));
    const staging = json('staging', version('2026-11-09T11:30:02Z'));
    const text = comparableReferenceBody(production, staging, ['$.build.time']);
    expect(text).toBe(JSON.stringify(version('2026-11-09T11:30:02Z'), null, 2));
    expect(comparableReferenceBody(production, staging)).toBe(
      JSON.stringify(version('2026-11-10T14:47:51Z'), null, 2),
    );
  });

  it('adds and removes ignored fields as the other has them', () => {
    const a = json('production', { keep: 1, gone: 2 });
    const b = json('staging', { keep: 1, uptime: 5 });
    expect(
      JSON.parse(comparableReferenceBody(a, b, ['$.gone', '$.uptime'])!),
    ).toEqual({ keep: 1, uptime: 5 });
  });
});

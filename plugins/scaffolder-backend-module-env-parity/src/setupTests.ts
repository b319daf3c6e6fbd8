// Generous: these tests start real HTTP servers (and backends), and must not
// fail on a machine loaded by other work. No test waits this long unless
// something is wrong.
jest.setTimeout(10 * 60_000);

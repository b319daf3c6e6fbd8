// Generous: these tests start backends and real HTTP servers, and must not
// fail on a machine loaded by other work. No test waits this long unless
// something is wrong.
jest.setTimeout(10 * 60_000);

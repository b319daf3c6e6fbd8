/**
 * Waits for `settled` (a feature's background work: calls to outside
 * systems, notifications, the sweep under way), at most `timeoutMs`: what
 * a feature's `close` does at shutdown.
 */
export async function settleWithin(
  settled: Promise<void>,
  timeoutMs: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    settled,
    new Promise<void>(resolve => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
}

/** Whether an error is a 403 from the backend. */
export function isForbidden(error: Error | undefined): boolean {
  if (!error) {
    return false;
  }
  const e = error as Error & {
    statusCode?: number;
    response?: { status?: number };
    cause?: Error;
  };
  return (
    e.statusCode === 403 ||
    e.response?.status === 403 ||
    e.name === 'NotAllowedError' ||
    e.cause?.name === 'NotAllowedError'
  );
}

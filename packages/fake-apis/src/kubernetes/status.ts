/** A Status object as kube-apiserver answers failures. */
export function statusBody(
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

/** The 405 Status of a method a path does not take. */
export function methodNotAllowedBody() {
  return statusBody(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
  );
}

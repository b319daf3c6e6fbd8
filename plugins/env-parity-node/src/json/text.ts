function messageOf(error: unknown): string | undefined {
  // duck-typed: errors of undici may come from another realm
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message ? message : undefined;
}

/**
 * The message of an error, with its cause's: `message (cause)`.
 *
 * @public
 */
export function errorText(error: unknown): string {
  const message = messageOf(error) ?? String(error);
  const cause = messageOf((error as { cause?: unknown } | null)?.cause);
  return cause ? `${message} (${cause})` : message;
}

/**
 * How a response body starts, for a message about a body that is not what
 * was expected: `the body is empty` or `it starts with "..."`.
 *
 * @public
 */
export function bodyPreview(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) {
    return 'the body is empty';
  }
  const short = trimmed.replace(/\s+/g, ' ').slice(0, 60);
  return `it starts with ${JSON.stringify(short)}`;
}

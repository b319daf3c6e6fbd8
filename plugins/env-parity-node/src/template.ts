/**
 * Renders `{{ path.to.value }}` placeholders from a context object. A
 * placeholder without a value renders empty; nothing else is interpreted, so a
 * template can never run code.
 *
 * @public
 */
export function renderTemplate(
  template: string,
  context: Record<string, unknown>,
): string {
  return template.replace(
    /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g,
    (_match, path: string) => {
      const value = path
        .split('.')
        .reduce<unknown>(
          (v, key) =>
            v !== null && typeof v === 'object'
              ? (v as Record<string, unknown>)[key]
              : undefined,
          context,
        );
      return value === undefined || value === null ? '' : String(value);
    },
  );
}

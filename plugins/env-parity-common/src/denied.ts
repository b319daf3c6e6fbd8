/*
 * The one wording of "no" for a missing permission: every 403 of the
 * backend's routes and every page that says a user may not do something.
 */

/**
 * What a refusal for a missing permission says, naming the permission an
 * administrator would grant:
 * `You are not allowed to <action>: this needs the permission <name>.`,
 * or, when any of several would do,
 * `You are not allowed to <action>: this needs one of the permissions <a>, <b> or <c>.`
 *
 * @param action - what the caller tried, from "You are not allowed to …",
 *   e.g. `review access requests`
 * @param permissions - the permission name, or the names any of which would do
 * @public
 */
export function permissionDeniedMessage(
  action: string,
  permissions: string | readonly string[],
): string {
  const names = typeof permissions === 'string' ? [permissions] : permissions;
  const needs =
    names.length > 1
      ? `one of the permissions ${names.slice(0, -1).join(', ')} or ${
          names[names.length - 1]
        }`
      : `the permission ${names[0]}`;
  return `You are not allowed to ${action}: this needs ${needs}.`;
}

// Roles and statuses as new-api numbers them, and which groups a user's API keys may name.
import { AppError } from './errors.js';
export const Role = { user: 1, admin: 10, root: 100 } as const;
export type RoleValue = (typeof Role)[keyof typeof Role];
export const isRole = (value: number): value is RoleValue => value === 1 || value === 10 || value === 100;

export const UserStatus = { enabled: 1, disabled: 2 } as const;

/** API key statuses (new-api: 1 enabled, 2 disabled, 3 expired, 4 exhausted). */
export const TokenStatus = { enabled: 1, disabled: 2, expired: 3, exhausted: 4 } as const;

/** Channel statuses: 1 enabled, 2 disabled by an admin, 3 disabled automatically after failures. */
export const ChannelStatus = { enabled: 1, manuallyDisabled: 2, autoDisabled: 3 } as const;

/**
 * Refuses (403) an API key `group` its user may not use. Allowed: none (the key follows its user), the user's own
 * group, or, for admins, any group (they set channels' groups and prices anyway). Taskgate has no list of
 * user-selectable groups.
 */
export function assertMayUseGroup(user: { role: number; group: string }, group: string): void {
  const allowed = group === '' || group === user.group || user.role >= Role.admin;
  if (!allowed) throw new AppError('token_group_not_allowed', 403, { group });
}

/**
 * The group a key's requests are priced and routed in: the key's own, else its user's. Checked at every use, so a
 * key stored with a group its user may not use (before this rule, or since the user moved) reaches nothing: 403.
 */
export function keyGroup(user: { role: number; group: string }, token: { group: string } | null): string {
  const group = token?.group || user.group;
  assertMayUseGroup(user, group);
  return group;
}

// Roles and statuses as new-api numbers them.
export const Role = { user: 1, admin: 10, root: 100 } as const;
export type RoleValue = (typeof Role)[keyof typeof Role];
export const isRole = (value: number): value is RoleValue => value === 1 || value === 10 || value === 100;

export const UserStatus = { enabled: 1, disabled: 2 } as const;

/** API key statuses (new-api: 1 enabled, 2 disabled, 3 expired, 4 exhausted). */
export const TokenStatus = { enabled: 1, disabled: 2, expired: 3, exhausted: 4 } as const;

/** Channel statuses: 1 enabled, 2 disabled by an admin, 3 disabled automatically after failures. */
export const ChannelStatus = { enabled: 1, manuallyDisabled: 2, autoDisabled: 3 } as const;

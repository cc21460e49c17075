// What users, API keys and channels look like to clients. Hashes, keys and channel secrets have no field here.
import { type Static, Type } from 'typebox';
import { toSeconds } from '../../core/clock.js';
import { maskKey } from '../../core/ids.js';
import type { ChannelRow, TokenRow, UserRow } from '../../store/schema.js';

export const UserView = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  display_name: Type.String(),
  role: Type.Integer(),
  status: Type.Integer(),
  group: Type.String(),
  quota: Type.Integer(),
  used_quota: Type.Integer(),
  request_count: Type.Integer(),
  created_at: Type.Integer(),
});

export const userView = (u: UserRow): Static<typeof UserView> => ({
  id: u.id,
  username: u.username,
  display_name: u.display_name,
  role: u.role,
  status: u.status,
  group: u.group,
  quota: u.quota,
  used_quota: u.used_quota,
  request_count: u.request_count,
  created_at: toSeconds(u.created_at),
});

export const TokenView = Type.Object({
  id: Type.Integer(),
  user_id: Type.Integer(),
  name: Type.String(),
  key: Type.String({ description: 'Masked; the full key is shown only once, at creation' }),
  status: Type.Integer(),
  created_time: Type.Integer(),
  accessed_time: Type.Integer({
    description: 'Unix seconds of the last submit charged to this key; 0 before the first',
  }),
  expired_time: Type.Integer(),
  remain_quota: Type.Integer(),
  unlimited_quota: Type.Boolean(),
  used_quota: Type.Integer(),
  model_limits_enabled: Type.Boolean(),
  model_limits: Type.String(),
  allow_ips: Type.String(),
  group: Type.String(),
});

export const tokenView = (t: TokenRow): Static<typeof TokenView> => ({
  id: t.id,
  user_id: t.user_id,
  name: t.name,
  key: maskKey(t.key_prefix, t.key_suffix),
  status: t.status,
  created_time: toSeconds(t.created_at),
  accessed_time: toSeconds(t.accessed_at),
  expired_time: t.expired_time,
  remain_quota: t.remain_quota,
  unlimited_quota: t.unlimited_quota === 1,
  used_quota: t.used_quota,
  model_limits_enabled: t.model_limits_enabled === 1,
  model_limits: t.model_limits,
  allow_ips: t.allow_ips,
  group: t.group,
});

export const ChannelView = Type.Object({
  id: Type.Integer(),
  type: Type.String(),
  name: Type.String(),
  base_url: Type.String(),
  models: Type.String(),
  group: Type.String(),
  priority: Type.Integer(),
  weight: Type.Integer(),
  status: Type.Integer(),
  status_reason: Type.String(),
  auto_ban: Type.Boolean(),
  proxy: Type.String({ description: 'Credentials in the proxy URL are masked' }),
  push: Type.Boolean(),
  timeout_minutes: Type.Integer(),
  test_time: Type.Integer(),
  response_time: Type.Integer(),
  used_quota: Type.Integer({
    description: 'The charges of the tasks this channel accepted, less their refunds',
  }),
  created_time: Type.Integer(),
});

/** A proxy URL as responses show it: its password, if any, as `***`. */
export function maskProxy(proxy: string): string {
  if (!proxy) return '';
  try {
    const url = new URL(proxy);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '***';
  }
}

export const channelView = (c: ChannelRow): Static<typeof ChannelView> => ({
  id: c.id,
  type: c.type,
  name: c.name,
  base_url: c.base_url,
  models: c.models,
  group: c.group,
  priority: c.priority,
  weight: c.weight,
  status: c.status,
  status_reason: c.status_reason,
  auto_ban: c.auto_ban === 1,
  proxy: maskProxy(c.proxy),
  push: c.push === 1,
  timeout_minutes: c.timeout_minutes,
  test_time: toSeconds(c.test_time),
  response_time: c.response_time,
  used_quota: c.used_quota,
  created_time: toSeconds(c.created_at),
});

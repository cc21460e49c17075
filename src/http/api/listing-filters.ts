// Query parameters shared by the task listings, turned into a store filter with clear errors for bad values.
import { Type } from 'typebox';
import { badRequest } from '../../core/errors.js';
import { endOfSecondMs, parseIdFilter, parseTimestampMs } from '../../core/paging.js';
import { ACTION_ALIASES, isTaskStatus, TASK_STATUSES } from '../../core/task-status.js';
import type { TaskListFilter } from '../../store/tasks.js';
import { PageQuery } from '../views/envelope.js';
import { IdQuery } from './id-schemas.js';

const Text = (description: string) => Type.Optional(Type.String({ maxLength: 128, description }));
const Digits = (description: string) => Type.Optional(Type.String({ maxLength: 20, description }));

export const TimeFilters = {
  start_timestamp: Digits('Submitted at or after (unix seconds; 10^11 and above read as milliseconds)'),
  end_timestamp: Digits('Submitted at or before (unix seconds or milliseconds)'),
};
export const AdminFilters = {
  channel_id: IdQuery('Only tasks of this channel'),
  user_id: IdQuery('Only tasks of this user'),
};

export const MjQuery = {
  ...PageQuery,
  mj_id: Text('Exact Midjourney task id'),
  status: Text('Task status'),
  action: Text('Action, e.g. IMAGINE'),
  ...TimeFilters,
};
export const TaskQuery = {
  ...PageQuery,
  platform: Text('suno or openai-video'),
  task_id: Text('Exact task id'),
  status: Text(`One of ${TASK_STATUSES.join(', ')}`),
  action: Text('e.g. song, lyrics (MUSIC and LYRICS are accepted)'),
  ...TimeFilters,
};

export interface ListingQuery {
  mj_id?: string;
  task_id?: string;
  platform?: string;
  status?: string;
  action?: string;
  start_timestamp?: string;
  end_timestamp?: string;
  channel_id?: string;
  user_id?: string;
}

export function listingFilter(
  platforms: readonly string[],
  query: ListingQuery,
  admin: boolean,
): TaskListFilter {
  if (query.platform && !platforms.includes(query.platform)) {
    throw badRequest(`platform must be one of ${platforms.join(', ')}`);
  }
  if (query.status && !isTaskStatus(query.status))
    throw badRequest(`status must be one of ${TASK_STATUSES.join(', ')}`);
  // Own keys only: `action=constructor` must not pick up Object.prototype's members.
  const alias =
    query.action && Object.hasOwn(ACTION_ALIASES, query.action) ? ACTION_ALIASES[query.action] : undefined;
  const action = query.action ? [...new Set([query.action, alias ?? query.action])] : undefined;
  const startMs = parseTimestampMs('start_timestamp', query.start_timestamp);
  const endMs = endOfSecondMs(parseTimestampMs('end_timestamp', query.end_timestamp), query.end_timestamp);
  if (startMs !== null && endMs !== null && startMs > endMs)
    throw badRequest('start_timestamp is after end_timestamp');
  return {
    platforms,
    platform: query.platform || undefined,
    taskId: query.mj_id || query.task_id || undefined,
    status: query.status || undefined,
    action,
    startMs,
    endMs,
    channelId: admin ? parseIdFilter('channel_id', query.channel_id) : null,
    userId: admin ? parseIdFilter('user_id', query.user_id) : null,
  };
}

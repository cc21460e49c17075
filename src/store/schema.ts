// Row types of every table, as Kysely sees them. Times are unix milliseconds; booleans are 0/1 integers.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Id = Generated<number>;

export interface UsersTable {
  id: Id;
  username: string;
  password_hash: string;
  display_name: string;
  role: number;
  status: number;
  group: string;
  quota: number;
  used_quota: number;
  request_count: number;
  access_token_hash: string | null;
  created_at: number;
  updated_at: number;
}

export interface TokensTable {
  id: Id;
  user_id: number;
  name: string;
  key_hash: string;
  key_prefix: string;
  key_suffix: string;
  status: number;
  remain_quota: number;
  used_quota: number;
  unlimited_quota: number;
  /** Unix seconds, or -1 for never (new-api's convention). */
  expired_time: number;
  model_limits_enabled: number;
  model_limits: string;
  allow_ips: string;
  group: string;
  created_at: number;
  accessed_at: number;
}

export interface ChannelsTable {
  id: Id;
  type: string;
  name: string;
  base_url: string;
  key: string;
  models: string;
  group: string;
  priority: number;
  weight: number;
  status: number;
  status_reason: string;
  auto_ban: number;
  proxy: string;
  push: number;
  push_secret: string;
  timeout_minutes: number;
  failure_count: number;
  test_time: number;
  response_time: number;
  used_quota: number;
  created_at: number;
  updated_at: number;
}

export interface OptionsTable {
  key: string;
  value: string;
}

export type LedgerKind = 'charge' | 'refund' | 'topup' | 'adjust';

export interface LedgerTable {
  id: Id;
  created_at: number;
  user_id: number;
  token_id: number;
  task_id: string | null;
  platform: string;
  model: string;
  kind: LedgerKind;
  /** The positive amount moved. */
  quota: number;
  /** The signed change of the user's balance; the balance always equals the sum of these. */
  delta: number;
  content: string;
}

export interface SessionsTable {
  id_hash: string;
  user_id: number;
  created_at: number;
  expires_at: number;
}

export interface TasksTable {
  id: Id;
  task_id: string;
  platform: string;
  upstream_id: string;
  action: string;
  model: string;
  user_id: number;
  token_id: number;
  channel_id: number;
  group: string;
  quota: number;
  refunded: number;
  status: string;
  progress: string;
  code: number;
  fail_reason: string;
  submit_time: number;
  start_time: number;
  finish_time: number;
  prompt: string;
  prompt_en: string;
  description: string;
  state: string;
  image_url: string;
  video_url: string;
  /** JSON array. */
  video_urls: string;
  /** JSON array. */
  buttons: string;
  /** JSON object. */
  properties: string;
  /** JSON (object or array). */
  data: string;
  notify_hook: string;
  parent_task_id: string;
  /** Bumped by every state write; writers compare it to what they read (optimistic fencing). */
  version: number;
  /** When the upstream first stopped knowing this task (0 while it does). */
  vanished_since: number;
  /** 1 from a change its notifyHook must hear of until that callback is settled (engine/client-notify.ts). */
  notify_pending: number;
  /**
   * `version:hash` of the upstream observation the poller wrote this version from ('' for none): the same answer
   * again changes nothing, so a round skips the row (engine/poll-plan.ts).
   */
  poll_digest: string;
  created_at: number;
  updated_at: number;
}

export interface Database {
  users: UsersTable;
  tokens: TokensTable;
  channels: ChannelsTable;
  options: OptionsTable;
  ledger: LedgerTable;
  sessions: SessionsTable;
  tasks: TasksTable;
  task_polls: TaskPollsTable;
  job_leases: JobLeasesTable;
}

/**
 * The poll schedule and lease of a task, kept apart from its wide row so a claim writes only this narrow one
 * (src/store/task-leases.ts). A task has a row exactly while it is to be polled: none once it is final.
 */
export interface TaskPollsTable {
  /** The task's `tasks.id`. */
  id: number;
  /** When the poller should next look at the task. */
  next_poll_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  poll_attempts: number;
}

/** Singleton jobs: who runs `name` until when (see src/store/job-leases.ts). */
export interface JobLeasesTable {
  name: string;
  owner: string;
  until: number;
}

export type UserRow = Selectable<UsersTable>;
export type TokenRow = Selectable<TokensTable>;
export type ChannelRow = Selectable<ChannelsTable>;
export type LedgerRow = Selectable<LedgerTable>;
export type TaskRow = Selectable<TasksTable>;
export type NewTask = Insertable<TasksTable>;
export type TaskPatch = Updateable<TasksTable>;
export type TaskPollRow = Selectable<TaskPollsTable>;
export type NewChannel = Insertable<ChannelsTable>;

/** Lets a column be read as one type and written as another (kept for future columns). */
export type Column<S, I = S, U = I> = ColumnType<S, I, U>;

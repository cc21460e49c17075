// The first schema: accounts, keys, channels, options, the ledger, sessions and one table for every task.
// Every step is skipped when it is there already: a start stopped midway runs it again (existing.ts).
// Text columns carry no defaults (MySQL forbids them); the store always writes every column.
import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';
import { finish, longText, withId } from './columns.js';
import { createIndexOnce } from './existing.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const text = longText(dialect);

  await finish(
    withId(db.schema.createTable('users').ifNotExists(), dialect)
      .addColumn('username', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('password_hash', 'varchar(100)', (c) => c.notNull())
      .addColumn('display_name', 'varchar(64)', (c) => c.notNull())
      .addColumn('role', 'integer', (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('group', 'varchar(64)', (c) => c.notNull())
      .addColumn('quota', 'bigint', (c) => c.notNull())
      .addColumn('used_quota', 'bigint', (c) => c.notNull())
      .addColumn('request_count', 'bigint', (c) => c.notNull())
      .addColumn('access_token_hash', 'varchar(64)', (c) => c.unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull()),
    dialect,
  ).execute();

  await finish(
    withId(db.schema.createTable('tokens').ifNotExists(), dialect)
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('name', 'varchar(128)', (c) => c.notNull())
      .addColumn('key_hash', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('key_prefix', 'varchar(16)', (c) => c.notNull())
      .addColumn('key_suffix', 'varchar(16)', (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('remain_quota', 'bigint', (c) => c.notNull())
      .addColumn('used_quota', 'bigint', (c) => c.notNull())
      .addColumn('unlimited_quota', 'integer', (c) => c.notNull())
      .addColumn('expired_time', 'bigint', (c) => c.notNull())
      .addColumn('model_limits_enabled', 'integer', (c) => c.notNull())
      .addColumn('model_limits', 'text', (c) => c.notNull())
      .addColumn('allow_ips', 'text', (c) => c.notNull())
      .addColumn('group', 'varchar(64)', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('accessed_at', 'bigint', (c) => c.notNull()),
    dialect,
  ).execute();
  await createIndexOnce(db, dialect, 'tokens', 'tokens_user_id', (i) => i.columns(['user_id', 'id']));

  await finish(
    withId(db.schema.createTable('channels').ifNotExists(), dialect)
      .addColumn('type', 'varchar(32)', (c) => c.notNull())
      .addColumn('name', 'varchar(128)', (c) => c.notNull())
      .addColumn('base_url', 'varchar(512)', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('models', 'text', (c) => c.notNull())
      .addColumn('group', 'varchar(255)', (c) => c.notNull())
      .addColumn('priority', 'bigint', (c) => c.notNull())
      .addColumn('weight', 'integer', (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('status_reason', 'text', (c) => c.notNull())
      .addColumn('auto_ban', 'integer', (c) => c.notNull())
      .addColumn('proxy', 'varchar(512)', (c) => c.notNull())
      .addColumn('push', 'integer', (c) => c.notNull())
      .addColumn('push_secret', 'varchar(64)', (c) => c.notNull())
      .addColumn('timeout_minutes', 'integer', (c) => c.notNull())
      .addColumn('failure_count', 'integer', (c) => c.notNull())
      .addColumn('test_time', 'bigint', (c) => c.notNull())
      .addColumn('response_time', 'integer', (c) => c.notNull())
      .addColumn('used_quota', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull()),
    dialect,
  ).execute();

  await finish(
    db.schema
      .createTable('options')
      .ifNotExists()
      .addColumn('key', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('value', text, (c) => c.notNull()),
    dialect,
  ).execute();

  await finish(
    withId(db.schema.createTable('ledger').ifNotExists(), dialect)
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('token_id', 'bigint', (c) => c.notNull())
      .addColumn('task_id', 'varchar(64)')
      .addColumn('platform', 'varchar(32)', (c) => c.notNull())
      .addColumn('model', 'varchar(64)', (c) => c.notNull())
      .addColumn('kind', 'varchar(16)', (c) => c.notNull())
      .addColumn('quota', 'bigint', (c) => c.notNull())
      .addColumn('delta', 'bigint', (c) => c.notNull())
      .addColumn('content', 'text', (c) => c.notNull())
      // At most one charge and one refund per task, whatever races: the database says no to the second.
      .addUniqueConstraint('ledger_task_kind', ['task_id', 'kind']),
    dialect,
  ).execute();
  await createIndexOnce(db, dialect, 'ledger', 'ledger_user_id', (i) => i.columns(['user_id', 'id']));

  await finish(
    db.schema
      .createTable('sessions')
      .ifNotExists()
      .addColumn('id_hash', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull()),
    dialect,
  ).execute();
  await createIndexOnce(db, dialect, 'sessions', 'sessions_user_id', (i) => i.column('user_id'));

  await finish(
    withId(db.schema.createTable('tasks').ifNotExists(), dialect)
      .addColumn('task_id', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('platform', 'varchar(32)', (c) => c.notNull())
      .addColumn('upstream_id', 'varchar(191)', (c) => c.notNull())
      .addColumn('action', 'varchar(40)', (c) => c.notNull())
      .addColumn('model', 'varchar(64)', (c) => c.notNull())
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('token_id', 'bigint', (c) => c.notNull())
      .addColumn('channel_id', 'bigint', (c) => c.notNull())
      .addColumn('group', 'varchar(64)', (c) => c.notNull())
      .addColumn('quota', 'bigint', (c) => c.notNull())
      .addColumn('refunded', 'integer', (c) => c.notNull())
      .addColumn('status', 'varchar(20)', (c) => c.notNull())
      .addColumn('progress', 'varchar(20)', (c) => c.notNull())
      .addColumn('code', 'integer', (c) => c.notNull())
      .addColumn('fail_reason', 'text', (c) => c.notNull())
      .addColumn('submit_time', 'bigint', (c) => c.notNull())
      .addColumn('start_time', 'bigint', (c) => c.notNull())
      .addColumn('finish_time', 'bigint', (c) => c.notNull())
      .addColumn('prompt', text, (c) => c.notNull())
      .addColumn('prompt_en', text, (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('image_url', 'text', (c) => c.notNull())
      .addColumn('video_url', 'text', (c) => c.notNull())
      .addColumn('video_urls', 'text', (c) => c.notNull())
      .addColumn('buttons', 'text', (c) => c.notNull())
      .addColumn('properties', text, (c) => c.notNull())
      .addColumn('data', text, (c) => c.notNull())
      .addColumn('notify_hook', 'text', (c) => c.notNull())
      .addColumn('parent_task_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('next_poll_at', 'bigint')
      .addColumn('lease_owner', 'varchar(64)')
      .addColumn('lease_until', 'bigint')
      .addColumn('poll_attempts', 'integer', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('vanished_since', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull()),
    dialect,
  ).execute();
  // Listing filters: owner pages, admin pages, channel filter, and the poller's due-task scan
  // (final tasks have next_poll_at NULL, so the scan touches only unfinished ones).
  await createIndexOnce(db, dialect, 'tasks', 'tasks_user_platform_id', (i) =>
    i.columns(['user_id', 'platform', 'id']),
  );
  await createIndexOnce(db, dialect, 'tasks', 'tasks_platform_id', (i) => i.columns(['platform', 'id']));
  await createIndexOnce(db, dialect, 'tasks', 'tasks_channel_id', (i) => i.columns(['channel_id', 'id']));
  await createIndexOnce(db, dialect, 'tasks', 'tasks_next_poll_at', (i) => i.column('next_poll_at'));
  await createIndexOnce(db, dialect, 'tasks', 'tasks_channel_upstream', (i) =>
    i.columns(['channel_id', 'upstream_id']),
  );
}

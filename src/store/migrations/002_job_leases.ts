// Singleton jobs (orphan sweep, session cleanup) are elected through one lease row per job.
import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';
import { finish } from './columns.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await finish(
    db.schema
      .createTable('job_leases')
      .ifNotExists()
      .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('owner', 'varchar(128)', (c) => c.notNull())
      .addColumn('until', 'bigint', (c) => c.notNull()),
    dialect,
  ).execute();
}

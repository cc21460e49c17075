// Runs the migration set. Kysely's migrator takes a database lock, so instances starting together run it once.
import { type Kysely, type Migration, type MigrationResultSet, Migrator, sql } from 'kysely';
import type { Dialect, Store } from './db.js';
import * as initial from './migrations/001_initial.js';
import * as jobLeases from './migrations/002_job_leases.js';
import * as listingIndexes from './migrations/003_listing_indexes.js';
import * as taskPolls from './migrations/004_task_polls.js';
import * as notifyPending from './migrations/005_notify_pending.js';
import * as pollDigest from './migrations/006_poll_digest.js';

type Step = { up(db: Kysely<unknown>, dialect: Dialect): Promise<void> };

/** Every migration, in order (tests run each one's steps on their own). */
export const MIGRATION_STEPS: Readonly<Record<string, Step>> = {
  '001_initial': initial as Step,
  '002_job_leases': jobLeases as Step,
  '003_listing_indexes': listingIndexes as Step,
  '004_task_polls': taskPolls as Step,
  '005_notify_pending': notifyPending as Step,
  '006_poll_digest': pollDigest as Step,
};

export function migrateToLatest(store: Store): Promise<string[]> {
  return migrate(store, (migrator) => migrator.migrateToLatest());
}

/** Runs the migrations up to and including `name` (tests build a database as an older version left it). */
export function migrateTo(store: Store, name: string): Promise<string[]> {
  return migrate(store, (migrator) => migrator.migrateTo(name));
}

async function migrate(
  store: Store,
  run: (migrator: Migrator) => Promise<MigrationResultSet>,
): Promise<string[]> {
  const migrations: Record<string, Migration> = {};
  for (const [name, step] of Object.entries(MIGRATION_STEPS)) {
    migrations[name] = { up: (db) => step.up(db, store.dialect) };
  }
  // PostgreSQL: pin Kysely's own tables to the current schema. Without it the migrator's existence check sees
  // `kysely_migration_lock` in any other schema of the database and then fails to find it in its own.
  const schema =
    store.dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: schema ?? undefined,
  });
  const { error, results = [] } = await run(migrator);
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

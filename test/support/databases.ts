// A fresh database per test file on every engine that answers: SQLite always, PostgreSQL (a schema of its own)
// and MySQL/MariaDB (a database of its own) when the services are there. Dropped again afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { type DatabaseTarget, type Dialect, openStore, type Store } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';

export interface Backend {
  dialect: Dialect;
  /** Whether the service answers on this machine; missing ones are skipped (CI requires all). */
  available: boolean;
}

export function backends(): Backend[] {
  const services = inject('services');
  return [
    { dialect: 'sqlite', available: true },
    { dialect: 'postgres', available: services.postgres !== null },
    { dialect: 'mysql', available: services.mysql !== null },
  ];
}

export interface TestDatabase {
  target: DatabaseTarget;
  /** The same database as an `SQL_DSN` value, for starting real processes against it. */
  dsn: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  const name = `tg_${randomBytes(6).toString('hex')}`;
  const services = inject('services');
  if (dialect === 'postgres') {
    const admin = new pg.Client({ connectionString: services.postgres! });
    await admin.connect();
    await admin.query(`create schema ${name}`);
    await admin.end();
    const url = new URL(services.postgres!);
    url.searchParams.set('options', `-c search_path=${name}`);
    return {
      target: { dialect, location: services.postgres!, schema: name },
      dsn: url.toString(),
      drop: async () => {
        const c = new pg.Client({ connectionString: services.postgres! });
        await c.connect();
        await c.query(`drop schema if exists ${name} cascade`);
        await c.end();
      },
    };
  }
  if (dialect === 'mysql') {
    const admin = await createConnection(services.mysql!);
    await admin.query(`create database ${name} character set utf8mb4`);
    await admin.end();
    const url = new URL(services.mysql!);
    url.pathname = `/${name}`;
    return {
      target: { dialect, location: url.toString() },
      dsn: url.toString(),
      drop: async () => {
        const c = await createConnection(services.mysql!);
        await c.query(`drop database if exists ${name}`);
        await c.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'taskgate-test-'));
  const file = join(dir, 'taskgate.db');
  return {
    target: { dialect, location: file },
    dsn: `sqlite:${file}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A migrated store on a fresh database; `dispose` closes and drops it. */
export async function createTestStore(dialect: Dialect): Promise<{ store: Store; dispose(): Promise<void> }> {
  const database = await createTestDatabase(dialect);
  const store = openStore(database.target);
  await migrateToLatest(store);
  return {
    store,
    dispose: async () => {
      await store.close();
      await database.drop();
    },
  };
}

/**
 * Declares `body` once per engine. `current()` gives the migrated store of the running engine; engines whose
 * service is missing are reported as skipped, never silently dropped.
 */
export function describeEachBackend(
  title: string,
  body: (current: () => Store, dialect: Dialect) => void,
): void {
  for (const backend of backends()) {
    describe.skipIf(!backend.available)(`${title} [${backend.dialect}]`, () => {
      let store: Store;
      let dispose: () => Promise<void>;
      beforeAll(async () => {
        ({ store, dispose } = await createTestStore(backend.dialect));
      });
      afterAll(async () => dispose?.());
      body(() => store, backend.dialect);
    });
  }
}

// Group commit on SQLite: transactions of one event-loop turn share a commit, and none of their callers hears
// "done" before that commit is in the file, as a second connection to the same file shows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { type Generated, Kysely, sql } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DbContext, inTransaction } from '../../src/store/db.js';
import { GroupCommitSqliteDialect, type GroupCommitStats } from '../../src/store/sqlite-group-commit.js';
import { CachingSqlite } from '../../src/store/sqlite-statements.js';

interface Schema {
  items: { id: Generated<number>; name: string };
  parents: { id: number };
  children: { id: number; parent_id: number };
}

const dir = mkdtempSync(join(tmpdir(), 'taskgate-group-commit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let file = 0;
let db: Kysely<Schema>;
let stats: () => GroupCommitStats;
/** Another connection to the same file: it sees only what was committed. */
let observer: SQLite.Database;

async function open(maxGroup?: number) {
  const path = join(dir, `${++file}.db`);
  const database = new SQLite(path);
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  const dialect = new GroupCommitSqliteDialect(new CachingSqlite(database), maxGroup);
  db = new Kysely<Schema>({ dialect });
  await sql`create table items (id integer primary key, name text not null)`.execute(db);
  await sql`create table parents (id integer primary key)`.execute(db);
  await sql`create table children (id integer primary key, parent_id integer not null
    references parents (id) deferrable initially deferred)`.execute(db);
  stats = () => ({ ...dialect.driver!.stats });
  observer = new SQLite(path, { readonly: true });
}

const committed = () =>
  (observer.prepare('select name from items order by id').all() as Array<{ name: string }>).map(
    (r) => r.name,
  );
/** The store's transaction helper over this test's database (its tables are not the app's). */
const ctx = () => ({ db: db as unknown as DbContext['db'], dialect: 'sqlite' as const });
const insert = (name: string) =>
  inTransaction(ctx(), async (trx) => {
    await sql`insert into items (name) values (${name})`.execute(trx.db);
    return name;
  });
/** Every committed name at the moment a call settles, by the call's name. */
function seenOnSettle(calls: Record<string, Promise<unknown>>) {
  const seen: Record<string, string[]> = {};
  const settled = Object.entries(calls).map(([name, call]) =>
    call.then(
      () => {
        seen[name] = committed();
      },
      () => {
        seen[name] = committed();
      },
    ),
  );
  return Promise.all(settled).then(() => seen);
}

beforeEach(async () => {
  await open();
});
afterEach(async () => {
  observer.close();
  await db.destroy();
});

describe('SQLite group commit', () => {
  it('commits the transactions of one turn once, and each caller returns after that commit', async () => {
    const before = stats();
    const names = Array.from({ length: 10 }, (_, i) => `t${i}`);
    const seen = await seenOnSettle(Object.fromEntries(names.map((n) => [n, insert(n)])));
    for (const name of names) expect(seen[name]).toEqual(names);
    expect(stats().groups - before.groups).toBe(1);
    expect(stats().members - before.members).toBe(10);
  });

  it('a transaction that throws is undone alone; the others of its group are committed', async () => {
    const failing = inTransaction(ctx(), async (trx) => {
      await sql`insert into items (name) values ('failed')`.execute(trx.db);
      throw new Error('the caller gave up');
    });
    const calls = { a: insert('a'), failing, b: insert('b') };
    await expect(failing).rejects.toThrow('the caller gave up');
    const seen = await seenOnSettle(calls);
    expect(seen.a).toEqual(['a', 'b']);
    expect(committed()).toEqual(['a', 'b']);
  });

  it('a commit that fails fails every member of its group and keeps none of their writes', async () => {
    // A deferred foreign key is checked at COMMIT only: one member's dangling row fails the group's commit.
    const dangling = inTransaction(ctx(), async (trx) => {
      await sql`insert into children (id, parent_id) values (1, 99)`.execute(trx.db);
    });
    const calls = [insert('a'), dangling, insert('b')];
    const results = await Promise.allSettled(calls);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect(String((result as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY constraint failed/);
    }
    expect(committed()).toEqual([]);
    expect(observer.prepare('select count(*) as n from children').get()).toEqual({ n: 0 });
    expect(stats().failed).toBe(1);
    // The connection is left usable, outside any transaction.
    await insert('after');
    expect(committed()).toEqual(['after']);
  });

  it('when SQLite ends the whole transaction, the earlier members hear their writes are gone', async () => {
    const first = insert('first');
    const ender = inTransaction(ctx(), async (trx) => {
      await sql`rollback`.execute(trx.db);
      throw new Error('statement failed');
    });
    await expect(ender).rejects.toThrow('statement failed');
    await expect(first).rejects.toThrow(/rolled back a group of transactions/);
    expect(committed()).toEqual([]);
    await insert('next');
    expect(committed()).toEqual(['next']);
  });

  it('a single write inside a group returns after the commit; a read returns at once', async () => {
    const opener = insert('opener');
    const single = db.insertInto('items').values({ name: 'single' }).execute();
    let readDone = false;
    const read = db
      .selectFrom('items')
      .select('name')
      .execute()
      .then((rows) => {
        readDone = true;
        return rows.map((r) => r.name);
      });
    // A transaction that waits, inside, for the read: were reads held until the commit, the group could not
    // commit while this transaction holds the connection, and nothing would ever settle.
    const waiter = inTransaction(ctx(), async (trx) => {
      const names = await read;
      await sql`insert into items (name) values (${`after ${names.length}`})`.execute(trx.db);
    });
    const seen = await seenOnSettle({ opener, single, waiter });
    expect(readDone).toBe(true);
    // The read saw the group's uncommitted rows (same connection); the writers returned after the commit.
    expect(await read).toEqual(['opener', 'single']);
    expect(seen.single).toEqual(['opener', 'single', 'after 2']);
    expect(seen.opener).toEqual(['opener', 'single', 'after 2']);
  });

  it('a steady queue commits whenever a group is full', async () => {
    observer.close();
    await db.destroy();
    await open(3);
    const names = Array.from({ length: 10 }, (_, i) => `t${i}`);
    const seen = await seenOnSettle(Object.fromEntries(names.map((n) => [n, insert(n)])));
    expect(stats().groups).toBe(4);
    expect(stats().members).toBe(10);
    for (const name of names) expect(seen[name]).toContain(name);
    expect(committed()).toEqual(names);
  });

  it('a lone transaction commits within a turn, and closing the database commits a pending group', async () => {
    await insert('alone');
    expect(committed()).toEqual(['alone']);
    // A read opens no transaction, a write outside one commits itself.
    await db.insertInto('items').values({ name: 'plain' }).execute();
    expect(committed()).toEqual(['alone', 'plain']);
    const pending = insert('pending');
    const read = db.selectFrom('items').select('name').execute();
    await read;
    await db.destroy();
    await pending;
    expect(committed()).toEqual(['alone', 'plain', 'pending']);
  });

  it('closed in the middle of a transaction: that one is undone, the finished ones of its group kept', async () => {
    const finished = insert('finished');
    let resume!: () => void;
    const paused = new Promise<void>((resolve) => {
      resume = resolve;
    });
    const halfDone = inTransaction(ctx(), async (trx) => {
      await sql`insert into items (name) values ('half done')`.execute(trx.db);
      await paused;
      await sql`insert into items (name) values ('never')`.execute(trx.db);
    });
    // A transaction holding the connection across turns holds its group's commit back too.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(committed()).toEqual([]);
    await db.destroy();
    resume();
    await expect(halfDone).rejects.toThrow();
    await expect(finished).resolves.toBe('finished');
    expect(committed()).toEqual(['finished']);
  });
});

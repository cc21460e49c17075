// How an SQLite store's connection is set up: SQLITE_SYNCHRONOUS reaches it, and the write-ahead log is
// checkpointed by the background worker, not by the commits of the event loop.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.js';
import { BACKSTOP_PAGES, startCheckpointer } from '../../src/store/sqlite-checkpointer.js';

const dir = mkdtempSync(join(tmpdir(), 'taskgate-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** SQLite's numbers for the `synchronous` pragma. */
const LEVEL = { normal: 1, full: 2 } as const;

describe('SQLite connection', () => {
  it.each([
    ['the default', undefined, LEVEL.normal],
    ['full', 'full' as const, LEVEL.full],
    ['normal', 'normal' as const, LEVEL.normal],
  ])(
    '%s: journal in WAL mode, synchronous as configured, temporary data in memory',
    async (name, synchronous, level) => {
      const store = openStore({ dialect: 'sqlite', location: join(dir, `${name}.db`) }, 1, synchronous);
      try {
        const database = store.sqlite!.database;
        expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
        expect(database.pragma('synchronous', { simple: true })).toBe(level);
        expect(database.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKSTOP_PAGES);
        // 2 = memory: a grouped transaction's savepoint journal never goes through a temporary file.
        expect(database.pragma('temp_store', { simple: true })).toBe(2);
      } finally {
        await store.close();
      }
    },
  );

  it('copies committed pages into the database file in the background, and leaves no log once closed', async () => {
    const file = join(dir, 'checkpoint.db');
    const store = openStore({ dialect: 'sqlite', location: file }, 1);
    await sql`create table items (id integer primary key, body text not null)`.execute(store.db);
    const emptySize = statSync(file).size;
    // About 2 MB in commits of their own: far below the writer's own checkpoint (BACKSTOP_PAGES × 4 KB).
    for (let i = 0; i < 500; i++)
      await sql`insert into items (body) values (${'x'.repeat(4000)})`.execute(store.db);
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(2_000_000);
    const deadline = Date.now() + 5_000;
    while (statSync(file).size < emptySize + 2_000_000 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(statSync(file).size).toBeGreaterThan(emptySize + 2_000_000);
    await store.close();
    // Both connections closed: the last one checkpointed what was left and removed the log.
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('lets a process that has nothing else to do close its store and exit normally', () => {
    // A script whose last work is closing the store: Node exits with 13 if the close is left waiting.
    const script = `
      import { openStore } from './src/store/db.ts';
      const store = openStore({ dialect: 'sqlite', location: ${JSON.stringify(join(dir, 'exit.db'))} });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await store.close();
      console.log('closed');`;
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(output.trim()).toBe('closed');
  });

  it('says on stderr, as a process warning, when the checkpoint worker cannot work', async () => {
    const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
    const checkpointer = startCheckpointer(join(dir, 'missing', 'nothing.db'));
    const warning = await warned;
    expect(warning.name).toBe('TaskgateWarning');
    expect(warning.message).toMatch(/^SQLite background checkpoint failed: .*(directory|exist)/i);
    await checkpointer.stop();
  });
});

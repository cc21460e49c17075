// The SQLite prepared-statement cache: the same SQL text reuses its statement, the cache stays within its
// bound, and long one-off SQL is never kept.
import SQLite from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { CachingSqlite } from '../../src/store/sqlite-statements.js';

let db: CachingSqlite | null = null;
afterEach(() => {
  db?.close();
  db = null;
});

it('reuses a statement for the same SQL and keeps at most its limit, least recently used dropped', () => {
  db = new CachingSqlite(new SQLite(':memory:'), 3);
  const one = db.prepare('select 1');
  expect(db.prepare('select 1')).toBe(one);
  db.prepare('select 2');
  db.prepare('select 3');
  db.prepare('select 1'); // used again: now the most recent
  db.prepare('select 4'); // drops "select 2", the least recently used
  expect(db.size).toBe(3);
  expect(db.prepare('select 1')).toBe(one);
  const two = db.prepare('select 2');
  expect(two.get()).toEqual({ 2: 2 });
  expect(db.size).toBe(3);
});

it('prepares long SQL each time without keeping it', () => {
  db = new CachingSqlite(new SQLite(':memory:'));
  const long = `select count(*) as n from (select 1 as v) where v in (${Array.from({ length: 1500 }, (_, i) => i).join(', ')})`;
  const first = db.prepare(long);
  expect(db.prepare(long)).not.toBe(first);
  expect(db.size).toBe(0);
  expect(first.get()).toEqual({ n: 1 });
});

it('answers rows as the objects better-sqlite3 would build, and leaves the shared statement in object mode', () => {
  db = new CachingSqlite(new SQLite(':memory:'));
  db.database.exec(`create table t (id integer primary key, name text, data blob, score real)`);
  db.database.prepare('insert into t (name, data, score) values (?, ?, ?)').run('a "b"', null, 1.5);
  const sql = 'select id, name, data, score, name as again from t where id = ?';
  expect(db.firstRow(sql, [1])).toStrictEqual(db.prepare(sql).get(1));
  expect(db.firstRow(sql, [1])).toEqual({ id: 1, name: 'a "b"', data: null, score: 1.5, again: 'a "b"' });
  expect(db.firstRow(sql, [2])).toBeUndefined();
  db.database
    .prepare('insert into t (name, data, score) values (?, ?, ?)')
    .run('c', Buffer.from([1, 2]), null);
  const all = 'select id, name, data, score from t order by id';
  expect(db.rows(all, [])).toStrictEqual(db.prepare(all).all());
  expect(db.rows('select id from t where id > ?', [5])).toEqual([]);
  // The raw statement is its own: the cached one still answers objects to everyone else.
  expect(db.prepare(sql).get(1)).toEqual({ id: 1, name: 'a "b"', data: null, score: 1.5, again: 'a "b"' });
});

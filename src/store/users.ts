// Users: accounts, roles, and the dashboard access token (stored as a hash). Balances move only in ledger.ts.
import { sql } from 'kysely';
import type { DbContext } from './db.js';
import { insertReturningId } from './insert.js';
import type { UserRow } from './schema.js';

export interface NewUser {
  username: string;
  passwordHash: string;
  displayName?: string;
  role: number;
  group?: string;
  /** Only for root, which is user 1 on every engine as in new-api; everyone else takes the next id. */
  id?: number;
}

export async function createUser(ctx: DbContext, user: NewUser, now: number): Promise<number> {
  const id = await insertReturningId(
    ctx.dialect,
    ctx.db.insertInto('users').values({
      ...(user.id === undefined ? {} : { id: user.id }),
      username: user.username,
      password_hash: user.passwordHash,
      display_name: user.displayName ?? user.username,
      role: user.role,
      status: 1,
      group: user.group ?? 'default',
      quota: 0,
      used_quota: 0,
      request_count: 0,
      access_token_hash: null,
      created_at: now,
      updated_at: now,
    }),
  );
  // PostgreSQL's sequence does not see an explicit id (SQLite and MySQL move past it themselves).
  if (user.id !== undefined && ctx.dialect === 'postgres')
    await sql`select setval(pg_get_serial_sequence('users', 'id'), (select max(id) from users))`.execute(
      ctx.db,
    );
  return id;
}

export function findUserById(ctx: DbContext, id: number): Promise<UserRow | undefined> {
  return ctx.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findUserByUsername(ctx: DbContext, username: string): Promise<UserRow | undefined> {
  return ctx.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

export function findUserByAccessTokenHash(ctx: DbContext, hash: string): Promise<UserRow | undefined> {
  return ctx.db.selectFrom('users').selectAll().where('access_token_hash', '=', hash).executeTakeFirst();
}

export async function setAccessTokenHash(
  ctx: DbContext,
  userId: number,
  hash: string,
  now: number,
): Promise<void> {
  await ctx.db
    .updateTable('users')
    .set({ access_token_hash: hash, updated_at: now })
    .where('id', '=', userId)
    .execute();
}

export interface UserChanges {
  username?: string;
  displayName?: string;
  passwordHash?: string;
  role?: number;
  status?: number;
  group?: string;
}

export async function updateUser(
  ctx: DbContext,
  id: number,
  changes: UserChanges,
  now: number,
): Promise<void> {
  await ctx.db
    .updateTable('users')
    .set({
      username: changes.username,
      display_name: changes.displayName,
      password_hash: changes.passwordHash,
      role: changes.role,
      status: changes.status,
      group: changes.group,
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}

export interface UserFilter {
  /** Part of the username or display name, in any case; or the id. */
  keyword?: string;
  role?: number;
  status?: number;
}

export async function listUsers(
  ctx: DbContext,
  filter: UserFilter,
  offset: number,
  limit: number,
): Promise<{ rows: UserRow[]; total: number }> {
  let query = ctx.db.selectFrom('users');
  if (filter.keyword) {
    const keyword = filter.keyword;
    const pattern = `%${keyword.toLowerCase().replace(/[!%_]/g, '!$&')}%`;
    // lower() on both sides: PostgreSQL's LIKE is case-sensitive, SQLite's and MariaDB's are not. On MariaDB a binary
    // collation besides, or its default one would also match 'cafe' to 'Café' where the other engines do not.
    const collate = ctx.dialect === 'mysql' ? sql` collate utf8mb4_bin` : sql``;
    const contains = (column: 'username' | 'display_name') =>
      sql<boolean>`lower(${sql.ref(column)})${collate} like ${pattern} escape '!'`;
    query = query.where((eb) =>
      eb.or([
        contains('username'),
        contains('display_name'),
        // A number is also an id, as in new-api's search.
        ...(/^\d{1,15}$/.test(keyword) ? [eb('id', '=', Number(keyword))] : []),
      ]),
    );
  }
  if (filter.role !== undefined) query = query.where('role', '=', filter.role);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.total) };
}

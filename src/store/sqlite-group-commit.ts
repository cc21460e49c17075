// Group commit for the one SQLite connection. A commit writes every page its transaction touched to the
// write-ahead log, one system call per frame: a submit's charge and task row touch about twenty pages (the task
// row's indexes), and its two commits were a third of its CPU (docs/benchmarks.md, submit). Transactions of
// requests handled together mostly touch the same pages, so here the transactions started in one turn of the
// event loop run as savepoints of one transaction, committed once that turn is over (or the group is full).
// Nobody's call returns before the commit that holds its writes: what a caller sees as done is as durable as
// before. A transaction that waited on something outside the database would hold its group's commit back with
// it; none does (no transaction is open during an upstream call).
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SqliteDialect,
} from 'kysely';
import type { CachingSqlite } from './sqlite-statements.js';

/** Members of one group at most, so a steady queue still commits often and no member waits long. */
export const MAX_GROUP = 64;

/** The savepoint each transaction of a group runs in, so a failing one rolls back alone. */
const MEMBER = 'taskgate_group_member';

interface Group {
  /** Connection uses (transactions and single statements) that ran in the group. */
  members: number;
  /** A commit is on its way (`commitSoon`). */
  scheduled: boolean;
  /** The next release commits. */
  closing: boolean;
  /** Settles when the group's commit has happened or failed. */
  done: Promise<void>;
  commit(): void;
  fail(error: unknown): void;
}

export interface GroupCommitStats {
  /** Groups committed, and connection uses they held. */
  groups: number;
  members: number;
  failed: number;
}

export class GroupCommitSqliteDialect extends SqliteDialect {
  /** The driver, once Kysely asked for it (tests read its stats). */
  driver?: GroupCommitSqliteDriver;

  constructor(
    private readonly sqlite: CachingSqlite,
    private readonly maxGroup = MAX_GROUP,
  ) {
    super({ database: sqlite });
  }

  override createDriver(): Driver {
    this.driver = new GroupCommitSqliteDriver(this.sqlite, this.maxGroup);
    return this.driver;
  }
}

export class GroupCommitSqliteDriver implements Driver {
  readonly stats: GroupCommitStats = { groups: 0, members: 0, failed: 0 };
  private readonly connection: SqliteConnection;
  private busy = false;
  /** Callers waiting for the connection, first come first served. */
  private readonly waiting: Array<() => void> = [];
  private group: Group | null = null;
  /** A transaction is between its begin and its end (its savepoint is open). */
  private memberOpen = false;

  constructor(
    private readonly sqlite: CachingSqlite,
    private readonly maxGroup: number,
  ) {
    this.connection = new SqliteConnection(sqlite);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.busy) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.busy = true;
    return this.connection;
  }

  async beginTransaction(): Promise<void> {
    if (!this.group) {
      this.run('begin');
      this.group = openGroup();
    }
    this.run(`savepoint ${MEMBER}`);
    this.memberOpen = true;
  }

  async commitTransaction(): Promise<void> {
    this.memberOpen = false;
    this.run(`release ${MEMBER}`);
  }

  async rollbackTransaction(): Promise<void> {
    this.memberOpen = false;
    if (this.sqlite.database.inTransaction) {
      this.run(`rollback to ${MEMBER}`);
      this.run(`release ${MEMBER}`);
      return;
    }
    // SQLite ended the whole transaction itself (a full disk, say): the group's earlier members are undone too.
    this.endGroup(new Error('the database rolled back a group of transactions; none of them was saved'));
  }

  async releaseConnection(): Promise<void> {
    const group = this.group;
    const wrote = this.connection.wrote;
    this.connection.wrote = false;
    if (group) {
      group.members++;
      if (group.closing || group.members >= this.maxGroup) this.commitGroup();
      else this.commitSoon(group);
    }
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
    // A single statement that wrote inside a group is saved by its commit, not before. Reads do not wait: a
    // cache filling itself may be awaited inside a transaction, which would then wait for its own group.
    if (group && wrote) await group.done;
  }

  async destroy(): Promise<void> {
    // Closed in the middle of a transaction: that one is undone, the finished members are kept.
    if (this.memberOpen) {
      this.run(`rollback to ${MEMBER}`);
      this.memberOpen = false;
    }
    if (this.group) this.commitGroup();
    this.sqlite.close();
  }

  /**
   * Commits `group` once this turn of the event loop has run: every request whose data arrived in the same
   * turn gets to add its transaction first. Statements run to their end without leaving the turn (better-sqlite3
   * is synchronous), so a group's members come from requests handled together, not from a queue.
   */
  private commitSoon(group: Group): void {
    if (group.scheduled) return;
    group.scheduled = true;
    setImmediate(() => {
      if (this.group !== group) return;
      // Someone holds the connection across turns: their release commits instead.
      if (this.busy) group.closing = true;
      else this.commitGroup();
    });
  }

  private commitGroup(): void {
    try {
      this.run('commit');
    } catch (error) {
      // A failed COMMIT can leave the transaction open; nothing of it may stay.
      if (this.sqlite.database.inTransaction) this.run('rollback');
      this.endGroup(error);
      return;
    }
    this.stats.groups++;
    this.stats.members += this.group!.members;
    this.group!.commit();
    this.group = null;
  }

  private endGroup(error: unknown): void {
    this.stats.failed++;
    this.group?.fail(error);
    this.group = null;
  }

  /** Transaction control, straight on the connection (better-sqlite3 is synchronous). */
  private run(statement: string): void {
    this.sqlite.prepare(statement).run();
  }
}

/** better-sqlite3 behind Kysely's connection interface, noting whether a statement may have written. */
class SqliteConnection implements DatabaseConnection {
  /** Set by a statement that is not read-only, cleared when the connection is released. */
  wrote = false;

  constructor(private readonly sqlite: CachingSqlite) {}

  async executeQuery<R>({ sql, parameters }: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.sqlite.prepare(sql);
    if (!statement.readonly) this.wrote = true;
    if (statement.reader) return { rows: statement.all(parameters) as R[] };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  async *streamQuery<R>({ sql, parameters }: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    for (const row of this.sqlite.prepare(sql).iterate(parameters)) yield { rows: [row as R] };
  }
}

function openGroup(): Group {
  let commit!: () => void;
  let fail!: (error: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    commit = resolve;
    fail = reject;
  });
  // A group whose members all left before it failed has nobody to tell: not an unhandled rejection.
  done.catch(() => {});
  return { members: 0, scheduled: false, closing: false, done, commit, fail };
}

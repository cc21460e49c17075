// A charge made by another connection (another process for SQLite) whose transaction stays open for a while:
// the "charge that lands between an admin's read and write" of the balance races.
import { spawn } from 'node:child_process';
import type { TestDatabase } from './databases.js';

// Runs in a child process: better-sqlite3 is synchronous, so an open write in this process would block the app too.
const SCRIPT = `
const { dialect, location, user, amount, hold, task } = JSON.parse(process.env.HELD_CHARGE);
const row = [Date.now(), user, 0, task, 'midjourney', 'mj_imagine', 'charge', amount, -amount, 'held charge'];
if (dialect === 'sqlite') {
  const db = new (require('better-sqlite3'))(location);
  db.exec('begin immediate');
  db.prepare('update users set quota = quota - ?, used_quota = used_quota + ? where id = ?').run(amount, amount, user);
  db.prepare('insert into ledger (created_at, user_id, token_id, task_id, platform, model, kind, quota, delta, content) values (?,?,?,?,?,?,?,?,?,?)').run(...row);
  console.log('held');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, hold);
  db.exec('commit');
  db.close();
} else {
  const client = new (require('pg').Client)({ connectionString: location });
  (async () => {
    await client.connect();
    await client.query('begin');
    await client.query('update users set quota = quota - $1, used_quota = used_quota + $1 where id = $2', [amount, user]);
    await client.query('insert into ledger (created_at, user_id, token_id, task_id, platform, model, kind, quota, delta, content) values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)', row);
    console.log('held');
    await new Promise((r) => setTimeout(r, hold));
    await client.query('commit');
    await client.end();
  })();
}
`;

export interface HeldCharge {
  /** Settles once the charge is committed and its process has exited. */
  committed: Promise<void>;
}

/**
 * Starts a charge of `amount` on `userId` in another process and resolves once its transaction holds the row (and
 * has not committed); it commits `holdMs` later.
 */
export function holdCharge(
  database: TestDatabase,
  userId: number,
  amount: number,
  holdMs: number,
): Promise<HeldCharge> {
  const { dialect } = database.target;
  if (dialect === 'mysql') throw new Error('holdCharge: SQLite and PostgreSQL only');
  const location = dialect === 'sqlite' ? database.target.location : database.dsn;
  const env = {
    ...process.env,
    HELD_CHARGE: JSON.stringify({
      dialect,
      location,
      user: userId,
      amount,
      hold: holdMs,
      task: `held-${Math.random()}`,
    }),
  };
  const child = spawn(process.execPath, ['-e', SCRIPT], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const committed = new Promise<void>((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`held charge exited ${code}`)))),
  );
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('held')) resolve({ committed });
    });
    committed.catch(reject);
  });
}

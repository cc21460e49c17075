// Preloaded (`--import`) into the `taskgate serve` processes of bench/poll-instances.ts: counts every statement
// this process sends to PostgreSQL (each `query` call on a pg client is one round-trip, BEGIN and COMMIT included)
// and answers the count over the IPC channel the bench opened.
import pg from 'pg';

let statements = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;

process.on('message', (message) => {
  if (message === 'statements') process.send?.({ statements });
});
// The channel must not keep a stopped instance alive.
process.channel?.unref();

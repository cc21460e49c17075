// The taskgate command line: serve (default), migrate, and later sim and demo.
import { ConfigError, loadConfig } from '../config.js';
import { createSimulators } from '../sim/server.js';
import { openStore, parseDsn } from '../store/db.js';
import { migrateToLatest } from '../store/migrate.js';
import { VERSION } from '../version.js';
import { demo } from './demo.js';
import { migrateData } from './migrate-data.js';
import { serve } from './serve.js';

const USAGE = `taskgate ${VERSION}

Usage: taskgate [command]

Commands:
  serve     run the gateway (default)
  migrate   apply database migrations and exit
  migrate-data --from <sqlite file> --to <SQL_DSN>
            copy a SQLite install into an empty PostgreSQL or MySQL database
  sim       run the upstream simulators (midjourney-proxy, Suno-API, OpenAI video) on SIM_PORT (8080)
  demo      run the gateway with the simulators, a demo user, key and channels
  version   print the version

Configuration is read from environment variables; see README.md.`;

async function main(argv: string[]): Promise<void> {
  const command = argv[0] ?? 'serve';
  switch (command) {
    case 'serve':
      await serve(loadConfig());
      return;
    case 'demo':
      return demo();
    case 'sim': {
      const sims = createSimulators({
        secret: process.env.SIM_SECRET || undefined,
        timeScale: Number(process.env.SIM_TIME_SCALE ?? 1),
      });
      const url = await sims.listen(
        Number(process.env.SIM_PORT ?? 8080),
        process.env.SIM_HOST ?? '127.0.0.1',
      );
      console.log(
        `simulators listening on ${url}: /mj (midjourney-proxy), /suno (Suno-API), /v1/videos (OpenAI video); control under /__sim`,
      );
      for (const signal of ['SIGINT', 'SIGTERM'] as const)
        process.once(signal, () => sims.close().then(() => process.exit(0)));
      return;
    }
    case 'migrate': {
      const config = loadConfig();
      const store = openStore(parseDsn(config.sqlDsn, config.sqlitePath), 10, config.sqliteSynchronous);
      const applied = await migrateToLatest(store);
      await store.close();
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
      return;
    }
    case 'migrate-data':
      process.exitCode = await migrateData(
        argv.slice(1),
        process.env,
        (line) => console.log(line),
        (line) => console.error(line),
      );
      return;
    case 'version':
    case '--version':
      console.log(VERSION);
      return;
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return;
    default:
      console.error(`unknown command '${command}'\n\n${USAGE}`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error) => {
  // A bad setting is the operator's to fix: one line naming the variable, no stack trace.
  if (error instanceof ConfigError) console.error(`taskgate: ${error.message}`);
  else console.error(error);
  process.exit(1);
});

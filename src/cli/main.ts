// The taskgate command line: serve (default), migrate, and later sim and demo.
import { ConfigError, loadConfig } from '../config.js';
import { openStore, parseDsn } from '../store/db.js';
import { migrateToLatest } from '../store/migrate.js';
import { VERSION } from '../version.js';
import { serve } from './serve.js';

const USAGE = `taskgate ${VERSION}

Usage: taskgate [command]

Commands:
  serve     run the gateway (default)
  migrate   apply database migrations and exit
  version   print the version

Configuration is read from environment variables; see README.md.`;

async function main(argv: string[]): Promise<void> {
  const command = argv[0] ?? 'serve';
  switch (command) {
    case 'serve':
      return serve(loadConfig());
    case 'migrate': {
      const config = loadConfig();
      const store = openStore(parseDsn(config.sqlDsn, config.sqlitePath));
      const applied = await migrateToLatest(store);
      await store.close();
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
      return;
    }
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

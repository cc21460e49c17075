// The process logger: JSON lines, secrets redacted.
import pino, { type DestinationStream, type Logger } from 'pino';
import { REDACTED_PATHS } from '../http/app.js';

/** The logger `taskgate serve` writes with: to stdout unless given another destination (the benchmarks). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

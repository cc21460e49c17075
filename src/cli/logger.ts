// The process logger: JSON lines, secrets redacted.
import pino, { type Logger } from 'pino';
import { REDACTED_PATHS } from '../http/app.js';

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
}

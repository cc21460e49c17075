// Errors are values with a code and an HTTP status; each HTTP surface maps them to its own envelope in one place.
import type { MessageCode } from './messages.js';

export class AppError extends Error {
  constructor(
    readonly code: MessageCode,
    readonly status: number,
    readonly params: Record<string, unknown> = {},
  ) {
    super(code);
    this.name = 'AppError';
  }
}

export const badRequest = (detail: string) => new AppError('invalid_request', 400, { detail });
export const notFound = (code: MessageCode = 'not_found') => new AppError(code, 404);
export const forbidden = (code: MessageCode = 'insufficient_role') => new AppError(code, 403);
export const unauthorized = (code: MessageCode) => new AppError(code, 401);

// Suno-API as an upstream (implementation in progress).
import type { PlatformAdapter } from '../types.js';

const pending = (): never => {
  throw new Error('the Suno adapter is not implemented yet');
};

export const sunoAdapter: PlatformAdapter = {
  pollBatchSize: 500,
  pollRequest: pending,
  readPoll: pending,
  readSubmit: pending,
};

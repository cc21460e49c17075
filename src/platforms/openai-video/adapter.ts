// The OpenAI video API as an upstream (implementation in progress).
import type { PlatformAdapter } from '../types.js';

const pending = (): never => {
  throw new Error('the video adapter is not implemented yet');
};

export const videoAdapter: PlatformAdapter = {
  pollBatchSize: 1,
  pollRequest: pending,
  readPoll: pending,
  readSubmit: pending,
};

// Coordination without Redis: a single instance, or several that rely on timers (cache TTL, periodic refresh).
import type { Coordination } from './types.js';

export const localCoordination: Coordination = {
  state: 'not configured',
  publish() {},
  subscribe() {},
  counter: () => null,
  close: async () => {},
};

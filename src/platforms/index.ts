// The adapter of each platform the engine drives.
import { midjourneyAdapter } from './midjourney/adapter.js';
import type { PlatformAdapter } from './types.js';

const ADAPTERS: Record<string, PlatformAdapter> = {
  midjourney: midjourneyAdapter,
};

export function adapterFor(platform: string): PlatformAdapter | undefined {
  return ADAPTERS[platform];
}

// The adapter of each platform the engine drives.
import { midjourneyAdapter } from './midjourney/adapter.js';
import { videoAdapter } from './openai-video/adapter.js';
import { sunoAdapter } from './suno/adapter.js';
import type { PlatformAdapter } from './types.js';

const ADAPTERS: Record<string, PlatformAdapter> = {
  midjourney: midjourneyAdapter,
  suno: sunoAdapter,
  'openai-video': videoAdapter,
};

export function adapterFor(platform: string): PlatformAdapter | undefined {
  return Object.hasOwn(ADAPTERS, platform) ? ADAPTERS[platform] : undefined;
}

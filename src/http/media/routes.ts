// Forwarded media: GET /mj/image/:id and the other media routes (implementation in progress).
import type { App } from '../types.js';

export async function mediaRoutes(_app: App): Promise<void> {}

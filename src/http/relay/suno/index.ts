// The Suno-API face of Taskgate: /suno/submit/:action, /suno/fetch, /suno/fetch/:id (implementation in progress).
import type { App } from '../../types.js';

export async function sunoRelayRoutes(_app: App): Promise<void> {}

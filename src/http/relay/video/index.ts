// The OpenAI video face of Taskgate: /v1/videos… and new-api's /v1/video/generations (implementation in progress).
import type { App } from '../../types.js';

export async function videoRelayRoutes(_app: App): Promise<void> {}

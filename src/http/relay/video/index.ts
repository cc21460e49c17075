// The OpenAI video face of Taskgate: /v1/videos (create, retrieve, content, remix) and new-api's
// /v1/video/generations. Multipart forms are parsed only here, with bounds on every part (form.ts).
import type { App } from '../../types.js';
import { registerVideoForms } from './form.js';
import { videoQueryRoutes } from './query-routes.js';
import { videoSubmitRoutes } from './submit-routes.js';

export async function videoRelayRoutes(app: App): Promise<void> {
  await app.register(async (scoped: App) => {
    await registerVideoForms(scoped);
    await videoSubmitRoutes(scoped);
    await videoQueryRoutes(scoped);
  });
}

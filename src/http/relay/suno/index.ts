// The Suno-API face of Taskgate: POST /suno/submit/:action, POST /suno/fetch, GET /suno/fetch/:id.
// Errors use Suno's {code, message, data:null} envelope (chosen by the /suno/ prefix in plugins/errors).
import type { App } from '../../types.js';
import { sunoFetchRoutes } from './fetch-routes.js';
import { sunoSubmitRoute } from './submit-route.js';

export async function sunoRelayRoutes(app: App): Promise<void> {
  await sunoSubmitRoute(app);
  await sunoFetchRoutes(app);
}

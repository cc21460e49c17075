// The Suno-API face of Taskgate: POST /suno/submit/:action, POST /suno/fetch, GET /suno/fetch/:id.
// Errors use Suno's {code, message, data:null} envelope (chosen by the /suno/ prefix in plugins/errors).
import type { App } from '../../types.js';
import { sunoFetchRoutes } from './fetch-routes.js';
import { sunoSubmitRoute } from './submit-route.js';

/** Whether a request carries a body: a declared length above 0, or a chunked one. */
const hasBody = (headers: Record<string, unknown>) =>
  headers['transfer-encoding'] !== undefined ||
  (headers['content-length'] !== undefined && headers['content-length'] !== '0');

export async function sunoRelayRoutes(app: App): Promise<void> {
  await app.register(async (scoped: App) => {
    // Suno-API decodes every body as JSON whatever its Content-Type, and its clients rely on that: they send
    // text/plain, form types or no type at all. So is it read here (after authentication, before parsing);
    // malformed JSON is still a 400 `invalid_json`, and a typeless empty body stays absent.
    scoped.addHook('preParsing', async (request) => {
      if (request.method !== 'POST') return;
      const { headers } = request;
      const declared = headers['content-type'];
      if (declared?.toLowerCase().startsWith('application/json')) return;
      if (declared !== undefined || hasBody(headers)) headers['content-type'] = 'application/json';
    });
    await sunoSubmitRoute(scoped);
    await sunoFetchRoutes(scoped);
  });
}

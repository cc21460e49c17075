// The OpenAI video face of Taskgate: /v1/videos (create, retrieve, content, remix) and new-api's
// /v1/video/generations. Multipart forms are parsed only here, with bounds on every part.
import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyError } from 'fastify';
import { AppError, badRequest } from '../../../core/errors.js';
import type { App } from '../../types.js';
import type { UploadedFile } from './input.js';
import { videoQueryRoutes } from './query-routes.js';
import { videoSubmitRoutes } from './submit-routes.js';

/** OpenAI takes reference images up to about 20 MB. */
const MAX_FILE_BYTES = 20 * 1024 * 1024;

/** Keeps an uploaded file in the body with its name and type (the default keeps only the bytes). */
async function keepFile(this: unknown, part: MultipartFile): Promise<void> {
  const file: UploadedFile = {
    filename: part.filename,
    contentType: part.mimetype,
    data: await part.toBuffer(),
  };
  (part as unknown as { value: UploadedFile }).value = file;
}

export async function videoRelayRoutes(app: App): Promise<void> {
  await app.register(async (scoped: App) => {
    await scoped.register(multipart, {
      attachFieldsToBody: 'keyValues',
      onFile: keepFile,
      limits: { fileSize: MAX_FILE_BYTES, files: 1, fields: 20, fieldSize: 64 * 1024, parts: 21 },
    });
    // busboy throws plain errors (no status) for a form header it cannot use, such as a missing or overlong
    // boundary; they arrive before the first part is read (no body yet) and are the client's fault.
    scoped.setErrorHandler((error: FastifyError, request) => {
      const unreadForm = request.isMultipart() && request.body === undefined;
      if (unreadForm && !error.statusCode && !(error instanceof AppError)) {
        throw badRequest(`the multipart form cannot be read: ${error.message}`);
      }
      throw error; // the app's handler answers in the surface's envelope
    });
    await videoSubmitRoutes(scoped);
    await videoQueryRoutes(scoped);
  });
}

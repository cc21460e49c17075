// Multipart forms of the video creates: parsed only in the video scope, each part bounded, and a part over its
// bound refused with 413 naming it (busboy would otherwise cut an overlong field short and carry on).
import multipart, { type Multipart, type MultipartFile } from '@fastify/multipart';
import type { FastifyError, FastifyRequest } from 'fastify';
import { AppError, badRequest } from '../../../core/errors.js';
import type { App } from '../../types.js';
import { REFERENCE_PARTS, type UploadedFile } from './input.js';

const FILE_PARTS: readonly string[] = REFERENCE_PARTS;

/** OpenAI takes reference images up to about 20 MB. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;
/** The longest prompt in UTF-8's widest form (4 bytes a character), so no prompt within its length is refused. */
export const MAX_FIELD_BYTES = 128 * 1024;
export const MAX_FIELDS = 20;
export const MAX_FILES = 1;

const tooLarge = (detail: string) => new AppError('form_too_large', 413, { detail });

/** Keeps an uploaded file in the body with its name and type (the default keeps only the bytes). */
async function keepFile(this: unknown, part: MultipartFile): Promise<void> {
  const file: UploadedFile = {
    filename: part.filename,
    contentType: part.mimetype,
    data: await part.toBuffer(),
  };
  (part as unknown as { value: UploadedFile }).value = file;
}

/**
 * The parsed parts as plain values (what `attachFieldsToBody: 'keyValues'` makes, which drops whether busboy cut
 * a field at `fieldSize`): a cut field is refused instead of read short.
 */
function keyValues(request: FastifyRequest): void {
  const parts = request.body as Record<string, Multipart | Multipart[]> | undefined;
  if (!parts) return;
  const body: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(parts)) {
    const values = [entry].flat().map((part) => {
      // A file nobody reads would be dropped in silence: the video made without the image the client meant.
      if (part.type === 'file' && !FILE_PARTS.includes(name)) {
        throw badRequest(
          `the file part ${name} is not read; send the reference image as ${REFERENCE_PARTS.join(', ')}`,
        );
      }
      if (part.type === 'field' && part.valueTruncated) {
        throw tooLarge(`the field ${name} is longer than ${MAX_FIELD_BYTES / 1024} KiB`);
      }
      return (part as { value?: unknown }).value;
    });
    body[name] = values.length === 1 ? values[0] : values;
  }
  request.body = body;
}

/** The plugin's limit errors (413, no detail worth showing) said plainly. */
function limitError(error: FastifyError & { part?: { fieldname?: string } }): AppError | null {
  switch (error.code) {
    case 'FST_REQ_FILE_TOO_LARGE': {
      const name = error.part?.fieldname;
      return tooLarge(`the file${name ? ` ${name}` : ''} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`);
    }
    case 'FST_FILES_LIMIT':
      return tooLarge(
        `the form takes ${MAX_FILES === 1 ? 'one file' : `${MAX_FILES} files`}, the reference image`,
      );
    case 'FST_FIELDS_LIMIT':
      return tooLarge(`the form takes at most ${MAX_FIELDS} fields`);
    case 'FST_PARTS_LIMIT':
      return tooLarge(`the form takes at most ${MAX_FIELDS + MAX_FILES} parts`);
  }
  return null;
}

/** Registers multipart parsing in the (video) scope `scoped`, with its bounds and their errors. */
export async function registerVideoForms(scoped: App): Promise<void> {
  await scoped.register(multipart, {
    attachFieldsToBody: true,
    onFile: keepFile,
    limits: {
      fileSize: MAX_FILE_BYTES,
      files: MAX_FILES,
      fields: MAX_FIELDS,
      fieldSize: MAX_FIELD_BYTES,
      parts: MAX_FIELDS + MAX_FILES,
    },
  });
  // After the plugin's own preValidation hook, which reads the parts into the body.
  scoped.addHook('preValidation', async (request) => {
    if (request.isMultipart()) keyValues(request);
  });
  // busboy throws plain errors (no status) for a form header it cannot use, such as a missing or overlong
  // boundary; they arrive before the first part is read (no body yet) and are the client's fault.
  scoped.setErrorHandler((error: FastifyError, request) => {
    const limit = limitError(error);
    if (limit) throw limit;
    const unreadForm = request.isMultipart() && request.body === undefined;
    if (unreadForm && !error.statusCode && !(error instanceof AppError)) {
      throw new AppError('invalid_request', 400, {
        detail: `the multipart form cannot be read: ${error.message}`,
      });
    }
    throw error; // the app's handler answers in the surface's envelope
  });
}

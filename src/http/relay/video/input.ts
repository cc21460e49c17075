// What a client asked for in a video create, from a JSON body or a multipart form (OpenAI's two forms) or
// new-api's generic form (`duration`, `image`, `images`). Checked here, before anything is charged.
import { badRequest } from '../../../core/errors.js';
import { isObject } from '../../../platforms/json.js';
import type { VideoCreate, VideoReference } from '../../../platforms/openai-video/requests.js';

/** A file part of a multipart create, as the multipart hook leaves it in the body. */
export interface UploadedFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

export const DEFAULT_MODEL = 'sora-2';
export const DEFAULT_SECONDS = 4;
export const MAX_SECONDS = 60;
export const MAX_PROMPT = 32_000;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The image type the bytes are (by their signature): PNG, JPEG or WebP, else null. */
export function sniffImageType(data: Buffer): 'image/png' | 'image/jpeg' | 'image/webp' | null {
  if (data.subarray(0, 8).equals(PNG_SIGNATURE)) return 'image/png';
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP')
    return 'image/webp';
  return null;
}

/** Only printable characters: the others would break the stored properties and the forwarded part header. */
const printable = (value: string) => [...value].filter((c) => c >= ' ' && c !== '\u007f').join('');

export const isUpload = (value: unknown): value is UploadedFile =>
  isObject(value) && Buffer.isBuffer(value.data) && typeof value.filename === 'string';

/** Multipart fields skip the app's JSON checks: PostgreSQL cannot store U+0000, so it is refused here too. */
function text(name: string, value: unknown, max: number): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw badRequest(`${name} must be a string`);
  if (value.length > max) throw badRequest(`${name} is longer than ${max} characters`);
  if (value.includes('\u0000')) throw badRequest(`${name} must not contain NUL (U+0000) characters`);
  return value;
}

export function readPrompt(value: unknown): string {
  const prompt = text('prompt', value, MAX_PROMPT)?.trim();
  if (!prompt) throw badRequest('prompt is required');
  return prompt;
}

/** Whole seconds from "8", 8 or " 8 "; 1..60. */
export function readSeconds(value: unknown): number {
  if (value === undefined || value === null || value === '') return DEFAULT_SECONDS;
  const textValue = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const n = /^\d{1,3}$/.test(textValue) ? Number(textValue) : Number.NaN;
  if (!(n >= 1 && n <= MAX_SECONDS)) {
    throw badRequest(`seconds must be a whole number from 1 to ${MAX_SECONDS}, like "4" or "8"`);
  }
  return n;
}

/**
 * Where a reference image may come: OpenAI's `input_reference`, and new-api's generic `image` / `images` (the
 * first), which some SDKs also send to /v1/videos. A multipart file under any other name is refused (form.ts).
 */
export const REFERENCE_PARTS = ['input_reference', 'image', 'images'] as const;

function readReference(body: Record<string, unknown>): VideoReference | undefined {
  const present = (value: unknown) => value !== undefined && value !== null && value !== '';
  // `images` is an array in JSON, and one value in a form with a single part of that name.
  const name = REFERENCE_PARTS.find((part) => present([body[part]].flat()[0]));
  if (!name) return undefined;
  const given = [body[name]].flat()[0];
  if (isUpload(given)) {
    if (given.data.length === 0) throw badRequest(`${name} is an empty file`);
    // The bytes decide, not the part's declared type: Python's requests declares none (text/plain to the parser),
    // an untyped Blob is application/octet-stream, and a declared image/png may hold anything.
    const contentType = sniffImageType(given.data);
    if (!contentType) {
      const declared = printable(given.contentType.split(';')[0].trim().toLowerCase()).slice(0, 50);
      throw badRequest(`${name} must be a JPEG, PNG or WebP image; this file (${declared}) is none`);
    }
    return {
      kind: 'file',
      filename: printable(given.filename).slice(0, 200) || 'reference',
      contentType,
      data: given.data,
    };
  }
  // new-api's generic form and lenient clients send the image URL as a plain string.
  if (typeof given === 'string') return { kind: 'image_url', url: text(name, given, 30_000_000)! };
  if (isObject(given)) {
    const url = given.image_url;
    const fileId = given.file_id;
    if (typeof url === 'string' && url && fileId === undefined) {
      return { kind: 'image_url', url: text(`${name}.image_url`, url, 30_000_000)! };
    }
    if (typeof fileId === 'string' && fileId && url === undefined) {
      return { kind: 'file_id', id: text(`${name}.file_id`, fileId, 200)! };
    }
  }
  throw badRequest(
    `${name} must be a file, an image URL, or an object with exactly one of image_url or file_id`,
  );
}

export function readCreate(body: unknown): VideoCreate {
  if (!isObject(body)) throw badRequest('the body must be a JSON object or a multipart form');
  const model = text('model', body.model, 100) ?? DEFAULT_MODEL;
  if (!/^[\w.:/-]+$/.test(model)) throw badRequest('model holds characters no model name has');
  const size = text('size', body.size, 20);
  if (size !== undefined && !/^\d{2,5}x\d{2,5}$/.test(size)) {
    throw badRequest('size must be WIDTHxHEIGHT, like "720x1280"');
  }
  return {
    prompt: readPrompt(body.prompt),
    model,
    // new-api's generic form calls it `duration`.
    seconds: readSeconds(body.seconds ?? body.duration),
    size,
    reference: readReference(body),
  };
}

/** What the task keeps of the request: its input without the file's bytes (and without a data: URL's). */
export function createProperties(input: VideoCreate): Record<string, unknown> {
  const reference = input.reference;
  return {
    prompt: input.prompt,
    model: input.model,
    size: input.size ?? null,
    seconds: String(input.seconds),
    ...(reference?.kind === 'file'
      ? {
          input_reference: {
            filename: reference.filename,
            content_type: reference.contentType,
            bytes: reference.data.length,
          },
        }
      : reference?.kind === 'file_id'
        ? { input_reference: { file_id: reference.id } }
        : reference?.kind === 'image_url'
          ? {
              input_reference: {
                image_url: reference.url.startsWith('data:') ? 'data:…' : reference.url.slice(0, 2048),
              },
            }
          : {}),
  };
}

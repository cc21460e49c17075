// The upstream requests of the OpenAI video API: create (JSON, or multipart/form-data when a file is attached, as
// OpenAI's own SDK sends it), remix and retrieve. Only OpenAI's own parameters are sent: OpenAI refuses others.
import { randomBytes } from 'node:crypto';
import type { UpstreamRequest } from '../types.js';

export type VideoReference =
  | { kind: 'image_url'; url: string }
  | { kind: 'file_id'; id: string }
  | { kind: 'file'; filename: string; contentType: string; data: Buffer };

/** A create request as Taskgate understood it (validated by the relay). */
export interface VideoCreate {
  prompt: string;
  model: string;
  /** Whole seconds; sent as the string OpenAI expects. */
  seconds: number;
  size?: string;
  reference?: VideoReference;
}

export const videoHeaders = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

/** A header-safe quoted value: quotes and line breaks would end the part header early. */
const quoted = (value: string) => `"${value.replace(/["\r\n\\]/g, '_')}"`;

function multipart(fields: Array<[string, string]>, file: Extract<VideoReference, { kind: 'file' }>) {
  const boundary = `----taskgate${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of fields) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}\r\n\r\n${value}\r\n`,
      ),
    );
  }
  chunks.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="input_reference"; filename=${quoted(file.filename)}\r\n` +
        `Content-Type: ${file.contentType}\r\n\r\n`,
    ),
    file.data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { boundary, body: Buffer.concat(chunks) };
}

export function createVideoRequest(key: string, input: VideoCreate): UpstreamRequest {
  const fields: Array<[string, string]> = [
    ['prompt', input.prompt],
    ['model', input.model],
    // Always sent, so the clip rendered is the length that was charged.
    ['seconds', String(input.seconds)],
  ];
  if (input.size) fields.push(['size', input.size]);
  const reference = input.reference;
  if (reference?.kind === 'file') {
    const { boundary, body } = multipart(fields, reference);
    return {
      method: 'POST',
      path: '/v1/videos',
      headers: { ...videoHeaders(key), 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    };
  }
  const json: Record<string, unknown> = Object.fromEntries(fields);
  if (reference?.kind === 'image_url') json.input_reference = { image_url: reference.url };
  if (reference?.kind === 'file_id') json.input_reference = { file_id: reference.id };
  return {
    method: 'POST',
    path: '/v1/videos',
    headers: { ...videoHeaders(key), 'content-type': 'application/json' },
    body: json,
  };
}

/** A remix names the origin by the upstream's own id, never Taskgate's. */
export function remixVideoRequest(key: string, upstreamId: string, prompt: string): UpstreamRequest {
  return {
    method: 'POST',
    path: `/v1/videos/${encodeURIComponent(upstreamId)}/remix`,
    headers: { ...videoHeaders(key), 'content-type': 'application/json' },
    body: { prompt },
  };
}

export function retrieveVideoRequest(key: string, upstreamId: string): UpstreamRequest {
  return { method: 'GET', path: `/v1/videos/${encodeURIComponent(upstreamId)}`, headers: videoHeaders(key) };
}

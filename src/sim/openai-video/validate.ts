// Create and remix parameters checked as OpenAI checks them (reference §2.1.1): enums, the sora-2 size
// restriction, `seconds` as a string, one input_reference; each refusal names its `param`.
import type { Answer } from '../common/faults.js';
import type { FormPart } from '../common/multipart.js';
import { invalidRequest } from './errors.js';
import type { InputReference, VideoParams } from './types.js';

const MODELS = ['sora-2', 'sora-2-pro', 'sora-2-2025-10-06', 'sora-2-pro-2025-10-06', 'sora-2-2025-12-08'];
const SECONDS = ['4', '8', '12'];
const SIZES = ['720x1280', '1280x720'];
const PRO_SIZES = [...SIZES, '1024x1792', '1792x1024'];
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const CREATE_PARAMS = ['prompt', 'model', 'seconds', 'size', 'input_reference'];

export type Checked<T> = { ok: true; value: T } | { ok: false; answer: Answer };

const refuse = (answer: Answer): { ok: false; answer: Answer } => ({ ok: false, answer });

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function quotedList(values: string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}

function oneOf(
  fields: Record<string, unknown>,
  name: string,
  allowed: string[],
  fallback: string,
): Checked<string> {
  const value = fields[name] ?? fallback;
  if (typeof value !== 'string') {
    return refuse(
      invalidRequest(
        `Invalid type for '${name}': expected a string, but got ${typeName(value)} instead.`,
        name,
        'invalid_type',
      ),
    );
  }
  if (!allowed.includes(value)) {
    return refuse(
      invalidRequest(
        `Invalid value: '${value}'. Supported values are: ${quotedList(allowed)}.`,
        name,
        'invalid_value',
      ),
    );
  }
  return { ok: true, value };
}

export function checkPrompt(fields: Record<string, unknown>): Checked<string> {
  const prompt = fields.prompt;
  if (prompt === undefined || prompt === null || prompt === '') {
    return refuse(
      invalidRequest("Missing required parameter: 'prompt'.", 'prompt', 'missing_required_parameter'),
    );
  }
  if (typeof prompt !== 'string') {
    return refuse(
      invalidRequest(
        `Invalid type for 'prompt': expected a string, but got ${typeName(prompt)} instead.`,
        'prompt',
        'invalid_type',
      ),
    );
  }
  return { ok: true, value: prompt };
}

/** Refuses parameters the endpoint does not know (OpenAI does; gateways that leak fields get caught). */
export function checkKnownParams(fields: Record<string, unknown>, known: string[]): Answer | null {
  const unknown = Object.keys(fields).find((name) => !known.includes(name));
  return unknown === undefined
    ? null
    : invalidRequest(`Unknown parameter: '${unknown}'.`, unknown, 'unknown_parameter');
}

function jsonReference(value: unknown): Checked<InputReference | null> {
  if (value === undefined || value === null) return { ok: true, value: null };
  const source =
    typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  const imageUrl = source?.image_url;
  const fileId = source?.file_id;
  if (typeof imageUrl === 'string' && fileId === undefined)
    return { ok: true, value: { kind: 'image_url', url: imageUrl } };
  if (typeof fileId === 'string' && imageUrl === undefined)
    return { ok: true, value: { kind: 'file_id', id: fileId } };
  return refuse(
    invalidRequest(
      "'input_reference' must be an object with exactly one of 'image_url' or 'file_id'.",
      'input_reference',
      'invalid_value',
    ),
  );
}

function fileReference(part: FormPart): Checked<InputReference> {
  if (part.filename === null) {
    return refuse(
      invalidRequest(
        "Invalid type for 'input_reference': expected a file upload.",
        'input_reference',
        'invalid_type',
      ),
    );
  }
  const type = (part.contentType ?? '').split(';')[0].trim().toLowerCase();
  if (!IMAGE_TYPES.includes(type)) {
    return refuse(
      invalidRequest(
        `Invalid file format for 'input_reference': '${type || 'unknown'}'. Supported formats are: ${quotedList(IMAGE_TYPES)}.`,
        'input_reference',
        'invalid_value',
      ),
    );
  }
  return {
    ok: true,
    value: { kind: 'file', filename: part.filename, contentType: type, size: part.data.length },
  };
}

/** Create parameters from JSON fields, or from multipart text fields plus the `input_reference` part. */
export function checkCreate(
  fields: Record<string, unknown>,
  referencePart: FormPart | null,
  strictParams: boolean,
): Checked<VideoParams> {
  const unknown = strictParams ? checkKnownParams(fields, CREATE_PARAMS) : null;
  if (unknown) return refuse(unknown);
  const prompt = checkPrompt(fields);
  if (!prompt.ok) return prompt;
  const model = oneOf(fields, 'model', MODELS, 'sora-2');
  if (!model.ok) return model;
  const seconds = oneOf(fields, 'seconds', SECONDS, '4');
  if (!seconds.ok) return seconds;
  const size = oneOf(fields, 'size', model.value.includes('pro') ? PRO_SIZES : SIZES, '720x1280');
  if (!size.ok) return size;
  const reference = referencePart ? fileReference(referencePart) : jsonReference(fields.input_reference);
  if (!reference.ok) return reference;
  return {
    ok: true,
    value: {
      prompt: prompt.value,
      model: model.value,
      seconds: seconds.value,
      size: size.value,
      inputReference: reference.value,
    },
  };
}

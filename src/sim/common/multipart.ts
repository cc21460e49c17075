// A small, strict multipart/form-data reader (RFC 7578) for bodies already held in memory: text fields and
// file parts, nothing streamed. Malformed input is reported, never guessed at.

export interface FormPart {
  name: string;
  filename: string | null;
  contentType: string | null;
  data: Buffer;
}

export class MultipartError extends Error {}

const MAX_PARTS = 100;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** The boundary of a `multipart/form-data; boundary=…` content type, or null. */
export function multipartBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^multipart\/form-data\s*(;|$)/i.test(contentType)) return null;
  const match = /;\s*boundary=("([^"]+)"|[^;\s]+)/i.exec(contentType);
  if (!match) return null;
  const boundary = match[2] ?? match[1];
  return boundary.length >= 1 && boundary.length <= 70 ? boundary : null;
}

function parameters(headerValue: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const match of headerValue.matchAll(/;\s*([a-z0-9*_-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/gi)) {
    const raw = match[2].trim();
    const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    params.set(match[1].toLowerCase(), value);
  }
  return params;
}

function readPartHeaders(text: string): {
  name: string;
  filename: string | null;
  contentType: string | null;
} {
  let disposition: string | null = null;
  let contentType: string | null = null;
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError(`malformed part header: ${line.slice(0, 60)}`);
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-disposition') disposition = value;
    else if (key === 'content-type') contentType = value;
  }
  if (!disposition || !/^form-data\s*(;|$)/i.test(disposition)) {
    throw new MultipartError('every part needs Content-Disposition: form-data');
  }
  const params = parameters(disposition);
  const name = params.get('name');
  if (name === undefined) throw new MultipartError('a part has no name');
  return { name, filename: params.get('filename') ?? null, contentType };
}

/** Whether a delimiter ends at `position`: "--" (the last one) or optional padding then CRLF. */
function delimiterEndsAt(body: Buffer, position: number): boolean {
  if (body[position] === 0x2d && body[position + 1] === 0x2d) return true;
  let end = position;
  while (body[end] === 0x20 || body[end] === 0x09) end++;
  return body[end] === 0x0d && body[end + 1] === 0x0a;
}

/** The next real delimiter line from `from` (text that merely starts like one is data). */
function findDelimiter(body: Buffer, delimiter: Buffer, from: number): number {
  for (let at = body.indexOf(delimiter, from); at >= 0; at = body.indexOf(delimiter, at + 1)) {
    if (delimiterEndsAt(body, at + delimiter.length)) return at;
  }
  return -1;
}

/** The first delimiter: at the very start, or after a preamble on a line of its own. */
function firstDelimiter(body: Buffer, delimiter: Buffer): number {
  if (body.subarray(0, delimiter.length).equals(delimiter) && delimiterEndsAt(body, delimiter.length))
    return 0;
  const found = findDelimiter(body, Buffer.concat([CRLF, delimiter]), 0);
  return found < 0 ? -1 : found + CRLF.length;
}

export function parseMultipart(body: Buffer, boundary: string): FormPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const nextDelimiter = Buffer.from(`\r\n--${boundary}`);
  const parts: FormPart[] = [];
  let position = firstDelimiter(body, delimiter);
  if (position < 0) throw new MultipartError('the body does not contain the boundary');
  for (;;) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString('latin1') === '--') return parts;
    while (body[position] === 0x20 || body[position] === 0x09) position++; // transport padding
    position += CRLF.length; // delimiterEndsAt made sure the line ends here
    const headerEnd = body.indexOf(HEADER_END, position);
    if (headerEnd < 0) throw new MultipartError('a part has no end of headers');
    const headers = readPartHeaders(body.subarray(position, headerEnd).toString('utf8'));
    const dataStart = headerEnd + HEADER_END.length;
    const dataEnd = findDelimiter(body, nextDelimiter, dataStart);
    if (dataEnd < 0) throw new MultipartError('the body ends inside a part (no closing boundary)');
    if (parts.length === MAX_PARTS) throw new MultipartError(`more than ${MAX_PARTS} parts`);
    parts.push({ ...headers, data: body.subarray(dataStart, dataEnd) });
    position = dataEnd + 2;
  }
}

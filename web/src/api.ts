// The dashboard API: the session cookie plus the New-Api-User header, errors as ApiError with the server's message.
import i18n from './i18n';

export interface SessionUser {
  id: number;
  username: string;
  display_name: string;
  role: number;
}

export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
}

const USER_KEY = 'taskgate-user';
export const ADMIN_ROLE = 10;
export const LOGOUT_EVENT = 'taskgate:logout';

export function storedUser(): SessionUser | null {
  try {
    const raw = localStorage.getItem(USER_KEY);
    return raw ? (JSON.parse(raw) as SessionUser) : null;
  } catch {
    return null;
  }
}

export function storeUser(user: SessionUser | null): void {
  if (user) localStorage.setItem(USER_KEY, JSON.stringify(user));
  else localStorage.removeItem(USER_KEY);
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const user = storedUser();
  const headers: Record<string, string> = { 'Accept-Language': i18n.language || 'en' };
  if (user) headers['New-Api-User'] = String(user.id);
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(i18n.t('The server cannot be reached'), 0);
  }
  let json: { success?: boolean; message?: string; data?: T } | null = null;
  try {
    json = await response.json();
  } catch {
    json = null;
  }
  if (response.status === 401 && user && path !== '/api/user/login') {
    storeUser(null);
    window.dispatchEvent(new Event(LOGOUT_EVENT));
  }
  if (!response.ok || json?.success === false) {
    const retry = Number(response.headers.get('retry-after'));
    throw new ApiError(
      json?.message || `${response.status} ${response.statusText}`,
      response.status,
      Number.isFinite(retry) && retry > 0 ? retry : null,
    );
  }
  return json?.data as T;
}

/** A query string from the non-empty entries. */
export function queryString(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

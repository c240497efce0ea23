import { ApiError, messageOf } from './errors';
import { accessToken, currentSession, refresh } from './session';

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Send the signed-in person's access token (default true when signed in). */
  auth?: boolean;
  /** A bearer of another kind (for example a user token being rotated). */
  bearer?: string;
  signal?: AbortSignal;
}

/**
 * One JSON request to the product's public API. Errors become ApiError with the API's own message. A 401 with
 * the person's access token refreshes once (silently, coordinated across tabs) and retries.
 */
export async function api<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
  const send = async (token: string | null) => {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const bearer = options.bearer ?? token;
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    return fetch(path, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  };

  const useSession = options.bearer === undefined && options.auth !== false;
  const token = useSession ? await accessToken() : null;
  let response = await send(token);
  if (response.status === 401 && useSession && token) {
    const renewed = await refresh(token);
    if (renewed) response = await send(renewed.token);
  }
  return read<T>(response);
}

export async function read<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (!response.ok) throw new ApiError(response.status, messageOf(response.status, body), body);
  return body as T;
}

export function signedInUser() {
  return currentSession()?.user ?? null;
}

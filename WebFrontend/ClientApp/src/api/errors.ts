/**
 * An answer of the API that was not a success, in words a person can read. The message is the API's own:
 * the Orbit family's `error`, the ProblemDetails/`{"detail"}` families' `detail`, or `title` as a last resort.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The text to show for anything thrown while talking to the product; never a stack. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof DOMException && error.name === 'NotAllowedError') {
    return 'The passkey prompt was closed or timed out. Try again.';
  }
  if (error instanceof TypeError) return 'The server could not be reached. Check the connection and try again.';
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong. Try again.';
}

/** Reads the message a refused answer carries (`error`, `detail` as text or list, `title`), else a generic one. */
export function messageOf(status: number, body: unknown): string {
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    for (const key of ['error', 'detail', 'message', 'title']) {
      const value = record[key];
      if (typeof value === 'string' && value.trim()) return value;
      if (value && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') {
        return (value as { message: string }).message;
      }
      if (Array.isArray(value) && value.length > 0) {
        return value.map((item) => (typeof item === 'string' ? item : (item?.msg ?? JSON.stringify(item)))).join('; ');
      }
    }
  }
  if (typeof body === 'string' && body.trim() && body.length < 300) return body.trim();
  switch (status) {
    case 401: return 'Please sign in again.';
    case 403: return 'You are not allowed to do that.';
    case 404: return 'Not found.';
    case 413: return 'That is too large.';
    case 429: return 'Too many requests. Wait a moment and try again.';
    default: return status >= 500 ? 'The server had a problem. Try again in a moment.' : `The request was refused (${status}).`;
  }
}

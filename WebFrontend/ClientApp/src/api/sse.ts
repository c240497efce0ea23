import { accessToken, refresh } from './session';

export type StreamState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface StreamHandlers {
  onEvent: (data: unknown, id: string | null) => void;
  onState?: (state: StreamState, detail?: string) => void;
  /** The server has no such stream (404): the stream stops instead of retrying. */
  onMissing?: () => void;
}

/**
 * Reads a Server-Sent Events stream of the product with the person's bearer (EventSource cannot send one), and
 * keeps it open: after a drop it reconnects with `Last-Event-ID`, so the server replays what was missed
 * (docs/pipeline.md, SSE frames). Backs off from 1 s to 15 s; a 401 refreshes the session first. Returns a stop.
 */
export function openEventStream(path: string, handlers: StreamHandlers): () => void {
  let stopped = false;
  let lastId: string | null = null;
  let controller: AbortController | null = null;
  let delay = 1_000;

  const setState = (state: StreamState, detail?: string) => handlers.onState?.(state, detail);

  async function connectOnce(): Promise<void> {
    controller = new AbortController();
    const token = await accessToken();
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (lastId !== null) headers['Last-Event-ID'] = lastId;
    const response = await fetch(path, { headers, signal: controller.signal, cache: 'no-store' });
    if (response.status === 401 && token) {
      await refresh(token);
      throw new Error('Signing in again.');
    }
    if (response.status === 404) {
      stopped = true;
      handlers.onMissing?.();
      return;
    }
    if (!response.ok || !response.body) {
      const body = await response.json().catch(() => null);
      throw new Error((body && (body.detail || body.error)) || `The live stream was refused (${response.status}).`);
    }
    setState('open');
    delay = 1_000;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let data: string[] = [];
    let id: string | null = null;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        if (line === '') {
          if (id !== null) lastId = id;
          if (data.length > 0) {
            const text = data.join('\n');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // Not JSON: handed over as text.
            }
            handlers.onEvent(parsed, id);
          }
          data = [];
          id = null;
        } else if (line.startsWith('data:')) {
          data.push(line.slice(5).replace(/^ /, ''));
        } else if (line.startsWith('id:')) {
          id = line.slice(3).trim();
        }
      }
    }
  }

  (async () => {
    setState('connecting');
    while (!stopped) {
      try {
        await connectOnce();
        if (!stopped) setState('reconnecting', 'The live stream ended; reconnecting.');
      } catch (error) {
        if (stopped) break;
        setState('reconnecting', error instanceof Error ? error.message : 'The live stream dropped; reconnecting.');
      }
      if (stopped) break;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 15_000);
    }
    setState('closed');
  })();

  return () => {
    stopped = true;
    controller?.abort();
  };
}

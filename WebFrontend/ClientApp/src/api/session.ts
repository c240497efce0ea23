import { ApiError, messageOf } from './errors';

/** What a sign-in leaves in this browser: the web session pair of the Orbit contract and who it belongs to. */
export interface StoredSession {
  token: string;
  refreshToken: string;
  user: { id: string; name: string };
}

const storageKey = 'orbitgrains.session';
const lockName = 'orbitgrains.refresh';
// The Orbit web client refreshes this long before `exp` (spec: orbit.md, web session tokens).
const refreshEarlyMs = 60_000;

type Listener = (session: StoredSession | null) => void;
const listeners = new Set<Listener>();
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('orbitgrains.session') : null;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;

export function currentSession(): StoredSession | null {
  try {
    const raw = localStorage.getItem(storageKey);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as StoredSession;
    return parsed?.token && parsed?.refreshToken && parsed?.user?.id ? parsed : null;
  } catch {
    return null;
  }
}

/** Calls `listener` with the session whenever it changes, in this tab or another; returns the unsubscribe. */
export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function notify(session: StoredSession | null, broadcast: boolean) {
  schedule(session);
  for (const listener of listeners) listener(session);
  if (broadcast) channel?.postMessage({ kind: 'changed' });
}

channel?.addEventListener('message', () => notify(currentSession(), false));

export function saveSession(session: StoredSession | null) {
  if (session) localStorage.setItem(storageKey, JSON.stringify(session));
  else localStorage.removeItem(storageKey);
  notify(session, true);
}

/** Seconds since the epoch when the access token ends, read from its `exp` (not verified: the server does that). */
export function expiresAt(token: string): number | null {
  try {
    const payload = token.split('.')[1];
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const exp = JSON.parse(json).exp;
    return typeof exp === 'number' ? exp : null;
  } catch {
    return null;
  }
}

function schedule(session: StoredSession | null) {
  clearTimeout(refreshTimer);
  if (!session) return;
  const exp = expiresAt(session.token);
  if (exp === null) return;
  const delay = Math.max(1_000, exp * 1000 - Date.now() - refreshEarlyMs);
  // Browsers cap timers near 24.8 days; an access token never lives that long, but stay inside the cap.
  refreshTimer = setTimeout(() => void refresh(session.token).catch(() => undefined), Math.min(delay, 2 ** 31 - 1));
}

/** Runs `work` while holding the cross-tab refresh lock (Web Locks), or directly where the browser has none. */
async function exclusively<T>(work: () => Promise<T>): Promise<T> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  return locks ? locks.request(lockName, work) : work();
}

let inFlight: Promise<StoredSession | null> | null = null;

/**
 * Spends the refresh token for a new pair, once for every tab: the refresh runs under a Web Lock, and a tab that
 * gets the lock after another tab already rotated the pair (the stored access token is no longer `staleToken`)
 * takes the stored pair instead of spending a token that is already spent (which would revoke the family).
 * Only a 401 signs the person out, as in the Orbit web client; other failures keep the session for a retry.
 */
export function refresh(staleToken: string): Promise<StoredSession | null> {
  inFlight ??= exclusively(async () => {
    const stored = currentSession();
    if (!stored) return null;
    if (stored.token !== staleToken) {
      notify(stored, false);
      return stored;
    }
    const response = await fetch('/auth/refresh', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken: stored.refreshToken }),
    });
    const body = await response.json().catch(() => null);
    if (response.status === 401) {
      saveSession(null);
      return null;
    }
    if (!response.ok) throw new ApiError(response.status, messageOf(response.status, body), body);
    const next: StoredSession = { token: body.token, refreshToken: body.refreshToken, user: body.user };
    saveSession(next);
    return next;
  }).finally(() => {
    inFlight = null;
  });
  return inFlight;
}

/** A live access token: the stored one, or a fresh one when it ends within the early-refresh margin. */
export async function accessToken(): Promise<string | null> {
  const session = currentSession();
  if (!session) return null;
  const exp = expiresAt(session.token);
  if (exp !== null && exp * 1000 - Date.now() < refreshEarlyMs) {
    return (await refresh(session.token))?.token ?? null;
  }
  return session.token;
}

/** Arms the refresh timer for a session already in storage (after a reload). */
export function startSessionKeeping() {
  schedule(currentSession());
  window.addEventListener('storage', (event) => {
    if (event.key === storageKey) notify(currentSession(), false);
  });
}

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

/**
 * Messages between the tabs of one browser. Sessions travel in the message itself: localStorage is shared across
 * tabs only eventually (each renderer has its own view), so it cannot be the proof that a token was already spent.
 */
type TabMessage = { kind: 'session'; session: StoredSession | null } | { kind: 'refresh'; stale: string };

// The newest session this tab knows of, kept in memory; the tab that refreshes (the leader) trusts only this.
let latest: StoredSession | null = null;
let isLeader = false;

export function currentSession(): StoredSession | null {
  if (latest) return latest;
  try {
    const raw = localStorage.getItem(storageKey);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as StoredSession;
    latest = parsed?.token && parsed?.refreshToken && parsed?.user?.id ? parsed : null;
    return latest;
  } catch {
    return null;
  }
}

/** Calls `listener` with the session whenever it changes, in this tab or another; returns the unsubscribe. */
export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function adopt(session: StoredSession | null) {
  latest = session;
  schedule(session);
  for (const listener of listeners) listener(session);
}

channel?.addEventListener('message', (event: MessageEvent<TabMessage>) => {
  const message = event.data;
  if (message?.kind === 'session') {
    if (message.session?.token !== latest?.token) adopt(message.session);
  } else if (message?.kind === 'refresh' && isLeader) {
    void refresh(message.stale).catch(() => undefined);
  }
});

export function saveSession(session: StoredSession | null) {
  if (session) localStorage.setItem(storageKey, JSON.stringify(session));
  else localStorage.removeItem(storageKey);
  adopt(session);
  channel?.postMessage({ kind: 'session', session } satisfies TabMessage);
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

const locks = (navigator as Navigator & { locks?: LockManager }).locks;

/**
 * One tab of the browser spends refresh tokens: the holder of a Web Lock held for the tab's lifetime (when it closes,
 * the next tab takes over). Where the browser has no Web Locks or BroadcastChannel, every tab is its own leader.
 */
/** Requests of this tab waiting for a leader; woken when this tab becomes the leader itself. */
const waitingForLeader = new Set<() => void>();

if (locks && channel) {
  void locks.request(lockName, () => {
    isLeader = true;
    latest = null;
    currentSession();
    for (const wake of [...waitingForLeader]) wake();
    return new Promise<never>(() => undefined);
  });
} else {
  isLeader = true;
}

let chain: Promise<unknown> = Promise.resolve();

/**
 * Spends the refresh token for a new pair, once for all tabs. The leader tab refreshes, one request after another:
 * a request for a token that is no longer the newest gets the newest pair instead of spending an already spent
 * token (which would revoke the whole chain). Other tabs ask the leader over the BroadcastChannel and take the pair
 * it announces. Only a 401 signs the person out, as in the Orbit web client; other failures keep the session.
 */
export function refresh(staleToken: string): Promise<StoredSession | null> {
  if (!isLeader) return askLeader(staleToken);
  const run = chain.then(() => spend(staleToken));
  chain = run.catch(() => undefined);
  return run;
}

async function spend(staleToken: string): Promise<StoredSession | null> {
  const stored = currentSession();
  if (!stored) return null;
  if (stored.token !== staleToken) {
    channel?.postMessage({ kind: 'session', session: stored } satisfies TabMessage);
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
}

/**
 * Asks the leader for the pair after `staleToken`. Right after a reload there may be no leader yet (the old page's
 * lock is released a moment later), and a request posted then reaches nobody: so it is posted again every 2 s, and
 * if this tab becomes the leader meanwhile it spends the token itself.
 */
function askLeader(staleToken: string): Promise<StoredSession | null> {
  return new Promise((resolve, reject) => {
    const finish = () => {
      clearTimeout(timer);
      clearInterval(again);
      waitingForLeader.delete(lead);
      stop();
    };
    const settle = (session: StoredSession | null) => {
      finish();
      resolve(session);
    };
    const lead = () => {
      finish();
      refresh(staleToken).then(resolve, reject);
    };
    const stop = onSessionChange((session) => {
      if (session?.token !== staleToken) settle(session);
    });
    const timer = setTimeout(() => {
      finish();
      reject(new Error('Your session could not be renewed just now. Try again.'));
    }, 15_000);
    const post = () => channel!.postMessage({ kind: 'refresh', stale: staleToken } satisfies TabMessage);
    const again = setInterval(post, 2_000);
    waitingForLeader.add(lead);
    if (latest && latest.token !== staleToken) settle(latest);
    else post();
  });
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
}

import { currentSession, onSessionChange, saveSession, startSessionKeeping, type StoredSession } from './api/session';
import { api } from './api/http';
import { relay } from './api/relay';

/** Who is signed in in this tab, kept in step with other tabs; and the roles the API says they have. */
export const auth = $state<{ session: StoredSession | null; roles: string[]; rolesKnown: boolean }>({ session: currentSession(), roles: [], rolesKnown: false });

onSessionChange((session) => {
  const changedUser = session?.user.id !== auth.session?.user.id;
  auth.session = session;
  if (!session) {
    auth.roles = [];
    auth.rolesKnown = false;
    relay().disconnect();
  } else if (changedUser) {
    auth.rolesKnown = false;
    void loadRoles();
  }
});

startSessionKeeping();

/**
 * The signed-in person's roles, as `GET /auth/session` gives them (`user.roles`: `member`, plus `operator` and/or
 * `admin`), so the client offers only what the person may use; the API stays the judge. Read again after each
 * sign-in and when a refusal suggests they changed.
 */
export async function loadRoles() {
  if (!auth.session) return;
  try {
    const status = await api<{ authenticated: boolean; user: { id: string; roles?: string[] } | null }>('/auth/session');
    if (!status.authenticated || !status.user || status.user.id !== auth.session?.user.id) return;
    auth.roles = (status.user.roles ?? ['member']).filter((r) => r !== 'member');
    auth.rolesKnown = true;
  } catch {
    // Unreachable for now: the pages show their own errors; roles stay unknown and are read on the next sign-in.
  }
}

export function signedIn(body: { token: string; refreshToken: string; user: { id: string; name: string } }) {
  saveSession({ token: body.token, refreshToken: body.refreshToken, user: body.user });
}

export async function signOut() {
  const session = currentSession();
  relay().disconnect();
  saveSession(null);
  if (session) {
    // Always 204; ends this session and every one refreshed from it (orbit.md).
    await fetch('/auth/logout', { method: 'POST', headers: { Authorization: `Bearer ${session.token}` } }).catch(() => undefined);
  }
}

if (auth.session) void loadRoles();

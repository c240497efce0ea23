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
 * Roles are not in the web JWT, and no route answers them directly yet; the client learns what a person may
 * do from what the API lets them do (a pipeline or rooms-admin read), so it never shows a page that only refuses.
 */
export async function loadRoles() {
  if (!auth.session) return;
  const roles: string[] = [];
  const probe = async (path: string) => {
    try {
      await api(path);
      return true;
    } catch {
      return false;
    }
  };
  const [operator, admin] = await Promise.all([probe('/api/v1/jobs?limit=1'), probe('/api/admin/rooms')]);
  if (admin) roles.push('admin');
  if (operator) roles.push('operator');
  auth.roles = roles;
  auth.rolesKnown = true;
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

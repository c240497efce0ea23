import { api } from '../api/http';
import { createPasskey, usePasskey } from '../api/webauthn';
import { signedIn } from '../auth.svelte';

/** The Orbit session response (orbit.md): `{verified, token, refreshToken, user}`. */
interface SessionResponse {
  token: string;
  refreshToken: string;
  user: { id: string; name: string };
}

export interface ProductHealth {
  authMode: 'basic' | 'passkey';
}

export const health = () => api<ProductHealth>('/health', { auth: false });

export async function registerBasic(name: string, password: string) {
  const body: Record<string, string> = { name, displayName: name };
  if (password) body.password = password;
  signedIn(await api<SessionResponse>('/auth/register/basic', { body, auth: false }));
}

export async function loginBasic(username: string, password: string) {
  const body: Record<string, string> = { username };
  if (password) body.password = password;
  signedIn(await api<SessionResponse>('/auth/login/basic', { body, auth: false }));
}

/** Email and password: the `/api/auth/*` family answers `{access_token, refresh_token}`; the user comes from `/auth/session`. */
export async function emailSession(mode: 'signup' | 'login', email: string, password: string) {
  const tokens = await api<{ access_token: string; refresh_token: string }>(`/api/auth/${mode}`, { body: { email, password }, auth: false });
  const status = await api<{ user: { id: string; name: string } | null }>('/auth/session', { bearer: tokens.access_token });
  if (!status.user) throw new Error('The new session was not accepted. Try signing in again.');
  signedIn({ token: tokens.access_token, refreshToken: tokens.refresh_token, user: status.user });
}

/** A new account with a passkey, or (signed in) one more passkey for this account. */
export async function registerPasskey(name: string | null) {
  const adding = name === null;
  const options = await api<Record<string, any>>('/auth/register/options', {
    body: adding ? {} : { name, displayName: name },
    auth: adding,
  });
  const credential = await createPasskey(options);
  const session = await api<SessionResponse>('/auth/register/verify', { body: { credential }, auth: adding });
  signedIn(session);
}

export async function loginPasskey(username: string) {
  const options = await api<Record<string, any>>('/auth/login/options', { body: { username }, auth: false });
  const credential = await usePasskey(options);
  signedIn(await api<SessionResponse>('/auth/login/verify', { body: { credential }, auth: false }));
}

/** One of my web sign-ins (`GET /auth/sessions`): a sign-in and every session refreshed from it. */
export interface MySession { id: string; createdAt: string; lastUsedAt: string; userAgent: string | null; current: boolean }

export const mySessions = () => api<{ sessions: MySession[] }>('/auth/sessions').then((a) => a.sessions);
export const endSession = (id: string) => api(`/auth/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' });
export const endOtherSessions = () => api<{ ended: number }>('/auth/sessions/revoke-others', { method: 'POST' });

/** A short name for a `User-Agent`: the browser and the system, as far as the string tells. */
export function describeAgent(agent: string | null): string {
  if (!agent) return 'Unknown client';
  const browser = /Edg\//.test(agent) ? 'Edge' : /Firefox\//.test(agent) ? 'Firefox' : /Chrom(e|ium)\//.test(agent) ? 'Chromium'
    : /Safari\//.test(agent) ? 'Safari' : agent.split(/[ /]/)[0] || 'Unknown client';
  const system = /Android/.test(agent) ? 'Android' : /iPhone|iPad/.test(agent) ? 'iOS' : /Windows/.test(agent) ? 'Windows'
    : /Mac OS X/.test(agent) ? 'macOS' : /Linux/.test(agent) ? 'Linux' : '';
  return system ? `${browser} on ${system}` : browser;
}

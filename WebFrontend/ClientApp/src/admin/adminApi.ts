import { api } from '../api/http';

/**
 * The accounts part of the admin API (`/api/admin/users`, `/api/admin/invites`; admin only, ProblemDetails errors)
 * and the public sign-up settings (`GET /auth/config`). REGISTRATION is configuration, so it is only read here.
 */
export interface AdminUser {
  id: string;
  name: string;
  displayName: string;
  /** `member`, plus `operator` and/or `admin` when granted. */
  roles: string[];
  disabled: boolean;
  createdAt: string;
  hasPasskey: boolean;
  hasPassword: boolean;
}

/** One page of accounts, oldest first; `nextAfter` is the cursor of the next page (null at the end). */
export interface AdminUserPage { users: AdminUser[]; nextAfter: number | null; total: number }

export interface Invite {
  id: string;
  /** `unused`, `used` or `expired`. */
  status: string;
  createdAt: string;
  expiresAt: string;
  createdBy: string;
  note: string | null;
  usedBy: string | null;
  usedAt: string | null;
}

/** A new invite: `code` is in this answer only (the server keeps its hash). */
export interface InviteCreated { id: string; code: string; expiresAt: string }

/** The roles an admin grants; every account is a member. */
export const grantable = ['operator', 'admin'] as const;

const user = (id: string) => `/api/admin/users/${encodeURIComponent(id)}`;

export function users(search: string, after: number, limit: number) {
  const query = new URLSearchParams({ limit: String(limit) });
  if (search) query.set('search', search);
  if (after > 0) query.set('after', String(after));
  return api<AdminUserPage>(`/api/admin/users?${query}`);
}

/** Replaces the granted roles (`member` is implied and never sent). */
export const setRoles = (id: string, roles: string[]) =>
  api<AdminUser>(`${user(id)}/roles`, { method: 'PUT', body: { roles: roles.filter((r) => r !== 'member') } });

export const setDisabled = (id: string, disabled: boolean) =>
  api<AdminUser>(`${user(id)}/${disabled ? 'disable' : 'enable'}`, { method: 'POST' });

export const invites = () => api<{ invites: Invite[] }>('/api/admin/invites').then((a) => a.invites);

export const createInvite = (expiresInSec: number, note: string) =>
  api<InviteCreated>('/api/admin/invites', { method: 'POST', body: { expiresInSec, ...(note ? { note } : {}) } });

export const deleteInvite = (id: string) => api(`/api/admin/invites/${encodeURIComponent(id)}`, { method: 'DELETE' });

/** The sign-up policy: `open`, `invite` or `closed` (REGISTRATION), and the auth mode. */
export const authConfig = () => api<{ authMode: string; registration: string }>('/auth/config', { auth: false });

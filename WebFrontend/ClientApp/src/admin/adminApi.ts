import { api } from '../api/http';
import { ApiError } from '../api/errors';

/**
 * User administration (issue "Access": `GET /api/admin/users` paged with search, `PUT /api/admin/users/{id}/roles`,
 * `POST /api/admin/users/{id}/disable`, invites, `REGISTRATION=open|invite|closed`). Answers are read tolerantly
 * (a list, or an object holding one) so small shape differences do not break the page.
 */
export interface AdminUser { id: string; name: string; roles: string[]; disabled?: boolean; createdAt?: string; created_at?: string }
export interface Invite { code: string; expiresAt?: string; expires_at?: string; usedBy?: string | null; used_by?: string | null }

export const roles = ['member', 'operator', 'admin'] as const;

/** Null when this server has no such route (404/405): the page says so instead of showing an error. */
export async function optional<T>(work: Promise<T>): Promise<T | null> {
  try {
    return await work;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405)) return null;
    throw e;
  }
}

function listOf<T>(answer: unknown, ...keys: string[]): { items: T[]; total: number | null } {
  if (Array.isArray(answer)) return { items: answer as T[], total: null };
  const record = (answer ?? {}) as Record<string, unknown>;
  for (const key of keys) {
    if (Array.isArray(record[key])) {
      const total = typeof record.total === 'number' ? record.total : typeof record.totalCount === 'number' ? record.totalCount : null;
      return { items: record[key] as T[], total };
    }
  }
  return { items: [], total: null };
}

export async function users(search: string, offset: number, limit: number) {
  const query = new URLSearchParams({ search, offset: String(offset), limit: String(limit), page: String(Math.floor(offset / limit) + 1), pageSize: String(limit) });
  const answer = await optional(api<unknown>(`/api/admin/users?${query}`));
  return answer === null ? null : listOf<AdminUser>(answer, 'users', 'items', 'data');
}

export const setRoles = (id: string, value: string[]) => api(`/api/admin/users/${encodeURIComponent(id)}/roles`, { method: 'PUT', body: { roles: value } });
export const disable = (id: string) => api(`/api/admin/users/${encodeURIComponent(id)}/disable`, { method: 'POST', body: {} });

export async function invites() {
  const answer = await optional(api<unknown>('/api/admin/invites'));
  return answer === null ? null : listOf<Invite>(answer, 'invites', 'items', 'data').items;
}
export const createInvite = () => api<Invite & { invite?: Invite }>('/api/admin/invites', { method: 'POST', body: {} });

export async function registration() {
  const answer = await optional(api<Record<string, unknown>>('/api/admin/registration'));
  if (answer === null) return null;
  return String(answer.registration ?? answer.policy ?? answer.mode ?? '');
}

import { api } from '../api/http';

/** The Agents dashboard's shapes (spec: jarvis.md, Dashboard), camelCase as on the wire. Money is in US dollars. */
export const agentStatuses = ['running', 'idle', 'paused', 'error', 'waiting_approval'] as const;

export interface Agent {
  id: string; name: string; status: string; totalSpend: number; lastSeen: string | null;
  /** Masked (`sha256:abcdef12...wxyz`) or `revoked`; never the token. */
  tokenHash: string; eventsCount: number; description: string | null; createdAt: string;
}
/** A create or rotate answer: the token is in this answer only. */
export interface IssuedAgent { agent: Agent; agentToken: string }
export interface AgentEvent { id: string; agentId: string; type: string; message: string; cost: number; createdAt: string }
export interface InboxItem {
  id: string; agentId: string; agentName: string; proposedAction: string | null; completedActions: string[];
  status: 'pending' | 'approved' | 'rejected'; comment: string | null; createdAt: string; expiresAt?: string | null;
}
export interface Spend {
  daily: number; monthly: number; budget: number | null;
  agentBreakdown: Array<{ agentId: string; agentName: string; spend: number }>;
  /** Spend per UTC day (yyyy-mm-dd), oldest first, ending today; days without spend are 0. */
  history: Array<{ date: string; spend: number }>;
}

/** Feed data (`GET /v1/stream`) of the Agents family. */
export interface InboxFeed { action: 'opened' | 'decided' | 'expired'; item: InboxItem }
export interface StatusFeed { agentId: string; status: string }

const agentPath = (id: string) => `/v1/agents/${encodeURIComponent(id)}`;

export const listAgents = () => api<Agent[]>('/v1/agents');
export const getAgent = (id: string) => api<Agent>(agentPath(id));
export const createAgent = (body: { name: string; description?: string }) => api<IssuedAgent>('/v1/agents', { body });
export const setStatus = (id: string, status: string) => api<Agent>(`${agentPath(id)}/status`, { method: 'PATCH', body: { status } });
export const rotateToken = (id: string) => api<IssuedAgent>(`${agentPath(id)}/token`, { method: 'POST', body: {} });
export const revokeToken = (id: string) => api<null>(`${agentPath(id)}/revoke-token`, { method: 'POST', body: {} });
export const agentEvents = (id: string, limit = 100) => api<AgentEvent[]>(`${agentPath(id)}/events?limit=${limit}`);
export const recentEvents = (limit = 500) => api<AgentEvent[]>(`/v1/events?limit=${limit}`);
export const inbox = (status?: 'pending' | 'approved' | 'rejected', limit = 100) =>
  api<InboxItem[]>(`/v1/inbox?limit=${limit}${status ? `&status=${status}` : ''}`);
export const decide = (id: string, decision: 'approved' | 'rejected', comment: string) =>
  api<InboxItem>(`/v1/inbox/${encodeURIComponent(id)}/decision`, { body: comment ? { decision, comment } : { decision } });
export const getSpend = () => api<Spend>('/v1/spend');
export const setBudget = (budget: number | null) => api<Spend>('/v1/spend/budget', { method: 'PATCH', body: { budget } });

export function statusTone(status: string): 'ok' | 'warn' | 'danger' | '' {
  switch (status) {
    case 'running': return 'ok';
    case 'paused': case 'waiting_approval': return 'warn';
    case 'error': return 'danger';
    default: return '';
  }
}

export const money = (value: number) => `$${value.toFixed(2)}`;

/** Pending first (soonest expiry first among them), then the decided ones, newest first. */
export function inboxOrder(a: InboxItem, b: InboxItem): number {
  if ((a.status === 'pending') !== (b.status === 'pending')) return a.status === 'pending' ? -1 : 1;
  if (a.status === 'pending' && (a.expiresAt || b.expiresAt)) {
    return Date.parse(a.expiresAt ?? '9999-12-31') - Date.parse(b.expiresAt ?? '9999-12-31');
  }
  return Date.parse(b.createdAt) - Date.parse(a.createdAt);
}


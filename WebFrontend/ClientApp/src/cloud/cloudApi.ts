import { api } from '../api/http';
import { accessToken } from '../api/session';

/** The Cloud family's shapes (spec: cloud.md), snake_case as on the wire. */
export const instanceTypes = ['t3.medium', 't3.large', 't3.xlarge'] as const;
export const providers = ['anthropic', 'openai', 'google'] as const;

export interface Instance {
  id: string; name: string;
  /** launching, running, stopping, stopped, terminated or failed: the product's states, never a provider's own. */
  status: string;
  public_ip: string | null; ec2_instance_id: string | null; instance_type: string; vnc_port: number; cloudbot_port: number; created_at: string;
  /** When it last reached running; null in any other state. */
  running_since: string | null;
}
export interface InstanceList { instances: Instance[]; max_instances?: number }
/** An `instance` entry of the live feed (`GET /v1/stream`). */
export interface InstanceFeed { id: string; name: string; status: string; publicIp: string | null; instanceType: string; runningSince: string | null }

const path = (id: string) => `/api/instances/${encodeURIComponent(id)}`;

export const listInstances = () => api<InstanceList>('/api/instances');
export const getInstance = (id: string) => api<Instance>(path(id));
export const createInstance = (body: { name?: string; instance_type: string; client_token: string }) => api<Instance>('/api/instances', { body });
export const startInstance = (id: string) => api<{ message: string }>(`${path(id)}/start`, { method: 'POST', body: {} });
export const stopInstance = (id: string) => api<{ message: string }>(`${path(id)}/stop`, { method: 'POST', body: {} });
export const terminateInstance = (id: string) => api<null>(path(id), { method: 'DELETE' });

export const listProviders = () => api<{ providers: string[] }>('/api/user/api-keys');
export const addKey = (provider: string, apiKey: string) => api<{ message: string }>('/api/user/api-keys', { body: { provider, api_key: apiKey } });
export const replaceKey = (provider: string, apiKey: string) =>
  api<{ message: string }>(`/api/user/api-keys/${encodeURIComponent(provider)}`, { method: 'PUT', body: { api_key: apiKey } });
export const removeKey = (provider: string) => api<null>(`/api/user/api-keys/${encodeURIComponent(provider)}`, { method: 'DELETE' });

/** Launching and running instances count towards the quota (cloud.md, MAX_INSTANCES_PER_USER). */
export const countsTowardsQuota = (status: string) => status === 'launching' || status === 'running';

export function statusTone(status: string): 'ok' | 'warn' | 'danger' | '' {
  switch (status) {
    case 'running': return 'ok';
    case 'launching': case 'stopping': return 'warn';
    case 'failed': return 'danger';
    default: return '';
  }
}

/** On-demand US dollars per hour (us-east-1, Linux) of the types offered: an estimate of what a running instance costs. */
export const hourlyPrice: Record<string, number> = { 't3.medium': 0.0416, 't3.large': 0.0832, 't3.xlarge': 0.1664 };

/** The proxies take the access token in `?token=` (cloud.md: a browser socket cannot send a header). */
export async function socketUrl(id: string, kind: 'vnc' | 'cloudbot'): Promise<string> {
  const token = await accessToken();
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}${path(id)}/${kind}?token=${encodeURIComponent(token ?? '')}`;
}

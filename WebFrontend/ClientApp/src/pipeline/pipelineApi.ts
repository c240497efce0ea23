import { api } from '../api/http';

/** The operator console's shapes (spec: operator.md; docs/pipeline.md), snake_case as on the wire. */
export const stages = ['outline', 'research', 'script', 'storyboard', 'assets', 'animatics', 'audio', 'assemble', 'acceptance'] as const;

export interface Stage { name: string; status: string; started_at: string | null; completed_at: string | null; attempts: number; error: string | null }
export interface Gate {
  stage: string; required: boolean; approved: boolean | null; by: string | null; at: string | null; notes: string | null;
  auto_approved: boolean; has_patch: boolean; opened_at: string | null; time_remaining?: number; auto_approve_after_s?: number;
}
export interface Job {
  id: string; slug: string; intent: string; brief: unknown; status: string; current_stage: string | null; stage?: string | null;
  stages: Stage[]; gates: Gate[]; created_at: string; updated_at: string; completed_at: string | null; created_by: string | null; error: string | null;
}
export interface PipelineEvent { id?: number; job_id?: string; ts: string; type: string; stage: string | null; status: string | null; message: string | null; payload: unknown }
export interface Artifact { stage: string; kind: string; path: string; created_at: string; size_bytes: number | null; checksum: string | null; meta: unknown }

/** Patch types a rejection can carry, per stage (operator.md). */
export const patchTypes: Record<string, string[]> = {
  script: ['text_replace', 'section_replace'],
  storyboard: ['duration_adjust'],
  audio: ['level_adjust'],
};

export const listJobs = (limit = 50) => api<Job[]>(`/api/v1/jobs?limit=${limit}`);
export const getJob = (id: string) => api<Job>(`/api/v1/jobs/${encodeURIComponent(id)}`);
export const createJob = (body: { slug: string; intent: string; brief?: string }) => api<Job>('/api/v1/jobs', { body });
export const jobArtifacts = (id: string) => api<Artifact[]>(`/api/v1/jobs/${encodeURIComponent(id)}/artifacts`);
export const decide = (id: string, approve: boolean, body: { stage: string; notes?: string; patch?: unknown }) =>
  api<{ message: string }>(`/api/v1/jobs/${encodeURIComponent(id)}/${approve ? 'approve' : 'reject'}`, { body });
export const control = (id: string, action: 'resume' | 'cancel') =>
  api<{ message?: string }>(`/api/v1/jobs/${encodeURIComponent(id)}/${action}`, { method: 'POST', body: {} });

export function statusTone(status: string): 'ok' | 'warn' | 'danger' | '' {
  switch (status) {
    case 'completed': return 'ok';
    case 'needs_approval': case 'paused': case 'queued': return 'warn';
    case 'failed': case 'canceled': return 'danger';
    default: return '';
  }
}

export function duration(fromIso: string | null, toIso: string | null, now = Date.now()): number | null {
  if (!fromIso) return null;
  const end = toIso ? Date.parse(toIso) : now;
  return Math.max(0, end - Date.parse(fromIso));
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

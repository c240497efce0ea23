import { api } from '../api/http';

/** Shapes of the signaling family (spec: signaling.md; docs/rooms.md), snake_case as on the wire. */
export interface Participant { id: string; name: string; role: string; joined_at?: string }
export interface RoomSummary { session_id: string; name: string | null; participants: Participant[]; control: string | null; recording_id: string | null }
export interface AuditEntry { seq: number; at: string; action: string; session_id: string | null; actor: string | null; role: string | null; address: string | null; detail: string | null }
export interface RecordingEntry { seq: number; at: string; type: string; from: string | null; frame: unknown }

export type JoinRole = 'viewer' | 'operator';

export const createRoom = (name: string) => api<{ session_id: string; name: string; created_at: string }>('/api/session', { body: name ? { name } : {} });
export const allRooms = () => api<{ rooms: RoomSummary[] }>('/api/admin/rooms');
/** The rooms the signed-in person created, newest first, with who is in each now. */
export const myRooms = () => api<{ rooms: Array<RoomSummary & { created_at: string }> }>('/api/rooms');
export const audit = (log: string, after = 0, limit = 200) =>
  api<{ entries: AuditEntry[]; next_after: number | null }>(`/api/admin/audit?log=${encodeURIComponent(log)}&after=${after}&limit=${limit}`);
export const recordings = (room: string) => api<{ recordings: string[] }>(`/api/admin/rooms/${encodeURIComponent(room)}/recordings`);
export const recording = (id: string, after = 0) =>
  api<{ recording_id: string; session_id: string; active: boolean; entries: RecordingEntry[]; next_after: number | null }>(
    `/api/admin/recordings/${encodeURIComponent(id)}?after=${after}&limit=1000`);
export const startRecording = (room: string) => api<{ recording_id: string }>(`/api/admin/rooms/${encodeURIComponent(room)}/recording/start`, { method: 'POST', body: {} });
export const stopRecording = (room: string) => api<{ recording_id: string }>(`/api/admin/rooms/${encodeURIComponent(room)}/recording/stop`, { method: 'POST', body: {} });

/** A room token for joining as `role` (POST /api/login with the person's own bearer); the server caps the role. */
export const roomToken = (role: JoinRole) => api<{ token: string; role: string; expires_in: number }>('/api/login', { body: { role } });

/** Rooms this browser opened, newest first, so a person finds rooms they joined but do not own again. */
const knownKey = 'orbitgrains.rooms';
export function knownRooms(): Array<{ id: string; name: string | null }> {
  try {
    const parsed = JSON.parse(localStorage.getItem(knownKey) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((r) => typeof r?.id === 'string') : [];
  } catch {
    return [];
  }
}
export function rememberRoom(id: string, name: string | null) {
  const rest = knownRooms().filter((r) => r.id !== id);
  localStorage.setItem(knownKey, JSON.stringify([{ id, name: name ?? rest.find((r) => r.id === id)?.name ?? null }, ...rest].slice(0, 50)));
}

import type { RelayFrame } from '../api/relay';

/** One line of a thread as a person reads it. */
export interface ThreadEntry {
  key: string;
  role: 'you' | 'agent' | 'tool' | 'event';
  text: string;
  streaming?: boolean;
}

/** A request from the anchor that needs a person's answer (JSON-RPC request whose method asks for approval). */
export interface ApprovalRequest {
  id: string | number;
  method: string;
  summary: string;
  status: 'pending' | 'accepted' | 'declined';
}

export function threadIdOf(frame: RelayFrame): string | null {
  const p = frame.params ?? {};
  const r = frame.result ?? {};
  const candidates = [p.threadId, p.thread_id, r.threadId, r.thread_id, p.thread?.id, r.thread?.id, p.item?.threadId, p.item?.thread_id];
  for (const value of candidates) {
    if (typeof value === 'string' && value.trim()) return value.trim();
    if (typeof value === 'number') return String(value);
  }
  return null;
}

export function isApprovalRequest(frame: RelayFrame): boolean {
  return frame.id !== undefined && typeof frame.method === 'string' && /approval/i.test(frame.method);
}

export function describeApproval(frame: RelayFrame): string {
  const p = frame.params ?? {};
  if (typeof p.command === 'string') return `Run: ${p.command}`;
  if (Array.isArray(p.command)) return `Run: ${p.command.join(' ')}`;
  if (typeof p.reason === 'string') return p.reason;
  if (Array.isArray(p.changes)) return `Change ${p.changes.map((c: { path?: string }) => c.path).filter(Boolean).join(', ')}`;
  if (typeof p.message === 'string') return p.message;
  return frame.method;
}

function itemText(item: Record<string, any>): string {
  switch (item.type) {
    case 'agentMessage': return item.text ?? '';
    case 'userMessage': return (item.content ?? []).map((c: { text?: string }) => c.text ?? '').join('') || item.text || '';
    case 'commandExecution': return `$ ${Array.isArray(item.command) ? item.command.join(' ') : item.command ?? ''}\n${item.aggregatedOutput ?? ''}`.trim();
    case 'fileChange': return (item.changes ?? []).map((c: { path?: string; diff?: string }) => `${c.path ?? ''}\n${c.diff ?? ''}`).join('\n\n');
    case 'mcpToolCall': return `Tool ${item.tool ?? ''}`;
    case 'webSearch': return `Search: ${item.query ?? ''}`;
    case 'reasoning': return Array.isArray(item.summary) ? item.summary.join('\n') : '';
    default: return typeof item.text === 'string' ? item.text : '';
  }
}

/**
 * Folds relay frames of one thread into what the page shows. Replayed and live frames go through the same fold,
 * so a reload shows what a live watcher saw.
 */
export class ThreadLog {
  entries: ThreadEntry[] = [];
  turn: { id?: string; status?: string } | null = null;

  apply(frame: RelayFrame): boolean {
    const method = frame.method as string | undefined;
    const p = frame.params ?? {};
    if (!method) return false;
    if (method === 'item/agentMessage/delta') {
      const key = `item:${p.itemId ?? 'agent'}`;
      const existing = this.entries.find((e) => e.key === key);
      if (existing) {
        existing.text += p.delta ?? '';
        existing.streaming = true;
      } else {
        this.entries.push({ key, role: 'agent', text: p.delta ?? '', streaming: true });
      }
      return true;
    }
    if (method === 'item/started' || method === 'item/completed') {
      const item = p.item ?? {};
      const key = `item:${item.id ?? `${method}-${this.entries.length}`}`;
      const text = itemText(item);
      const role: ThreadEntry['role'] = item.type === 'userMessage' ? 'you' : item.type === 'agentMessage' ? 'agent' : 'tool';
      if (method === 'item/started' && item.type !== 'userMessage') return false;
      const existing = this.entries.find((e) => e.key === key);
      if (existing) {
        if (text) existing.text = text;
        existing.streaming = false;
      } else if (text) {
        this.entries.push({ key, role, text });
      }
      return true;
    }
    if (method.startsWith('turn/')) {
      this.turn = { id: p.turn?.id ?? p.turnId, status: p.turn?.status ?? method.slice(5) };
      if (method !== 'turn/started') {
        for (const entry of this.entries) entry.streaming = false;
        this.entries.push({ key: `turn:${method}:${this.entries.length}`, role: 'event', text: `Turn ${method.slice(5)}` });
      }
      return true;
    }
    return false;
  }
}

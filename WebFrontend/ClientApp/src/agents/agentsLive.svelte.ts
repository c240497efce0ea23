import { describe } from '../api/errors';
import type { StreamState } from '../api/sse';
import { followUserFeed, type FeedFrame } from '../api/userFeed';
import {
  getSpend, inbox, inboxOrder, listAgents, recentEvents,
  type Agent, type AgentEvent, type InboxFeed, type InboxItem, type Spend, type StatusFeed,
} from './agentsApi';

/**
 * The person's agents, inbox, spend and recent events, read once through the REST routes and then kept current by
 * the live feed (`GET /v1/stream`): the dashboard and the home page share this. The feed is followed before the
 * first read, so nothing that happens in between is lost; events are told apart by id.
 */
export class AgentsLive {
  agents = $state<Agent[] | null>(null);
  inbox = $state<InboxItem[] | null>(null);
  spend = $state<Spend | null>(null);
  events = $state<AgentEvent[] | null>(null);
  error = $state<string | null>(null);
  live = $state<StreamState>('connecting');
  private spendTimer: ReturnType<typeof setTimeout> | undefined;

  readonly pending = $derived((this.inbox ?? []).filter((i) => i.status === 'pending'));

  start(): () => void {
    const stop = followUserFeed((frame) => this.apply(frame), (state) => (this.live = state));
    void this.load();
    return () => {
      stop();
      clearTimeout(this.spendTimer);
    };
  }

  async load() {
    this.error = null;
    try {
      const [agents, items, spend, events] = await Promise.all([listAgents(), inbox(undefined, 200), getSpend(), recentEvents(500)]);
      this.agents = agents;
      this.inbox = items.sort(inboxOrder);
      this.spend = spend;
      this.events = this.mergeEvents(events, this.events ?? []);
    } catch (e) {
      this.error = describe(e);
    }
  }

  /** Puts an agent the page made or changed into the list (the feed says nothing of a new agent). */
  upsertAgent(agent: Agent) {
    const others = (this.agents ?? []).filter((a) => a.id !== agent.id);
    this.agents = [agent, ...others].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  }

  upsertItem(item: InboxItem) {
    const known = (this.inbox ?? []).find((i) => i.id === item.id);
    const merged = { ...known, ...item, expiresAt: item.expiresAt ?? known?.expiresAt ?? null };
    this.inbox = [merged, ...(this.inbox ?? []).filter((i) => i.id !== item.id)].sort(inboxOrder);
  }

  private apply(frame: FeedFrame) {
    switch (frame.type) {
      case 'reset':
        void this.load();
        break;
      case 'agent_event': {
        const event = frame.data as AgentEvent;
        this.events = this.mergeEvents([event], this.events ?? []);
        this.agents = (this.agents ?? []).map((a) => (a.id === event.agentId
          ? { ...a, eventsCount: a.eventsCount + 1, totalSpend: a.totalSpend + event.cost, lastSeen: event.createdAt }
          : a));
        break;
      }
      case 'inbox':
        this.upsertItem((frame.data as InboxFeed).item);
        break;
      case 'agent_status': {
        const { agentId, status } = frame.data as StatusFeed;
        this.agents = (this.agents ?? []).map((a) => (a.id === agentId ? { ...a, status } : a));
        break;
      }
      case 'spend':
      case 'budget_exceeded':
        // The frame has the month's total but not today's: read the whole spend once a burst of events settles.
        clearTimeout(this.spendTimer);
        this.spendTimer = setTimeout(() => void getSpend().then((s) => (this.spend = s)).catch(() => {}), 250);
        break;
    }
  }

  private mergeEvents(incoming: AgentEvent[], known: AgentEvent[]): AgentEvent[] {
    const seen = new Set(known.map((e) => e.id));
    const fresh = incoming.filter((e) => !seen.has(e.id));
    return [...fresh, ...known].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt)).slice(0, 500);
  }
}

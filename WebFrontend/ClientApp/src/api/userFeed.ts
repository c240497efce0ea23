import { openEventStream, type StreamState } from './sse';

/**
 * One entry of the person's live feed, `GET /v1/stream` (docs/agents.md; spec jarvis.md, later versions): frames
 * `{id, type, data, at}`. Agents puts agent_event, inbox, spend, agent_status and budget_exceeded on it; Cloud puts
 * instance. The stream itself adds connected, heartbeat and reset (entries after our Last-Event-ID are gone: reload).
 */
export interface FeedFrame { id: number; type: string; data: unknown; at: string }

/**
 * Follows the feed with the person's bearer (the same fetch-based reader as the pipeline's streams, since
 * EventSource cannot send a header), reconnecting with Last-Event-ID. Returns a stop.
 */
export function followUserFeed(onFrame: (frame: FeedFrame) => void, onState?: (state: StreamState) => void): () => void {
  return openEventStream('/v1/stream', {
    onEvent: (data) => {
      const frame = data as FeedFrame | null;
      if (frame && typeof frame === 'object' && typeof frame.type === 'string') onFrame(frame);
    },
    onState: (state) => onState?.(state),
  });
}

/** Words for the state of a live stream, for the small chip pages show next to a live list. */
export function liveText(state: StreamState): string {
  return state === 'open' ? 'Live' : state === 'closed' ? 'Stopped' : 'Connecting…';
}

import { randomId } from './ids';
import { accessToken, currentSession, refresh } from './session';

/** A frame of the Orbit relay (spec: orbit.md, WebSockets): control messages by `type`, JSON-RPC by `method`/`id`. */
export type RelayFrame = Record<string, any>;
export type RelayState = 'connecting' | 'open' | 'closed';

type FrameListener = (frame: RelayFrame) => void;
type StateListener = (state: RelayState) => void;

const pingEveryMs = 30_000;
const pongWithinMs = 10_000;
const reconnectAfterMs = 2_000;

/**
 * The person's relay socket (`/ws/client?token=&clientId=`): one per tab, reconnecting after 2 s, pinging every
 * 30 s and reconnecting when no pong comes within 10 s, as the Orbit clients do. Threads subscribed through it are
 * subscribed again after every reconnect (the server then replays their stored messages).
 */
export class RelayClient {
  readonly clientId = sessionStorage.getItem('orbitgrains.clientId') ?? randomId();
  state: RelayState = 'closed';
  private socket: WebSocket | null = null;
  private frameListeners = new Set<FrameListener>();
  private stateListeners = new Set<StateListener>();
  private threads = new Set<string>();
  private pending = new Map<string, { resolve: (frame: RelayFrame) => void; reject: (error: Error) => void; timer: ReturnType<typeof setTimeout> }>();
  private pingTimer?: ReturnType<typeof setInterval>;
  private pongTimer?: ReturnType<typeof setTimeout>;
  private reconnectTimer?: ReturnType<typeof setTimeout>;
  private wanted = false;
  private nextId = 1;

  constructor() {
    sessionStorage.setItem('orbitgrains.clientId', this.clientId);
  }

  onFrame(listener: FrameListener) {
    this.frameListeners.add(listener);
    return () => this.frameListeners.delete(listener);
  }

  onState(listener: StateListener) {
    this.stateListeners.add(listener);
    listener(this.state);
    return () => this.stateListeners.delete(listener);
  }

  async connect() {
    this.wanted = true;
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) return;
    const token = await accessToken();
    if (!token || !this.wanted) return;
    this.setState('connecting');
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const url = `${scheme}://${location.host}/ws/client?token=${encodeURIComponent(token)}&clientId=${encodeURIComponent(this.clientId)}`;
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      this.setState('open');
      for (const threadId of this.threads) this.send({ type: 'orbit.subscribe', threadId });
      this.pingTimer = setInterval(() => this.ping(), pingEveryMs);
    };
    socket.onmessage = (event) => {
      let frame: RelayFrame;
      try {
        frame = JSON.parse(typeof event.data === 'string' ? event.data : '');
      } catch {
        return;
      }
      if (frame.type === 'pong') {
        clearTimeout(this.pongTimer);
        return;
      }
      const key = frame.id !== undefined && frame.method === undefined ? keyOf(frame.id) : null;
      const waiter = key ? this.pending.get(key) : undefined;
      if (waiter && key) {
        this.pending.delete(key);
        clearTimeout(waiter.timer);
        waiter.resolve(frame);
      }
      for (const listener of this.frameListeners) listener(frame);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      clearInterval(this.pingTimer);
      clearTimeout(this.pongTimer);
      this.setState('closed');
      if (!this.wanted) return;
      // 4401: the session ended or rotated under the socket; a fresh token is needed before trying again.
      const renew = event.code === 4401 && currentSession() ? refresh(currentSession()!.token).catch(() => null) : Promise.resolve();
      void renew.then(() => {
        this.reconnectTimer = setTimeout(() => void this.connect(), reconnectAfterMs);
      });
    };
  }

  disconnect() {
    this.wanted = false;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    this.socket?.close(1000, 'Signed out');
    this.socket = null;
    this.setState('closed');
  }

  send(frame: RelayFrame): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  subscribe(threadId: string) {
    this.threads.add(threadId);
    this.send({ type: 'orbit.subscribe', threadId });
  }

  unsubscribe(threadId: string) {
    this.threads.delete(threadId);
    this.send({ type: 'orbit.unsubscribe', threadId });
  }

  /** Sends a JSON-RPC request (or a control message with an id) and waits for the frame answering its id. */
  request(frame: RelayFrame, timeoutMs = 20_000): Promise<RelayFrame> {
    const id = frame.id ?? `web-${this.nextId++}-${Math.random().toString(16).slice(2, 8)}`;
    const message = { ...frame, id };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(keyOf(id));
        reject(new Error('The device did not answer in time.'));
      }, timeoutMs);
      this.pending.set(keyOf(id), { resolve, reject, timer });
      if (!this.send(message)) {
        clearTimeout(timer);
        this.pending.delete(keyOf(id));
        reject(new Error('Not connected to the relay yet. Wait a moment and try again.'));
      }
    });
  }

  private ping() {
    if (!this.send({ type: 'ping' })) return;
    clearTimeout(this.pongTimer);
    this.pongTimer = setTimeout(() => this.socket?.close(4000, 'No pong'), pongWithinMs);
  }

  private setState(state: RelayState) {
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

// Typed ids: 1 and "1" are different requests (orbit.md, routing).
function keyOf(id: unknown) {
  return `${typeof id}:${String(id)}`;
}

let shared: RelayClient | null = null;

/** The tab's one relay client. */
export function relay(): RelayClient {
  shared ??= new RelayClient();
  return shared;
}

import { roomToken, type JoinRole } from './roomsApi';

/** A frame of the signaling protocol (docs/rooms.md, Messages): JSON objects with a `type`. */
export type RoomFrame = Record<string, any>;

/** Close codes a person should read about in words (docs/rooms.md). */
export function closeReason(code: number, reason: string): string {
  switch (code) {
    case 4401: return 'Your access to the room ended. Join again.';
    case 4404: return 'This room does not exist (any more).';
    case 1008: return 'Too many messages; the room closed the connection.';
    case 1009: return 'A message was too large; the room closed the connection.';
    case 1012: return 'The server restarted this room; join again.';
    default: return reason || `The connection closed (${code}).`;
  }
}

/**
 * Joins a room over `WS /ws?token=<room token>&session_id=<id>` with a room token for the chosen role. Returns the
 * socket; frames arrive at `onFrame`, the end at `onClose` with the code. Nothing reconnects by itself: a person
 * joins again, so an estop or a kick is never hidden by an automatic rejoin.
 */
export async function joinRoom(sessionId: string, role: JoinRole, onFrame: (frame: RoomFrame) => void, onClose: (code: number, reason: string) => void) {
  const { token } = await roomToken(role);
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new WebSocket(`${scheme}://${location.host}/ws?token=${encodeURIComponent(token)}&session_id=${encodeURIComponent(sessionId)}`);
  socket.onmessage = (event) => {
    try {
      const frame = JSON.parse(String(event.data));
      if (frame && typeof frame === 'object') onFrame(frame);
    } catch {
      // A non-JSON frame of the legacy room: nothing to show.
    }
  };
  socket.onclose = (event) => onClose(event.code, event.reason);
  return socket;
}

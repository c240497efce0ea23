import { relay, type RelayFrame, type RelayState } from '../api/relay';

/** An anchor of the person's that said hello (orbit.md: orbit.anchors / orbit.anchor-connected). */
export interface Anchor {
  id: string;
  hostname?: string;
  platform?: string;
  connectedAt?: string;
}

/** The tab's live view of the relay: connection state and the person's anchors online. */
export const presence = $state<{ state: RelayState; anchors: Anchor[]; listed: boolean }>({ state: 'closed', anchors: [], listed: false });

let started = false;

export function startPresence() {
  const client = relay();
  if (!started) {
    started = true;
    client.onState((state) => {
      presence.state = state;
      if (state === 'open') client.send({ type: 'orbit.list-anchors' });
      if (state === 'closed') presence.listed = false;
    });
    client.onFrame((frame: RelayFrame) => {
      if (frame.type === 'orbit.anchors') {
        presence.anchors = Array.isArray(frame.anchors) ? frame.anchors : [];
        presence.listed = true;
      } else if (frame.type === 'orbit.anchor-connected' && frame.anchor?.id) {
        presence.anchors = [...presence.anchors.filter((a) => a.id !== frame.anchor.id), frame.anchor];
      } else if (frame.type === 'orbit.anchor-disconnected') {
        presence.anchors = presence.anchors.filter((a) => a.id !== frame.anchorId);
      }
    });
  }
  void client.connect();
}

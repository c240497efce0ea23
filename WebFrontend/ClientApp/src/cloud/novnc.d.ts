// The part of noVNC's RFB client (@novnc/novnc, docs/API.md) the desktop page uses; the package ships no types.
declare module '@novnc/novnc' {
  export interface RfbOptions { shared?: boolean; credentials?: { username?: string; password?: string; target?: string }; wsProtocols?: string[] }
  export default class RFB extends EventTarget {
    constructor(target: HTMLElement, urlOrChannel: string | WebSocket, options?: RfbOptions);
    scaleViewport: boolean;
    resizeSession: boolean;
    clipViewport: boolean;
    viewOnly: boolean;
    focusOnClick: boolean;
    background: string;
    disconnect(): void;
    focus(): void;
    clipboardPasteFrom(text: string): void;
    sendCtrlAltDel(): void;
  }
}

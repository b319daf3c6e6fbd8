import { SignalApi } from '@backstage/plugin-signals-react';

/** A signals API whose messages the test sends, as the backend would. */
export class TestSignals implements SignalApi {
  readonly listeners = new Map<string, (message: any) => void>();

  subscribe(channel: string, onMessage: (message: any) => void) {
    this.listeners.set(channel, onMessage);
    return { unsubscribe: () => this.listeners.delete(channel) };
  }

  /** Sends `message` on `channel`; throws when nobody subscribed to it. */
  send(channel: string, message: unknown) {
    const listener = this.listeners.get(channel);
    if (!listener) {
      throw new Error(`nobody subscribed to ${channel}`);
    }
    listener(message);
  }
}

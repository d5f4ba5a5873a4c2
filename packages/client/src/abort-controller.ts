// The mini-game runtime has no AbortController; tRPC's links create one per
// call. The client bundle substitutes this one (esbuild `inject`) without
// touching the game's globals.

type AbortListener = () => void;

class MinigateAbortSignal {
  aborted = false;
  reason: unknown = undefined;
  onabort: AbortListener | null = null;
  private listeners: AbortListener[] = [];

  addEventListener(type: string, listener: AbortListener): void {
    if (type === 'abort') this.listeners.push(listener);
  }

  removeEventListener(type: string, listener: AbortListener): void {
    if (type === 'abort') this.listeners = this.listeners.filter((candidate) => candidate !== listener);
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /** @internal */
  fire(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = [];
    this.onabort?.();
    for (const listener of listeners) listener();
  }
}

class MinigateAbortController {
  readonly signal = new MinigateAbortSignal();

  abort(reason?: unknown): void {
    const error = new Error('The call was aborted');
    error.name = 'AbortError';
    this.signal.fire(reason ?? error);
  }
}

export { MinigateAbortController as AbortController };

import type { SimulatedFault } from './types.js';

/** One endpoint's faults: the queued ones first, one a call, then the standing one (if any) on every call. */
export class FaultQueue {
  private readonly queued: SimulatedFault[] = [];
  private standing: SimulatedFault | null = null;

  /** Queues `fault` for the next `times` calls. */
  inject(fault: SimulatedFault, times: number): void {
    for (let i = 0; i < times; i++) this.queued.push(fault);
  }

  /** Switches a standing fault on, or off with null. */
  set(fault: SimulatedFault | null): void {
    this.standing = fault;
  }

  clear(): void {
    this.queued.length = 0;
    this.standing = null;
  }

  /** The fault this call meets, if any (a queued one is used up). */
  take(): SimulatedFault | undefined {
    return this.queued.shift() ?? this.standing ?? undefined;
  }
}

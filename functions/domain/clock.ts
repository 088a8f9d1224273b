// All time comes through a clock, so tests and the local runtime can run on virtual time.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that moves only when told to. */
export class VirtualClock implements Clock {
  private ms: number;

  constructor(start: Date | string) {
    this.ms = new Date(start).getTime();
    if (Number.isNaN(this.ms)) throw new RangeError(`not an instant: "${String(start)}"`);
  }

  now(): Date {
    return new Date(this.ms);
  }

  advance(ms: number): Date {
    if (!(ms >= 0)) throw new RangeError('a clock only moves forward');
    this.ms += ms;
    return this.now();
  }

  advanceDays(days: number): Date {
    return this.advance(days * 24 * 60 * 60 * 1000);
  }

  set(to: Date | string): Date {
    const ms = new Date(to).getTime();
    if (!(ms >= this.ms)) throw new RangeError('a clock only moves forward');
    this.ms = ms;
    return this.now();
  }
}

/** Wall-clock time moved forward by an offset: the local runtime's clock, which /dev/clock advances. */
export class OffsetClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): Date {
    if (!(ms >= 0)) throw new RangeError('a clock only moves forward');
    this.offsetMs += ms;
    return this.now();
  }

  set(to: Date | string): Date {
    const ms = new Date(to).getTime();
    if (!(ms >= this.now().getTime())) throw new RangeError('a clock only moves forward');
    this.offsetMs = ms - Date.now();
    return this.now();
  }
}

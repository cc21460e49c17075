// What instances tell each other through Redis. Every message is a hint that speeds something up; none is needed
// for correctness (the database is the truth, and timers pick every change up without them).

/** A new task becomes due in `inMs`: pollers should look then. */
export interface WakeEvent {
  type: 'wake';
  inMs: number;
}
/** A channel was created, changed, disabled or deleted: drop the channel cache. */
export interface ChannelsEvent {
  type: 'channels';
}
/** An option was changed: read the options again. */
export interface OptionsEvent {
  type: 'options';
}
/** An API key or its user was changed, disabled or deleted: drop the relay's key cache. */
export interface KeysEvent {
  type: 'keys';
}
export type CoordinationEvent = WakeEvent | ChannelsEvent | OptionsEvent | KeysEvent;

export type RedisState = 'not configured' | 'up' | 'down';

/** The commands the shared rate-limit store needs while Redis is up. */
export interface RateLimitCounter {
  /** Counts one hit of `key` in a window of `windowMs`; answers the count and the window's remaining ms. */
  hit(key: string, windowMs: number): Promise<{ current: number; ttl: number }>;
}

export interface Coordination {
  /** Whether Redis is configured and answering right now. */
  readonly state: RedisState;
  /** Tells the other instances; never throws, never waits, does nothing while Redis is down. */
  publish(event: CoordinationEvent): void;
  /**
   * `handler` hears the other instances' messages. When Redis comes back after being down, it also hears one of
   * each kind, since messages sent meanwhile were lost.
   */
  subscribe(handler: (event: CoordinationEvent) => void): void;
  /** The shared counter while Redis is up; null when it is down or not configured. */
  counter(): RateLimitCounter | null;
  close(): Promise<void>;
}

// What the simulator saw, for tests to assert on: calls per route, polls per task id and per caller, the
// raw requests (headers as received, secrets included: this is a test double), batch sizes, callbacks sent.

export interface RecordedRequest {
  /** Simulated ms. */
  at: number;
  method: string;
  url: string;
  /** The route pattern, e.g. "GET /mj/task/:id/fetch". */
  route: string;
  caller: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, when there was one. */
  body: unknown;
}

export interface PollCount {
  /** How many fetch or list-by-condition requests asked for this id. */
  count: number;
  /** How many of those answers contained the task. */
  returned: number;
  byCaller: Record<string, number>;
}

export interface NotifyRecord {
  at: number;
  taskId: string;
  url: string;
  status: string;
  progress: string | null;
  httpStatus: number | null;
  error: string | null;
}

function pushCapped<T>(list: T[], item: T, limit: number): void {
  list.push(item);
  if (list.length > limit) list.splice(0, list.length - limit);
}

export class MjCounters {
  readonly routeCalls = new Map<string, number>();
  readonly polls = new Map<string, PollCount>();
  readonly requests: RecordedRequest[] = [];
  /** The number of ids in each list-by-condition request, as sent (before dedup). */
  readonly listByConditionBatchSizes: number[] = [];
  readonly notifications: NotifyRecord[] = [];

  recordRequest(request: RecordedRequest, limit: number): void {
    this.routeCalls.set(request.route, (this.routeCalls.get(request.route) ?? 0) + 1);
    pushCapped(this.requests, request, limit);
  }

  recordNotification(record: NotifyRecord, limit: number): void {
    pushCapped(this.notifications, record, limit);
  }

  countAsk(id: string, caller: string): void {
    const poll = this.polls.get(id) ?? { count: 0, returned: 0, byCaller: {} };
    poll.count++;
    poll.byCaller[caller] = (poll.byCaller[caller] ?? 0) + 1;
    this.polls.set(id, poll);
  }

  countReturned(id: string): void {
    const poll = this.polls.get(id);
    if (poll) poll.returned++;
  }

  /** How many times `id` was polled (by `caller` only, when given). */
  pollsOf(id: string, caller?: string): number {
    const poll = this.polls.get(id);
    if (!poll) return 0;
    return caller === undefined ? poll.count : (poll.byCaller[caller] ?? 0);
  }

  clear(): void {
    this.routeCalls.clear();
    this.polls.clear();
    this.requests.length = 0;
    this.listByConditionBatchSizes.length = 0;
    this.notifications.length = 0;
  }

  toJSON() {
    return {
      routeCalls: Object.fromEntries(this.routeCalls),
      polls: Object.fromEntries(this.polls),
      requests: this.requests,
      listByConditionBatchSizes: this.listByConditionBatchSizes,
      notifications: this.notifications,
    };
  }
}

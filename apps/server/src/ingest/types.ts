import type { EventEnrichment, NormalisedEvent } from '@vigil/core';

/** What the logbook records about one API request (tirreno's error types 0–4). */
export interface LogEntry {
  endpoint: string;
  started: Date;
  callerIp: string | null;
  /** 0 success, 1 success with warnings, 2 rejected by validation, 3 failed, 4 rate limited. */
  errorType: 0 | 1 | 2 | 3 | 4;
  /** Warnings (type 1), the validation message (type 2), the failure (3) or 'Rate limit' (4). */
  errorText: string[] | null;
  raw: Record<string, unknown> | null;
  requestId: string | null;
}

export interface EventWrite {
  kind: 'event';
  projectId: string;
  event: NormalisedEvent;
  enrichment: EventEnrichment;
  log: LogEntry;
  /** Sent by clients that retry (SDKs): a second event with the same key is not stored again. */
  idempotencyKey: string | null;
}

export interface LogWrite {
  kind: 'log';
  projectId: string;
  log: LogEntry;
}

export type WriteItem = EventWrite | LogWrite;

export interface EventWritten {
  eventId: number;
  userId: number;
  /** Whether the event's IP is blacklisted in its project, for the sensor's `blacklisting` answer. */
  ipBlacklisted: boolean;
  /** True when an event with the same idempotency key was stored before: this one was not. */
  duplicate: boolean;
}

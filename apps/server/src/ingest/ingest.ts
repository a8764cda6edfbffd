import {
  type Enricher,
  type NormalisedEvent,
  type NormaliseResult,
  normaliseSensorFields,
} from '@vigil/core';
import type { Project } from '../projects.ts';
import type { RateLimiter } from '../rate-limit.ts';
import type { EventWritten, LogEntry } from './types.ts';
import type { GroupCommitWriter } from './writer.ts';

export interface RequestContext {
  endpoint: string;
  started: Date;
  callerIp: string | null;
  requestId: string | null;
}

export type IngestOutcome =
  | { status: 'stored'; written: EventWritten; event: NormalisedEvent; warnings: string[] }
  | { status: 'rejected'; code: 'missing_field' | 'invalid_parameter'; field: string; message: string };

/** Longest idempotency key accepted (SDKs send UUIDs). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 128;

/**
 * The ingest use-case shared by /sensor/, /api/v1/events and /api/v1/decide: validate and
 * normalise, enrich in memory, then hand the event to the group-commit writer. Resolves only after
 * the event (and its logbook row) is committed; throws StorageUnavailableError when it is not.
 */
export class Ingest {
  constructor(
    private readonly writer: GroupCommitWriter,
    private readonly enricher: Enricher,
    readonly rateLimiter: RateLimiter,
  ) {}

  async ingest(
    project: Project,
    input: Record<string, unknown>,
    ctx: RequestContext,
  ): Promise<IngestOutcome> {
    const idempotencyKey = input.idempotencyKey ?? null;
    if (
      idempotencyKey !== null &&
      (typeof idempotencyKey !== 'string' ||
        idempotencyKey.length === 0 ||
        idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH)
    ) {
      return {
        status: 'rejected',
        code: 'invalid_parameter',
        field: 'idempotencyKey',
        message: `idempotencyKey must be a string of 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
      };
    }
    const result: NormaliseResult = normaliseSensorFields(input, ctx.started);
    if (!result.ok) {
      const message = `Validation error: "${result.message}" for key "${result.field}"`;
      await this.writer.submit({
        kind: 'log',
        projectId: project.id,
        log: this.log(ctx, 2, [message], result.raw),
      });
      return { status: 'rejected', code: result.code, field: result.field, message: result.message };
    }
    const event = result.event;
    const enrichment = this.enricher.enrich(event, { projectId: project.id });
    const written = await this.writer.submit({
      kind: 'event',
      projectId: project.id,
      event,
      enrichment,
      idempotencyKey,
      log: this.log(
        ctx,
        result.warnings.length > 0 ? 1 : 0,
        result.warnings.length > 0 ? result.warnings : null,
        result.raw,
      ),
    });
    return { status: 'stored', written, event, warnings: result.warnings };
  }

  /** Records a refused request in the logbook (rate limited, or failed to store). */
  async logOnly(project: Project, ctx: RequestContext, errorType: 3 | 4, text: string): Promise<void> {
    await this.writer.submit({
      kind: 'log',
      projectId: project.id,
      log: this.log(ctx, errorType, [text], null),
    });
  }

  private log(
    ctx: RequestContext,
    errorType: LogEntry['errorType'],
    errorText: string[] | null,
    raw: Record<string, unknown> | null,
  ): LogEntry {
    return {
      endpoint: ctx.endpoint,
      started: ctx.started,
      callerIp: ctx.callerIp,
      errorType,
      errorText,
      raw,
      requestId: ctx.requestId,
    };
  }
}

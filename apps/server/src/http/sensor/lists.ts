import type { Database, Executor } from '@vigil/db';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isUnavailable } from '../../ingest/writer.ts';
import { notifyListsChanged } from '../../lists/changes.ts';
import {
  deleteList,
  importList,
  isListKind,
  ListImportError,
  type ListImportInput,
  ListNotFoundError,
  type ListSummary,
  listLists,
  parseExpiry,
  parseScore,
  UUID_RE,
} from '../../lists/store.ts';
import { type ErrorCode, sendError } from '../errors.ts';
import { fieldsOf } from './body.ts';

/** Largest list upload: a list file may have up to a million lines. */
export const LIST_BODY_LIMIT = 64 * 1024 * 1024;

/**
 * Operator lists over the public API (Api-Key, scoped to the key's project):
 *
 * - `POST /api/v1/lists`: JSON `{label, kind?, score?, expiresAt?, content}` (content is the file
 *   text), or the file itself as a `text/csv` / `text/plain` body with `?label=&kind=&score=&expiresAt=`.
 *   201 `{listId, label, kind, score, expiresAt, entryCount, counts}`; a malformed file is 400
 *   `{error: {code: 'invalid_list', message, field: 'content', line}}` and nothing is stored.
 * - `GET /api/v1/lists`: `{lists: [...]}`, newest first.
 * - `DELETE /api/v1/lists/{id}`: 204; 404 when the id is not a list of this project.
 *
 * When the answer is sent, the change already applies to events of this process (the reloader
 * swapped the index); other processes pick it up at their next poll.
 */
export function registerListRoutes(app: FastifyInstance, executor: Executor): void {
  if (typeof (executor as Partial<Database>).transaction !== 'function') {
    throw new TypeError('registerListRoutes needs a Database (imports run in a transaction)');
  }
  const db = executor as Database;
  // Own child context: the text parsers below must not reach /sensor/ and the other routes.
  void app.register(async (lists) => {
    lists.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => {
      done(null, body);
    });

    lists.post<{ Querystring: Record<string, string | undefined> }>(
      '/api/v1/lists',
      { bodyLimit: LIST_BODY_LIMIT },
      async (request, reply) => {
        const input = importInput(request);
        if ('error' in input) return sendError(reply, 400, input.error, input.message, input.field);
        try {
          const list = await importList(db, request.project.id, input);
          await notifyListsChanged(db);
          return reply.code(201).send({
            listId: list.listId,
            label: list.label,
            kind: list.kind,
            score: list.score,
            expiresAt: list.expiresAt?.toISOString() ?? null,
            entryCount: list.entryCount,
            counts: list.counts,
          });
        } catch (error) {
          if (error instanceof ListImportError) return sendImportError(reply, error);
          return storageError(reply, error);
        }
      },
    );

    lists.get('/api/v1/lists', async (request, reply) => {
      try {
        return { lists: (await listLists(db, request.project.id)).map(listJson) };
      } catch (error) {
        return storageError(reply, error);
      }
    });

    lists.delete<{ Params: { id: string } }>('/api/v1/lists/:id', async (request, reply) => {
      const { id } = request.params;
      if (!UUID_RE.test(id)) return sendError(reply, 400, 'invalid_parameter', 'A list id is a UUID', 'id');
      try {
        await deleteList(db, request.project.id, id);
        await notifyListsChanged(db);
        return reply.code(204).send();
      } catch (error) {
        if (error instanceof ListNotFoundError) {
          return sendError(reply, 404, 'not_found', 'No list with this id in this project', 'id');
        }
        return storageError(reply, error);
      }
    });
  });
}

type InputProblem = { error: ErrorCode; message: string; field: string };

function importInput(
  request: FastifyRequest<{ Querystring: Record<string, string | undefined> }>,
): ListImportInput | InputProblem {
  const type = String(request.headers['content-type'] ?? '').toLowerCase();
  const json = type.startsWith('application/json');
  const source: Record<string, unknown> = json ? fieldsOf(request.body) : request.query;
  const where = json ? 'in the JSON body' : 'as a query parameter';

  const content = json ? source.content : request.body;
  if (typeof content !== 'string') {
    return json
      ? { error: 'missing_field', message: 'content (the list file as text) is required', field: 'content' }
      : { error: 'invalid_body', message: 'Send the list file as the body', field: 'content' };
  }
  const label = source.label;
  if (label === undefined || label === null || (typeof label === 'string' && label.trim() === '')) {
    return { error: 'missing_field', message: `label is required ${where}`, field: 'label' };
  }
  if (typeof label !== 'string')
    return { error: 'invalid_parameter', message: 'label must be text', field: 'label' };

  const rawKind = source.kind;
  let kind: ListImportInput['kind'];
  if (rawKind !== undefined && rawKind !== null && rawKind !== '') {
    if (!isListKind(rawKind)) {
      return {
        error: 'invalid_parameter',
        message: 'kind must be one of ip, cidr, asn, domain, email, phone, ua',
        field: 'kind',
      };
    }
    kind = rawKind;
  }

  const rawScore = source.score;
  let score: number | null = null;
  if (rawScore !== undefined && rawScore !== null && rawScore !== '') {
    score =
      typeof rawScore === 'number'
        ? Number.isFinite(rawScore)
          ? rawScore
          : null
        : typeof rawScore === 'string'
          ? parseScore(rawScore)
          : null;
    if (score === null)
      return { error: 'invalid_parameter', message: 'score must be a number', field: 'score' };
  }

  const rawExpiry = source.expiresAt;
  let expiresAt: Date | null = null;
  if (rawExpiry !== undefined && rawExpiry !== null && rawExpiry !== '') {
    expiresAt = typeof rawExpiry === 'string' ? parseExpiry(rawExpiry) : null;
    if (expiresAt === null) {
      return {
        error: 'invalid_parameter',
        message: 'expiresAt must be a date (YYYY-MM-DD) or an ISO 8601 date-time with its zone',
        field: 'expiresAt',
      };
    }
  }
  return { text: content, label, kind, score, expiresAt };
}

function sendImportError(reply: FastifyReply, error: ListImportError): FastifyReply {
  if (error.field !== 'content')
    return sendError(reply, 400, 'invalid_parameter', error.message, error.field);
  return reply
    .code(400)
    .type('application/json')
    .send({
      error: {
        code: 'invalid_list' satisfies ErrorCode,
        message: error.message,
        field: 'content',
        line: error.line,
        requestId: reply.request.id,
      },
    });
}

function storageError(reply: FastifyReply, error: unknown): FastifyReply {
  if (!isUnavailable(error)) throw error;
  reply.header('Retry-After', '5');
  return sendError(reply, 503, 'unavailable', 'The database is unavailable; retry later');
}

function listJson(l: ListSummary) {
  return {
    listId: l.listId,
    label: l.label,
    kind: l.kind,
    score: l.score,
    expiresAt: l.expiresAt?.toISOString() ?? null,
    expired: l.expired,
    createdAt: l.createdAt.toISOString(),
    entryCount: l.entryCount,
    counts: l.counts,
  };
}

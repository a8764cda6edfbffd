import { parsePhpForm, phpFieldsFromPairs } from '@vigil/core';
import busboy from 'busboy';
import type { FastifyInstance } from 'fastify';

/**
 * Body parsers of the public context. tirreno's SDKs send form bodies decoded with PHP's rules;
 * JSON is accepted too (tirreno ignores it). Anything else is refused with 415.
 */
export function registerBodyParsers(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit },
    (_req, body, done) => {
      done(null, parsePhpForm(body as string));
    },
  );
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      const error = new Error('The body is not valid JSON') as Error & { statusCode: number };
      error.statusCode = 400;
      done(error, undefined);
    }
  });
  app.addContentTypeParser('multipart/form-data', (req, payload, done) => {
    const pairs: [string, string][] = [];
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { fields: 1000, fieldSize: bodyLimit, files: 0, fieldNameSize: 1000 },
      });
    } catch {
      const error = new Error('Malformed multipart body') as Error & { statusCode: number };
      error.statusCode = 400;
      return done(error, undefined);
    }
    let received = 0;
    let finished = false;
    const finish = (error: Error | null) => {
      if (finished) return;
      finished = true;
      if (error) done(error, undefined);
      else done(null, phpFieldsFromPairs(pairs));
    };
    payload.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > bodyLimit) {
        const error = new Error('The request body is too large') as Error & { statusCode: number };
        error.statusCode = 413;
        payload.unpipe(parser);
        finish(error);
      }
    });
    parser.on('field', (name, value) => pairs.push([name, value]));
    parser.on('file', (_name, stream) => stream.resume());
    parser.on('close', () => finish(null));
    parser.on('error', () => {
      const error = new Error('Malformed multipart body') as Error & { statusCode: number };
      error.statusCode = 400;
      finish(error);
    });
    payload.pipe(parser);
  });
}

/** The body as a field map, whatever parser produced it. */
export function fieldsOf(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

import type { Database } from '@vigil/db';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InputError } from '../../input-error.ts';
import type { Mailer } from '../../mail.ts';
import { projectsOf } from '../../operators/access.ts';
import { acceptInvitation } from '../../operators/invitations.ts';
import { LoginThrottle } from '../../operators/login-throttle.ts';
import { normaliseEmail, type Operator, toOperator, validTimezone } from '../../operators/operators.ts';
import { requestPasswordReset, resetPassword } from '../../operators/password-resets.ts';
import {
  dummyPasswordHash,
  hashPassword,
  passwordProblem,
  verifyPassword,
} from '../../operators/passwords.ts';
import {
  createSession,
  endSession,
  listSessions,
  revokeOtherSessions,
  revokeSession,
} from '../../operators/sessions.ts';
import { completeSetup, SetupRefused } from '../../operators/setup.ts';
import { createToken, listTokens, revokeToken } from '../../operators/tokens.ts';
import { sendError } from '../errors.ts';
import { SESSION_COOKIE } from './guard.ts';

export interface AuthRoutesOptions {
  db: Database;
  mailer: Mailer | null;
  publicUrl: string;
}

const credentials = {
  type: 'object',
  required: ['email', 'password'],
  properties: { email: { type: 'string', maxLength: 254 }, password: { type: 'string', maxLength: 256 } },
} as const;

/** Setup, sign-in and everything an operator does to their own account. */
export function registerAuthRoutes(app: FastifyInstance, { db, mailer, publicUrl }: AuthRoutesOptions): void {
  const throttle = new LoginThrottle();

  async function startSession(request: FastifyRequest, reply: FastifyReply, operator: Operator) {
    const session = await createSession(db, operator.id, {
      ip: request.ip,
      userAgent: request.headers['user-agent'],
    });
    reply.setCookie(SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'strict',
      // Behind HTTPS (directly, or a trusted proxy saying so) the cookie never travels in clear.
      secure: request.protocol === 'https',
      path: '/',
      maxAge: session.maxAgeSeconds,
    });
    return { operator, csrfToken: session.csrfToken, projects: await projectsOf(db, operator) };
  }

  app.get('/api/console/setup', {
    config: { access: 'public' },
    schema: { summary: 'Whether first-run setup is still to be done', tags: ['account'] },
    handler: async () => {
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM operators');
      return { needed: rows[0]!.n === 0 };
    },
  });

  app.post<{ Body: Record<string, unknown> }>('/api/console/setup', {
    config: { access: 'public' },
    schema: {
      summary: 'First run: create the admin, the first project and its API key (shown once)',
      tags: ['account'],
      body: {
        type: 'object',
        required: ['token', 'email', 'password', 'projectName'],
        properties: {
          token: { type: 'string', maxLength: 200 },
          email: { type: 'string', maxLength: 254 },
          password: { type: 'string', maxLength: 256 },
          name: { type: 'string', maxLength: 200 },
          projectName: { type: 'string', maxLength: 200 },
          preset: { type: 'string', maxLength: 64 },
          timezone: { type: 'string', maxLength: 64 },
        },
      },
    },
    handler: async (request, reply) => {
      try {
        const b = request.body;
        const done = await completeSetup(db, {
          token: b.token,
          email: b.email,
          password: b.password,
          name: b.name,
          projectName: b.projectName,
          preset: b.preset,
          timezone: b.timezone,
        });
        const session = await startSession(request, reply, done.operator);
        return reply.code(201).send({ ...session, project: done.project, apiKey: done.apiKey });
      } catch (error) {
        if (error instanceof SetupRefused) return sendError(reply, 409, 'conflict', error.message, 'token');
        throw error;
      }
    },
  });

  app.post<{ Body: { email: string; password: string } }>('/api/console/auth/login', {
    config: { access: 'public' },
    schema: {
      summary: 'Sign in; sets the session cookie and returns the CSRF token',
      tags: ['account'],
      body: credentials,
    },
    handler: async (request, reply) => {
      const { email, password } = request.body;
      const wait = throttle.retryAfter(email, request.ip);
      if (wait > 0) {
        reply.header('Retry-After', String(wait));
        return sendError(reply, 429, 'rate_limited', `Too many failed sign-ins; try again in ${wait} s`);
      }
      const { rows } = await db.query(
        'SELECT id, email, name, role, timezone, password_hash FROM operators WHERE lower(email) = lower($1) AND disabled_at IS NULL',
        [email.trim()],
      );
      const row = rows[0];
      const ok = await verifyPassword(row?.password_hash ?? (await dummyPasswordHash()), password);
      if (!row || !ok) {
        throttle.fail(email, request.ip);
        return sendError(reply, 401, 'invalid_credentials', 'Wrong e-mail or password');
      }
      throttle.succeed(email);
      return startSession(request, reply, toOperator(row));
    },
  });

  app.post('/api/console/auth/logout', {
    config: { access: 'operator' },
    schema: { summary: 'Sign out: ends this session', tags: ['account'] },
    handler: async (request, reply) => {
      if (request.consoleSession) await endSession(db, request.consoleSession.token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  });

  app.get('/api/console/me', {
    config: { access: 'operator' },
    schema: {
      summary: 'The signed-in operator, their projects and the CSRF token for mutations',
      tags: ['account'],
    },
    handler: async (request) => {
      const operator = request.operator as Operator;
      return {
        operator,
        csrfToken: request.consoleSession?.csrfToken ?? null,
        projects: await projectsOf(db, operator),
      };
    },
  });

  app.patch<{ Body: { name?: string; timezone?: string } }>('/api/console/me', {
    config: { access: 'operator' },
    schema: {
      summary: 'Change my display name or timezone',
      tags: ['account'],
      body: {
        type: 'object',
        properties: { name: { type: 'string', maxLength: 200 }, timezone: { type: 'string', maxLength: 64 } },
      },
    },
    handler: async (request) => {
      const operator = request.operator as Operator;
      const timezone =
        request.body.timezone === undefined ? operator.timezone : validTimezone(request.body.timezone);
      const name = request.body.name === undefined ? operator.name : request.body.name.trim() || null;
      await db.query('UPDATE operators SET timezone = $2, name = $3 WHERE id = $1', [
        operator.id,
        timezone,
        name,
      ]);
      return { operator: { ...operator, timezone, name } };
    },
  });

  app.post<{ Body: { current: string; password: string } }>('/api/console/auth/password', {
    config: { access: 'operator' },
    schema: {
      summary: 'Change my password; every other session of mine ends',
      tags: ['account'],
      body: {
        type: 'object',
        required: ['current', 'password'],
        properties: {
          current: { type: 'string', maxLength: 256 },
          password: { type: 'string', maxLength: 256 },
        },
      },
    },
    handler: async (request, reply) => {
      const operator = request.operator as Operator;
      const { rows } = await db.query<{ password_hash: string }>(
        'SELECT password_hash FROM operators WHERE id = $1',
        [operator.id],
      );
      if (!(await verifyPassword(rows[0]!.password_hash, request.body.current))) {
        return sendError(reply, 400, 'invalid_credentials', 'The current password is wrong', 'current');
      }
      const problem = passwordProblem(request.body.password);
      if (problem) throw new InputError(problem, 'password');
      await db.query('UPDATE operators SET password_hash = $2, password_changed_at = now() WHERE id = $1', [
        operator.id,
        await hashPassword(request.body.password),
      ]);
      await revokeOtherSessions(db, operator.id, request.consoleSession?.publicId ?? null);
      return reply.code(204).send();
    },
  });

  app.post<{ Body: { email: string } }>('/api/console/auth/password-reset', {
    config: { access: 'public' },
    schema: {
      summary: 'E-mail a password-reset link (needs SMTP_URL); answers the same for unknown addresses',
      tags: ['account'],
      body: {
        type: 'object',
        required: ['email'],
        properties: { email: { type: 'string', maxLength: 254 } },
      },
    },
    handler: async (request, reply) => {
      if (!mailer) {
        return sendError(
          reply,
          503,
          'unavailable',
          'E-mail is not configured (SMTP_URL): ask an admin to reset it',
        );
      }
      const email = normaliseEmail(request.body.email);
      const wait = throttle.retryAfter(email, request.ip);
      if (wait > 0) return sendError(reply, 429, 'rate_limited', `Too many attempts; try again in ${wait} s`);
      // Counted like a failed sign-in, so the form cannot be used to flood a mailbox.
      throttle.fail(email, request.ip);
      try {
        await requestPasswordReset(db, mailer, publicUrl, email);
      } catch (error) {
        request.log.error({ err: error }, 'password reset e-mail failed');
      }
      return reply.code(202).send({ status: 'If the address has an account, a link is on its way' });
    },
  });

  app.post<{ Body: { token: string; password: string } }>('/api/console/auth/password-reset/confirm', {
    config: { access: 'public' },
    schema: {
      summary: 'Set a new password from a reset link; every session ends',
      tags: ['account'],
      body: {
        type: 'object',
        required: ['token', 'password'],
        properties: {
          token: { type: 'string', maxLength: 200 },
          password: { type: 'string', maxLength: 256 },
        },
      },
    },
    handler: async (request, reply) => {
      await resetPassword(db, request.body.token, request.body.password);
      return reply.code(204).send();
    },
  });

  app.post<{ Body: { token: string; password: string; name?: string } }>('/api/console/invitations/accept', {
    config: { access: 'public' },
    schema: {
      summary: 'Accept an invitation: create my account and sign in',
      tags: ['account'],
      body: {
        type: 'object',
        required: ['token', 'password'],
        properties: {
          token: { type: 'string', maxLength: 200 },
          password: { type: 'string', maxLength: 256 },
          name: { type: 'string', maxLength: 200 },
        },
      },
    },
    handler: async (request, reply) => {
      const { operator } = await acceptInvitation(
        db,
        request.body.token,
        request.body.password,
        request.body.name,
      );
      return reply.code(201).send(await startSession(request, reply, operator));
    },
  });

  app.get('/api/console/auth/sessions', {
    config: { access: 'operator' },
    schema: { summary: 'My open sessions', tags: ['account'] },
    handler: async (request) => {
      const operator = request.operator as Operator;
      const sessions = await listSessions(db, operator.id);
      return {
        sessions: sessions.map((s) => ({ ...s, current: s.id === request.consoleSession?.publicId })),
      };
    },
  });

  app.delete<{ Params: { sessionId: string } }>('/api/console/auth/sessions/:sessionId', {
    config: { access: 'operator' },
    schema: { summary: 'End one of my sessions', tags: ['account'] },
    handler: async (request, reply) => {
      const ok = await revokeSession(db, (request.operator as Operator).id, request.params.sessionId);
      if (!ok) return sendError(reply, 404, 'not_found', 'No such session', 'sessionId');
      return reply.code(204).send();
    },
  });

  app.get('/api/console/auth/tokens', {
    config: { access: 'operator' },
    schema: { summary: 'My API tokens for automation (secrets are never shown again)', tags: ['account'] },
    handler: async (request) => ({ tokens: await listTokens(db, (request.operator as Operator).id) }),
  });

  app.post<{ Body: { name: string } }>('/api/console/auth/tokens', {
    config: { access: 'operator' },
    schema: {
      summary: 'Create an API token; the secret is in this answer only',
      tags: ['account'],
      body: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string', minLength: 1, maxLength: 100 } },
      },
    },
    handler: async (request, reply) => {
      const token = await createToken(db, (request.operator as Operator).id, request.body.name.trim());
      return reply.code(201).send(token);
    },
  });

  app.delete<{ Params: { tokenId: string } }>('/api/console/auth/tokens/:tokenId', {
    config: { access: 'operator' },
    schema: { summary: 'Revoke one of my API tokens', tags: ['account'] },
    handler: async (request, reply) => {
      const id = Number(request.params.tokenId);
      const ok = Number.isSafeInteger(id) && (await revokeToken(db, (request.operator as Operator).id, id));
      if (!ok) return sendError(reply, 404, 'not_found', 'No such token', 'tokenId');
      return reply.code(204).send();
    },
  });
}

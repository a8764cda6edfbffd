import { PRESETS } from '@vigil/core';
import type { Database } from '@vigil/db';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { appendAudit } from '../../audit/chain.ts';
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

// The account fields and their limits, the same on every route that takes them.
const field = {
  email: { type: 'string', maxLength: 254 },
  password: { type: 'string', maxLength: 256 },
  token: { type: 'string', maxLength: 200 },
  name: { type: 'string', maxLength: 200 },
  timezone: { type: 'string', maxLength: 64 },
} as const;

/** The JSON body schema of a route: these properties, `required` of them needed. */
function jsonBody(properties: Record<string, object>, required: string[] = []) {
  return { type: 'object', ...(required.length ? { required } : {}), properties } as const;
}

const credentials = jsonBody({ email: field.email, password: field.password }, ['email', 'password']);

/** Setup, sign-in and everything an operator does to their own account. */
export function registerAuthRoutes(app: FastifyInstance, { db, mailer, publicUrl }: AuthRoutesOptions): void {
  const throttle = new LoginThrottle();

  /** Opens a session (recorded in the audit trail as `action`) and sets its cookie. */
  async function startSession(
    request: FastifyRequest,
    reply: FastifyReply,
    operator: Operator,
    action: string,
  ) {
    const session = await db.transaction(async (tx) => {
      const opened = await createSession(tx, operator.id, {
        ip: request.ip,
        userAgent: request.headers['user-agent'],
      });
      await appendAudit(tx, {
        projectId: null,
        actor: operator.email,
        action,
        target: operator.id,
        details: { ip: request.ip, session: opened.publicId },
      });
      return opened;
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
    schema: {
      summary: 'Whether first-run setup is still to be done, and the rule presets it offers',
      tags: ['account'],
    },
    handler: async () => {
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM operators');
      const needed = rows[0]!.n === 0;
      // The setup form's preset choice; once set up, the rules page has its own list.
      const presets = needed
        ? Object.values(PRESETS).map(({ name, title, description }) => ({ name, title, description }))
        : [];
      return { needed, presets };
    },
  });

  app.post<{ Body: Record<string, unknown> }>('/api/console/setup', {
    config: { access: 'public' },
    schema: {
      summary: 'First run: create the admin, the first project and its API key (shown once)',
      tags: ['account'],
      body: jsonBody(
        {
          token: field.token,
          email: field.email,
          password: field.password,
          name: field.name,
          projectName: { type: 'string', maxLength: 200 },
          preset: { type: 'string', maxLength: 64 },
          timezone: field.timezone,
        },
        ['token', 'email', 'password', 'projectName'],
      ),
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
        const session = await startSession(request, reply, done.operator, 'operator.login');
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
        await db.transaction((tx) =>
          appendAudit(tx, {
            projectId: null,
            actor: email.trim().slice(0, 254),
            action: 'operator.login_failed',
            details: { ip: request.ip, knownOperator: Boolean(row) },
          }),
        );
        return sendError(reply, 401, 'invalid_credentials', 'Wrong e-mail or password');
      }
      throttle.succeed(email);
      return startSession(request, reply, toOperator(row), 'operator.login');
    },
  });

  app.post('/api/console/auth/logout', {
    config: { access: 'operator' },
    schema: { summary: 'Sign out: ends this session', tags: ['account'] },
    handler: async (request, reply) => {
      const operator = request.operator as Operator;
      const session = request.consoleSession;
      await db.transaction(async (tx) => {
        if (session) await endSession(tx, session.token);
        await appendAudit(tx, {
          projectId: null,
          actor: operator.email,
          action: 'operator.logout',
          target: operator.id,
          details: { session: session?.publicId ?? null },
        });
      });
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
      body: jsonBody({ name: field.name, timezone: field.timezone }),
    },
    handler: async (request) => {
      const operator = request.operator as Operator;
      const timezone =
        request.body.timezone === undefined ? operator.timezone : validTimezone(request.body.timezone);
      const name = request.body.name === undefined ? operator.name : request.body.name.trim() || null;
      await db.transaction(async (tx) => {
        await tx.query('UPDATE operators SET timezone = $2, name = $3 WHERE id = $1', [
          operator.id,
          timezone,
          name,
        ]);
        await appendAudit(tx, {
          projectId: null,
          actor: operator.email,
          action: 'operator.profile',
          target: operator.id,
          details: { name, timezone },
        });
      });
      return { operator: { ...operator, timezone, name } };
    },
  });

  app.post<{ Body: { current: string; password: string } }>('/api/console/auth/password', {
    config: { access: 'operator' },
    schema: {
      summary: 'Change my password; every other session of mine ends',
      tags: ['account'],
      body: jsonBody({ current: field.password, password: field.password }, ['current', 'password']),
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
      const hash = await hashPassword(request.body.password);
      await db.transaction(async (tx) => {
        await tx.query('UPDATE operators SET password_hash = $2, password_changed_at = now() WHERE id = $1', [
          operator.id,
          hash,
        ]);
        await revokeOtherSessions(tx, operator.id, request.consoleSession?.publicId ?? null);
        await appendAudit(tx, {
          projectId: null,
          actor: operator.email,
          action: 'operator.password_change',
          target: operator.id,
        });
      });
      return reply.code(204).send();
    },
  });

  app.post<{ Body: { email: string } }>('/api/console/auth/password-reset', {
    config: { access: 'public' },
    schema: {
      summary: 'E-mail a password-reset link (needs SMTP_URL); answers the same for unknown addresses',
      tags: ['account'],
      body: jsonBody({ email: field.email }, ['email']),
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
      body: jsonBody({ token: field.token, password: field.password }, ['token', 'password']),
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
      body: jsonBody({ token: field.token, password: field.password, name: field.name }, [
        'token',
        'password',
      ]),
    },
    handler: async (request, reply) => {
      const { operator } = await acceptInvitation(
        db,
        request.body.token,
        request.body.password,
        request.body.name,
      );
      return reply.code(201).send(await startSession(request, reply, operator, 'operator.login'));
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
      const operator = request.operator as Operator;
      const ok = await db.transaction(async (tx) => {
        if (!(await revokeSession(tx, operator.id, request.params.sessionId))) return false;
        await appendAudit(tx, {
          projectId: null,
          actor: operator.email,
          action: 'operator.session_revoke',
          target: operator.id,
          details: { session: request.params.sessionId },
        });
        return true;
      });
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
      body: jsonBody({ name: { type: 'string', minLength: 1, maxLength: 100 } }, ['name']),
    },
    handler: async (request, reply) => {
      const operator = request.operator as Operator;
      const token = await db.transaction(async (tx) => {
        const created = await createToken(tx, operator.id, request.body.name.trim());
        await appendAudit(tx, {
          projectId: null,
          actor: operator.email,
          action: 'operator.token_create',
          target: String(created.id),
          details: { name: created.name, prefix: created.token.slice(0, 8) },
        });
        return created;
      });
      return reply.code(201).send(token);
    },
  });

  app.delete<{ Params: { tokenId: string } }>('/api/console/auth/tokens/:tokenId', {
    config: { access: 'operator' },
    schema: { summary: 'Revoke one of my API tokens', tags: ['account'] },
    handler: async (request, reply) => {
      const id = Number(request.params.tokenId);
      const operator = request.operator as Operator;
      const ok =
        Number.isSafeInteger(id) &&
        (await db.transaction(async (tx) => {
          if (!(await revokeToken(tx, operator.id, id))) return false;
          await appendAudit(tx, {
            projectId: null,
            actor: operator.email,
            action: 'operator.token_revoke',
            target: String(id),
          });
          return true;
        }));
      if (!ok) return sendError(reply, 404, 'not_found', 'No such token', 'tokenId');
      return reply.code(204).send();
    },
  });
}

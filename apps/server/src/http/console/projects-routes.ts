import { isPresetName, PRESETS } from '@vigil/core';
import type { Database } from '@vigil/db';
import type { FastifyInstance } from 'fastify';
import { appendAudit } from '../../audit/chain.ts';
import { InputError } from '../../input-error.ts';
import type { Mailer } from '../../mail.ts';
import { projectsOf } from '../../operators/access.ts';
import { inviteToProject } from '../../operators/invitations.ts';
import { isRole, type Operator, ROLES, validTimezone } from '../../operators/operators.ts';
import { createProject } from '../../projects.ts';
import { applyProjectPreset } from '../../scoring/rule-sets.ts';
import { sendError } from '../errors.ts';
import { PROJECT_PREFIX } from './guard.ts';

export interface ProjectRoutesOptions {
  db: Database;
  mailer: Mailer | null;
  publicUrl: string;
}

const roleSchema = { type: 'string', enum: [...ROLES] } as const;

/** Projects, their members and invitations; the counts the console's menu shows. */
export function registerProjectRoutes(
  app: FastifyInstance,
  { db, mailer, publicUrl }: ProjectRoutesOptions,
): void {
  app.get('/api/console/projects', {
    config: { access: 'operator' },
    schema: { summary: 'The projects I can open, with my role on each', tags: ['projects'] },
    handler: async (request) => ({ projects: await projectsOf(db, request.operator as Operator) }),
  });

  app.post<{ Body: { name: string; preset?: string; timezone?: string } }>('/api/console/projects', {
    config: { access: 'admin' },
    schema: {
      summary: 'Create a project (installation admins); its first API key is in this answer only',
      tags: ['projects'],
      body: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          preset: { type: 'string', enum: Object.keys(PRESETS) },
          timezone: { type: 'string', maxLength: 64 },
        },
      },
    },
    handler: async (request, reply) => {
      const timezone = validTimezone(request.body.timezone ?? 'UTC');
      const name = request.body.name.trim();
      if (!name) throw new InputError('name must not be blank', 'name');
      const operator = request.operator as Operator;
      const created = await db.transaction(async (tx) => {
        const { project, apiKey } = await createProject(tx, { name });
        await tx.query('UPDATE projects SET timezone = $2 WHERE id = $1', [project.id, timezone]);
        const preset = request.body.preset ?? 'default';
        if (isPresetName(preset)) await applyProjectPreset(tx, project.id, preset, operator.email);
        await tx.query(
          `INSERT INTO project_members (project_id, operator_id, role) VALUES ($1, $2, 'admin')`,
          [project.id, operator.id],
        );
        await appendAudit(tx, {
          projectId: project.id,
          actor: operator.email,
          action: 'project.create',
          target: project.id,
          details: { name, timezone, preset },
        });
        return { project: { id: project.id, name, timezone, role: 'admin' }, apiKey };
      });
      return reply.code(201).send(created);
    },
  });

  app.get(PROJECT_PREFIX, {
    config: { access: 'viewer' },
    schema: { summary: 'One project, my role on it, and the counts shown in the menu', tags: ['projects'] },
    handler: async (request) => {
      const project = request.consoleProject!;
      const { rows } = await db.query<{ review: number; blacklisted: number; watched: number }>(
        `SELECT count(*) FILTER (WHERE status = 'review')::int AS review,
                count(*) FILTER (WHERE status = 'blacklisted')::int AS blacklisted,
                count(*) FILTER (WHERE watched)::int AS watched
           FROM users WHERE project_id = $1 AND (status IN ('review', 'blacklisted') OR watched)`,
        [project.id],
      );
      return { project, counts: rows[0] };
    },
  });

  app.get(`${PROJECT_PREFIX}/members`, {
    config: { access: 'admin' },
    schema: { summary: 'Who may open this project, and pending invitations', tags: ['projects'] },
    handler: async (request) => {
      const projectId = request.consoleProject!.id;
      const members = await db.query(
        `SELECT o.id, o.email, o.name, m.role, m.created_at AS "since"
           FROM project_members m JOIN operators o ON o.id = m.operator_id
          WHERE m.project_id = $1 ORDER BY o.email`,
        [projectId],
      );
      const invitations = await db.query(
        `SELECT email, role, created_at AS "createdAt", expires_at AS "expiresAt" FROM invitations
          WHERE project_id = $1 AND accepted_at IS NULL AND expires_at > now() ORDER BY created_at`,
        [projectId],
      );
      return { members: members.rows, invitations: invitations.rows };
    },
  });

  app.post<{ Body: { email: string; role: string } }>(`${PROJECT_PREFIX}/members`, {
    config: { access: 'admin' },
    schema: {
      summary: 'Give an e-mail address a role on this project (an invitation link for new operators)',
      tags: ['projects'],
      body: {
        type: 'object',
        required: ['email', 'role'],
        properties: { email: { type: 'string', maxLength: 254 }, role: roleSchema },
      },
    },
    handler: async (request, reply) => {
      const project = request.consoleProject!;
      const role = request.body.role;
      if (!isRole(role)) throw new InputError('unknown role', 'role');
      const outcome = await db.transaction(async (tx) => {
        const done = await inviteToProject(
          tx,
          {
            projectId: project.id,
            projectName: project.name,
            email: request.body.email,
            role,
            invitedBy: request.operator!,
          },
          { mailer, publicUrl },
        );
        await appendAudit(tx, {
          projectId: project.id,
          actor: request.operator!.email,
          action: done.kind === 'added' ? 'member.add' : 'member.invite',
          target: request.body.email.trim(),
          details: { role, ...(done.kind === 'invited' ? { emailed: done.emailed } : {}) },
        });
        return done;
      });
      return reply.code(201).send(outcome);
    },
  });

  app.patch<{ Params: { projectId: string; operatorId: string }; Body: { role: string } }>(
    `${PROJECT_PREFIX}/members/:operatorId`,
    {
      config: { access: 'admin' },
      schema: {
        summary: "Change a member's role",
        tags: ['projects'],
        body: { type: 'object', required: ['role'], properties: { role: roleSchema } },
      },
      handler: async (request, reply) => {
        const projectId = request.consoleProject!.id;
        const changed = await db.transaction(async (tx) => {
          const { rows } = await tx.query<{ email: string; before: string }>(
            `UPDATE project_members m SET role = $3
               FROM operators o, project_members old
              WHERE m.project_id = $1 AND m.operator_id::text = $2 AND o.id = m.operator_id
                AND old.project_id = m.project_id AND old.operator_id = m.operator_id
              RETURNING o.email, old.role AS before`,
            [projectId, request.params.operatorId, request.body.role],
          );
          if (!rows[0]) return false;
          await appendAudit(tx, {
            projectId,
            actor: request.operator!.email,
            action: 'member.role',
            target: rows[0].email,
            details: { from: rows[0].before, to: request.body.role },
          });
          return true;
        });
        if (!changed) return sendError(reply, 404, 'not_found', 'No such member', 'operatorId');
        return { operatorId: request.params.operatorId, role: request.body.role };
      },
    },
  );

  app.delete<{ Params: { projectId: string; operatorId: string } }>(`${PROJECT_PREFIX}/members/:operatorId`, {
    config: { access: 'admin' },
    schema: { summary: 'Remove a member from this project', tags: ['projects'] },
    handler: async (request, reply) => {
      const projectId = request.consoleProject!.id;
      const removed = await db.transaction(async (tx) => {
        const { rows } = await tx.query<{ email: string; role: string }>(
          `DELETE FROM project_members m USING operators o
            WHERE m.project_id = $1 AND m.operator_id::text = $2 AND o.id = m.operator_id
            RETURNING o.email, m.role`,
          [projectId, request.params.operatorId],
        );
        if (!rows[0]) return false;
        await appendAudit(tx, {
          projectId,
          actor: request.operator!.email,
          action: 'member.remove',
          target: rows[0].email,
          details: { role: rows[0].role },
        });
        return true;
      });
      if (!removed) return sendError(reply, 404, 'not_found', 'No such member', 'operatorId');
      return reply.code(204).send();
    },
  });

  app.get('/api/console/operators', {
    config: { access: 'admin' },
    schema: { summary: 'Every operator of this installation (installation admins)', tags: ['projects'] },
    handler: async () => {
      const { rows } = await db.query(
        `SELECT id, email, name, role, timezone, created_at AS "createdAt", disabled_at AS "disabledAt"
           FROM operators ORDER BY email`,
      );
      return { operators: rows };
    },
  });
}

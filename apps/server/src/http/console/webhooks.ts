import type { Database } from '@vigil/db';
import type { FastifyInstance } from 'fastify';
import {
  getAlertRecipients,
  getEmailSettings,
  setAlertRecipients,
  updateEmailSettings,
} from '../../actions/alert-mail.ts';
import { type DeliveryView, listDeliveries, redeliver, sendTestWebhook } from '../../actions/deliveries.ts';
import { ALERT_KINDS } from '../../actions/outbox.ts';
import { deleteSiemSink, getSiemSink, putSiemSink } from '../../actions/siem.ts';
import {
  createSubscription,
  deleteSubscription,
  getSubscription,
  isUuid,
  listSubscriptions,
  updateSubscription,
} from '../../actions/subscriptions.ts';
import { appendAudit } from '../../audit/chain.ts';
import type { Operator } from '../../operators/operators.ts';
import { sendError } from '../errors.ts';
import { PROJECT_PREFIX } from './guard.ts';
import { type ListQuery, listQuerySchema, pageOf, sendList } from './lists.ts';

const TAGS = ['webhooks & alerts'];
const idParams = (name: string) =>
  ({
    type: 'object',
    required: ['projectId', name],
    properties: { projectId: { type: 'string', maxLength: 64 }, [name]: { type: 'string', maxLength: 64 } },
  }) as const;

const subscriptionBody = {
  type: 'object',
  properties: {
    url: { type: 'string', maxLength: 2048 },
    description: { type: 'string', maxLength: 200 },
    events: {
      type: 'array',
      maxItems: ALERT_KINDS.length,
      items: { type: 'string', enum: [...ALERT_KINDS] },
    },
    scoreThreshold: { type: ['integer', 'null'], minimum: 0, maximum: 99 },
    ruleCodes: { type: ['array', 'null'], maxItems: 200, items: { type: 'string', maxLength: 64 } },
    enabled: { type: 'boolean' },
    secret: { type: 'string', minLength: 16, maxLength: 256 },
  },
} as const;

/**
 * Automated actions of a project: webhook subscriptions, their delivery log and redelivery, the
 * SIEM export and the blacklist alert recipients (project admins); and each operator's own
 * review-reminder settings. Secrets appear only in the answer that creates or rotates them.
 */
export function registerWebhookRoutes(app: FastifyInstance, { db }: { db: Database }): void {
  const audit = (
    request: { operator: Operator | null; consoleProject: { id: string } | null },
    action: string,
    target: string | null,
    details: Record<string, unknown>,
  ) =>
    db.transaction((tx) =>
      appendAudit(tx, {
        projectId: request.consoleProject?.id ?? null,
        actor: (request.operator as Operator).email,
        action,
        ...(target ? { target } : {}),
        details,
      }),
    );

  app.get(`${PROJECT_PREFIX}/webhooks`, {
    config: { access: 'admin' },
    schema: { summary: 'Webhook subscriptions of the project', tags: TAGS },
    handler: async (request) => ({ subscriptions: await listSubscriptions(db, request.consoleProject!.id) }),
  });

  app.post(`${PROJECT_PREFIX}/webhooks`, {
    config: { access: 'admin' },
    schema: {
      summary: 'Subscribe a URL to events; the signing secret is in this answer only',
      tags: TAGS,
      body: { ...subscriptionBody, required: ['url', 'events'] },
    },
    handler: async (request, reply) => {
      const projectId = request.consoleProject!.id;
      const created = await db.transaction(async (tx) => {
        const result = await createSubscription(tx, projectId, request.body);
        const { id, url, events } = result.subscription;
        await appendAudit(tx, {
          projectId,
          actor: (request.operator as Operator).email,
          action: 'webhook.create',
          target: id,
          details: { url, events },
        });
        return result;
      });
      return reply.code(201).send(created);
    },
  });

  app.get<{ Params: { subscriptionId: string } }>(`${PROJECT_PREFIX}/webhooks/:subscriptionId`, {
    config: { access: 'admin' },
    schema: { summary: 'One webhook subscription', tags: TAGS, params: idParams('subscriptionId') },
    handler: async (request, reply) => {
      const found = await getSubscription(db, request.consoleProject!.id, request.params.subscriptionId);
      if (!found) return sendError(reply, 404, 'not_found', 'No such subscription', 'subscriptionId');
      return { subscription: found };
    },
  });

  app.patch<{ Params: { subscriptionId: string } }>(`${PROJECT_PREFIX}/webhooks/:subscriptionId`, {
    config: { access: 'admin' },
    schema: {
      summary: 'Change a subscription; `rotateSecret: true` makes a new secret, shown in this answer only',
      tags: TAGS,
      params: idParams('subscriptionId'),
      body: {
        ...subscriptionBody,
        properties: { ...subscriptionBody.properties, rotateSecret: { type: 'boolean' } },
      },
    },
    handler: async (request, reply) => {
      const projectId = request.consoleProject!.id;
      const updated = await db.transaction(async (tx) => {
        const result = await updateSubscription(tx, projectId, request.params.subscriptionId, request.body);
        if (!result) return null;
        const { id, url, events, enabled } = result.subscription;
        await appendAudit(tx, {
          projectId,
          actor: (request.operator as Operator).email,
          action: 'webhook.update',
          target: id,
          details: { url, events, enabled, secretChanged: result.secret !== undefined },
        });
        return result;
      });
      if (!updated) return sendError(reply, 404, 'not_found', 'No such subscription', 'subscriptionId');
      return updated;
    },
  });

  app.delete<{ Params: { subscriptionId: string } }>(`${PROJECT_PREFIX}/webhooks/:subscriptionId`, {
    config: { access: 'admin' },
    schema: {
      summary: 'Delete a subscription and its delivery log',
      tags: TAGS,
      params: idParams('subscriptionId'),
    },
    handler: async (request, reply) => {
      const projectId = request.consoleProject!.id;
      const { subscriptionId } = request.params;
      const deleted = await db.transaction(async (tx) => {
        if (!(await deleteSubscription(tx, projectId, subscriptionId))) return false;
        await appendAudit(tx, {
          projectId,
          actor: (request.operator as Operator).email,
          action: 'webhook.delete',
          target: subscriptionId,
        });
        return true;
      });
      if (!deleted) return sendError(reply, 404, 'not_found', 'No such subscription', 'subscriptionId');
      return reply.code(204).send();
    },
  });

  app.post<{ Params: { subscriptionId: string } }>(`${PROJECT_PREFIX}/webhooks/:subscriptionId/test`, {
    config: { access: 'admin' },
    schema: {
      summary: 'Send a signed webhook.test event now and report the answer',
      tags: TAGS,
      params: idParams('subscriptionId'),
    },
    handler: async (request, reply) => {
      const result = await sendTestWebhook(db, request.consoleProject!.id, request.params.subscriptionId);
      if (!result) return sendError(reply, 404, 'not_found', 'No such subscription', 'subscriptionId');
      return { result };
    },
  });

  app.get<{
    Querystring: ListQuery & { subscriptionId?: string; state?: DeliveryView['state'] };
  }>(`${PROJECT_PREFIX}/webhook-deliveries`, {
    config: { access: 'admin' },
    schema: {
      summary: 'The delivery log, newest first, each delivery with its attempts',
      tags: TAGS,
      querystring: {
        type: 'object',
        properties: {
          ...listQuerySchema.properties,
          subscriptionId: { type: 'string', maxLength: 64 },
          state: { type: 'string', enum: ['pending', 'delivered', 'gave_up'] },
        },
      },
    },
    handler: async (request, reply) => {
      const { subscriptionId, state } = request.query;
      if (subscriptionId !== undefined && !isUuid(subscriptionId)) {
        return sendError(
          reply,
          400,
          'invalid_parameter',
          'subscriptionId must be a subscription id',
          'subscriptionId',
        );
      }
      const { limit, offset } = pageOf(request.query);
      const result = await listDeliveries(db, request.consoleProject!.id, {
        subscriptionId,
        state,
        limit,
        offset,
      });
      return sendList(
        reply,
        request.query,
        result as unknown as { rows: Record<string, unknown>[]; total: number },
        {
          filename: 'webhook-deliveries',
          columns: [
            'id',
            'subscriptionId',
            'eventId',
            'kind',
            'userName',
            'createdAt',
            'state',
            'attempts',
            'lastStatus',
            'lastError',
            'deliveredAt',
            'gaveUpAt',
          ],
        },
      );
    },
  });

  app.post<{ Params: { deliveryId: string } }>(`${PROJECT_PREFIX}/webhook-deliveries/:deliveryId/redeliver`, {
    config: { access: 'admin' },
    schema: {
      summary: 'Send a delivery again now, as a new attempt with the same delivery id',
      tags: TAGS,
      params: idParams('deliveryId'),
    },
    handler: async (request, reply) => {
      const { deliveryId } = request.params;
      const result = await redeliver(db, request.consoleProject!.id, deliveryId);
      if (result === null) return sendError(reply, 404, 'not_found', 'No such delivery', 'deliveryId');
      if (result === 'busy') {
        return sendError(
          reply,
          409,
          'conflict',
          'This delivery is being sent right now; try again in a moment',
        );
      }
      await audit(request, 'webhook.redeliver', deliveryId, { ok: result.log.at(-1)?.error === null });
      return { delivery: result };
    },
  });

  app.get(`${PROJECT_PREFIX}/siem`, {
    config: { access: 'admin' },
    schema: { summary: 'Where the project’s alerts are exported for a SIEM (null: nowhere)', tags: TAGS },
    handler: async (request) => ({ sink: await getSiemSink(db, request.consoleProject!.id) }),
  });

  app.put(`${PROJECT_PREFIX}/siem`, {
    config: { access: 'admin' },
    schema: {
      summary: 'Export alerts as JSON lines to a file in the SIEM folder and/or to syslog (RFC 5424)',
      tags: TAGS,
      body: {
        type: 'object',
        properties: {
          fileName: { type: ['string', 'null'], maxLength: 128 },
          syslog: {
            type: ['object', 'null'],
            required: ['host', 'port'],
            properties: {
              host: { type: 'string', maxLength: 253 },
              port: { type: 'integer', minimum: 1, maximum: 65535 },
              protocol: { type: 'string', enum: ['udp', 'tcp'] },
            },
          },
          enabled: { type: 'boolean' },
        },
      },
    },
    handler: async (request) => {
      const projectId = request.consoleProject!.id;
      const sink = await db.transaction(async (tx) => {
        const saved = await putSiemSink(tx, projectId, request.body);
        await appendAudit(tx, {
          projectId,
          actor: (request.operator as Operator).email,
          action: 'siem.update',
          details: { ...saved },
        });
        return saved;
      });
      return { sink };
    },
  });

  app.delete(`${PROJECT_PREFIX}/siem`, {
    config: { access: 'admin' },
    schema: { summary: 'Stop exporting alerts to a SIEM', tags: TAGS },
    handler: async (request, reply) => {
      const projectId = request.consoleProject!.id;
      await db.transaction(async (tx) => {
        if (await deleteSiemSink(tx, projectId)) {
          await appendAudit(tx, {
            projectId,
            actor: (request.operator as Operator).email,
            action: 'siem.delete',
          });
        }
      });
      return reply.code(204).send();
    },
  });

  app.get(`${PROJECT_PREFIX}/alert-recipients`, {
    config: { access: 'admin' },
    schema: { summary: 'Who is e-mailed at once when a user is blacklisted', tags: TAGS },
    handler: async (request) => ({ recipients: await getAlertRecipients(db, request.consoleProject!.id) }),
  });

  app.put(`${PROJECT_PREFIX}/alert-recipients`, {
    config: { access: 'admin' },
    schema: {
      summary: 'Set who is e-mailed at once when a user is blacklisted',
      tags: TAGS,
      body: {
        type: 'object',
        required: ['recipients'],
        properties: {
          recipients: { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 254 } },
        },
      },
    },
    handler: async (request) => {
      const projectId = request.consoleProject!.id;
      const recipients = await db.transaction(async (tx) => {
        const saved = await setAlertRecipients(tx, projectId, request.body);
        await appendAudit(tx, {
          projectId,
          actor: (request.operator as Operator).email,
          action: 'alerts.recipients',
          details: { recipients: saved },
        });
        return saved;
      });
      return { recipients };
    },
  });

  app.get('/api/console/me/email-settings', {
    config: { access: 'operator' },
    schema: { summary: 'My review-queue reminder settings', tags: TAGS },
    handler: async (request) => ({ settings: await getEmailSettings(db, (request.operator as Operator).id) }),
  });

  app.patch('/api/console/me/email-settings', {
    config: { access: 'operator' },
    schema: {
      summary:
        'Change my review-queue reminders: off, daily or weekly, within my working hours (my timezone)',
      tags: TAGS,
      body: {
        type: 'object',
        properties: {
          reminderFrequency: { type: 'string', enum: ['off', 'daily', 'weekly'] },
          workingHoursStart: { type: 'integer', minimum: 0, maximum: 23 },
          workingHoursEnd: { type: 'integer', minimum: 1, maximum: 24 },
        },
      },
    },
    handler: async (request) => {
      const operator = request.operator as Operator;
      const settings = await db.transaction(async (tx) => {
        const saved = await updateEmailSettings(tx, operator.id, request.body);
        await appendAudit(tx, {
          projectId: null,
          actor: operator.email,
          action: 'operator.email_settings',
          target: operator.id,
          details: { ...saved },
        });
        return saved;
      });
      return { settings };
    },
  });
}

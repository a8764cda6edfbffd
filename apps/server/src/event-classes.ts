import { type EventType, eventTypeId } from '@vigil/core';

// Event classes of the entity charts, as tirreno's users know them. Their ids (0 regular,
// 1 warning, 2 alert) are stored in entity_events_hourly, whose migration (0017) spells out the
// type ids of each class for its backfill: change both together.

export const ALERT_TYPES = [
  'page_delete',
  'page_error',
  'account_login_fail',
  'account_email_change',
  'account_password_change',
] as const satisfies readonly EventType[];
export const WARNING_TYPES = [
  'page_edit',
  'account_registration',
  'account_edit',
  'field_edit',
] as const satisfies readonly EventType[];

export const ALERT_IDS = ALERT_TYPES.map(eventTypeId);
export const WARNING_IDS = WARNING_TYPES.map(eventTypeId);

export const EVENT_CLASSES = ['regular', 'warning', 'alert'] as const;

/** The class id of an event type id. */
export function eventClassOf(typeId: number): 0 | 1 | 2 {
  if (ALERT_IDS.includes(typeId)) return 2;
  if (WARNING_IDS.includes(typeId)) return 1;
  return 0;
}

/** SQL for the class id of a type id column. */
export function eventClassSql(typeColumn: string): string {
  return `CASE WHEN ${typeColumn} IN (${ALERT_IDS.join(',')}) THEN 2 WHEN ${typeColumn} IN (${WARNING_IDS.join(',')}) THEN 1 ELSE 0 END`;
}

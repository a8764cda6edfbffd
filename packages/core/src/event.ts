/**
 * The event vocabulary shared by every part of Vigil. The ids are tirreno's, fixed forever:
 * they are stored as smallints and tirreno's SDKs send the names.
 */
export const EVENT_TYPES = [
  'page_view',
  'page_edit',
  'page_delete',
  'page_search',
  'account_login',
  'account_logout',
  'account_login_fail',
  'account_registration',
  'account_email_change',
  'account_password_change',
  'account_edit',
  'page_error',
  'field_edit',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Stored id of an event type (1-based, as in tirreno). */
export function eventTypeId(type: EventType): number {
  return EVENT_TYPES.indexOf(type) + 1;
}
export function eventTypeFromId(id: number): EventType | undefined {
  return EVENT_TYPES[id - 1];
}

export const HTTP_METHODS = [
  'get',
  'post',
  'head',
  'put',
  'delete',
  'patch',
  'trace',
  'connect',
  'options',
  'link',
  'unlink',
] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
export function httpMethodId(method: HttpMethod): number {
  return HTTP_METHODS.indexOf(method) + 1;
}
export function httpMethodFromId(id: number): HttpMethod | undefined {
  return HTTP_METHODS[id - 1];
}

/** The 20 body fields the sensor recognises; everything else in a body is ignored. */
export const SENSOR_FIELDS = [
  'userName',
  'emailAddress',
  'ipAddress',
  'url',
  'userAgent',
  'eventTime',
  'firstName',
  'lastName',
  'fullName',
  'pageTitle',
  'phoneNumber',
  'httpReferer',
  'httpCode',
  'browserLanguage',
  'eventType',
  'httpMethod',
  'userCreated',
  'payload',
  'fieldHistory',
  'blacklisting',
] as const;
export type SensorField = (typeof SENSOR_FIELDS)[number];

/** One change of one field, from a `field_edit` event's fieldHistory. */
export interface FieldChange {
  fieldId: string;
  fieldName: string | null;
  oldValue: string | null;
  newValue: string;
  parentId: string | null;
  parentName: string | null;
}

/** An event after validation and normalisation: every value is safe to store as is. */
export interface NormalisedEvent {
  /** Resolved user id: as sent, else md5(email), else 'N/A'. May be '' (tirreno's SDKs send it). */
  userName: string;
  emailAddress: string | null;
  /** Canonical textual form; '0.0.0.0' when the value sent was invalid. */
  ipAddress: string;
  /** The resource: the URL without its query string. */
  url: string;
  /** '?a=b' when the URL had a query, else null. */
  urlQuery: string | null;
  userAgent: string | null;
  eventTime: Date;
  firstName: string | null;
  lastName: string | null;
  fullName: string | null;
  pageTitle: string | null;
  phoneNumber: string | null;
  httpReferer: string | null;
  httpCode: number | null;
  browserLanguage: string | null;
  eventType: EventType;
  httpMethod: HttpMethod | null;
  userCreated: Date | null;
  /** For page_search and account_email_change only; every value a string or null. */
  payload: Record<string, string | null> | null;
  /** For field_edit only. */
  fieldHistory: FieldChange[] | null;
  blacklisting: boolean;
}

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random secret for a cookie, link or token, with a prefix that says what it is. */
export function newSecret(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function sha256(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

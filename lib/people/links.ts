import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A personal link's token: a random id (what the store keeps, with its person) and its signature by
 * the store's own key. A token that is not signed is refused before the store is asked; one whose id
 * the store no longer has (revoked) is unknown. Neither the token nor the key is ever logged or shown
 * after it is made.
 */

const sign = (key: Buffer, id: string) => createHmac('sha256', key).update(`person-link:${id}`).digest('base64url');

export function newLinkKey(): Buffer {
  return randomBytes(32);
}

export function newLink(key: Buffer): { id: string; token: string } {
  const id = randomBytes(16).toString('base64url');
  return { id, token: `${id}.${sign(key, id)}` };
}

/** The link id a token carries, when its signature is the key's. */
export function linkIdOf(token: string, key: Buffer): string | undefined {
  const match = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return undefined;
  const [, id, signature] = match;
  const expected = Buffer.from(sign(key, id!));
  const given = Buffer.from(signature!);
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined;
}

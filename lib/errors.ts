/**
 * An event the tracker understood but will not apply, because it would break a limit (a show past
 * its most episodes). Nothing is stored; the sender is told with a 4xx, never a retry-inviting 5xx.
 */
export class RefusedEventError extends Error {
  readonly statusCode = 422;
}

/**
 * What went wrong calling an outside service, the same for every service, so a status, a log line,
 * the sidebar and an action's answer can say what to check:
 * - unauthorised: the key, the username or the password (401/403, a refused login)
 * - unreachable: down, a wrong address, or a certificate that is not trusted
 * - timeout: no full answer in time
 * - refused: it answered, and said no (any other error status, a banned address)
 * - wrong-service: something else answers at that URL (404, an answer in another shape)
 * - redirected: it pointed elsewhere (never followed: the call carries a secret)
 * - bad-answer: its answer broke a rule (too large, not the documented shape)
 */
export type ServiceErrorKind = 'unauthorised' | 'unreachable' | 'timeout' | 'refused' | 'wrong-service' | 'redirected' | 'bad-answer';

export class ServiceError extends Error {
  /**
   * `message`: what happened, in the service's own words where it gave some, never with a credential.
   * `where`: the service's URL, safe to log. `status`: the HTTP status it answered, if it answered.
   */
  constructor(
    readonly service: string,
    readonly kind: ServiceErrorKind,
    message: string,
    readonly where?: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

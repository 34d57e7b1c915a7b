/**
 * The one JSON error shape of every HTTP answer of the service, as Direct Line has it:
 * `{ "error": { "code", "message" } }`. Routes of the channel, `/api/messages`, the server's own
 * errors (404, 405, malformed bodies) and the pages' JSON answers all build it here.
 */

/** The error codes the service answers with (Direct Line's names where it has one). */
export type ErrorCode =
  | 'BadArgument'
  | 'Unauthorized'
  | 'Forbidden'
  | 'TokenExpired'
  | 'NotFound'
  | 'MessageTooLarge'
  | 'TooManyRequests'
  | 'NotSupported'
  | 'ServiceUnavailable'
  | 'ServiceError'
  | (string & {});

/** An error body. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** Builds an error body; `message` says what was wrong and, when it helps, what to do. */
export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

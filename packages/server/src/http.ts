/** HTTP errors, the error handler, and schemas shared by the routes. */
import { NotFoundError, WindowClosedError } from '@chatloom/core';
import { FlowValidationError } from '@chatloom/flow-engine';
import type { FastifyError, FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { RoutePermission } from './permissions.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route needs; every route declares one (a test checks). */
    permission?: RoutePermission;
  }
}

/** An error with an HTTP status and a message for the client. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what: string) => new HttpError(404, `${what} not found`);

/** The error body every route answers with. */
export const ErrorBody = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String(),
    message: Type.String(),
    diagnostics: Type.Optional(Type.Array(Type.Unknown())),
  },
  { $id: 'Error', additionalProperties: true },
);

const reason: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function installErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    let status = 500;
    let message = 'Internal Server Error';
    let extra: Record<string, unknown> = {};
    if (error instanceof HttpError) {
      status = error.statusCode;
      message = error.message;
      extra = error.details ?? {};
    } else if (error instanceof WindowClosedError) {
      status = 422;
      message = error.message;
    } else if (error instanceof FlowValidationError) {
      status = 422;
      message = error.message;
      extra = { diagnostics: error.diagnostics };
    } else if (error instanceof NotFoundError) {
      status = 404;
      message = error.message;
    } else if ('validation' in error && error.validation) {
      status = 400;
      message = error.message;
    } else if ('statusCode' in error && typeof error.statusCode === 'number') {
      status = error.statusCode;
      message = error.message;
    }
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    reply
      .status(status)
      .send({ statusCode: status, error: reason[status] ?? 'Error', message, ...extra });
  });
}

// Common shapes --------------------------------------------------------------------------

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
export const Ok = Type.Object({ ok: Type.Boolean() });
export const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 }));
/** A page of items and the cursor of the next page (null at the end). */
export const Page = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

/** Error responses of a route, for the OpenAPI document. */
export const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, ErrorBody]));

/** Opaque paging cursor: the sort key of the last item. */
export function encodeCursor(at: number, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): [number, string] | undefined {
  if (!cursor) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      typeof value[0] === 'number' &&
      typeof value[1] === 'string' &&
      value.length === 2
    )
      return [value[0], value[1]];
  } catch {}
  throw new HttpError(400, 'cursor is not one this API gave out; start from the first page');
}

/**
 * A `like` pattern for text anywhere, lower-cased. `%`, `_` and `\\` are left out rather than
 * escaped: SQLite and Postgres disagree on the default escape character.
 */
export const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, '')}%`;

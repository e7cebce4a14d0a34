import { randomBytes } from 'node:crypto';

/** The body of every Graph API error response. */
export interface MetaErrorBody {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    error_data?: { messaging_product: 'whatsapp'; details: string };
    error_user_title?: string;
    error_user_msg?: string;
    is_transient?: boolean;
    fbtrace_id: string;
  };
}

/** Options of a Graph error beyond its code and message. */
export interface GraphErrorOptions {
  status?: number;
  subcode?: number;
  type?: string;
  /** WhatsApp `error_data.details`; setting it adds `error_data` with `messaging_product`. */
  details?: string;
  userTitle?: string;
  userMessage?: string;
  isTransient?: boolean;
}

/** A Graph API error the fake answers with; thrown inside handlers, turned into a response. */
export class GraphError extends Error {
  readonly status: number;
  readonly code: number;
  readonly options: GraphErrorOptions;

  constructor(code: number, message: string, options: GraphErrorOptions = {}) {
    super(message);
    this.code = code;
    this.status = options.status ?? 400;
    this.options = options;
  }

  toBody(): MetaErrorBody {
    const o = this.options;
    const error: MetaErrorBody['error'] = {
      message: this.message,
      type: o.type ?? 'OAuthException',
      code: this.code,
      fbtrace_id: fbtraceId(),
    };
    if (o.subcode !== undefined) error.error_subcode = o.subcode;
    if (o.details !== undefined) {
      error.error_data = { messaging_product: 'whatsapp', details: o.details };
    }
    if (o.userTitle !== undefined) error.error_user_title = o.userTitle;
    if (o.userMessage !== undefined) error.error_user_msg = o.userMessage;
    if (o.isTransient !== undefined) error.is_transient = o.isTransient;
    // Graph puts fbtrace_id last; keep the key order of real responses.
    const { fbtrace_id, ...rest } = error;
    return { error: { ...rest, fbtrace_id } };
  }
}

/** Titles of the WhatsApp codes the fake returns (Meta's error-codes page wording). */
export const whatsAppErrorTitles: Readonly<Record<number, string>> = {
  100: 'Invalid parameter',
  131008: 'Required parameter is missing',
  131009: 'Parameter value is not valid',
  131047: 'Re-engagement message',
  131053: 'Media upload error',
  130429: 'Rate limit hit',
  132000: 'Number of parameters does not match the expected number of params',
  132001: 'Template name does not exist in the translation',
  132012: 'Parameter format does not match format in the created template',
  132015: 'Template is Paused',
  132016: 'Template is disabled',
};

/** A WhatsApp error: `(#code) title` with `error_data.details`. */
export function whatsAppError(code: number, details: string, status = 400): GraphError {
  const title = whatsAppErrorTitles[code] ?? 'Invalid parameter';
  return new GraphError(code, `(#${code}) ${title}`, { status, details });
}

/** `(#100) <message>` with the same text as WhatsApp details: Graph-level parameter errors. */
export function whatsAppParamError(message: string): GraphError {
  return new GraphError(100, `(#100) ${message}`, { details: message });
}

/** `(#100) The parameter <name> is required.` as Graph phrases a missing parameter. */
export function whatsAppMissing(name: string): GraphError {
  return whatsAppParamError(`The parameter ${name} is required.`);
}

/** `(#131009) Parameter value is not valid` with the given details. */
export function invalidValue(details: string): GraphError {
  return whatsAppError(131009, details);
}

/** A Messenger/Instagram Send API error: `(#code) message`, no error_data. */
export function sendApiError(code: number, message: string, subcode?: number): GraphError {
  return new GraphError(code, `(#${code}) ${message}`, subcode === undefined ? {} : { subcode });
}

export function missingToken(): GraphError {
  return new GraphError(104, 'An access token is required to request this resource.', {
    status: 401,
  });
}

export function invalidToken(): GraphError {
  return new GraphError(190, 'Invalid OAuth access token - Cannot parse access token', {
    status: 401,
  });
}

/** What Graph answers for an ID it does not know (or a method the node does not support). */
export function unsupportedRequest(method: string, id: string): GraphError {
  return new GraphError(
    100,
    `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    { subcode: 33, type: 'GraphMethodException' },
  );
}

export function unknownPath(rest: string): GraphError {
  return new GraphError(2500, `Unknown path components: /${rest}`);
}

/** Meta's generic transient error, used for injected 5xx responses. */
export function transientError(status: number): GraphError {
  return new GraphError(
    2,
    status === 503
      ? 'Service temporarily unavailable'
      : 'An unexpected error has occurred. Please retry your request later.',
    { status, isTransient: true },
  );
}

function fbtraceId(): string {
  return randomBytes(9).toString('base64').replace(/[+/]/g, 'A');
}

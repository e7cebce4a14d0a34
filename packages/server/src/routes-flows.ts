/** Flows (versions, validation, publishing) and the tenant's system messages. */
import type { FlowTable } from '@chatloom/core';
import {
  type FlowDefinition,
  flowLinks,
  SystemMessagesSchema,
  validateFlow,
} from '@chatloom/flow-engine';
import { Type } from 'typebox';
import { actor } from './auth.js';
import type { ServerContext } from './context.js';
import { errors, HttpError, IdParams, notFound, Ok } from './http.js';
import type { App } from './server.js';
import { isPreviewFlow, previewFamily, previewFlowPrefix } from './simulator.js';

const Diagnostic = Type.Object({
  path: Type.String(),
  code: Type.String(),
  severity: Type.String(),
  message: Type.String(),
});
const Validation = Type.Object({ valid: Type.Boolean(), diagnostics: Type.Array(Diagnostic) });
const FlowSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  latestVersion: Type.Integer(),
  /** The live version, or null when the flow is not active. */
  publishedVersion: Type.Union([Type.Integer(), Type.Null()]),
  active: Type.Boolean(),
  versions: Type.Array(Type.Integer()),
  updatedAt: Type.Number(),
});
const FlowDetail = Type.Intersect([
  FlowSummary,
  Type.Object({
    definition: Type.Unknown({ description: 'The latest version (chatloom.flow/v1)' }),
  }),
]);
const Definition = Type.Object({
  definition: Type.Unknown({ description: 'A flow in the chatloom.flow/v1 format' }),
});
const FlowParams = Type.Object({ id: Type.String(), version: Type.Integer({ minimum: 1 }) });

function summarize(rows: FlowTable[]) {
  const latest = rows.at(-1)!;
  const published = rows.find((r) => Number(r.published) === 1);
  const definition = JSON.parse(latest.definition) as FlowDefinition;
  return {
    id: latest.flow_id,
    name: definition.name,
    latestVersion: Number(latest.version),
    publishedVersion: published ? Number(published.version) : null,
    active: published !== undefined,
    versions: rows.map((r) => Number(r.version)),
    updatedAt: Math.max(...rows.map((r) => Number(r.updated_at))),
    definition,
  };
}

/**
 * A "go to step" action of a tenant message runs inside whichever live flow sends it (each flow
 * that does not set that message itself), so the step must exist in every one of them: with a
 * missing step, the engine throws on the first turn that sends the message.
 */
function missingSystemStep(
  messages: unknown,
  flows: readonly FlowDefinition[],
): { kind: string; action: number; step: string; flow: FlowDefinition } | undefined {
  if (typeof messages !== 'object' || messages === null) return undefined;
  for (const [kind, message] of Object.entries(messages)) {
    const actions = (message as { actions?: unknown } | null)?.actions;
    if (!Array.isArray(actions)) continue;
    for (const [index, item] of actions.entries()) {
      const action = (item as { action?: { type?: unknown; step?: unknown } } | null)?.action;
      if (action?.type !== 'goto' || typeof action.step !== 'string') continue;
      for (const flow of flows) {
        if (flow.systemMessages?.[kind as keyof NonNullable<FlowDefinition['systemMessages']>])
          continue;
        if (!flow.steps.some((s) => s.id === action.step))
          return { kind, action: index + 1, step: action.step, flow };
      }
    }
  }
  return undefined;
}

/** A definition as an object with the flow id the path names (or 422). */
function definitionOf(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new HttpError(422, 'definition must be a flow object (chatloom.flow/v1)');
  return value as Record<string, unknown>;
}

export async function flowRoutes(app: App, context: ServerContext): Promise<void> {
  const { chatloom, store } = context;
  const versionsOf = async (tenantId: string, flowId: string) =>
    (await store.listFlows(tenantId)).filter((r) => r.flow_id === flowId);
  const requireFlow = async (tenantId: string, flowId: string) => {
    const rows = await versionsOf(tenantId, flowId);
    if (rows.length === 0) throw notFound(`Flow "${flowId}"`);
    return rows;
  };

  app.get(
    '/flows',
    {
      config: { permission: 'flows.read' },
      schema: {
        tags: ['flows'],
        summary: "The tenant's flows",
        response: { 200: Type.Array(FlowSummary) },
      },
    },
    async (request) => {
      const rows = await store.listFlows(actor(request).tenantId);
      const byId = new Map<string, FlowTable[]>();
      for (const row of rows) {
        // The simulator's preview copies are not the tenant's flows.
        if (isPreviewFlow(row.flow_id)) continue;
        byId.set(row.flow_id, [...(byId.get(row.flow_id) ?? []), row]);
      }
      return [...byId.values()].map((versions) => {
        const { definition: _, ...summary } = summarize(versions);
        return summary;
      });
    },
  );

  app.post(
    '/flows/validate',
    {
      config: { permission: 'flows.read' },
      schema: {
        tags: ['flows'],
        summary: 'Validate a flow without saving it: every diagnostic with its path and code',
        body: Definition,
        response: { 200: Validation },
      },
    },
    async (request) => validateFlow(request.body.definition),
  );

  app.post(
    '/flows',
    {
      config: { permission: 'flows.manage' },
      schema: {
        tags: ['flows'],
        summary:
          'Create a flow (version 1, not active); an invalid flow is 422 with its diagnostics',
        body: Type.Intersect([Definition, Type.Object({ publish: Type.Optional(Type.Boolean()) })]),
        response: { 201: FlowDetail, ...errors(409, 422) },
      },
    },
    async (request, reply) => {
      const { tenantId } = actor(request);
      const definition = definitionOf(request.body.definition);
      if (typeof definition.id === 'string' && isPreviewFlow(definition.id))
        throw new HttpError(
          422,
          `Flow ids starting with "${previewFlowPrefix}" are reserved for the simulator's previews`,
        );
      if (
        typeof definition.id === 'string' &&
        (await versionsOf(tenantId, definition.id)).length > 0
      )
        throw new HttpError(
          409,
          `Flow "${definition.id}" exists; save a new version with PUT /flows/${definition.id}`,
        );
      const first: Record<string, unknown> = { ...definition, version: 1 };
      if (request.body.publish === true) await refuseToGoLive(tenantId, first, 1);
      await chatloom.saveFlow(tenantId, first, { publish: request.body.publish === true });
      return reply.status(201).send(summarize(await requireFlow(tenantId, String(first.id))));
    },
  );

  app.get(
    '/flows/:id',
    {
      config: { permission: 'flows.read' },
      schema: { tags: ['flows'], params: IdParams, response: { 200: FlowDetail, ...errors(404) } },
    },
    async (request) => summarize(await requireFlow(actor(request).tenantId, request.params.id)),
  );

  app.get(
    '/flows/:id/versions/:version',
    {
      config: { permission: 'flows.read' },
      schema: {
        tags: ['flows'],
        params: FlowParams,
        response: {
          200: Type.Object({
            version: Type.Integer(),
            published: Type.Boolean(),
            definition: Type.Unknown(),
          }),
          ...errors(404),
        },
      },
    },
    async (request) => {
      const rows = await requireFlow(actor(request).tenantId, request.params.id);
      const row = rows.find((r) => Number(r.version) === request.params.version);
      if (!row) throw notFound(`Version ${request.params.version} of flow "${request.params.id}"`);
      return {
        version: Number(row.version),
        published: Number(row.published) === 1,
        definition: JSON.parse(row.definition),
      };
    },
  );

  app.put(
    '/flows/:id',
    {
      config: { permission: 'flows.manage' },
      schema: {
        tags: ['flows'],
        summary: 'Save a new version (the next number); the live version stays until you publish',
        params: IdParams,
        body: Type.Intersect([Definition, Type.Object({ publish: Type.Optional(Type.Boolean()) })]),
        response: { 200: FlowDetail, ...errors(404, 422) },
      },
    },
    async (request) => {
      const { tenantId } = actor(request);
      const rows = await requireFlow(tenantId, request.params.id);
      const definition = definitionOf(request.body.definition);
      if (definition.id !== request.params.id)
        throw new HttpError(
          422,
          `definition.id is "${String(definition.id)}"; this is flow "${request.params.id}"`,
        );
      const next = { ...definition, version: Math.max(...rows.map((r) => Number(r.version))) + 1 };
      if (request.body.publish === true) await refuseToGoLive(tenantId, next, next.version);
      await chatloom.saveFlow(tenantId, next, { publish: request.body.publish === true });
      return summarize(await requireFlow(tenantId, request.params.id));
    },
  );

  app.delete(
    '/flows/:id',
    {
      config: { permission: 'flows.manage' },
      schema: {
        tags: ['flows'],
        summary:
          'Delete a flow and all its versions (409 while a live flow has an option that starts it)',
        params: IdParams,
        response: { 200: Ok, ...errors(404, 409) },
      },
    },
    async (request) => {
      const { tenantId } = actor(request);
      await requireFlow(tenantId, request.params.id);
      // A live flow whose option starts this one would be left pointing at nothing.
      for (const row of await store.listFlows(tenantId, { published: true })) {
        if (row.flow_id === request.params.id || isPreviewFlow(row.flow_id)) continue;
        const live = JSON.parse(row.definition) as FlowDefinition;
        const link = flowLinks(live).find((l) => l.flowId === request.params.id);
        if (link)
          throw new HttpError(
            409,
            `Flow "${request.params.id}" is started by the live flow "${live.name}" (${link.where}); change that option or turn "${live.name}" off first`,
          );
      }
      await chatloom.deleteFlow(tenantId, request.params.id);
      // Its preview copies go with it (their preview chats end).
      const family = previewFamily(request.params.id);
      const copies = new Set(
        (await store.listFlows(tenantId))
          .map((r) => r.flow_id)
          .filter((id) => id.startsWith(family)),
      );
      for (const copy of copies) await chatloom.deleteFlow(tenantId, copy);
      return { ok: true };
    },
  );

  app.post(
    '/flows/:id/publish',
    {
      config: { permission: 'flows.manage' },
      schema: {
        tags: ['flows'],
        summary: 'Make a version the live one (default: the latest); the flow becomes active',
        params: IdParams,
        querystring: Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })) }),
        response: { 200: FlowDetail, ...errors(404, 422) },
      },
    },
    async (request) => {
      const { tenantId } = actor(request);
      const rows = await requireFlow(tenantId, request.params.id);
      const version = request.query.version ?? Number(rows.at(-1)!.version);
      const row = rows.find((r) => Number(r.version) === version);
      if (!row) throw notFound(`Version ${version} of flow "${request.params.id}"`);
      await refuseToGoLive(tenantId, JSON.parse(row.definition), version);
      await chatloom.publishFlow(tenantId, request.params.id, version);
      return summarize(await requireFlow(tenantId, request.params.id));
    },
  );

  app.post(
    '/flows/:id/activate',
    {
      config: { permission: 'flows.manage' },
      schema: {
        tags: ['flows'],
        summary:
          'Turn the flow on (publishes the latest version) or off (no version live; its sessions end)',
        params: IdParams,
        body: Type.Object({ active: Type.Boolean() }),
        response: { 200: FlowDetail, ...errors(404, 422) },
      },
    },
    async (request) => {
      const { tenantId } = actor(request);
      const rows = await requireFlow(tenantId, request.params.id);
      const latest = rows.at(-1)!;
      if (request.body.active)
        await refuseToGoLive(tenantId, JSON.parse(latest.definition), Number(latest.version));
      await chatloom.publishFlow(
        tenantId,
        request.params.id,
        request.body.active ? Number(rows.at(-1)!.version) : null,
      );
      return summarize(await requireFlow(tenantId, request.params.id));
    },
  );

  /**
   * What a flow version must have to go live (publish, activate, or save with `publish`): every
   * flow its options start exists in the tenant (as a draft at least: designers may build B
   * after A, and core records a problem if B is still not live when the option is chosen), and
   * every step the tenant's system messages go to. An invalid definition is left to saveFlow's
   * own 422.
   */
  async function refuseToGoLive(tenantId: string, definition: unknown, version: number) {
    if (!validateFlow(definition).valid) return;
    const flow = definition as FlowDefinition;
    const problem = missingSystemStep((await chatloom.getTenant(tenantId))?.systemMessages, [flow]);
    if (problem)
      throw new HttpError(
        422,
        `Flow "${flow.name}" version ${version} has no step "${problem.step}", which action ${problem.action} of the tenant's ${problem.kind} message goes to; add that step or change the action in Chatbot settings`,
      );
    const links = flowLinks(flow);
    if (links.length === 0) return;
    const existing = new Set(
      (await store.listFlows(tenantId)).map((r) => r.flow_id).filter((id) => !isPreviewFlow(id)),
    );
    const missing = links.find((link) => !existing.has(link.flowId));
    if (missing)
      throw new HttpError(
        422,
        `Flow "${flow.name}" version ${version} cannot go live: ${missing.where} starts flow "${missing.flowId}", which this tenant does not have; create that flow first or change the option`,
      );
  }

  // Tenant system messages ---------------------------------------------------------------

  const SystemMessages = Type.Unsafe<Record<string, unknown>>({
    ...(SystemMessagesSchema as object),
    description:
      'invalid, thankYou, sessionTimeout (with minutes); each a text per language and at most 3 actions. Defaults for every flow; a flow’s own override them.',
  });

  app.get(
    '/system-messages',
    {
      config: { permission: 'flows.read' },
      schema: {
        tags: ['flows'],
        summary: "The tenant's system messages",
        response: { 200: Type.Union([SystemMessages, Type.Null()]) },
      },
    },
    async (request) => (await chatloom.getTenant(actor(request).tenantId))?.systemMessages ?? null,
  );

  app.put(
    '/system-messages',
    {
      config: { permission: 'flows.manage' },
      schema: {
        tags: ['flows'],
        summary: "Set the tenant's system messages (422 with diagnostics when invalid)",
        body: Type.Unknown(),
        response: { 200: SystemMessages, ...errors(422) },
      },
    },
    async (request) => {
      // The simulator's preview copies are not the tenant's flows (a draft being previewed
      // may lack a step the live flows have).
      const active = (await store.listFlows(actor(request).tenantId, { published: true }))
        .filter((row) => !isPreviewFlow(row.flow_id))
        .map((row) => JSON.parse(row.definition) as FlowDefinition);
      const problem = missingSystemStep(request.body, active);
      if (problem)
        throw new HttpError(
          422,
          `${problem.kind}: action ${problem.action} goes to step "${problem.step}", which the active flow "${problem.flow.name}" does not have`,
        );
      const tenant = await chatloom.setSystemMessages(
        actor(request).tenantId,
        request.body as never,
      );
      return tenant.systemMessages ?? {};
    },
  );

  app.delete(
    '/system-messages',
    {
      config: { permission: 'flows.manage' },
      schema: {
        tags: ['flows'],
        summary: "Clear the tenant's system messages",
        response: { 200: Ok },
      },
    },
    async (request) => {
      await chatloom.setSystemMessages(actor(request).tenantId, null);
      return { ok: true };
    },
  );
}

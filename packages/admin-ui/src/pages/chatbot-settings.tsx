import type { FlowDefinition, SystemMessages } from '@chatloom/flow-engine';
import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type FlowSummary } from '../api.js';
import { useSession } from '../session.js';
import {
  type StepGroup,
  SystemMessageCard,
  type SystemMessageKind,
} from '../settings-system-message.js';
import { ErrorState, Loading, PageHeader } from '../ui.js';

const cards: { kind: SystemMessageKind; title: string; description: string }[] = [
  {
    kind: 'invalid',
    title: 'Invalid input message',
    description: 'Sent when a customer’s answer matches none of the options.',
  },
  {
    kind: 'thankYou',
    title: 'Thank-you message',
    description: 'Sent when a conversation with the bot ends.',
  },
  {
    kind: 'sessionTimeout',
    title: 'Session timeout message',
    description: 'Sent when a customer stops replying for the set number of minutes.',
  },
];

const systemMessagesKey = ['system-messages'] as const;

/**
 * The tenant's default system messages. Each card saves on its own: the PUT carries the other
 * messages as the server last sent them, so saving one never reverts another.
 */
export function ChatbotSettingsPage() {
  const session = useSession();
  const client = useQueryClient();
  const canManage = session.can('flows.manage');
  const messages = useQuery({
    queryKey: systemMessagesKey,
    queryFn: () => api.get<SystemMessages | null>('/system-messages'),
  });
  const flows = useQuery({
    queryKey: ['flows'],
    queryFn: () => api.get<FlowSummary[]>('/flows'),
  });
  const active = (flows.data ?? []).filter((f) => f.active && f.publishedVersion !== null);
  const definitions = useQueries({
    queries: active.map((f) => ({
      queryKey: ['flows', f.id, 'versions', f.publishedVersion],
      queryFn: () =>
        api.get<{ definition: FlowDefinition }>(`/flows/${f.id}/versions/${f.publishedVersion}`),
      staleTime: Number.POSITIVE_INFINITY, // a version never changes
    })),
  });

  const save = async (kind: SystemMessageKind, message: Record<string, unknown> | undefined) => {
    const latest = await client.fetchQuery({
      queryKey: systemMessagesKey,
      queryFn: () => api.get<SystemMessages | null>('/system-messages'),
      staleTime: 0,
    });
    const next: Record<string, unknown> = { ...(latest ?? {}) };
    if (message) next[kind] = message;
    else delete next[kind];
    const saved = await api.put<SystemMessages>('/system-messages', next);
    client.setQueryData(systemMessagesKey, saved);
  };

  const pending = messages.isPending || flows.isPending || definitions.some((d) => d.isPending);
  const error = messages.error ?? flows.error ?? definitions.find((d) => d.error)?.error;
  const flowChoices = (flows.data ?? []).map((f) => ({ id: f.id, name: f.name }));
  const flowsOf = definitions.flatMap((d) => (d.data ? [d.data.definition] : []));
  // Languages of the active flows (the default one first); those already written stay visible.
  const languages = unique([
    ...flowsOf.flatMap((f) => [f.defaultLanguage, ...f.languages]),
    ...cards.flatMap((c) => Object.keys(messages.data?.[c.kind]?.text ?? {})),
  ]);
  /**
   * The steps a "go to" action of this message may name: a tenant message runs inside every
   * active flow that does not set its own, so only steps all of those flows have (the server
   * refuses others). When every active flow sets its own, any of their steps is harmless.
   */
  const stepGroupsFor = (kind: SystemMessageKind): StepGroup[] => {
    const using = flowsOf.filter((f) => !f.systemMessages?.[kind]);
    if (using.length === 0) return flowsOf.map(groupOf);
    const [first, ...others] = using.map(groupOf);
    const steps = (first?.steps ?? []).filter((s) =>
      others.every((g) => g.steps.some((o) => o.id === s.id)),
    );
    return [{ flowName: using.map((f) => f.name).join(', '), steps }];
  };

  return (
    <>
      <PageHeader title="Chatbot settings" />
      <div className="max-w-4xl space-y-4 p-6">
        <div>
          <h2 className="text-base font-semibold text-slate-900">System messages</h2>
          <p className="text-sm text-slate-600">
            What the bot says outside the steps of a flow. These are the defaults for every flow; a
            flow can set its own. Formatting follows WhatsApp (bold, italic, strikethrough,
            monospace).
          </p>
          {!canManage && (
            <p
              className="mt-2 rounded border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700"
              data-testid="read-only-note"
            >
              You can view these messages. Changing them needs the <code>flows.manage</code>{' '}
              permission.
            </p>
          )}
        </div>
        {pending ? (
          <Loading />
        ) : error ? (
          <ErrorState
            error={error}
            retry={() => {
              void messages.refetch();
              void flows.refetch();
              for (const d of definitions) void d.refetch();
            }}
          />
        ) : (
          <>
            {flowsOf.length === 0 && (
              <p className="rounded border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
                No flow is active: the messages are kept, but nothing sends them, and “Go to a step”
                has no steps to choose from.
              </p>
            )}
            {cards.map((card, index) => (
              <SystemMessageCard
                key={card.kind}
                {...card}
                message={messages.data?.[card.kind]}
                languages={languages.length > 0 ? languages : ['en']}
                stepGroups={stepGroupsFor(card.kind)}
                flows={flowChoices}
                overriddenBy={flowsOf
                  .filter((f) => f.systemMessages?.[card.kind])
                  .map((f) => f.name)}
                canManage={canManage}
                defaultOpen={index === 0}
                onSave={(message) => save(card.kind, message)}
              />
            ))}
          </>
        )}
      </div>
    </>
  );
}

function groupOf(flow: FlowDefinition): StepGroup {
  return {
    flowName: flow.name,
    steps: flow.steps.map((s) => ({ id: s.id, ...(s.name && { name: s.name }) })),
  };
}

function unique(values: string[]): string[] {
  return [...new Set(values.filter(Boolean))];
}

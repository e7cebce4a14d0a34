import type { FlowDefinition } from '@chatloom/flow-engine';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, type FlowDetail, type FlowSummary } from '../api.js';
import { FlowEditor } from '../flow-editor.js';
import type { Session } from '../session.js';
import { Empty, formatTime, PageHeader, QueryState } from '../ui.js';

export function FlowsPage({ session }: { session: Session }) {
  const { flowId } = useParams();
  return flowId ? <FlowBuilder id={flowId} session={session} /> : <FlowList />;
}

function FlowList() {
  const flows = useQuery({ queryKey: ['flows'], queryFn: () => api.get<FlowSummary[]>('/flows') });
  return (
    <>
      <PageHeader title="Flows" />
      <QueryState query={flows}>
        {(list) =>
          list.length === 0 ? (
            <Empty>No flows yet.</Empty>
          ) : (
            <ul className="divide-y divide-slate-200 p-6" aria-label="Flows">
              {list.map((flow) => (
                <li key={flow.id} className="flex items-center gap-3 py-2 text-sm">
                  <Link
                    to={`/flows/${flow.id}`}
                    className="font-medium text-indigo-700 hover:underline"
                  >
                    {flow.name}
                  </Link>
                  <span className="text-xs text-slate-500">
                    v{flow.latestVersion}
                    {flow.active ? ` · live v${flow.publishedVersion}` : ' · off'} ·{' '}
                    {formatTime(flow.updatedAt)}
                  </span>
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
    </>
  );
}

function FlowBuilder({ id, session }: { id: string; session: Session }) {
  const client = useQueryClient();
  const flow = useQuery({
    queryKey: ['flow', id],
    queryFn: () => api.get<FlowDetail>(`/flows/${id}`),
  });
  const save = useMutation({
    mutationFn: (definition: FlowDefinition) => api.put<FlowDetail>(`/flows/${id}`, { definition }),
    onSuccess: (detail) => {
      client.setQueryData(['flow', id], detail);
      void client.invalidateQueries({ queryKey: ['flows'] });
    },
  });
  return (
    <>
      <PageHeader title={flow.data ? `Flow: ${flow.data.name}` : 'Flow'}>
        {flow.data && (
          <span className="text-xs text-slate-500">
            version {flow.data.latestVersion}
            {save.isSuccess ? ' · saved' : ''}
          </span>
        )}
      </PageHeader>
      <QueryState query={flow}>
        {(detail) =>
          session.can('flows.manage') ? (
            <FlowEditor
              key={detail.latestVersion}
              initial={detail.definition as FlowDefinition}
              onSave={(definition) => save.mutate(definition)}
              saving={save.isPending}
              saveError={save.error?.message}
            />
          ) : (
            <pre className="m-6 rounded border border-slate-200 bg-white p-4 text-xs">
              {JSON.stringify(detail.definition, null, 2)}
            </pre>
          )
        }
      </QueryState>
    </>
  );
}

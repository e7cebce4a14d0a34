/**
 * Flows: the list (create, delete, publish, turn on and off) and the builder (the editor, a
 * live preview through the simulator, and "Test flow", which property-tests the draft).
 */
import type { FlowDefinition } from '@chatloom/flow-engine';
import * as Switch from '@radix-ui/react-switch';
import * as Tabs from '@radix-ui/react-tabs';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Plus, Rocket, Trash2 } from 'lucide-react';
import { type FormEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import { Link, useBlocker, useNavigate, useParams } from 'react-router';
import { api, type FlowDetail, type FlowSummary } from '../api.js';
import { FlowEditor } from '../flow-editor.js';
import { FlowPreview } from '../flow-preview.js';
import { FlowTest } from '../flow-test.js';
import type { Session } from '../session.js';
import {
  Button,
  Empty,
  ErrorState,
  formatTime,
  inputClass,
  Modal,
  PageHeader,
  QueryState,
} from '../ui.js';

export function FlowsPage({ session }: { session: Session }) {
  const { flowId } = useParams();
  return flowId ? <FlowBuilder id={flowId} session={session} /> : <FlowList session={session} />;
}

function useFlowMutations(onDone?: (detail: FlowDetail) => void) {
  const client = useQueryClient();
  const settle = (detail: FlowDetail) => {
    client.setQueryData(['flow', detail.id], (old: FlowDetail | undefined) =>
      old ? { ...old, ...detail } : detail,
    );
    void client.invalidateQueries({ queryKey: ['flows'] });
    onDone?.(detail);
  };
  const publish = useMutation({
    mutationFn: (id: string) => api.post<FlowDetail>(`/flows/${id}/publish`),
    onSuccess: settle,
  });
  const activate = useMutation({
    mutationFn: ({ id, active }: { id: string; active: boolean }) =>
      api.post<FlowDetail>(`/flows/${id}/activate`, { active }),
    onSuccess: settle,
  });
  return { publish, activate };
}

function liveLabel(flow: FlowSummary): string {
  if (!flow.active || flow.publishedVersion === null) return 'Off';
  return flow.publishedVersion === flow.latestVersion
    ? `Live: version ${flow.publishedVersion}`
    : `Live: version ${flow.publishedVersion} (latest is ${flow.latestVersion})`;
}

// The list ----------------------------------------------------------------------------------

function FlowList({ session }: { session: Session }) {
  const canManage = session.can('flows.manage');
  const flows = useQuery({ queryKey: ['flows'], queryFn: () => api.get<FlowSummary[]>('/flows') });
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<FlowSummary | null>(null);
  const { publish, activate } = useFlowMutations();
  const actionError = publish.error ?? activate.error;
  return (
    <>
      <PageHeader title="Flows">
        {canManage && (
          <Button onClick={() => setCreating(true)}>
            <Plus className="mr-1 inline size-4" aria-hidden />
            New flow
          </Button>
        )}
      </PageHeader>
      {actionError && <ErrorState error={actionError} />}
      <QueryState query={flows}>
        {(list) => {
          if (list.length === 0)
            return (
              <Empty>
                No flows yet.{' '}
                {canManage
                  ? 'Create one with “New flow”: it starts as one message you build on.'
                  : 'Someone who manages flows can create one.'}
              </Empty>
            );
          return (
            <div className="p-6">
              <table className="w-full text-left text-sm" aria-label="Flows">
                <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase">
                  <tr>
                    <th className="py-2 font-medium">Name</th>
                    <th className="py-2 font-medium">Latest</th>
                    <th className="py-2 font-medium">Published</th>
                    <th className="py-2 font-medium">Active</th>
                    <th className="py-2 font-medium">Updated</th>
                    {canManage && (
                      <th className="py-2 font-medium">
                        <span className="sr-only">Actions</span>
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {list.map((flow) => (
                    <tr key={flow.id} data-flow-id={flow.id}>
                      <td className="py-2">
                        <Link
                          to={`/flows/${flow.id}`}
                          className="font-medium text-indigo-700 hover:underline"
                        >
                          {flow.name}
                        </Link>
                        <div className="text-xs text-slate-500">{flow.id}</div>
                      </td>
                      <td className="py-2">v{flow.latestVersion}</td>
                      <td className="py-2">
                        {flow.publishedVersion === null ? (
                          <span className="text-slate-500">—</span>
                        ) : (
                          `v${flow.publishedVersion}`
                        )}
                      </td>
                      <td className="py-2">
                        <Switch.Root
                          aria-label={`${flow.name} active`}
                          checked={flow.active}
                          disabled={!canManage || activate.isPending}
                          onCheckedChange={(active) => activate.mutate({ id: flow.id, active })}
                          className="relative h-5 w-9 rounded-full bg-slate-300 align-middle focus-visible:outline-2 focus-visible:outline-indigo-500 disabled:opacity-50 data-[state=checked]:bg-emerald-600"
                        >
                          <Switch.Thumb className="block h-4 w-4 translate-x-0.5 rounded-full bg-white transition-transform data-[state=checked]:translate-x-4" />
                        </Switch.Root>
                        <span className="ml-2 text-xs text-slate-600">{liveLabel(flow)}</span>
                      </td>
                      <td className="py-2 text-xs text-slate-500">{formatTime(flow.updatedAt)}</td>
                      {canManage && (
                        <td className="py-2 text-right whitespace-nowrap">
                          {flow.publishedVersion !== flow.latestVersion && (
                            <Button
                              variant="secondary"
                              className="mr-2"
                              disabled={publish.isPending}
                              onClick={() => publish.mutate(flow.id)}
                              aria-label={`Publish version ${flow.latestVersion} of ${flow.name}`}
                            >
                              Publish v{flow.latestVersion}
                            </Button>
                          )}
                          <Button
                            variant="secondary"
                            onClick={() => setDeleting(flow)}
                            aria-label={`Delete ${flow.name}`}
                          >
                            <Trash2 className="size-4" aria-hidden />
                          </Button>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          );
        }}
      </QueryState>
      {canManage && (
        <CreateFlowDialog
          open={creating}
          onOpenChange={setCreating}
          existing={(flows.data ?? []).map((f) => f.id)}
        />
      )}
      {deleting && <DeleteFlowDialog flow={deleting} onClose={() => setDeleting(null)} />}
    </>
  );
}

const slug = (name: string) =>
  name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48) || 'flow';

/** A flow id from its name that no flow of the tenant has yet. */
export function newFlowId(name: string, existing: readonly string[]): string {
  const base = slug(name);
  let id = base;
  for (let n = 2; existing.includes(id); n++) id = `${base}-${n}`;
  return id;
}

/** The smallest valid flow: one message in every language, which the designer builds on. */
export function starterFlow(input: {
  id: string;
  name: string;
  languages: string[];
  defaultLanguage: string;
}): FlowDefinition {
  const hello = Object.fromEntries(input.languages.map((l) => [l, 'Hello! How can we help?']));
  return {
    format: 'chatloom.flow/v1',
    id: input.id,
    version: 1,
    name: input.name,
    languages: input.languages,
    defaultLanguage: input.defaultLanguage,
    startStep: 'welcome',
    steps: [
      {
        id: 'welcome',
        message: { type: 'text', text: hello },
        options: { type: 'none', next: { type: 'end' } },
        terminal: true,
      },
    ],
  };
}

const languagePattern = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

function CreateFlowDialog({
  open,
  onOpenChange,
  existing,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  existing: string[];
}) {
  const ids = useId();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [languagesText, setLanguagesText] = useState('en');
  const [defaultLanguage, setDefaultLanguage] = useState('en');
  const [touched, setTouched] = useState(false);
  const languages = [
    ...new Set(
      languagesText
        .split(/[\s,]+/)
        .map((l) => l.trim())
        .filter(Boolean),
    ),
  ];
  const badLanguages = languages.filter((l) => !languagePattern.test(l));
  const chosenDefault = languages.includes(defaultLanguage) ? defaultLanguage : languages[0];
  const problems = [
    ...(name.trim() === '' ? ['Give the flow a name.'] : []),
    ...(languages.length === 0 ? ['Name at least one language (e.g. en).'] : []),
    ...(badLanguages.length > 0
      ? [`Not a language code: ${badLanguages.join(', ')} (use codes like en, es, pt-BR).`]
      : []),
  ];
  const create = useMutation({
    mutationFn: () =>
      api.post<FlowDetail>('/flows', {
        definition: starterFlow({
          id: newFlowId(name, existing),
          name: name.trim(),
          languages,
          defaultLanguage: chosenDefault ?? 'en',
        }),
      }),
    onSuccess: (detail) => {
      client.setQueryData(['flow', detail.id], detail);
      void client.invalidateQueries({ queryKey: ['flows'] });
      onOpenChange(false);
      setName('');
      setTouched(false);
      void navigate(`/flows/${detail.id}`);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (problems.length === 0) create.mutate();
  };
  return (
    <Modal open={open} onOpenChange={onOpenChange} title="New flow">
      <form className="mt-2 space-y-3" onSubmit={submit} aria-label="New flow">
        <label className="block" htmlFor={`${ids}-name`}>
          Name
          <input
            id={`${ids}-name`}
            className={inputClass}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="Order tracking"
          />
        </label>
        <div>
          <label className="block" htmlFor={`${ids}-languages`}>
            Languages
          </label>
          <input
            id={`${ids}-languages`}
            className={inputClass}
            value={languagesText}
            onChange={(e) => setLanguagesText(e.target.value)}
            aria-describedby={`${ids}-languages-hint`}
          />
          <span id={`${ids}-languages-hint`} className="text-xs text-slate-500">
            Codes separated by commas, e.g. “en, es”.
          </span>
        </div>
        <label className="block" htmlFor={`${ids}-default`}>
          Default language
          <select
            id={`${ids}-default`}
            className={inputClass}
            value={chosenDefault ?? ''}
            onChange={(e) => setDefaultLanguage(e.target.value)}
            disabled={languages.length === 0}
          >
            {languages.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        {touched && problems.length > 0 && (
          <ul role="alert" className="text-xs text-red-700">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
        {create.error && (
          <p role="alert" className="text-xs text-red-700">
            {create.error.message}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button type="submit" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create flow'}
          </Button>
        </div>
      </form>
    </Modal>
  );
}

function DeleteFlowDialog({ flow, onClose }: { flow: FlowSummary; onClose: () => void }) {
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: () => api.delete(`/flows/${flow.id}`),
    onSuccess: () => {
      client.removeQueries({ queryKey: ['flow', flow.id] });
      void client.invalidateQueries({ queryKey: ['flows'] });
      onClose();
    },
  });
  return (
    <Modal open onOpenChange={(open) => !open && onClose()} title={`Delete “${flow.name}”?`}>
      <p>
        All {flow.versions.length} {flow.versions.length === 1 ? 'version' : 'versions'} go.
        {flow.active && ' The flow is live: conversations in it stop at their next message.'} This
        cannot be undone.
      </p>
      {remove.error && (
        <p role="alert" className="mt-2 text-xs text-red-700">
          {remove.error.message}
        </p>
      )}
      <div className="mt-4 flex justify-end gap-2">
        <Button variant="secondary" onClick={onClose}>
          Cancel
        </Button>
        <Button variant="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
          {remove.isPending ? 'Deleting…' : 'Delete flow'}
        </Button>
      </div>
    </Modal>
  );
}

// The builder -------------------------------------------------------------------------------

function FlowBuilder({ id, session }: { id: string; session: Session }) {
  const flow = useQuery({
    queryKey: ['flow', id],
    queryFn: () => api.get<FlowDetail>(`/flows/${id}`),
  });
  return (
    <QueryState query={flow}>
      {(detail) => <Builder key={detail.id} detail={detail} session={session} />}
    </QueryState>
  );
}

function Builder({ detail, session }: { detail: FlowDetail; session: Session }) {
  const client = useQueryClient();
  const canManage = session.can('flows.manage');
  const saved = detail.definition as FlowDefinition;
  // What the editor is loaded with: the saved flow when the builder opens. A save reloads the
  // editor (a new key) with the version it made only when nothing was edited while it was in
  // flight; otherwise the editor and its draft stay, as unsaved changes over the new version.
  const [base, setBase] = useState({ key: 0, definition: saved });
  // The editor's draft, for the load it was made on.
  const [edited, setEdited] = useState<{ key: number; definition: FlowDefinition } | null>(null);
  const draft = edited && edited.key === base.key ? edited.definition : base.definition;
  const latestDraft = useRef(draft);
  latestDraft.current = draft;
  const [focus, setFocus] = useState<{ stepId: string; nonce: number } | undefined>();
  const [tab, setTab] = useState('preview');
  const savedJson = useMemo(() => contentOf(saved), [saved]);
  const dirty = contentOf(draft) !== savedJson;
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    addEventListener('beforeunload', warn);
    return () => removeEventListener('beforeunload', warn);
  }, [dirty]);
  // Leaving for another page of the app asks too (the dialog below).
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      dirty && currentLocation.pathname !== nextLocation.pathname,
  );

  const save = useMutation({
    mutationFn: (definition: FlowDefinition) =>
      api.put<FlowDetail>(`/flows/${detail.id}`, { definition }),
    onSuccess: (next, sent) => {
      client.setQueryData(['flow', detail.id], next);
      void client.invalidateQueries({ queryKey: ['flows'] });
      if (contentOf(latestDraft.current) === contentOf(sent))
        setBase((b) => ({ key: b.key + 1, definition: next.definition as FlowDefinition }));
    },
  });
  const { publish, activate } = useFlowMutations();
  const actionError = publish.error ?? activate.error;
  const upToDate = detail.active && detail.publishedVersion === detail.latestVersion;
  // The preview runs on the simulator and finds its channel in GET /channels.
  const previewMissing = [
    ...(session.can('simulator.use') ? [] : ['“use the simulator”']),
    ...(session.can('channels.read') ? [] : ['“view channels”']),
  ];
  // The tenant's flows, for options that start another flow.
  const tenantFlows = useQuery({
    queryKey: ['flows'],
    queryFn: () => api.get<FlowSummary[]>('/flows'),
  });
  const flowChoices = useMemo(
    () => tenantFlows.data?.map((f) => ({ id: f.id, name: f.name })),
    [tenantFlows.data],
  );

  return (
    <div className="flex h-full min-h-0 flex-col">
      <header className="flex flex-wrap items-center gap-3 border-b border-slate-200 bg-white px-6 py-3">
        <div className="min-w-0 flex-1">
          <p className="text-xs text-slate-500">
            <Link to="/flows" className="hover:underline">
              Flows
            </Link>{' '}
            /
          </p>
          <h1 className="truncate text-lg font-semibold">{detail.name}</h1>
        </div>
        <div className="flex items-center gap-2 text-xs">
          <span className="rounded bg-slate-100 px-2 py-1">Version {detail.latestVersion}</span>
          <span
            role="status"
            className={`rounded px-2 py-1 ${dirty ? 'bg-amber-100 text-amber-900' : 'bg-emerald-50 text-emerald-800'}`}
          >
            {save.isPending ? 'Saving…' : dirty ? 'Unsaved changes' : 'Saved'}
          </span>
          <span
            className={`rounded px-2 py-1 ${detail.active ? 'bg-emerald-100 text-emerald-900' : 'bg-slate-100 text-slate-600'}`}
          >
            {liveLabel(detail)}
          </span>
        </div>
        {canManage && (
          <div className="flex items-center gap-2">
            <Button
              variant="secondary"
              disabled={upToDate || dirty || publish.isPending}
              title={
                dirty
                  ? 'Save first: publishing makes the saved version live'
                  : upToDate
                    ? 'This version is live'
                    : undefined
              }
              onClick={() => publish.mutate(detail.id)}
            >
              <Rocket className="mr-1 inline size-4" aria-hidden />
              Publish v{detail.latestVersion}
            </Button>
            <Button
              variant={detail.active ? 'secondary' : 'primary'}
              disabled={activate.isPending || (!detail.active && dirty)}
              title={
                !detail.active && dirty
                  ? 'Save first: activating publishes the saved version'
                  : undefined
              }
              onClick={() => activate.mutate({ id: detail.id, active: !detail.active })}
            >
              {detail.active ? 'Deactivate' : 'Activate'}
            </Button>
          </div>
        )}
      </header>
      {actionError && <ErrorState error={actionError} />}
      <div className="flex min-h-0 flex-1">
        <div className="min-w-0 flex-1 overflow-auto">
          {canManage ? (
            <FlowEditor
              key={base.key}
              initial={base.definition}
              onSave={(definition) => save.mutate(definition)}
              saving={save.isPending}
              saveError={save.error?.message}
              onDraftChange={(definition) => setEdited({ key: base.key, definition })}
              focus={focus}
              flows={flowChoices}
            />
          ) : (
            <>
              <p className="px-6 pt-4 text-sm text-slate-600">
                You can look at this flow; changing it needs the “manage flows” permission.
              </p>
              <pre className="m-6 rounded border border-slate-200 bg-white p-4 text-xs">
                {JSON.stringify(saved, null, 2)}
              </pre>
            </>
          )}
        </div>
        <Tabs.Root
          value={tab}
          onValueChange={setTab}
          className="flex w-[26rem] shrink-0 flex-col border-l border-slate-200 bg-slate-50"
        >
          <Tabs.List aria-label="Try the flow" className="flex border-b border-slate-200 bg-white">
            {[
              ['preview', 'Preview'],
              ['test', 'Test flow'],
            ].map(([value, label]) => (
              <Tabs.Trigger
                key={value}
                value={value!}
                className="flex-1 px-3 py-2 text-sm font-medium text-slate-600 focus-visible:outline-2 focus-visible:outline-indigo-500 data-[state=active]:border-b-2 data-[state=active]:border-indigo-600 data-[state=active]:text-indigo-700"
              >
                {label}
              </Tabs.Trigger>
            ))}
          </Tabs.List>
          <Tabs.Content value="preview" className="min-h-0 flex-1 overflow-auto">
            {previewMissing.length === 0 ? (
              <FlowPreview
                flowId={detail.id}
                flowName={detail.name}
                latestVersion={detail.latestVersion}
                languages={saved.languages}
                defaultLanguage={saved.defaultLanguage}
                dirty={dirty}
                userName={session.user.name}
                liveEvents={session.can('conversations.read')}
              />
            ) : (
              <Empty>
                The preview chats through the workspace’s simulator channel: it needs the{' '}
                {previewMissing.join(' and ')} permission{previewMissing.length > 1 ? 's' : ''},
                which your role does not have.
              </Empty>
            )}
          </Tabs.Content>
          {/* Kept mounted: a run in progress or its report survives switching tabs. */}
          <Tabs.Content
            value="test"
            forceMount
            hidden={tab !== 'test'}
            className="min-h-0 flex-1 overflow-auto"
          >
            <FlowTest
              definition={draft}
              onGoToStep={(stepId) => setFocus({ stepId, nonce: Date.now() })}
            />
          </Tabs.Content>
        </Tabs.Root>
      </div>
      <Modal
        open={blocker.state === 'blocked'}
        onOpenChange={(open) => !open && blocker.reset?.()}
        title="Leave without saving?"
      >
        <p>
          {save.isPending
            ? 'The flow is still being saved: leaving now may lose your changes.'
            : 'This flow has changes that are not saved: leaving now loses them.'}
        </p>
        <div className="mt-4 flex justify-end gap-2">
          <Button variant="secondary" onClick={() => blocker.reset?.()}>
            Stay
          </Button>
          <Button variant="danger" onClick={() => blocker.proceed?.()}>
            Leave without saving
          </Button>
        </div>
      </Modal>
    </div>
  );
}

/** A definition's content, whatever version number it carries (the server numbers versions). */
function contentOf(definition: FlowDefinition): string {
  return JSON.stringify({ ...definition, version: 0 });
}

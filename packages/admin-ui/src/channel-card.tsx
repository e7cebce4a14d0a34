/**
 * One channel's settings card: an expandable header (platform, name, status and subscription
 * badges) over the platform's fields, "Validate & Update", webhook setup (callback URL and
 * verify token to copy), "Subscribe" and the channel's External API Token.
 */
import * as Collapsible from '@radix-ui/react-collapsible';
import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Camera,
  Check,
  ChevronDown,
  Copy,
  type LucideIcon,
  MessageCircle,
  Monitor,
  Phone,
  Radio,
} from 'lucide-react';
import { type FormEvent, type ReactNode, useEffect, useId, useState } from 'react';
import { type ApiToken, type ApiTokenWithSecret, api, type Channel } from './api.js';
import {
  type ChannelForm,
  initialForm,
  patchFor,
  patchValidates,
  platformInfo,
} from './channel-fields.js';
import { Button, ErrorState, inputClass } from './ui.js';

/** Disabled (read-only roles) looks disabled. */
const fieldInput = `${inputClass} disabled:bg-slate-50 disabled:text-slate-600`;

const platformLook: Record<string, { icon: LucideIcon; className: string }> = {
  whatsapp: { icon: Phone, className: 'bg-emerald-500' },
  messenger: { icon: MessageCircle, className: 'bg-blue-600' },
  instagram: { icon: Camera, className: 'bg-pink-600' },
  simulator: { icon: Monitor, className: 'bg-slate-600' },
};

export function PlatformIcon({ platform }: { platform: string }) {
  const look = platformLook[platform] ?? { icon: Radio, className: 'bg-slate-500' };
  const Icon = look.icon;
  return (
    <span
      aria-hidden
      className={`flex size-9 shrink-0 items-center justify-center rounded-full text-white ${look.className}`}
    >
      <Icon className="size-5" />
    </span>
  );
}

const statusLook: Record<Channel['status'], { label: string; className: string }> = {
  pending: { label: 'Pending', className: 'bg-amber-100 text-amber-800 ring-amber-300' },
  good: { label: 'Good', className: 'bg-emerald-100 text-emerald-800 ring-emerald-300' },
  invalid: { label: 'Invalid', className: 'bg-red-100 text-red-800 ring-red-300' },
};

function Badge({ className, children }: { className: string; children: ReactNode }) {
  return (
    <span className={`rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${className}`}>
      {children}
    </span>
  );
}

/** Copies `text` with the Clipboard API and says so ("Copied") for a moment. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <Button
      variant="secondary"
      className="inline-flex shrink-0 items-center gap-1"
      aria-label={label}
      onClick={() => void copy()}
    >
      {state === 'copied' ? <Check className="size-4" /> : <Copy className="size-4" />}
      <span aria-live="polite">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}
      </span>
    </Button>
  );
}

/** Puts the server's answer for one channel into the cached list. */
function storeChannel(client: QueryClient, channel: Channel) {
  client.setQueryData<Channel[]>(['channels'], (list) =>
    list?.map((c) => (c.id === channel.id ? channel : c)),
  );
}

export function ChannelCard({
  channel,
  canManage,
  canTokens,
  defaultOpen,
}: {
  channel: Channel;
  canManage: boolean;
  canTokens: boolean;
  defaultOpen: boolean;
}) {
  const client = useQueryClient();
  const info = platformInfo(channel.platform);
  const [open, setOpen] = useState(defaultOpen);
  const [form, setForm] = useState<ChannelForm>(() => initialForm(channel));
  const headingId = useId();
  const fieldId = (key: string) => `${channel.id}-${key}`;

  const save = useMutation({
    mutationFn: async () => {
      const patch = patchFor(channel, form);
      // A PATCH with new settings or secrets is checked by the server at once; otherwise ask.
      const patched =
        Object.keys(patch).length > 0
          ? await api.patch<Channel>(`/channels/${channel.id}`, patch)
          : channel;
      return patchValidates(patch)
        ? patched
        : api.post<Channel>(`/channels/${channel.id}/validate`);
    },
    onSuccess: (updated) => {
      storeChannel(client, updated);
      setForm(initialForm(updated));
    },
  });
  const subscribe = useMutation({
    mutationFn: () => api.post<Channel>(`/channels/${channel.id}/subscribe`),
    onSuccess: (updated) => storeChannel(client, updated),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const set = (key: string, value: string) => setForm((f) => ({ ...f, [key]: value }));
  const status = statusLook[channel.status];
  const disabled = !canManage || save.isPending;

  return (
    <Collapsible.Root
      open={open}
      onOpenChange={setOpen}
      asChild
      data-testid={`channel-${channel.id}`}
    >
      <section
        aria-labelledby={headingId}
        className="rounded-lg border border-slate-200 bg-white shadow-sm"
      >
        <Collapsible.Trigger asChild>
          <button
            type="button"
            className="flex w-full items-center gap-3 rounded-lg px-4 py-3 text-left hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-indigo-500"
          >
            <PlatformIcon platform={channel.platform} />
            <span className="min-w-0 flex-1">
              <span id={headingId} className="block truncate font-medium">
                {channel.name}
              </span>
              <span className="block text-xs text-slate-500">{info.label}</span>
            </span>
            <Badge className={status.className}>{status.label}</Badge>
            {info.webhooks && (
              <Badge
                className={
                  channel.subscribed
                    ? 'bg-indigo-50 text-indigo-700 ring-indigo-200'
                    : 'bg-slate-100 text-slate-600 ring-slate-300'
                }
              >
                {channel.subscribed ? 'Subscribed' : 'Unsubscribed'}
              </Badge>
            )}
            <ChevronDown
              aria-hidden
              className={`size-5 text-slate-400 transition-transform ${open ? 'rotate-180' : ''}`}
            />
          </button>
        </Collapsible.Trigger>
        <Collapsible.Content className="border-t border-slate-200 px-4 py-4">
          {channel.status === 'invalid' && channel.statusDetail && (
            <div
              role="alert"
              className="mb-4 rounded border border-red-200 bg-red-50 p-3 text-sm text-red-800"
            >
              <span className="font-medium">Validation failed: </span>
              {channel.statusDetail}
            </div>
          )}
          {channel.status === 'good' && (
            <p className="mb-4 rounded border border-emerald-200 bg-emerald-50 p-3 text-sm text-emerald-800">
              {info.fields.length > 0
                ? `Credentials checked with ${info.label}: this channel can send and receive.`
                : 'Checked: this channel can send and receive.'}
            </p>
          )}
          {channel.status === 'pending' && (
            <p className="mb-4 rounded border border-amber-200 bg-amber-50 p-3 text-sm text-amber-800">
              Not checked yet.{' '}
              {canManage
                ? info.fields.length > 0
                  ? 'Fill in the fields and press Validate & Update.'
                  : 'Press Validate & Update to check it.'
                : 'An admin who manages channels has to set it up.'}
            </p>
          )}
          {!canManage && (
            <p className="mb-4 text-sm text-slate-500">
              Your role can see this channel but not change it.
            </p>
          )}
          <form onSubmit={submit} aria-label={`${channel.name} settings`}>
            <div className="grid gap-4 md:grid-cols-2">
              <Field id={fieldId('name')} label="Company name">
                <input
                  id={fieldId('name')}
                  className={fieldInput}
                  value={form.name}
                  required
                  maxLength={200}
                  disabled={disabled}
                  onChange={(e) => set('name', e.target.value)}
                />
              </Field>
              {info.fields.map((field) => {
                const id = fieldId(field.key);
                if (field.kind === 'secret') {
                  const isSet = channel.credentialsSet.includes(field.key);
                  return (
                    <Field
                      key={field.key}
                      id={id}
                      label={field.label}
                      help={field.help}
                      state={isSet ? 'set' : 'not set'}
                    >
                      <input
                        id={id}
                        type="password"
                        autoComplete="off"
                        className={fieldInput}
                        value={form[field.key] ?? ''}
                        placeholder={
                          isSet
                            ? canManage
                              ? '•••••••• (set — type to replace)'
                              : '••••••••'
                            : 'Not set'
                        }
                        disabled={disabled}
                        onChange={(e) => set(field.key, e.target.value)}
                      />
                    </Field>
                  );
                }
                return (
                  <Field key={field.key} id={id} label={field.label} help={field.help}>
                    {field.options ? (
                      <select
                        id={id}
                        className={fieldInput}
                        value={form[field.key] ?? ''}
                        disabled={disabled}
                        onChange={(e) => set(field.key, e.target.value)}
                      >
                        {field.options.map((o) => (
                          <option key={o.value} value={o.value}>
                            {o.label}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <input
                        id={id}
                        className={fieldInput}
                        value={form[field.key] ?? ''}
                        disabled={disabled}
                        onChange={(e) => set(field.key, e.target.value)}
                      />
                    )}
                  </Field>
                );
              })}
            </div>

            {info.webhooks && (
              <fieldset className="mt-5 rounded border border-slate-200 p-3">
                <legend className="px-1 text-sm font-medium">Webhook setup</legend>
                <p className="mb-3 text-xs text-slate-500">
                  Paste these in the Meta app's webhook configuration
                  {canManage ? ', or press Subscribe once the channel is Good.' : '.'}
                </p>
                <Field id={fieldId('callback')} label="Callback URL">
                  <div className="flex gap-2">
                    <input
                      id={fieldId('callback')}
                      className={`${inputClass} bg-slate-50 font-mono text-xs`}
                      value={channel.callbackUrl}
                      readOnly
                    />
                    <CopyButton text={channel.callbackUrl} label="Copy callback URL" />
                  </div>
                </Field>
                <div className="mt-3">
                  <Field id={fieldId('verifyToken')} label="Verify token">
                    <div className="flex gap-2">
                      <input
                        id={fieldId('verifyToken')}
                        className={`${fieldInput} font-mono text-xs`}
                        value={form.verifyToken}
                        disabled={disabled}
                        onChange={(e) => set('verifyToken', e.target.value)}
                      />
                      <CopyButton text={form.verifyToken} label="Copy verify token" />
                    </div>
                  </Field>
                </div>
              </fieldset>
            )}

            {save.error && <ErrorState error={save.error} />}
            {subscribe.error && <ErrorState error={subscribe.error} />}
            {canManage && (
              <div className="mt-4 flex flex-wrap items-center gap-2">
                <Button type="submit" disabled={save.isPending}>
                  {save.isPending ? 'Validating…' : 'Validate & Update'}
                </Button>
                {info.webhooks && channel.status === 'good' && (
                  <Button
                    variant="secondary"
                    disabled={subscribe.isPending}
                    onClick={() => subscribe.mutate()}
                  >
                    {subscribe.isPending
                      ? 'Subscribing…'
                      : channel.subscribed
                        ? 'Subscribe again'
                        : 'Subscribe'}
                  </Button>
                )}
                {info.webhooks && channel.status !== 'good' && (
                  <span className="text-xs text-slate-500">
                    Subscribe becomes available once the channel is Good.
                  </span>
                )}
              </div>
            )}
          </form>
          {canTokens && <ExternalApiToken channel={channel} />}
        </Collapsible.Content>
      </section>
    </Collapsible.Root>
  );
}

function Field({
  id,
  label,
  help,
  state,
  children,
}: {
  id: string;
  label: string;
  help?: string | undefined;
  /** A secret's state, next to its label. */
  state?: 'set' | 'not set';
  children: ReactNode;
}) {
  return (
    <div>
      <div className="mb-1 flex items-center gap-2">
        <label htmlFor={id} className="text-sm font-medium text-slate-700">
          {label}
        </label>
        {state && (
          <span
            className={`rounded px-1.5 text-[11px] ${state === 'set' ? 'bg-emerald-50 text-emerald-700' : 'bg-slate-100 text-slate-500'}`}
          >
            {state}
          </span>
        )}
      </div>
      {children}
      {help && <p className="mt-1 text-xs text-slate-500">{help}</p>}
    </div>
  );
}

/** The channel's External API Token: masked when one exists; generated (or rotated) on demand. */
function ExternalApiToken({ channel }: { channel: Channel }) {
  const client = useQueryClient();
  const key = ['channels', channel.id, 'api-token'];
  const token = useQuery({
    queryKey: key,
    queryFn: () => api.get<ApiToken | null>(`/channels/${channel.id}/api-token`),
  });
  const [fresh, setFresh] = useState<string | null>(null);
  const generate = useMutation({
    mutationFn: () => api.post<ApiTokenWithSecret>(`/channels/${channel.id}/api-token`),
    onSuccess: (created) => {
      setFresh(created.token);
      client.setQueryData(key, created);
    },
  });
  const id = `${channel.id}-api-token`;
  const exists = token.data != null;
  return (
    <div className="mt-5 border-t border-slate-200 pt-4">
      <label htmlFor={id} className="text-sm font-medium text-slate-700">
        External API token
      </label>
      <p className="mb-2 text-xs text-slate-500">
        For integrations that send through this channel only (Authorization: Bearer …).
      </p>
      {token.error ? (
        <ErrorState error={token.error} retry={() => void token.refetch()} />
      ) : (
        <div className="flex gap-2">
          <input
            id={id}
            readOnly
            className={`${inputClass} bg-slate-50 font-mono text-xs`}
            value={
              token.isPending ? 'Loading…' : (fresh ?? token.data?.masked ?? 'No token generated')
            }
          />
          {fresh && <CopyButton text={fresh} label="Copy external API token" />}
          <Button
            variant="secondary"
            className="shrink-0"
            disabled={generate.isPending || token.isPending}
            onClick={() => generate.mutate()}
          >
            {generate.isPending ? 'Generating…' : exists ? 'Rotate Token' : 'Generate Token'}
          </Button>
        </div>
      )}
      {fresh && (
        <p className="mt-1 text-xs text-amber-700">
          Copy it now: it is shown in full only here. Rotating replaces it, and the old one stops
          working.
        </p>
      )}
      {generate.error && <ErrorState error={generate.error} />}
    </div>
  );
}

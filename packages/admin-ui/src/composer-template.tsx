/**
 * "Send template": outside the 24-hour window only an approved template may go out. Lists the
 * channel's approved templates (`GET /channels/:id/templates?status=approved`), asks for one
 * value per `{{n}}` of the body, previews the message as the customer will read it, and sends
 * it (`POST /conversations/:id/messages` with `template`).
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { FileCheck2 } from 'lucide-react';
import { useState } from 'react';
import { api, type Message, type Template } from './api.js';
import { fillTemplate, templatesKey } from './inbox-api.js';
import { Markup } from './markup.js';
import { Button, inputClass, Modal } from './ui.js';

export function useTemplates(channelId: string, enabled: boolean) {
  return useQuery({
    queryKey: templatesKey(channelId),
    queryFn: () => api.get<Template[]>(`/channels/${channelId}/templates`),
    enabled,
    staleTime: 5 * 60_000,
    retry: false,
  });
}

const keyOf = (t: Template) => `${t.name}:${t.language}`;

export function TemplatePicker({
  conversationId,
  channelId,
  onSent,
}: {
  conversationId: string;
  channelId: string;
  onSent: (message: Message) => void;
}) {
  const [open, setOpen] = useState(false);
  const [pickedKey, setPickedKey] = useState<string | null>(null);
  const [values, setValues] = useState<string[]>([]);
  const templates = useTemplates(channelId, open);
  const approved = (templates.data ?? []).filter((t) => t.status === 'approved');
  const picked = approved.find((t) => keyOf(t) === pickedKey) ?? null;
  const send = useMutation({
    mutationFn: (template: Template) =>
      api.post<Message>(`/conversations/${conversationId}/messages`, {
        template: {
          name: template.name,
          language: template.language,
          parameters: template.placeholders.map((_, i) => values[i]?.trim() ?? ''),
        },
      }),
    onSuccess: (message) => {
      onSent(message);
      setOpen(false);
      setPickedKey(null);
      setValues([]);
    },
  });
  const missing = picked ? picked.placeholders.filter((_, i) => !values[i]?.trim()) : [];
  return (
    <>
      <Button onClick={() => setOpen(true)} className="inline-flex items-center gap-1">
        <FileCheck2 aria-hidden className="h-4 w-4" />
        Send template
      </Button>
      <Modal
        size="lg"
        open={open}
        onOpenChange={setOpen}
        title="Send template"
        description="The 24-hour window is closed: only an approved template can reach the customer."
      >
        {templates.isPending ? (
          <p role="status" className="text-slate-500">
            Loading templates…
          </p>
        ) : templates.error ? (
          <p role="alert" className="text-red-700">
            {templates.error.message}
          </p>
        ) : approved.length === 0 ? (
          <p className="rounded border border-dashed border-slate-300 p-4 text-center text-slate-500">
            This channel has no approved template.
          </p>
        ) : (
          <div className="grid grid-cols-[14rem_1fr] gap-4">
            <div role="radiogroup" aria-label="Approved templates" className="space-y-1">
              {approved.map((t) => (
                // biome-ignore lint/a11y/useSemanticElements: a list of cards, each one choice
                <button
                  key={keyOf(t)}
                  type="button"
                  role="radio"
                  aria-checked={keyOf(t) === pickedKey}
                  onClick={() => {
                    setPickedKey(keyOf(t));
                    setValues([]);
                    send.reset();
                  }}
                  className={`block w-full rounded border px-3 py-2 text-left focus-visible:outline-2 focus-visible:outline-indigo-500 ${keyOf(t) === pickedKey ? 'border-indigo-600 bg-indigo-50' : 'border-slate-200 hover:bg-slate-50'}`}
                >
                  <span className="block font-medium">{t.name}</span>
                  <span className="text-xs text-slate-500">
                    {t.language}
                    {t.category ? ` · ${t.category.toLowerCase()}` : ''}
                  </span>
                </button>
              ))}
            </div>
            {picked ? (
              <form
                className="space-y-3"
                onSubmit={(e) => {
                  e.preventDefault();
                  if (missing.length === 0) send.mutate(picked);
                }}
              >
                {picked.placeholders.map((name, i) => (
                  <label key={name} className="block text-xs font-medium text-slate-700">
                    Variable {`{{${name}}}`}
                    <input
                      className={`${inputClass} mt-1`}
                      value={values[i] ?? ''}
                      required
                      onChange={(e) => {
                        const next = [...values];
                        next[i] = e.target.value;
                        setValues(next);
                      }}
                    />
                  </label>
                ))}
                <div>
                  <p className="mb-1 text-xs font-medium text-slate-700">Preview</p>
                  <div
                    data-testid="template-preview"
                    className="rounded-lg bg-emerald-50 px-3 py-2 text-sm shadow-sm"
                  >
                    {picked.header && <p className="font-semibold">{picked.header}</p>}
                    {picked.body ? (
                      <Markup
                        text={fillTemplate(
                          picked.body,
                          picked.placeholders,
                          values.map((v) => v.trim()),
                        )}
                      />
                    ) : (
                      <p className="text-slate-500 italic">
                        The platform did not give this template's text.
                      </p>
                    )}
                    {picked.footer && (
                      <p className="mt-1 text-xs text-slate-500">{picked.footer}</p>
                    )}
                    {picked.buttons.length > 0 && (
                      <ul className="mt-2 flex flex-wrap gap-1">
                        {picked.buttons.map((b) => (
                          <li
                            key={b}
                            className="rounded border border-slate-200 bg-white px-2 py-0.5 text-xs text-indigo-700"
                          >
                            {b}
                          </li>
                        ))}
                      </ul>
                    )}
                  </div>
                </div>
                <div className="flex items-center justify-end gap-2">
                  {send.error ? (
                    <span role="alert" className="mr-auto text-xs text-red-700">
                      {send.error.message}
                    </span>
                  ) : (
                    missing.length > 0 && (
                      <span className="mr-auto text-xs text-slate-500">
                        Fill {missing.map((m) => `{{${m}}}`).join(', ')} to send.
                      </span>
                    )
                  )}
                  <Button type="submit" disabled={send.isPending || missing.length > 0}>
                    Send template
                  </Button>
                </div>
              </form>
            ) : (
              <p className="self-center text-center text-slate-500">Pick a template.</p>
            )}
          </div>
        )}
      </Modal>
    </>
  );
}

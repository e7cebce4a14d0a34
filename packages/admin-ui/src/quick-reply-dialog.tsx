/**
 * Create or edit a quick reply: its shortcut (what an agent types after "/"), the message in
 * WhatsApp markup, and the channels it is offered on (none checked means every channel).
 */
import * as Dialog from '@radix-ui/react-dialog';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { api, type Channel, type QuickReply } from './api.js';
import { RichTextEditor } from './rich-text.js';
import { Button, Modal } from './ui.js';

/** The server's limits for a quick reply (routes-inbox.ts). */
export const quickReplyLimits = { shortcut: 50, content: 4096 } as const;

/** What is wrong with a shortcut, or undefined. A leading "/" is not part of it. */
export function shortcutProblem(shortcut: string): string | undefined {
  if (shortcut === '') return 'Enter a shortcut.';
  if (/\s/.test(shortcut)) return 'A shortcut is one word: no spaces.';
  if ([...shortcut].length > quickReplyLimits.shortcut)
    return `A shortcut has at most ${quickReplyLimits.shortcut} characters.`;
  return undefined;
}

export function QuickReplyDialog({
  open,
  onOpenChange,
  reply,
  channels,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The reply to edit; undefined creates one. */
  reply: QuickReply | undefined;
  /** The channels to choose from; undefined when the user cannot list channels. */
  channels: Channel[] | undefined;
}) {
  const id = useId();
  const client = useQueryClient();
  const [shortcut, setShortcut] = useState('');
  const [content, setContent] = useState('');
  const [channelIds, setChannelIds] = useState<string[]>([]);
  const [tried, setTried] = useState(false);

  useEffect(() => {
    if (!open) return;
    setShortcut(reply?.shortcut ?? '');
    setContent(reply?.content ?? '');
    setChannelIds(reply?.channelIds ?? []);
    setTried(false);
  }, [open, reply]);

  const save = useMutation({
    mutationFn: () => {
      const body = { shortcut, content, ...(channels && { channelIds }) };
      return reply
        ? api.patch<QuickReply>(`/quick-replies/${reply.id}`, body)
        : api.post<QuickReply>('/quick-replies', body);
    },
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['quick-replies'] });
      onOpenChange(false);
    },
  });
  // A new attempt starts without the previous answer's error.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset only when the dialog opens
  useEffect(() => save.reset(), [open]);

  const shortcutError = shortcutProblem(shortcut);
  const length = [...content].length;
  const contentError =
    content.trim() === ''
      ? 'Write the message.'
      : length > quickReplyLimits.content
        ? `The message has ${length} characters; at most ${quickReplyLimits.content} are allowed.`
        : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (shortcutError || contentError) return;
    save.mutate();
  };
  const toggle = (channelId: string, on: boolean) =>
    setChannelIds((ids) => (on ? [...ids, channelId] : ids.filter((i) => i !== channelId)));

  return (
    <Modal
      open={open}
      onOpenChange={onOpenChange}
      title={reply ? `Edit /${reply.shortcut}` : 'New quick reply'}
    >
      <form onSubmit={submit} noValidate className="space-y-4">
        <div className="space-y-1">
          <label htmlFor={`${id}-shortcut`} className="block text-sm font-medium">
            Shortcut
          </label>
          <div
            className={`flex items-center rounded border focus-within:border-indigo-500 ${tried && shortcutError ? 'border-red-500' : 'border-slate-300'}`}
          >
            <span aria-hidden className="pl-2 font-mono text-sm text-slate-500">
              /
            </span>
            <input
              id={`${id}-shortcut`}
              className="w-full rounded px-1 py-1.5 font-mono text-sm focus:outline-none"
              value={shortcut}
              autoComplete="off"
              placeholder="opening-hours"
              aria-invalid={tried && shortcutError !== undefined}
              aria-describedby={`${id}-shortcut-help`}
              // Agents type "/shortcut" in the inbox; the "/" is not part of the shortcut.
              onChange={(e) => setShortcut(e.target.value.replace(/^\/+/, ''))}
            />
          </div>
          <p
            id={`${id}-shortcut-help`}
            className={`text-xs ${tried && shortcutError ? 'text-red-700' : 'text-slate-500'}`}
          >
            {tried && shortcutError
              ? shortcutError
              : 'Agents type / and this word in a conversation to insert the message.'}
          </p>
        </div>
        <div className="space-y-1">
          <span className="block text-sm font-medium">Message</span>
          <RichTextEditor
            label="Message"
            value={content}
            onChange={setContent}
            maxLength={quickReplyLimits.content}
            invalid={tried && contentError !== undefined}
            describedBy={tried && contentError ? `${id}-content-error` : undefined}
            placeholder="Hi! We are open Monday to Friday, 9:00–18:00."
          />
          {tried && contentError && (
            <p id={`${id}-content-error`} className="text-xs text-red-700">
              {contentError}
            </p>
          )}
        </div>
        {channels && (
          <fieldset className="space-y-1">
            <legend className="text-sm font-medium">Channels</legend>
            <p className="text-xs text-slate-500">
              Offered on the checked channels; with none checked, on every channel.
            </p>
            {channels.length === 0 ? (
              <p className="text-sm text-slate-500">No channels yet.</p>
            ) : (
              <div className="flex flex-wrap gap-x-4 gap-y-1">
                {channels.map((c) => (
                  <label key={c.id} className="flex items-center gap-1.5 text-sm">
                    <input
                      type="checkbox"
                      className="size-4 accent-indigo-600"
                      checked={channelIds.includes(c.id)}
                      onChange={(e) => toggle(c.id, e.target.checked)}
                    />
                    {c.name} <span className="text-xs text-slate-500">({c.platform})</span>
                  </label>
                ))}
              </div>
            )}
          </fieldset>
        )}
        {save.error && (
          <div
            role="alert"
            className="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800"
          >
            {save.error.message}
          </div>
        )}
        <div className="flex justify-end gap-2">
          <Dialog.Close asChild>
            <Button variant="secondary">Cancel</Button>
          </Dialog.Close>
          <Button type="submit" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : reply ? 'Save changes' : 'Create'}
          </Button>
        </div>
      </form>
    </Modal>
  );
}

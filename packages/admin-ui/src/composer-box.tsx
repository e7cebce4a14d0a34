/**
 * The composer: a message box in WhatsApp markup (Enter sends, Shift+Enter breaks the line),
 * quick replies (`/` suggestions or the picker), media from the gallery. When the 24-hour window
 * is closed it gives way to the banner with the exact rule and the "Send template" picker.
 */
import { windowClosedMessage } from '@chatloom/flow-engine';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { SendHorizontal } from 'lucide-react';
import { type Dispatch, type FormEvent, type SetStateAction, useId, useRef, useState } from 'react';
import { api, type Message, type QuickReply } from './api.js';
import { MediaButton, MediaPicker } from './composer-media.js';
import {
  filterQuickReplies,
  insertQuickReply,
  listKeys,
  QuickReplyOptions,
  QuickReplyPicker,
  slashQuery,
  useQuickReplies,
} from './composer-quick-replies.js';
import { TemplatePicker } from './composer-template.js';
import { upsertMessage } from './live.js';
import type { Session } from './session.js';
import { Button, inputClass } from './ui.js';

export function Composer({
  conversationId,
  channelId,
  windowOpen,
  session,
}: {
  conversationId: string;
  channelId: string;
  windowOpen: boolean;
  session: Session;
}) {
  const client = useQueryClient();
  // Kept here, not in the box: the box gives way to the banner when the window closes, and what
  // was typed is still there if it opens again (a new message from the customer).
  const [text, setText] = useState('');
  const onSent = (message: Message) => upsertMessage(client, message);
  if (!windowOpen)
    return (
      <div
        role="status"
        data-testid="window-closed"
        className="flex items-center gap-3 border-t border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900"
      >
        <p className="mr-auto">{windowClosedMessage}</p>
        <TemplatePicker conversationId={conversationId} channelId={channelId} onSent={onSent} />
      </div>
    );
  return (
    <MessageBox
      conversationId={conversationId}
      channelId={channelId}
      session={session}
      text={text}
      setText={setText}
    />
  );
}

function MessageBox({
  conversationId,
  channelId,
  session,
  text,
  setText,
}: {
  conversationId: string;
  channelId: string;
  session: Session;
  text: string;
  setText: Dispatch<SetStateAction<string>>;
}) {
  const client = useQueryClient();
  const listId = useId();
  const box = useRef<HTMLTextAreaElement>(null);
  const [mediaOpen, setMediaOpen] = useState(false);
  const [active, setActive] = useState(0);
  // Escape hides the `/` suggestions until the text changes.
  const [dismissedAt, setDismissedAt] = useState<string | null>(null);
  const canQuickReply = session.can('quick-replies.read');
  const query = canQuickReply ? slashQuery(text) : null;
  const replies = useQuickReplies(channelId, query !== null);
  const suggestions =
    query !== null && dismissedAt !== text ? filterQuickReplies(replies.data ?? [], query) : null;

  const send = useMutation({
    mutationFn: () => api.post<Message>(`/conversations/${conversationId}/messages`, { text }),
    onSuccess: (message) => {
      setText('');
      upsertMessage(client, message);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // Only this form's own submits (or Enter in the box): a submit bubbling up the React tree
    // from a dialog's form (a portal) is not a reply.
    if (event.type === 'submit' && event.target !== event.currentTarget) return;
    if (text.trim() && !send.isPending) send.mutate();
  };
  const pick = (reply: QuickReply) => {
    setText((current) => insertQuickReply(current, reply.content));
    setActive(0);
    box.current?.focus();
  };

  return (
    <>
      <form onSubmit={submit} className="relative border-t border-slate-200 bg-white p-3">
        {suggestions && (
          <div className="absolute right-3 bottom-full left-3 mb-1 rounded-lg border border-slate-200 bg-white shadow-lg">
            <p className="border-b border-slate-100 px-3 py-1 text-[11px] text-slate-500">
              Quick replies · ↑↓ to choose, Enter to insert, Esc to close
            </p>
            {replies.isPending ? (
              <p className="px-3 py-2 text-xs text-slate-500">Loading…</p>
            ) : (
              <QuickReplyOptions
                id={listId}
                items={suggestions}
                active={active}
                onPick={pick}
                onHover={setActive}
                empty={query ? `No quick reply matches "${query}".` : 'No quick replies yet.'}
              />
            )}
          </div>
        )}
        <div className="flex items-end gap-2">
          <div className="flex gap-0.5 pb-1">
            {canQuickReply && (
              <QuickReplyPicker channelId={channelId} disabled={false} onPick={pick} />
            )}
            {session.can('media.read') && (
              <MediaButton disabled={false} onOpen={() => setMediaOpen(true)} />
            )}
          </div>
          <textarea
            ref={box}
            className={`${inputClass} h-16 resize-none`}
            aria-label="Message"
            placeholder={canQuickReply ? 'Write a reply… (/ for quick replies)' : 'Write a reply…'}
            maxLength={4096}
            value={text}
            // A combobox: `/` suggestions pop up and are chosen with the arrow keys.
            role="combobox"
            aria-autocomplete="list"
            aria-expanded={Boolean(suggestions)}
            aria-controls={suggestions ? listId : undefined}
            aria-activedescendant={suggestions?.length ? `${listId}-${active}` : undefined}
            onChange={(e) => {
              setText(e.target.value);
              setActive(0);
            }}
            onKeyDown={(e) => {
              if (
                suggestions &&
                listKeys(
                  e,
                  suggestions.length,
                  active,
                  setActive,
                  () => suggestions[active] && pick(suggestions[active]),
                  () => setDismissedAt(text),
                )
              )
                return;
              if (e.key === 'Enter' && !e.shiftKey) submit(e);
            }}
          />
          <div className="flex flex-col items-end gap-1">
            <Button
              type="submit"
              disabled={send.isPending || !text.trim()}
              className="inline-flex items-center gap-1"
            >
              <SendHorizontal aria-hidden className="h-4 w-4" />
              Send
            </Button>
          </div>
        </div>
        {send.error && (
          <p role="alert" className="mt-1 text-xs text-red-700">
            {send.error.message}
          </p>
        )}
      </form>
      {/* Outside the form: the picker's own forms must not submit the reply. */}
      {session.can('media.read') && (
        <MediaPicker
          open={mediaOpen}
          onOpenChange={setMediaOpen}
          conversationId={conversationId}
          canAdd={session.can('media.manage')}
          onSent={(message) => upsertMessage(client, message)}
        />
      )}
    </>
  );
}

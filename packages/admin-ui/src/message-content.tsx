/**
 * A message's content as the customer saw it, by kind: text with WhatsApp markup; the bot's
 * interactive messages with their buttons, list sections and rows or lettered options; media
 * (an image preview, a link for the rest, through `GET /messages/:id/media`); a location with a
 * map link; shared contacts; a template with its body filled in; a tapped choice; a reaction.
 * Content is stored as core wrote it (`ChannelMessage` out, `InboundContent` in), so anything
 * unexpected falls back to its text or its kind rather than breaking the conversation.
 */
import { FileText, Film, MapPin, Music, UserRound } from 'lucide-react';
import type { ReactNode } from 'react';
import type { Message, Template } from './api.js';
import { fillTemplate, mediaUrl } from './inbox-api.js';
import { Markup } from './markup.js';

interface Choice {
  id: string;
  title: string;
  description?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const choices = (value: unknown): Choice[] =>
  Array.isArray(value)
    ? value.flatMap((c) =>
        isRecord(c) && typeof c.title === 'string'
          ? [{ id: str(c.id) ?? c.title, title: c.title, description: str(c.description) }]
          : [],
      )
    : [];

/** The look of chips inside a bubble: light on the agent's indigo, indigo on white. */
function chipClass(out: boolean) {
  return out
    ? 'border-indigo-300/60 bg-white/10 text-white'
    : 'border-slate-200 bg-slate-50 text-indigo-700';
}

export function MessageContent({
  message,
  templates,
}: {
  message: Message;
  /** The channel's templates, to show a template message's body filled in. */
  templates?: Template[] | undefined;
}): ReactNode {
  const out = message.direction === 'out';
  const content = message.content;
  if (typeof content === 'string') return <Markup text={content} />;
  if (!isRecord(content)) return <Fallback type={message.type} />;
  const text = str(content.text);
  switch (content.kind) {
    case 'text':
      return <Markup text={text ?? ''} />;
    case 'buttons':
      return (
        <div className="space-y-2">
          <p>
            <Markup text={text ?? ''} />
          </p>
          <ul aria-label="Buttons" className="flex flex-col gap-1">
            {choices(content.buttons).map((b) => (
              <li
                key={b.id}
                data-testid="message-button"
                className={`rounded border px-2 py-1 text-center text-xs font-medium ${chipClass(out)}`}
              >
                {b.title}
              </li>
            ))}
          </ul>
        </div>
      );
    case 'list': {
      const sections = Array.isArray(content.sections) ? content.sections.filter(isRecord) : [];
      return (
        <div className="space-y-2">
          <p>
            <Markup text={text ?? ''} />
          </p>
          <p
            className={`rounded border px-2 py-1 text-center text-xs font-medium ${chipClass(out)}`}
          >
            ☰ {str(content.buttonLabel) ?? 'Menu'}
          </p>
          {sections.map((section, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: sections are positional and never reorder
            <section key={index} aria-label={str(section.title) ?? `Section ${index + 1}`}>
              {str(section.title) && (
                <h4 className="text-[11px] font-semibold uppercase tracking-wide opacity-80">
                  {str(section.title)}
                </h4>
              )}
              <ul className="mt-1 space-y-1" aria-label="Rows">
                {choices(section.rows).map((row) => (
                  <li
                    key={row.id}
                    data-testid="message-row"
                    className={`rounded border px-2 py-1 text-xs ${chipClass(out)}`}
                  >
                    <span className="font-medium">{row.title}</span>
                    {row.description && <span className="block opacity-80">{row.description}</span>}
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </div>
      );
    }
    case 'options': {
      const groups = Array.isArray(content.groups) ? content.groups.filter(isRecord) : [];
      return (
        <div className="space-y-2">
          <p>
            <Markup text={text ?? ''} />
          </p>
          {groups.map((group, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: groups are positional and never reorder
            <div key={index}>
              {str(group.title) && <p className="text-xs font-semibold">{str(group.title)}</p>}
              <ul className="text-xs" aria-label="Options">
                {(Array.isArray(group.options) ? group.options.filter(isRecord) : []).map(
                  (option) => (
                    <li key={str(option.id) ?? str(option.key)}>
                      <span className="font-mono font-semibold">{str(option.key)}.</span>{' '}
                      {str(option.title)}
                    </li>
                  ),
                )}
              </ul>
            </div>
          ))}
        </div>
      );
    }
    case 'media':
      return <MediaContent message={message} content={content} />;
    case 'location': {
      const lat = Number(content.latitude);
      const lon = Number(content.longitude);
      const name = str(content.name);
      const address = str(content.address);
      return (
        <div className="flex gap-2">
          <MapPin aria-hidden className="mt-0.5 h-4 w-4 shrink-0" />
          <div>
            <p className="font-medium">{name ?? 'Location'}</p>
            {address && <p className="text-xs opacity-80">{address}</p>}
            <a
              className="text-xs underline"
              href={`https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`}
              target="_blank"
              rel="noreferrer"
            >
              Open map ({lat.toFixed(5)}, {lon.toFixed(5)})
            </a>
          </div>
        </div>
      );
    }
    case 'contacts': {
      const list = Array.isArray(content.contacts) ? content.contacts.filter(isRecord) : [];
      return (
        <ul aria-label="Shared contacts" className="space-y-1">
          {list.map((contact, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: contacts are positional
            <li key={index} className="flex gap-2">
              <UserRound aria-hidden className="mt-0.5 h-4 w-4 shrink-0" />
              <div>
                <p className="font-medium">{str(contact.name) ?? 'Contact'}</p>
                {(Array.isArray(contact.phones) ? contact.phones : []).map((phone) => (
                  <a key={String(phone)} className="block text-xs underline" href={`tel:${phone}`}>
                    {String(phone)}
                  </a>
                ))}
              </div>
            </li>
          ))}
        </ul>
      );
    }
    case 'template': {
      const name = str(content.name) ?? '?';
      const language = str(content.language) ?? '';
      const parameters = Array.isArray(content.parameters) ? content.parameters.map(String) : [];
      const template = templates?.find((t) => t.name === name && t.language === language);
      return (
        <div className="space-y-1">
          <p className="text-[11px] font-semibold opacity-80">Template · {name}</p>
          {template?.header && <p className="font-semibold">{template.header}</p>}
          {template?.body ? (
            <p>
              <Markup text={fillTemplate(template.body, template.placeholders, parameters)} />
            </p>
          ) : (
            parameters.length > 0 && <p className="text-xs">{parameters.join(' · ')}</p>
          )}
          {template?.footer && <p className="text-xs opacity-70">{template.footer}</p>}
        </div>
      );
    }
    case 'choice':
      return (
        <p>
          <span aria-hidden>↩ </span>
          <span className="sr-only">Tapped </span>
          {str(content.title) ?? str(content.id)}
        </p>
      );
    case 'reaction':
      return (
        <p className="text-xs italic">
          {content.emoji ? `Reacted ${String(content.emoji)}` : 'Removed a reaction'}
        </p>
      );
    case 'unsupported':
      return (
        <p className="text-xs italic">
          Unsupported message ({str(content.platformType) ?? 'unknown'})
          {str(content.detail) ? `: ${str(content.detail)}` : ''}
        </p>
      );
    default:
      return text !== undefined ? <Markup text={text} /> : <Fallback type={message.type} />;
  }
}

function Fallback({ type }: { type: string }) {
  return <p className="text-xs italic">[{type}]</p>;
}

const mediaIcon = { video: Film, audio: Music, document: FileText } as const;
const mediaLabel = { video: 'video', audio: 'audio', document: 'document' } as const;

function MediaContent({
  message,
  content,
}: {
  message: Message;
  content: Record<string, unknown>;
}) {
  const kind = str(content.media) ?? 'document';
  const caption = str(content.caption);
  const filename = str(content.filename);
  const src = mediaUrl(message);
  const body =
    kind === 'image' || kind === 'sticker' ? (
      <a href={src} target="_blank" rel="noreferrer" className="block">
        <img
          src={src}
          alt={caption ?? filename ?? 'Image'}
          loading="lazy"
          className="max-h-64 max-w-full rounded bg-slate-100 object-contain"
        />
      </a>
    ) : (
      <MediaLink kind={kind} href={src} filename={filename} />
    );
  return (
    <div className="space-y-1">
      {body}
      {caption && (
        <p>
          <Markup text={caption} />
        </p>
      )}
    </div>
  );
}

function MediaLink({
  kind,
  href,
  filename,
}: {
  kind: string;
  href: string;
  filename: string | undefined;
}) {
  const known = kind === 'video' || kind === 'audio' || kind === 'document' ? kind : 'document';
  const Icon = mediaIcon[known];
  return (
    <a
      href={href}
      target="_blank"
      rel="noreferrer"
      className="flex items-center gap-2 rounded border border-current/20 px-2 py-1.5 underline"
    >
      <Icon aria-hidden className="h-4 w-4 shrink-0" />
      {filename ?? `Open ${mediaLabel[known]}`}
    </a>
  );
}

/** One line of text for lists (starred, search): the text, caption, or what kind it is. */
export function messageSummary(message: Pick<Message, 'content' | 'type'>): string {
  const c = message.content;
  if (typeof c === 'string') return c;
  if (!isRecord(c)) return `[${message.type}]`;
  if (typeof c.text === 'string') return c.text;
  switch (c.kind) {
    case 'media':
      return str(c.caption) ?? `${str(c.media) ?? 'Media'}${c.filename ? `: ${c.filename}` : ''}`;
    case 'location':
      return `📍 ${str(c.name) ?? str(c.address) ?? 'Location'}`;
    case 'contacts':
      return `👤 ${(Array.isArray(c.contacts) ? c.contacts.filter(isRecord) : []).map((x) => str(x.name)).join(', ')}`;
    case 'template':
      return `Template: ${str(c.name) ?? '?'}${Array.isArray(c.parameters) && c.parameters.length > 0 ? ` (${c.parameters.join(', ')})` : ''}`;
    case 'choice':
      return `↩ ${str(c.title) ?? ''}`;
    case 'reaction':
      return c.emoji ? `Reacted ${String(c.emoji)}` : 'Removed a reaction';
    default:
      return `[${message.type}]`;
  }
}

/**
 * The inbox's small helpers: the query key of a channel's templates, filling a template's
 * `{{n}}` placeholders, the URL of a media message's file, a contact's display name.
 */
import { apiBase, type Conversation, type Message } from './api.js';

export const templatesKey = (channelId: string) => ['templates', channelId] as const;

/** Where the browser gets a media message's file (a redirect, or the platform's copy). */
export const mediaUrl = (message: Pick<Message, 'id'>) => `${apiBase}/messages/${message.id}/media`;

const placeholderPattern = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** A template text with its placeholders filled; an empty parameter shows as `{{n}}`. */
export function fillTemplate(text: string, placeholders: string[], parameters: string[]): string {
  return text.replace(placeholderPattern, (whole, name: string) => {
    const value = parameters[placeholders.indexOf(name)];
    return value ? value : whole;
  });
}

export const contactName = (c: Conversation['contact']) =>
  c.name ?? c.phone ?? c.userId ?? 'Unknown contact';

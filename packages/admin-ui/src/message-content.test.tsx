import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, test } from 'vitest';
import type { Message, Template } from './api.js';
import { filterQuickReplies, insertQuickReply, slashQuery } from './composer-quick-replies.js';
import { fillTemplate } from './inbox-api.js';
import { MessageContent, messageSummary } from './message-content.js';

afterEach(cleanup);

const message = (content: unknown, direction: 'in' | 'out' = 'out'): Message => ({
  id: 'm1',
  conversationId: 'c1',
  channelId: 'ch1',
  direction,
  sender: direction === 'out' ? 'bot' : 'contact',
  agentId: null,
  type:
    typeof content === 'object' && content !== null
      ? String((content as { kind: string }).kind)
      : 'text',
  content,
  status: 'sent',
  error: null,
  starred: false,
  createdAt: 0,
  updatedAt: 0,
});

describe('MessageContent renders each kind', () => {
  test('text with WhatsApp markup: *bold* is bold, the stars are gone', () => {
    render(<MessageContent message={message({ kind: 'text', text: 'Welcome to *Luigi*!' })} />);
    const bold = screen.getByText('Luigi');
    expect(bold.className).toContain('font-semibold');
    expect(screen.queryByText(/\*Luigi\*/)).toBeNull();
  });

  test("the bot's buttons and list sections with their rows", () => {
    render(
      <MessageContent
        message={message({
          kind: 'buttons',
          text: 'How can we help?',
          buttons: [
            { id: 'a', title: 'Track my order' },
            { id: 'b', title: 'See the menu' },
          ],
        })}
      />,
    );
    const buttons = screen.getByRole('list', { name: 'Buttons' });
    expect(
      within(buttons)
        .getAllByRole('listitem')
        .map((b) => b.textContent),
    ).toEqual(['Track my order', 'See the menu']);
    cleanup();
    render(
      <MessageContent
        message={message({
          kind: 'list',
          text: 'Pick a pizza',
          buttonLabel: 'Menu',
          sections: [
            { title: 'Classics', rows: [{ id: 'm', title: 'Margherita', description: 'Tomato' }] },
            { title: 'Specials', rows: [{ id: 'd', title: 'Diavola' }] },
          ],
        })}
      />,
    );
    expect(screen.getByText('☰ Menu')).toBeTruthy();
    const classics = screen.getByRole('region', { name: 'Classics' });
    expect(within(classics).getByText('Margherita')).toBeTruthy();
    expect(within(classics).getByText('Tomato')).toBeTruthy();
    expect(
      within(screen.getByRole('region', { name: 'Specials' })).getByText('Diavola'),
    ).toBeTruthy();
  });

  test('media through the media route; location, contacts, a tapped choice', () => {
    render(
      <MessageContent
        message={message(
          { kind: 'media', media: 'image', mediaId: 'x', caption: 'my *pizza*' },
          'in',
        )}
      />,
    );
    expect(screen.getByRole('img', { name: 'my *pizza*' }).getAttribute('src')).toBe(
      '/api/v1/messages/m1/media',
    );
    expect(screen.getByText('pizza').className).toContain('font-semibold');
    cleanup();
    render(
      <MessageContent
        message={message({
          kind: 'media',
          media: 'document',
          url: 'https://x/y.pdf',
          filename: 'menu.pdf',
        })}
      />,
    );
    expect(screen.getByRole('link', { name: 'menu.pdf' }).getAttribute('href')).toBe(
      '/api/v1/messages/m1/media',
    );
    cleanup();
    render(
      <MessageContent
        message={message(
          {
            kind: 'location',
            latitude: 41.9,
            longitude: 12.5,
            name: 'Luigi',
            address: 'Via Roma 1',
          },
          'in',
        )}
      />,
    );
    expect(screen.getByText('Via Roma 1')).toBeTruthy();
    expect(screen.getByRole('link').getAttribute('href')).toContain('mlat=41.9&mlon=12.5');
    cleanup();
    render(
      <MessageContent
        message={message(
          { kind: 'contacts', contacts: [{ name: 'Mario', phones: ['+39 555 1234'] }] },
          'in',
        )}
      />,
    );
    expect(screen.getByText('Mario')).toBeTruthy();
    expect(screen.getByRole('link', { name: '+39 555 1234' }).getAttribute('href')).toBe(
      'tel:+39 555 1234',
    );
    cleanup();
    render(
      <MessageContent
        message={message({ kind: 'choice', id: 'a', title: 'See the menu' }, 'in')}
      />,
    );
    expect(screen.getByText('See the menu')).toBeTruthy();
  });

  test('a template shows its body filled in when the channel gives it', () => {
    const template: Template = {
      id: null,
      name: 'order_update',
      language: 'en_US',
      category: 'UTILITY',
      status: 'approved',
      header: null,
      body: 'Hi {{1}}, order {{2}} is ready.',
      footer: 'Luigi',
      buttons: [],
      placeholders: ['1', '2'],
    };
    const sent = message({
      kind: 'template',
      name: 'order_update',
      language: 'en_US',
      parameters: ['Ana', '4711'],
    });
    render(<MessageContent message={sent} templates={[template]} />);
    expect(screen.getByText('Hi Ana, order 4711 is ready.')).toBeTruthy();
    expect(screen.getByText('Template · order_update')).toBeTruthy();
    cleanup();
    render(<MessageContent message={sent} />);
    expect(screen.getByText('Ana · 4711')).toBeTruthy();
    expect(messageSummary(sent)).toBe('Template: order_update (Ana, 4711)');
  });
});

describe('composer helpers', () => {
  test('fillTemplate leaves empty variables visible', () => {
    expect(fillTemplate('Hi {{1}}, {{2}}', ['1', '2'], ['Ana'])).toBe('Hi Ana, {{2}}');
  });

  test('the trailing /query, its replacement, and the search by shortcut or text', () => {
    expect(slashQuery('Hi! /hou')).toBe('hou');
    expect(slashQuery('/')).toBe('');
    expect(slashQuery('a/b')).toBeNull();
    expect(slashQuery('/hours done')).toBeNull();
    expect(insertQuickReply('Hi! /hou', 'We open at 9')).toBe('Hi! We open at 9');
    expect(insertQuickReply('Hi!', 'We open at 9')).toBe('Hi! We open at 9');
    expect(insertQuickReply('', 'We open at 9')).toBe('We open at 9');
    const replies = [
      {
        id: '1',
        shortcut: '/hours',
        content: 'We open at 9',
        channelIds: [],
        createdAt: 0,
        updatedAt: 0,
      },
      {
        id: '2',
        shortcut: 'thanks',
        content: 'Thank you! Open hours are online',
        channelIds: [],
        createdAt: 0,
        updatedAt: 0,
      },
    ];
    expect(filterQuickReplies(replies, 'THA').map((r) => r.id)).toEqual(['2']);
    // Shortcut matches come before text matches.
    expect(filterQuickReplies(replies, 'hours').map((r) => r.id)).toEqual(['1', '2']);
    expect(filterQuickReplies(replies, 'open').map((r) => r.id)).toEqual(['1', '2']);
    expect(filterQuickReplies(replies, 'nothing')).toEqual([]);
  });
});

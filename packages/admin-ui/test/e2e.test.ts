// @vitest-environment node
/**
 * The admin UI in Chromium against a real server: sign-in, the live inbox with the simulator
 * channel, stars, and the delayed-messages tool. Screenshots land in test-results/.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

let h: Harness;
let page: Page;

beforeAll(async () => {
  // A public URL for uploads: the server's own address (Meta would fetch uploaded media there).
  h = await startHarness({ publicUrl: true });
  page = h.page;
}, 180_000);

afterEach(async (context) => {
  await h.recordFailure(context.task);
});

afterAll(async () => {
  await h?.close();
});

/** A real PNG of one colour (a picture the browser decodes), built with zlib. */
function solidPng(width: number, height: number, [r, g, b]: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([length, typed, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([
    Buffer.from([0]),
    Buffer.alloc(width * 3).map((_, i) => [r, g, b][i % 3]!),
  ]);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('admin UI in Chromium', () => {
  test('a seeded admin signs in and lands on the dashboard', async () => {
    await h.signIn(h.admin.email, h.admin.password);
    await page.waitForURL(`${h.base}/dashboard`);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByText('Messages in', { exact: true }).first().waitFor();
    expect(await page.getByTestId('signed-in-role').textContent()).toBe('Global Admin');
    expect(await page.getByTestId('signed-in-user').textContent()).toContain(h.admin.email);
    for (const label of [
      'Dashboard',
      'Channels',
      'Flows',
      'Chatbot settings',
      'Inbox',
      'Starred',
      'Quick replies',
      'Tools',
      'Users & roles',
    ])
      await page
        .getByRole('navigation', { name: 'Sections' })
        .getByRole('link', { name: label })
        .waitFor();
    await h.screenshot('01-dashboard');
  });

  test('inbox: a simulator chat appears live; the agent takes over, replies and stars', async () => {
    const api = await h.apiAs(h.admin.email, h.admin.password);
    await page.getByRole('link', { name: 'Inbox' }).click();
    await page.waitForURL(`${h.base}/inbox`);
    await page.getByText('● live').waitFor();

    // A customer writes through the simulator channel: the conversation shows up without a reload.
    await api.post(`/simulator/${h.channelId}/messages`, {
      userId: 'e2e-ana',
      name: 'Ana',
      text: 'hi',
    });
    const item = page
      .getByRole('list', { name: 'Conversations' })
      .getByRole('link', { name: /Ana/ });
    await item.waitFor();
    expect(await item.getAttribute('data-unread')).toBe('true');
    await item.click();
    const log = page.getByRole('log', { name: 'Messages' });
    await log.getByText('hi', { exact: true }).waitFor();
    // The bot's answer, live: `*Luigi's Pizza*` rendered bold, with its reply buttons.
    const bold = log.getByText("Luigi's Pizza", { exact: true });
    await bold.waitFor();
    expect(await log.getByText(/\*Luigi's Pizza\*/).count()).toBe(0);
    expect(
      Number(await bold.evaluate((element) => getComputedStyle(element).fontWeight)),
    ).toBeGreaterThanOrEqual(600);
    const buttons = log.getByRole('list', { name: 'Buttons' }).last();
    for (const title of ['Track my order', 'See the menu', 'Talk to a person'])
      expect(await buttons.getByText(title, { exact: true }).isVisible()).toBe(true);
    await h.screenshot('inbox-bot');

    // Take control, switch the chatbot off, reply as an agent.
    await page.getByRole('button', { name: 'Take control' }).click();
    await page.getByText('you are in control').waitFor();
    const chatbot = page.getByRole('switch', { name: 'Chatbot' });
    expect(await chatbot.getAttribute('aria-checked')).toBe('true');
    await chatbot.click();
    await page.waitForFunction(
      () => document.querySelector('[role=switch]')?.getAttribute('aria-checked') === 'false',
    );
    // A gray BotOff now, with a tooltip saying what the switch does.
    await page.mouse.move(0, 0); // the click closed the tooltip; a new hover opens it
    await chatbot.hover();
    await page
      .getByText(/^Chatbot off: only people answer/)
      .first()
      .waitFor();
    expect(await page.getByRole('tooltip').textContent()).toContain('Chatbot off');
    await h.screenshot('inbox-chatbot-off');
    await page.mouse.move(0, 0);
    await page.getByLabel('Message', { exact: true }).fill('Hello Ana, a person here.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const reply = log.getByTestId('message').filter({ hasText: 'Hello Ana, a person here.' });
    await reply.waitFor();
    // Delivery ticks move live over SSE: the simulator marks it sent (at least).
    await reply.locator('[data-status=sent],[data-status=delivered],[data-status=read]').waitFor();

    // The customer got it; a new message of theirs arrives live while the bot stays quiet.
    const seen = await api.get<{ messages: { content: { text?: string } }[] }>(
      `/simulator/${h.channelId}/messages?userId=e2e-ana`,
    );
    expect(seen.messages.some((m) => m.content.text === 'Hello Ana, a person here.')).toBe(true);
    await api.post(`/simulator/${h.channelId}/messages`, { userId: 'e2e-ana', text: 'thanks!' });
    await log.getByText('thanks!').waitFor();
    await h.screenshot('inbox-agent');

    // Star the customer's message from its menu and find it in Starred.
    const thanks = log.getByTestId('message').filter({ hasText: 'thanks!' });
    await thanks.getByRole('button', { name: 'Message actions' }).click();
    await page.getByRole('menuitem', { name: 'Star message' }).click();
    await thanks.getByRole('img', { name: 'Starred' }).waitFor();
    await page.getByRole('link', { name: 'Starred' }).click();
    await page.getByRole('list', { name: 'Starred messages' }).getByText('thanks!').waitFor();
    await page.getByText('Ana ▸ You').waitFor();
  });

  test('inbox: a template outside the 24-hour window, a quick reply, Starred jumps to the message', async () => {
    const api = await h.apiAs(h.admin.email, h.admin.password);
    await api.post('/quick-replies', {
      shortcut: '/hours',
      content: 'We are open *12 to 11*, every day.',
    });
    // Olga last wrote 25 hours ago: the window is closed.
    await api.post(`/simulator/${h.channelId}/messages`, {
      userId: 'e2e-olga',
      name: 'Olga',
      text: 'Is my pizza coming?',
      timestamp: Date.now() - 25 * 3_600_000,
    });
    await page.getByRole('link', { name: 'Inbox' }).click();
    await page
      .getByRole('list', { name: 'Conversations' })
      .getByRole('link', { name: /Olga/ })
      .click();
    const log = page.getByRole('log', { name: 'Messages' });
    await log.getByText('Is my pizza coming?').waitFor();
    const banner = page.getByTestId('window-closed');
    await banner
      .getByText('A template message is required outside the 24-hour messaging window.', {
        exact: true,
      })
      .waitFor();
    expect(await page.getByLabel('Message', { exact: true }).count()).toBe(0);

    // The picker: approved templates only, a field per {{n}}, a live preview.
    await banner.getByRole('button', { name: 'Send template' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send template' });
    const choices = dialog.getByRole('radiogroup', { name: 'Approved templates' });
    await choices.getByRole('radio', { name: /order_update/ }).click();
    expect(await choices.getByRole('radio', { name: /spring_offer/ }).count()).toBe(0);
    const send = dialog.getByRole('button', { name: 'Send template', exact: true });
    expect(await send.isDisabled()).toBe(true);
    await dialog.getByLabel('Variable {{1}}').fill('Olga');
    await dialog.getByLabel('Variable {{2}}').fill('4711');
    await dialog
      .getByTestId('template-preview')
      .getByText('Hi Olga, your order 4711 is on its way.', { exact: false })
      .waitFor();
    await h.screenshot('inbox-template-picker');
    await send.click();
    await dialog.waitFor({ state: 'detached' });
    const sent = log.getByTestId('message').filter({ hasText: 'Template · order_update' });
    await sent.getByText(/Hi Olga, your order 4711 is on its way\./).waitFor();
    await sent.locator('[data-status=sent],[data-status=delivered],[data-status=read]').waitFor();
    await h.screenshot('inbox-template-sent');

    // Star the template, then use a quick reply in Ana's open conversation.
    await sent.getByRole('button', { name: 'Message actions' }).click();
    await page.getByRole('menuitem', { name: 'Star message' }).click();
    await sent.getByRole('img', { name: 'Starred' }).waitFor();
    await page
      .getByRole('list', { name: 'Conversations' })
      .getByRole('link', { name: /Ana/ })
      .click();
    const box = page.getByLabel('Message', { exact: true });
    await box.fill('Hi! /hou');
    const suggestions = page.getByRole('listbox', { name: 'Quick replies' });
    await suggestions.getByRole('option', { name: /hours/ }).waitFor();
    await h.screenshot('inbox-quick-reply');
    await box.press('Enter');
    expect(await box.inputValue()).toBe('Hi! We are open *12 to 11*, every day.');
    expect(await suggestions.count()).toBe(0);
    // The picker button searches the text too.
    await box.fill('');
    await page.getByRole('button', { name: 'Quick replies' }).click();
    await page.getByLabel('Search quick replies').fill('every day');
    await page.getByRole('option', { name: /hours/ }).click();
    expect(await box.inputValue()).toBe('We are open *12 to 11*, every day.');

    // A document from the gallery (added here by its URL), sent with a caption.
    await box.fill('');
    await page.getByRole('button', { name: 'Send media' }).click();
    const gallery = page.getByRole('dialog', { name: 'Send media' });
    await gallery.getByText('The gallery is empty.', { exact: false }).waitFor();
    await gallery.getByRole('button', { name: 'Add by URL' }).click();
    await gallery.getByLabel('Kind').selectOption('document');
    await gallery.getByLabel('Name').fill('Menu');
    await gallery.getByLabel('Public URL').fill('https://example.com/menu.pdf');
    await gallery.getByRole('button', { name: 'Add', exact: true }).click();
    expect(await gallery.getByRole('radio', { name: 'Menu' }).getAttribute('aria-checked')).toBe(
      'true',
    );
    await gallery.getByLabel('Caption (optional)').fill('Our *new* menu');
    await h.screenshot('inbox-media-gallery');
    await gallery.getByRole('button', { name: 'Send document' }).click();
    await gallery.waitFor({ state: 'detached' });
    const document = log.getByTestId('message').filter({ hasText: 'menu.pdf' });
    expect(await document.getByRole('link', { name: 'menu.pdf' }).getAttribute('href')).toMatch(
      /^\/api\/v1\/messages\/[^/]+\/media$/,
    );
    await document.getByText('new', { exact: true }).waitFor();

    // An image uploaded from the computer: it joins the gallery, picked, and goes out captioned.
    const pngPath = join(mkdtempSync(join(tmpdir(), 'chatloom-upload-')), 'pizza.png');
    writeFileSync(pngPath, solidPng(48, 32, [234, 88, 12]));
    await page.getByRole('button', { name: 'Send media' }).click();
    await gallery.getByRole('radio', { name: 'Menu' }).waitFor();
    await gallery.getByLabel('Upload a file').setInputFiles(pngPath);
    const uploaded = gallery.getByRole('radio', { name: 'pizza.png' });
    await uploaded.waitFor();
    expect(await uploaded.getAttribute('aria-checked')).toBe('true');
    // The tile's preview is the file at its public address.
    const tile = uploaded.locator('img');
    expect(await tile.getAttribute('src')).toMatch(
      new RegExp(`^${h.base}/media-files/[0-9a-f-]{36}/[\\w-]{32}$`),
    );
    await expect.poll(() => tile.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(48);
    await gallery.getByLabel('Caption (optional)').fill('Fresh from the oven');
    await h.screenshot('inbox-media-upload');
    await gallery.getByRole('button', { name: 'Send image' }).click();
    await gallery.waitFor({ state: 'detached' });
    const picture = log.getByRole('img', { name: 'Fresh from the oven' });
    await picture.waitFor();
    await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(48);

    // Starred: grouped by day, who wrote to whom; a click opens the conversation on the message.
    await page.getByRole('link', { name: 'Starred' }).click();
    const today = page.getByRole('region', { name: 'Today' });
    await today.getByText('You ▸ Olga').waitFor();
    await today.getByText('Ana ▸ You').waitFor();
    await h.screenshot('starred');
    await today.getByTestId('starred-message').filter({ hasText: 'You ▸ Olga' }).click();
    await page.waitForURL(/\/inbox\/[^/?]+\?message=/);
    const highlighted = page.locator('[data-testid=message][data-highlighted=true]');
    await highlighted.getByText('Template · order_update').waitFor();
    expect(await highlighted.isVisible()).toBe(true);
    await h.screenshot('inbox-starred-jump');
  });

  test('tools: delayed messages per channel with a guarded delete; the API key', async () => {
    const api = await h.apiAs(h.admin.email, h.admin.password);
    const { items } = await api.get<{ items: { id: string }[] }>('/conversations?q=Ana');
    await api.post(`/conversations/${items[0]!.id}/messages`, {
      text: 'See you tomorrow',
      at: Date.now() + 3_600_000,
    });
    await page.getByRole('link', { name: 'Tools' }).click();
    await page.waitForURL(`${h.base}/tools/delayed-messages`);
    const table = page.getByRole('table', { name: 'Delayed messages' });
    await table.getByText('Web simulator').waitFor();
    const pending = page.getByTestId(`pending-${h.channelId}`);
    await pending.filter({ hasText: /^1$/ }).waitFor();
    await h.screenshot('05-delayed-messages');
    await page.getByRole('button', { name: 'Delete scheduled messages of Web simulator' }).click();
    const dialog = page.getByRole('dialog');
    await dialog
      .getByText('Are you sure you want to delete all scheduled messages for Web simulator?')
      .waitFor();
    await dialog.getByRole('button', { name: 'Close' }).waitFor();
    await h.screenshot('06-delete-confirmation');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await pending.filter({ hasText: /^0$/ }).waitFor();

    await page.getByRole('link', { name: 'Integrations' }).click();
    await page.getByText('No API key yet.').waitFor();
    await page.getByRole('button', { name: 'Get Token' }).click();
    const key = page.getByTestId('api-key');
    await page.getByRole('button', { name: 'Hide' }).waitFor();
    const clear = await key.textContent();
    await page.getByRole('button', { name: 'Hide' }).click();
    await page.getByRole('button', { name: 'Show' }).waitFor();
    expect(await key.textContent()).not.toBe(clear);
    expect(await key.textContent()).toContain('…');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('button', { name: 'Hide' }).waitFor();
    expect(await key.textContent()).toBe(clear);
    await h.screenshot('07-api-key');
  });

  test('a Channels Admin sees the table but gets "No Access" for the delete', async () => {
    const api = await h.apiAs(h.admin.email, h.admin.password);
    await api.post('/users', {
      email: 'channels@example.com',
      name: 'Chris Channels',
      password: 'channels-admin-pw',
      roleId: 'channels-admin',
    });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await h.signIn('channels@example.com', 'channels-admin-pw');
    expect(await page.getByTestId('signed-in-role').textContent()).toBe('Channels Admin');
    await page.getByRole('link', { name: 'Tools' }).click();
    await page.getByRole('button', { name: 'Delete scheduled messages of Web simulator' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'No Access' }).waitFor();
    await h.screenshot('08-no-access');
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect(await page.getByRole('link', { name: 'Inbox' }).count()).toBe(0);
  });

  test('an Agent has no Tools section, and opening it says "No Access"', async () => {
    const api = await h.apiAs(h.admin.email, h.admin.password);
    await api.post('/users', {
      email: 'agent@example.com',
      name: 'Alex Agent',
      password: 'agent-password',
      roleId: 'agent',
    });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await h.signIn('agent@example.com', 'agent-password');
    expect(await page.getByTestId('signed-in-role').textContent()).toBe('Agent');
    const nav = page.getByRole('navigation', { name: 'Sections' });
    await nav.getByRole('link', { name: 'Inbox' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Tools' }).count()).toBe(0);
    await page.goto(`${h.base}/tools`);
    const alert = page.getByRole('alert').filter({ hasText: 'No Access' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('tools.read');
    // The page's own data was never asked for.
    expect(await page.getByRole('table', { name: 'Delayed messages' }).count()).toBe(0);
    await h.screenshot('09-agent-no-access');
  });
});

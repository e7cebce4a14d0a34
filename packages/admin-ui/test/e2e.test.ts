// @vitest-environment node
/**
 * The admin UI in Chromium against a real server: sign-in, the live inbox with the simulator
 * channel, stars, and the delayed-messages tool. Screenshots land in test-results/.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

let h: Harness;
let page: Page;

beforeAll(async () => {
  h = await startHarness();
  page = h.page;
}, 180_000);

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') {
    await h.screenshot(`failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
    console.error(`page errors:\n${h.pageErrors.join('\n')}`);
  }
});

afterAll(async () => {
  await h?.close();
});

async function signIn(email: string, password: string) {
  await page.goto(`${h.base}/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('admin UI in Chromium', () => {
  test('a seeded admin signs in and lands on the dashboard', async () => {
    await signIn(h.admin.email, h.admin.password);
    await page.waitForURL(`${h.base}/dashboard`);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByText('Messages in').waitFor();
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
    await log.getByText(/Welcome to \*Luigi's Pizza\*/).waitFor(); // the bot's answer, live
    await h.screenshot('02-inbox-bot');

    // Take control, switch the chatbot off, reply as an agent.
    await page.getByRole('button', { name: 'Take control' }).click();
    await page.getByText('you are in control').waitFor();
    const chatbot = page.getByRole('switch', { name: 'Chatbot' });
    expect(await chatbot.getAttribute('aria-checked')).toBe('true');
    await chatbot.click();
    await page.waitForFunction(
      () => document.querySelector('[role=switch]')?.getAttribute('aria-checked') === 'false',
    );
    await page.getByLabel('Message', { exact: true }).fill('Hello Ana, a person here.');
    await page.getByRole('button', { name: 'Send' }).click();
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
    await h.screenshot('03-inbox-agent');

    // Star the customer's message and find it in Starred.
    const thanks = log.getByTestId('message').filter({ hasText: 'thanks!' });
    await thanks.getByRole('button', { name: 'Star message' }).click();
    await thanks.getByRole('button', { name: 'Unstar message' }).waitFor();
    await page.getByRole('link', { name: 'Starred' }).click();
    await page.getByRole('list', { name: 'Starred messages' }).getByText('thanks!').waitFor();
    await h.screenshot('04-starred');
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
    await signIn('channels@example.com', 'channels-admin-pw');
    expect(await page.getByTestId('signed-in-role').textContent()).toBe('Channels Admin');
    await page.getByRole('link', { name: 'Tools' }).click();
    await page.getByRole('button', { name: 'Delete scheduled messages of Web simulator' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'No Access' }).waitFor();
    await h.screenshot('08-no-access');
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect(await page.getByRole('link', { name: 'Inbox' }).count()).toBe(0);
  });
});

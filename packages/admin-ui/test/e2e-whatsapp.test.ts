// @vitest-environment node
/**
 * A WhatsApp channel end to end in Chromium: the server's GRAPH_API_BASE_URL points at the
 * testkit's fake Graph API, so the admin connects a channel the way they would with Meta
 * (a wrong token is refused with Meta's words, the right one makes it Good, Subscribe calls
 * subscribed_apps), then a customer's signed webhook shows up live in the Inbox, the demo bot
 * answers with reply buttons at the fake, and an agent takes over and replies; the fake's
 * delivered/read statuses move the ticks. Screenshots: test-results/whatsapp-*.png.
 */
import { createFakeGraphApi, type FakeGraphApi } from '@chatloom/testkit';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

const appSecret = 'wa-e2e-app-secret';
const accessToken = 'EAAG-wa-e2e-system-user-token';
const phoneNumberId = '200000000000002';
const wabaId = '100000000000001';
const appId = '1000000000000001';
const customer = '15555550123';

let fake: FakeGraphApi;
let h: Harness;
let page: Page;

beforeAll(async () => {
  fake = await createFakeGraphApi({
    appSecret,
    accessToken,
    appId,
    // Meta reports every accepted message as delivered, then read.
    whatsapp: { autoStatuses: { delivered: true, read: true, delayMs: 100 } },
  });
  h = await startHarness({ env: { GRAPH_API_BASE_URL: fake.url } });
  page = h.page;
}, 180_000);

afterEach(async (context) => {
  await h.recordFailure(context.task);
});

afterAll(async () => {
  await h?.close();
  await fake?.close();
});

/** The channel card's header badge (Pending/Good/Invalid, Subscribed/Unsubscribed). */
const badge = (card: Locator, text: string) =>
  card.getByRole('button').filter({ hasText: 'WhatsApp' }).getByText(text, { exact: true });

/** Scrolls the card's top (name and badges) into view for the screenshot. */
const showHeader = (card: Locator) =>
  card.evaluate((element) => element.scrollIntoView({ block: 'start' }));

describe('a WhatsApp channel against the fake Graph API', () => {
  let callbackUrl = '';
  let channelId = '';

  test('the admin adds the channel: a wrong token is Invalid with Meta’s error, the right one Good, then Subscribed', async () => {
    await h.signIn(h.admin.email, h.admin.password);
    await page.waitForURL(`${h.base}/dashboard`);
    await page.getByRole('link', { name: 'Channels' }).click();
    await page.getByRole('heading', { name: 'Channels' }).waitFor();

    await page.getByRole('button', { name: 'Add channel' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add channel' });
    await dialog.getByLabel('Platform', { exact: true }).selectOption('whatsapp');
    await dialog.getByLabel('Name', { exact: true }).fill("Luigi's WhatsApp");
    await dialog.getByLabel('Name', { exact: true }).press('Enter');
    await dialog.waitFor({ state: 'detached' });
    const card = page.getByRole('region', { name: "Luigi's WhatsApp" });
    await badge(card, 'Pending').waitFor();
    await badge(card, 'Unsubscribed').waitFor();

    // Everything right but the token: Meta answers 190 and the card says so in its words.
    await card.getByLabel('Phone number ID', { exact: true }).fill(phoneNumberId);
    await card.getByLabel('WABA ID', { exact: true }).fill(wabaId);
    await card.getByLabel('App ID', { exact: true }).fill(appId);
    await card.getByLabel('App secret', { exact: true }).fill(appSecret);
    await card.getByLabel('Access token', { exact: true }).fill('EAAG-revoked-token');
    await card.getByRole('button', { name: 'Validate & Update' }).click();
    await badge(card, 'Invalid').waitFor();
    const alert = card.getByRole('alert');
    await alert.getByText('Invalid OAuth access token - Cannot parse access token').waitFor();
    expect(await alert.textContent()).toContain('The access token was refused');
    expect(await card.getByRole('button', { name: 'Subscribe', exact: true }).count()).toBe(0);
    await showHeader(card);
    await h.screenshot('whatsapp-invalid');

    // The right token (only it is typed again: the other secrets are kept): Good.
    await card.getByLabel('Access token', { exact: true }).fill(accessToken);
    await card.getByLabel('Access token', { exact: true }).press('Enter');
    await badge(card, 'Good').waitFor();
    await card
      .getByText('Credentials checked with WhatsApp: this channel can send and receive.')
      .waitFor();
    expect(await card.getByRole('alert').count()).toBe(0);
    // The fake saw the checks with the right token: the number, then the WABA's numbers.
    const checks = fake.requests.filter(
      (r) => r.accepted && r.headers.authorization === `Bearer ${accessToken}`,
    );
    expect(checks.map((r) => r.path.replace(/^\/v\d+\.\d+/, ''))).toEqual(
      expect.arrayContaining([`/${phoneNumberId}`, `/${wabaId}/phone_numbers`]),
    );

    // Subscribe: subscribed_apps with this channel's callback URL, after Meta's handshake on it.
    callbackUrl = await card.getByLabel('Callback URL', { exact: true }).inputValue();
    expect(callbackUrl).toMatch(new RegExp(`^${h.base}/webhooks/whatsapp/[^/]+$`));
    channelId = callbackUrl.split('/').pop()!;
    const verifyToken = await card.getByLabel('Verify token', { exact: true }).inputValue();
    await card.getByRole('button', { name: 'Subscribe', exact: true }).click();
    await badge(card, 'Subscribed').waitFor();
    await card.getByRole('button', { name: 'Subscribe again' }).waitFor();
    const subscription = fake.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith(`/${wabaId}/subscribed_apps`),
    );
    expect(subscription).toHaveLength(1);
    expect(subscription[0]!.accepted).toBe(true);
    expect(subscription[0]!.body).toMatchObject({
      override_callback_uri: callbackUrl,
      verify_token: verifyToken,
    });
    await showHeader(card);
    await h.screenshot('whatsapp-good-subscribed');
  });

  test('a customer writes on WhatsApp: live in the Inbox, the bot answers at Meta, an agent takes over', async () => {
    expect(channelId, 'the channel test ran first').not.toBe('');
    // Meta posts this phone number's webhooks to the callback URL the card shows.
    fake.setWebhookUrl(callbackUrl, { id: phoneNumberId });

    await page.getByRole('link', { name: 'Inbox' }).click();
    await page.waitForURL(`${h.base}/inbox`);
    await page.getByText('● live').waitFor();

    const delivery = await fake.whatsapp.userSends({
      from: customer,
      name: 'Wanda Whats',
      text: 'hi', // the demo flow's exact keyword
    });
    expect(delivery.delivered, delivery.error).toBe(true);
    expect(delivery.url).toBe(callbackUrl);

    const item = page
      .getByRole('list', { name: 'Conversations' })
      .getByRole('link', { name: /Wanda Whats/ });
    await item.waitFor();
    // Two channels (the demo simulator and this one): the list says which one it came in on.
    expect(await item.textContent()).toContain("Luigi's WhatsApp ·");
    await item.click();
    const log = page.getByRole('log', { name: 'Messages' });
    await log.getByText('hi', { exact: true }).waitFor();
    // The demo flow answers: its buttons in the Inbox, and as WhatsApp reply buttons at Meta.
    await log.getByText("Luigi's Pizza", { exact: true }).waitFor();
    const buttons = log.getByRole('list', { name: 'Buttons' }).last();
    await buttons.getByText('Track my order', { exact: true }).waitFor();
    await expect
      .poll(() => fake.sent({ channel: 'whatsapp', to: customer, type: 'interactive' }).length)
      .toBeGreaterThan(0);
    const welcome = fake.sent({ channel: 'whatsapp', to: customer, type: 'interactive' })[0]!;
    expect(welcome.from).toBe(phoneNumberId);
    expect(welcome.body).toMatchObject({
      messaging_product: 'whatsapp',
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: "Hi Wanda Whats! Welcome to *Luigi's Pizza*. How can we help?" },
        action: {
          buttons: [
            { reply: { id: 'welcome:order', title: 'Track my order' } },
            { reply: { id: 'welcome:menu', title: 'See the menu' } },
            { reply: { id: 'welcome:person', title: 'Talk to a person' } },
          ],
        },
      },
    });
    // Meta's delivered and read statuses reach the bot's message.
    const botMessage = log.getByTestId('message').filter({ hasText: "Luigi's Pizza" });
    await botMessage.locator('[data-status=read]').waitFor();

    // The agent takes control and replies: the fake receives the text.
    await page.getByRole('button', { name: 'Take control' }).click();
    await page.getByText('you are in control').waitFor();
    const text = 'Hi Wanda, this is Marco from Luigi’s. How can I help?';
    await page.getByLabel('Message', { exact: true }).fill(text);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const reply = log.getByTestId('message').filter({ hasText: text });
    await reply.waitFor();
    await expect
      .poll(() => fake.sent({ channel: 'whatsapp', to: customer, type: 'text' }).length)
      .toBe(1);
    expect(fake.sent({ channel: 'whatsapp', to: customer, type: 'text' })[0]!.body).toMatchObject({
      to: customer,
      type: 'text',
      text: { body: text },
    });
    // Sent, then delivered, then read: the ticks turn to read, live.
    await reply.locator('[data-status=read]').waitFor();
    expect(await reply.getByRole('img', { name: 'Read' }).count()).toBe(1);

    // The customer answers the person; the bot stays quiet while the agent is in control.
    const sentBefore = fake.sent({ channel: 'whatsapp', to: customer }).length;
    await fake.whatsapp.userSends({
      from: customer,
      name: 'Wanda Whats',
      text: 'Where is my pizza?',
    });
    await log.getByText('Where is my pizza?', { exact: true }).waitFor();
    // Longer than core's inbound (250 ms) and outbox (1 s) polls: a bot answer would be out.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await fake.idle();
    expect(fake.sent({ channel: 'whatsapp', to: customer })).toHaveLength(sentBefore);
    await h.screenshot('whatsapp-inbox');
  });
});

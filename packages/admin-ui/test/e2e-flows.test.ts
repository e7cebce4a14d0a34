// @vitest-environment node
/**
 * The flow designer's story in Chromium against a real server: create a flow, build three
 * steps with buttons and a list, see a limit's diagnostic on its field, save, chat with the
 * saved flow in the preview, watch that chat arrive live in the Inbox, take it over there;
 * and "Test flow" finding a trap step and pointing at it. Screenshots: test-results/flows-*.png.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, repositoryRoot, startHarness } from './harness.js';

let h: Harness;
let page: Page;

beforeAll(async () => {
  h = await startHarness();
  page = h.page;
}, 180_000);

afterEach(async (context) => {
  await h.recordFailure(context.task, 'flows-failed');
});

afterAll(async () => {
  await h?.close();
});

const steps = () => page.getByRole('list', { name: 'Steps' }).locator('section[data-step-id]');

describe('flows in Chromium', () => {
  test('build a flow, preview it, and take its chat over in the Inbox', async () => {
    await h.signIn(h.admin.email, h.admin.password);
    await page.getByTestId('signed-in-user').waitFor();
    await page
      .getByRole('navigation', { name: 'Sections' })
      .getByRole('link', { name: 'Flows' })
      .click();
    await page.getByRole('table', { name: 'Flows' }).waitFor();

    // Create: a name and a language; it starts as one message.
    await page.getByRole('button', { name: 'New flow' }).click();
    const dialog = page.getByRole('dialog', { name: 'New flow' });
    await dialog.getByLabel('Name').fill('Pizza orders');
    await dialog.getByLabel('Languages').fill('en');
    await dialog.getByRole('button', { name: 'Create flow' }).click();
    await page.waitForURL(`${h.base}/flows/pizza-orders`);
    await page.getByRole('heading', { name: 'Pizza orders' }).waitFor();
    await page.getByText('Version 1', { exact: true }).waitFor();
    expect(await steps().count()).toBe(1);

    // Three steps: welcome (buttons) → menu (a list) → thanks.
    await page.getByRole('button', { name: 'Add step' }).click();
    await page.getByRole('button', { name: 'Add step' }).click();
    await expect.poll(() => steps().count()).toBe(3);
    const [welcome, menu, thanks] = [steps().nth(0), steps().nth(1), steps().nth(2)];

    await welcome.getByLabel('Option type').selectOption('buttons');
    const label = welcome.getByLabel('Button 1 label (en)');
    // 21 characters, one over WhatsApp's 20 for a button: the field keeps what was typed, its
    // counter turns red, the validator's diagnostic shows on the field and Save is refused.
    await label.fill('See the pizza menu!!!');
    const labelField = welcome.locator('[data-pointer="/steps/0/options/buttons/0/label"]');
    await labelField
      .getByTestId('counter')
      .filter({ hasText: /^21\/20$/ })
      .waitFor();
    await labelField.locator('[data-code="button.label-too-long"]').waitFor();
    expect(await page.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true);
    // Centred: the builder's sticky Save bar would cover a field scrolled to the top.
    await labelField.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await h.screenshot('flows-label-limit');
    await label.fill('See the menu');
    await labelField.getByTestId('counter').filter({ hasText: '12/20' }).waitFor();
    // Validation runs on a deferred copy of the draft: the diagnostic goes a moment later.
    await expect.poll(() => labelField.locator('[data-code]').count()).toBe(0);
    await welcome.getByLabel('Button 1 action').selectOption('goto');
    const menuId = await menu.getAttribute('data-step-id');
    const thanksId = await thanks.getAttribute('data-step-id');
    await welcome.getByLabel('Button 1 target step').selectOption(menuId!);

    await menu.getByLabel('Option type').selectOption('list');
    await menu.getByLabel('Row 1 title (en)').fill('Margherita');
    await menu.getByLabel('Row 1 action').selectOption('goto');
    await menu.getByLabel('Row 1 target step').selectOption(thanksId!);
    await menu.getByRole('button', { name: 'Add row' }).click();
    await menu.getByLabel('Row 2 title (en)').fill('Pepperoni');
    await page.getByText('Unsaved changes', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Version 2', { exact: true }).waitFor();
    await page.getByText('Saved', { exact: true }).waitFor();
    await welcome.scrollIntoViewIfNeeded();
    await h.screenshot('flows-builder');

    // The preview chats with this saved version (the flow is not even live).
    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.getByRole('button', { name: 'Start chat' }).click();
    const chat = preview.getByRole('log', { name: 'Preview chat' });
    await chat.getByText('Hello! How can we help?').waitFor();
    await chat.getByRole('button', { name: 'See the menu' }).click();
    await chat.getByText('See the menu', { exact: true }).last().waitFor();
    await chat.getByRole('button', { name: 'Choose' }).click();
    await chat.getByRole('button', { name: 'Margherita' }).click();
    await chat.getByTestId('preview-bot-message').nth(2).waitFor();
    await h.screenshot('flows-preview');

    // The same chat, live in the Inbox.
    await page
      .getByRole('navigation', { name: 'Sections' })
      .getByRole('link', { name: 'Inbox' })
      .click();
    await page.getByText('● live').waitFor();
    const item = page
      .getByRole('list', { name: 'Conversations' })
      .getByRole('link', { name: /Preview · / })
      .first();
    await item.click();
    const log = page.getByRole('log', { name: 'Messages' });
    await log.getByText('Margherita').first().waitFor();

    // A person takes over: chatbot off, a reply, a star.
    await page.getByRole('button', { name: 'Take control' }).click();
    const chatbot = page.getByRole('switch', { name: 'Chatbot' });
    await chatbot.click();
    await expect.poll(() => chatbot.getAttribute('aria-checked')).toBe('false');
    await page.getByLabel('Message', { exact: true }).fill('A person here: your pizza is coming.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const reply = log.getByTestId('message').filter({ hasText: 'A person here' });
    await reply.waitFor();
    await reply.getByRole('button', { name: 'Message actions' }).click();
    await page.getByRole('menuitem', { name: 'Star message' }).click();
    await reply.getByRole('img', { name: 'Starred' }).waitFor();
    await h.screenshot('flows-inbox');
    await page.getByRole('link', { name: 'Starred' }).click();
    await page
      .getByRole('list', { name: 'Starred messages' })
      .getByText('A person here: your pizza is coming.')
      .waitFor();

    // The list: the new flow with its versions; the preview's copy is not one of the flows.
    await page
      .getByRole('navigation', { name: 'Sections' })
      .getByRole('link', { name: 'Flows' })
      .click();
    const row = page
      .getByRole('table', { name: 'Flows' })
      .locator('tr[data-flow-id="pizza-orders"]');
    await row.getByText('v2', { exact: true }).waitFor();
    expect(await page.getByText(/preview of version/).count()).toBe(0);
    await h.screenshot('flows-list');
  });

  test('Test flow finds a trap step and Go to step shows it', async () => {
    // The same faulty flow the CLI's tests run `chatloom flow test` on.
    const api = await h.apiAs(h.admin.email, h.admin.password);
    const faulty = JSON.parse(
      readFileSync(join(repositoryRoot, 'examples/faulty-flow.json'), 'utf8'),
    );
    await api.post('/flows', { definition: faulty });
    await page.goto(`${h.base}/flows/trap`);
    await page.getByRole('heading', { name: 'Round and round' }).waitFor();
    await page.getByRole('tab', { name: 'Test flow' }).click();
    const panel = page.getByRole('region', { name: 'Test flow' });
    await panel.getByLabel('Conversations').fill('300');
    await panel.getByRole('button', { name: 'Run test' }).click();
    const problem = panel.getByRole('listitem', { name: /no-trap/ });
    await problem.waitFor({ timeout: 30_000 });
    await panel.getByText(/problems? found in 300 conversations/).waitFor();
    await problem.getByRole('list', { name: 'Transcript' }).getByText('Taps "Loop"').waitFor();
    await problem.getByRole('button', { name: 'Go to step loop' }).click();
    const loop = page.locator('section[data-step-id="loop"]');
    await expect.poll(() => loop.getAttribute('data-highlighted')).toBe('true');
    // Scrolled into view (the editor scrolls smoothly).
    await expect
      .poll(() => loop.evaluate((el) => el.getBoundingClientRect().top), { timeout: 5000 })
      .toBeLessThan(700);
    await h.screenshot('flows-test-failure');
  });
});

// @vitest-environment node
/**
 * Chatbot settings and quick replies in Chromium against a real server: a system message is
 * written with bold text and an action, saved and still there after a reload; a quick reply is
 * created, found by search, edited and bulk deleted. Screenshots land in test-results/.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

let h: Harness;
let page: Page;

beforeAll(async () => {
  h = await startHarness();
  page = h.page;
  await h.signIn(h.admin.email, h.admin.password);
  await page.waitForURL(`${h.base}/dashboard`);
}, 180_000);

afterEach(async (context) => {
  await h.recordFailure(context.task);
});

afterAll(async () => {
  await h?.close();
});

interface StoredMessages {
  invalid?: {
    text: Record<string, string>;
    actions?: { label: Record<string, string>; action: { type: string; step?: string } }[];
  };
}

describe('chatbot settings', () => {
  test('a system message with bold text and an action is saved and kept after a reload', async () => {
    await page.getByRole('link', { name: 'Chatbot settings' }).click();
    await page.waitForURL(`${h.base}/chatbot-settings`);
    const card = page.getByTestId('system-message-invalid');
    await card.getByRole('tab', { name: 'EN' }).waitFor();
    await h.screenshot('settings-1-page');

    // Typed text, then bold switched on from the keyboard for the last words.
    const en = card.getByRole('textbox', { name: 'Invalid input message (en)' });
    await en.fill('Sorry, I did not get that.');
    await en.press('End');
    await en.pressSequentially(' ');
    await en.press('Control+b');
    await expect
      .poll(() => card.getByRole('button', { name: 'Bold' }).getAttribute('aria-pressed'))
      .toBe('true');
    await en.pressSequentially('Pick an option');
    await en.press('Control+b');

    await card.getByRole('button', { name: 'Add action' }).click();
    await card.getByLabel('Action 1 does').selectOption('goto');

    // Saving without a label or a step is refused, each field saying what it misses.
    await card.getByRole('button', { name: 'Save', exact: true }).click();
    await card.getByText('Fix the marked fields to save.').waitFor();
    await card.getByText('Give action 1 a label (en).').waitFor();
    await card.getByText('Choose the step action 1 goes to.').waitFor();
    expect(await card.getByRole('tab', { name: /EN.*has a problem/ }).count()).toBe(1);
    await h.screenshot('settings-2-problems');
    await card.getByLabel('Action 1 label (EN)').fill('Main menu');
    await card.getByLabel('Action 1 step').selectOption('menu');

    await card.getByRole('tab', { name: 'ES' }).click();
    await card.getByText('Not translated: customers writing in ES get the EN text.').waitFor();
    await card
      .getByRole('textbox', { name: 'Invalid input message (es)' })
      .fill('Perdona, no te entendí.');
    await card.getByLabel('Action 1 label (ES)').fill('Menú');
    const counter = card.getByTestId('action-1').getByTestId('counter');
    expect(await counter.textContent()).toBe('4/20');
    await card.getByRole('button', { name: 'Save', exact: true }).click();
    await card.getByText('Saved.').waitFor();
    await h.screenshot('settings-3-saved');

    const api = await h.apiAs(h.admin.email, h.admin.password);
    const stored = await api.get<StoredMessages>('/system-messages');
    expect(stored.invalid).toEqual({
      text: { en: 'Sorry, I did not get that. *Pick an option*', es: 'Perdona, no te entendí.' },
      actions: [{ label: { en: 'Main menu', es: 'Menú' }, action: { type: 'goto', step: 'menu' } }],
    });

    await page.reload();
    const again = page.getByTestId('system-message-invalid');
    const editor = again.getByRole('textbox', { name: 'Invalid input message (en)' });
    await editor.waitFor();
    expect(await editor.locator('strong').textContent()).toBe('Pick an option');
    expect(await again.getByLabel('Action 1 label (EN)').inputValue()).toBe('Main menu');
    expect(await again.getByLabel('Action 1 step').inputValue()).toBe('menu');
    expect(await again.getByText('Unsaved changes').count()).toBe(0);
  });

  test('the session timeout explains bad minutes; a refusal shows the server’s message', async () => {
    const card = page.getByTestId('system-message-sessionTimeout');
    await card.getByRole('button', { name: /Session timeout message/ }).click();
    const minutes = card.getByLabel('Time out after (minutes without a reply)');
    await minutes.fill('1.5');
    await card.getByText('“1.5” is not a whole number of minutes of at least 1.').waitFor();
    expect(await minutes.getAttribute('aria-invalid')).toBe('true');
    await h.screenshot('settings-4-timeout-error');
    await minutes.fill('20');
    expect(await card.getByText(/not a whole number/).count()).toBe(0);
    await card
      .getByRole('textbox', { name: 'Session timeout message (en)' })
      .fill('Are you still there?');

    // Whatever the server refuses, its own words are shown on the card.
    const refusal = 'system messages: sessionTimeout: refused by the test';
    await page.route('**/api/v1/system-messages', (route) =>
      route.request().method() === 'PUT'
        ? route.fulfill({
            status: 422,
            contentType: 'application/json',
            body: JSON.stringify({
              statusCode: 422,
              error: 'Unprocessable Entity',
              message: refusal,
            }),
          })
        : route.continue(),
    );
    await card.getByRole('button', { name: 'Save', exact: true }).click();
    await card.getByRole('alert').filter({ hasText: refusal }).waitFor();
    await h.screenshot('settings-5-server-error');
    await page.unroute('**/api/v1/system-messages');
    await card.getByRole('button', { name: 'Save', exact: true }).click();
    await card.getByText('Saved.').waitFor();
    await card.getByText('after 20 min').waitFor();
  });
});

describe('quick replies', () => {
  test('create, find by search, edit, and bulk delete', async () => {
    await page.getByRole('link', { name: 'Quick replies' }).click();
    await page.waitForURL(`${h.base}/quick-replies`);
    await page.getByText('No quick replies yet.').waitFor();
    await h.screenshot('quick-replies-1-empty');

    await page.getByRole('button', { name: 'New quick reply' }).click();
    const dialog = page.getByRole('dialog', { name: 'New quick reply' });
    await dialog.getByLabel('Shortcut').fill('/hours');
    await dialog
      .getByRole('textbox', { name: 'Message' })
      .fill('We are open *9 to 6*, Monday to Friday.');
    await dialog.getByLabel(/Web simulator/).check();
    await h.screenshot('quick-replies-2-dialog');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'detached' });

    const api = await h.apiAs(h.admin.email, h.admin.password);
    await api.post('/quick-replies', { shortcut: 'bye', content: 'Goodbye and thanks!' });
    const table = page.getByRole('table');
    await table.getByText('/hours').waitFor();
    // The list refreshes on the next search; the second reply shows after clearing the search.
    await page.getByRole('searchbox', { name: 'Search quick replies' }).fill('monday');
    await expect.poll(() => table.getByRole('row').count()).toBe(2); // header + /hours
    expect(await table.getByText('/bye').count()).toBe(0);
    expect(await table.locator('strong, .font-semibold').first().textContent()).toBe('9 to 6');
    expect(await table.getByText('Web simulator').count()).toBe(1);
    await h.screenshot('quick-replies-3-search');

    await page.getByRole('button', { name: 'Edit /hours' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit /hours' });
    const message = edit.getByRole('textbox', { name: 'Message' });
    expect(await message.locator('strong').textContent()).toBe('9 to 6');
    await message.fill('We are open _every day_ from 9 to 6.');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'detached' });
    // Replacing all the text does not carry the old bold over to the new words.
    const edited = await api.get<{ shortcut: string; content: string }[]>('/quick-replies');
    expect(edited.find((r) => r.shortcut === 'hours')?.content).toBe(
      'We are open _every day_ from 9 to 6.',
    );
    await page.getByRole('searchbox', { name: 'Search quick replies' }).fill('every day');
    await table.locator('.italic', { hasText: 'every day' }).waitFor();

    await page.getByRole('searchbox', { name: 'Search quick replies' }).fill('');
    await table.getByText('/bye').waitFor();
    await page.getByLabel('Select /hours').check();
    await page.getByLabel('Select /bye').check();
    expect(await page.getByTestId('selection-count').textContent()).toBe('2 selected');
    await page.getByRole('button', { name: 'Delete selected' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete 2 quick replies?' });
    await confirm.getByText('/bye, /hours will be deleted').waitFor();
    await h.screenshot('quick-replies-4-confirm');
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No quick replies yet.').waitFor();
    expect(await api.get<unknown[]>('/quick-replies')).toEqual([]);
  });
});

describe('read-only roles', () => {
  test('without the manage permissions both pages show, and nothing can be changed', async () => {
    const api = await h.apiAs(h.admin.email, h.admin.password);
    await api.post('/quick-replies', { shortcut: 'hello', content: 'Hello *there*' });
    const role = await api.post<{ id: string }>('/roles', {
      name: 'Viewer',
      permissions: ['flows.read', 'quick-replies.read'],
    });
    await api.post('/users', {
      email: 'viewer@example.com',
      name: 'Vera Viewer',
      password: 'viewer-password',
      roleId: role.id,
    });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await h.signIn('viewer@example.com', 'viewer-password');
    await page.getByTestId('signed-in-user').waitFor();

    await page.goto(`${h.base}/chatbot-settings`);
    await page.getByTestId('read-only-note').waitFor();
    const card = page.getByTestId('system-message-invalid');
    const editor = card.getByRole('textbox', { name: 'Invalid input message (en)' });
    await editor.waitFor();
    expect(await editor.getAttribute('contenteditable')).toBe('false');
    expect(await card.getByLabel('Action 1 label (EN)').isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Save', exact: true }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Add action' }).count()).toBe(0);
    await h.screenshot('settings-6-read-only');

    await page.getByRole('link', { name: 'Quick replies' }).click();
    await page.getByRole('table').getByText('/hello').waitFor();
    expect(await page.getByRole('button', { name: 'New quick reply' }).count()).toBe(0);
    expect(await page.getByRole('checkbox').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Edit /hello' }).count()).toBe(0);
    await h.screenshot('quick-replies-5-read-only');
  });
});

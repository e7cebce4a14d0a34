// @vitest-environment node
/**
 * The admin screens in Chromium against a real server: the dashboard's chart and recent
 * activity; a new tenant whose channels are all pending landing on Channels; channel
 * credentials checked (this server reaches no Meta, so a WhatsApp channel ends Invalid with the
 * reason the server gives; the simulator channel ends Good); copying the callback URL; users
 * and roles. Screenshots: test-results/channels-*.png, users-*.png, dashboard.png.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

let h: Harness;
let page: Page;
const owner = { email: 'owner@acme.example', password: 'acme owner password' };

beforeAll(async () => {
  h = await startHarness();
  page = h.page;
  await h.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.base });
}, 180_000);

afterEach(async (context) => {
  await h.recordFailure(context.task, 'failed-admin');
});

afterAll(async () => {
  await h?.close();
});

async function signOut() {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
}

describe('admin screens in Chromium', () => {
  test('dashboard: figures, messages per day and recent activity', async () => {
    const api = await h.apiAs(h.admin.email, h.admin.password);
    await api.post(`/simulator/${h.channelId}/messages`, {
      userId: 'e2e-dash',
      name: 'Dana',
      text: 'hello there',
    });
    // Wait for the bot's answer so both directions are counted.
    for (let i = 0; i < 100; i++) {
      const view = await api.get<{ messages: { direction: string }[] }>(
        `/simulator/${h.channelId}/messages?userId=e2e-dash`,
      );
      if (view.messages.some((m) => m.direction === 'out')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await h.signIn(h.admin.email, h.admin.password);
    await page.waitForURL(`${h.base}/dashboard`);
    const figures = page.getByRole('region', { name: 'Figures' });
    await figures.getByText('Messages in').waitFor();
    const chart = page.getByTestId('messages-chart');
    await chart.waitFor();
    // recharts drew one bar per direction for today (SVG paths with the bar class).
    await chart.locator('.recharts-bar-rectangle path').first().waitFor();
    expect(await chart.locator('.recharts-bar-rectangle').count()).toBeGreaterThanOrEqual(2);
    expect(await chart.locator('.recharts-cartesian-axis-tick').count()).toBeGreaterThanOrEqual(7);
    const recent = page.getByRole('region', { name: 'Recent activity' });
    await recent.getByText('hello there').waitFor();
    await recent.getByText('Dana').first().waitFor();
    await page.mouse.move(0, 0); // no chart tooltip in the picture
    await h.screenshot('dashboard');
    await recent.getByRole('link').filter({ hasText: 'hello there' }).click();
    await page.waitForURL(/\/inbox\/[^/]+$/);
    await signOut();
  });

  test('a new tenant whose channels are all pending lands on Channels', async () => {
    const api = await h.apiAs(h.admin.email, h.admin.password);
    const tenant = await api.post<{ id: string }>('/tenants', { name: 'Acme' });
    await api.post('/auth/tenant', { tenantId: tenant.id });
    await api.post('/users', {
      email: owner.email,
      name: 'Olivia Owner',
      password: owner.password,
      roleId: 'global-admin',
    });
    await api.post('/channels', { platform: 'whatsapp', name: 'Acme WhatsApp' });

    await h.signIn(owner.email, owner.password);
    await page.waitForURL(`${h.base}/channels`);
    await page.getByRole('heading', { name: 'Channels' }).waitFor();
    const card = page.getByRole('region', { name: 'Acme WhatsApp' });
    await card.getByText('Pending', { exact: true }).waitFor();
    await card.getByText('Unsubscribed', { exact: true }).waitFor();
    // A pending channel opens with its fields; secrets are "not set".
    await card.getByLabel('Phone number ID', { exact: true }).waitFor();
    expect(await card.getByText('not set', { exact: true }).count()).toBe(2);
    await h.screenshot('channels-pending');
  });

  test('credentials are checked: Invalid with the server reason; the simulator is Good; copy the callback URL', async () => {
    const card = page.getByRole('region', { name: 'Acme WhatsApp' });
    await card.getByLabel('Phone number ID', { exact: true }).fill('200000000000002');
    await card.getByLabel('WABA ID', { exact: true }).fill('100000000000001');
    await card.getByLabel('App ID', { exact: true }).fill('1000000000000001');
    await card.getByLabel('App secret', { exact: true }).fill('app-secret-value');
    await card.getByLabel('Access token', { exact: true }).fill('EAAG-test-token');
    await card.getByRole('button', { name: 'Validate & Update' }).click();
    // No Meta here: the Graph API call fails and the server says why.
    await card.getByText('Invalid', { exact: true }).waitFor({ timeout: 45_000 });
    const reason = card.getByRole('alert');
    await reason.waitFor();
    const detail = (await reason.textContent()) ?? '';
    expect(detail).toContain('Validation failed:');
    expect(detail.replace('Validation failed:', '').trim().length).toBeGreaterThan(5);
    // Secrets are write-only: the inputs are empty again and marked "set".
    expect(await card.getByLabel('Access token', { exact: true }).inputValue()).toBe('');
    expect(await card.getByText('set', { exact: true }).count()).toBe(2);
    expect(await card.getByRole('button', { name: 'Subscribe', exact: true }).count()).toBe(0);

    // The callback URL is copied to the clipboard.
    const callbackUrl = await card.getByLabel('Callback URL', { exact: true }).inputValue();
    expect(callbackUrl).toMatch(/\/webhooks\/whatsapp\/[^/]+$/);
    await card.getByRole('button', { name: 'Copy callback URL' }).click();
    await card.getByText('Copied', { exact: true }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(callbackUrl);
    expect(await card.getByLabel('Verify token', { exact: true }).inputValue()).toMatch(
      /^[\w-]{20,}$/,
    );
    await h.screenshot('channels-invalid');

    // Add a simulator channel: no credentials, so validating it makes it Good.
    await page.getByRole('button', { name: 'Add channel' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add channel' });
    await dialog.getByLabel('Platform', { exact: true }).selectOption('simulator');
    await dialog.getByLabel('Name', { exact: true }).fill('Acme web chat');
    await dialog.getByLabel('Name', { exact: true }).press('Enter');
    await dialog.waitFor({ state: 'detached' });
    const sim = page.getByRole('region', { name: 'Acme web chat' });
    await sim.getByText('Pending', { exact: true }).waitFor();
    await sim.getByRole('button', { name: 'Validate & Update' }).click();
    await sim.getByText('Good', { exact: true }).waitFor();
    await sim.getByText('Checked: this channel can send and receive.').waitFor();
    // The External API Token of the channel.
    await sim.getByRole('button', { name: 'Generate Token' }).click();
    await sim.getByRole('button', { name: 'Rotate Token' }).waitFor();
    expect(await sim.getByLabel('External API token', { exact: true }).inputValue()).toMatch(
      /^clt_/,
    );
    await h.screenshot('channels-good');
  });

  test('users and roles: add an Agent, a custom role with two permissions, deactivate', async () => {
    await page.getByRole('link', { name: 'Users & roles' }).click();
    await page.getByRole('heading', { name: 'Users & roles' }).waitFor();
    const users = page.getByRole('region', { name: 'Users' });
    await users.getByText('Olivia Owner').waitFor();

    await page.getByRole('button', { name: 'Add user' }).click();
    const add = page.getByRole('dialog', { name: 'Add user' });
    await add.getByLabel('Name', { exact: true }).fill('Alex Agent');
    await add.getByLabel('Email', { exact: true }).fill('alex@acme.example');
    await add.getByLabel('Password', { exact: true }).fill('short');
    await add.getByLabel('Role', { exact: true }).selectOption({ label: 'Agent' });
    await h.screenshot('users-add');
    await add.getByLabel('Password', { exact: true }).fill('alex agent password');
    await add.getByRole('button', { name: 'Add user' }).click();
    await add.waitFor({ state: 'detached' });
    const alex = users.getByRole('row').filter({ hasText: 'Alex Agent' });
    await alex.getByText('Agent', { exact: true }).waitFor();
    await alex.getByText('Active', { exact: true }).waitFor();

    // A custom role with two permissions, grouped by area.
    await page.getByRole('button', { name: 'Create role' }).click();
    const roleDialog = page.getByRole('dialog', { name: 'Create role' });
    await roleDialog.getByLabel('Role name', { exact: true }).fill('Supervisor');
    await roleDialog
      .getByRole('group', { name: 'Conversations' })
      .getByRole('checkbox', { name: 'View' })
      .click();
    await roleDialog
      .getByRole('group', { name: 'Dashboard' })
      .getByRole('checkbox', { name: 'View' })
      .click();
    await roleDialog.getByText('2 selected').waitFor();
    await h.screenshot('users-role-dialog');
    await roleDialog.getByRole('button', { name: 'Create role' }).click();
    await roleDialog.waitFor({ state: 'detached' });
    const supervisor = page.getByRole('listitem', { name: 'Role Supervisor' });
    await supervisor.getByText('2 permissions').click();
    await supervisor.getByText('Conversations').waitFor();
    // Built-in roles cannot be edited or deleted.
    const builtIn = page.getByRole('listitem', { name: 'Role Agent' });
    await builtIn.getByText('Built in, read-only').waitFor();
    expect(await builtIn.getByRole('button', { name: /Edit|Delete/ }).count()).toBe(0);

    // Deactivate Alex: confirmed, then marked and unable to sign in.
    await alex.getByRole('button', { name: 'Deactivate Alex Agent' }).click();
    const confirm = page.getByRole('dialog', { name: 'Deactivate Alex Agent?' });
    await confirm.getByRole('button', { name: 'Deactivate' }).click();
    await confirm.waitFor({ state: 'detached' });
    await alex.getByText('Deactivated', { exact: true }).waitFor();
    await alex.getByRole('button', { name: 'Reactivate Alex Agent' }).waitFor();
    const login = await fetch(`${h.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'alex@acme.example', password: 'alex agent password' }),
    });
    expect(login.status).toBe(401);
    expect(((await login.json()) as { message: string }).message).toMatch(/deactivated/);
    // Nobody deactivates themselves: no button on one's own row.
    const me = users.getByRole('row').filter({ hasText: 'Olivia Owner' });
    expect(await me.getByRole('button', { name: /Deactivate/ }).count()).toBe(0);
    await h.screenshot('users-roles');

    // Deleting the custom role asks first.
    await supervisor.getByRole('button', { name: 'Delete role Supervisor' }).click();
    await page
      .getByRole('dialog', { name: 'Delete role Supervisor?' })
      .getByRole('button', { name: 'Delete role' })
      .click();
    await supervisor.waitFor({ state: 'detached' });
  });

  test('a role without channels.manage sees the channels read-only', async () => {
    const api = await h.apiAs(owner.email, owner.password);
    await api.post('/users', {
      email: 'ann@acme.example',
      name: 'Ann Agent',
      password: 'ann agent password',
      roleId: 'agent',
    });
    await signOut();
    await h.signIn('ann@acme.example', 'ann agent password');
    // Agents have no dashboard; Channels is their first section.
    await page.waitForURL(`${h.base}/channels`);
    const card = page.getByRole('region', { name: 'Acme WhatsApp' });
    await card.getByText('Invalid', { exact: true }).waitFor();
    await card.getByText('Your role can see this channel but not change it.').waitFor();
    expect(await card.getByLabel('Phone number ID', { exact: true }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Add channel' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Validate & Update' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Generate Token' }).count()).toBe(0);
    await h.screenshot('channels-read-only');
  });
});

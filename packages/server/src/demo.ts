/**
 * First run of `chatloom start`: a demo tenant, an admin user (credentials printed once), the
 * example flow and a simulator channel, so the product works before any Meta setup.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FlowDefinition } from '@chatloom/flow-engine';
import { createUser } from './auth.js';
import type { ServerContext } from './context.js';
import { countAll } from './database.js';
import { simulatorCredentials } from './simulator.js';

export interface DemoSeed {
  tenantId: string;
  channelId: string;
  email: string;
  password: string;
  flowId: string;
}

/** A small flow for when the repository's example is not at hand. */
const fallbackFlow: FlowDefinition = {
  format: 'chatloom.flow/v1',
  id: 'welcome',
  version: 1,
  name: 'Welcome',
  languages: ['en'],
  defaultLanguage: 'en',
  triggers: [{ language: 'en', match: 'regex', keyword: '.' }],
  startStep: 'welcome',
  steps: [
    {
      id: 'welcome',
      message: {
        type: 'text',
        text: { en: 'Hi! This is Chatloom. Shall I hand you to a person?' },
      },
      options: {
        type: 'buttons',
        buttons: [
          { id: 'yes', label: { en: 'Yes please' }, action: { type: 'handoff' } },
          { id: 'no', label: { en: 'No thanks' }, action: { type: 'end' } },
        ],
      },
    },
  ],
};

function exampleFlow(): unknown {
  for (const candidate of ['examples/demo-flow.json', '../../examples/demo-flow.json']) {
    const path = resolve(candidate);
    if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8'));
  }
  return fallbackFlow;
}

/** Seeds the demo when the database has no users yet; returns what it made, or undefined. */
export async function seedDemo(context: ServerContext): Promise<DemoSeed | undefined> {
  const users = await context.db.selectFrom('users').select(countAll.as('n')).executeTakeFirst();
  if (Number(users?.n ?? 0) > 0) return undefined;
  const tenant = await context.chatloom.createTenant({ name: 'Demo' });
  const email = 'admin@example.com';
  const password = randomBytes(12).toString('base64url');
  await createUser(context, {
    email,
    name: 'Admin',
    password,
    tenantId: tenant.id,
    roleId: 'global-admin',
  });
  const definition = exampleFlow();
  await context.chatloom.saveFlow(tenant.id, definition, { publish: true });
  const channel = await context.chatloom.createChannel({
    tenantId: tenant.id,
    platform: 'simulator',
    name: 'Web simulator',
    credentials: simulatorCredentials(),
  });
  await context.chatloom.validateChannel(channel.id);
  return {
    tenantId: tenant.id,
    channelId: channel.id,
    email,
    password,
    flowId: String((definition as { id?: unknown }).id),
  };
}

/**
 * The `chatloom` CLI, run as a process from source: migrate, flow validate | test | chat, user
 * create. (`chatloom start` runs in e2e.test.ts and multiprocess.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, demoCredentials, startProcess } from './process.js';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const demo = fileURLToPath(new URL('../../../examples/demo-flow.json', import.meta.url));
const faultyExample = fileURLToPath(new URL('../../../examples/faulty-flow.json', import.meta.url));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'chatloom-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function chatloom(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  const result = spawnSync(
    process.execPath,
    ['--conditions=@chatloom/source', '--import', 'tsx', cli, ...args],
    {
      input: options.input ?? '',
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        DATABASE_URL: join(dir, 'cli.db'),
        CHATLOOM_DATA_DIR: dir,
        ...options.env,
      },
    },
  );
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('chatloom flow', () => {
  it('validate: the example flow is valid; a broken one names its error and exits 1', () => {
    const ok = chatloom(['flow', 'validate', demo]);
    expect(ok.out).toContain('valid');
    expect(ok.code).toBe(0);
    const broken = join(dir, 'broken.json');
    writeFileSync(
      broken,
      JSON.stringify({ ...JSON.parse(readFileSync(demo, 'utf8')), startStep: 'nowhere' }),
    );
    const bad = chatloom(['flow', 'validate', broken]);
    expect(bad.out).toContain('flow.start-step-missing');
    expect(bad.out).toContain('the start step "nowhere" does not exist');
    expect(bad.code).toBe(1);
  });

  it('test: a summary with coverage, exit 0; a flow that breaks on Messenger prints its transcript and exits 1', () => {
    const ok = chatloom(['flow', 'test', demo, '--runs', '200', '--seed', '3']);
    expect(ok.out).toContain('200 conversations (seed 3)');
    expect(ok.out).toContain('no problems');
    expect(ok.out).toContain('coverage:');
    expect(ok.code).toBe(0);
    const faulty = join(dir, 'faulty.json');
    const flow = JSON.parse(readFileSync(demo, 'utf8'));
    flow.steps[0].message.text.en = `Welcome! ${'x'.repeat(700)}`;
    writeFileSync(faulty, JSON.stringify(flow));
    const bad = chatloom([
      'flow',
      'test',
      faulty,
      '--runs',
      '100',
      '--seed',
      '3',
      '--channel',
      'messenger',
    ]);
    expect(bad.out).toContain('✗ channel-limits at step "welcome": on messenger');
    expect(bad.out).toContain('bot: Welcome!');
    expect(bad.code).toBe(1);
    // The faulty example (also run by the admin UI's "Test flow" in the browser tests): a trap.
    const trap = chatloom(['flow', 'test', faultyExample, '--seed', '3']);
    expect(trap.out).toContain('✗ no-trap at step "loop"');
    expect(trap.out).toContain('user taps: "Loop"');
    expect(trap.code).toBe(1);
  });

  it('chat: talks to a flow file, taps included, and its session timeout fires', () => {
    const { out, code } = chatloom(['flow', 'chat', demo, '--var', 'name=Ana'], {
      input: ['/tap 2', '/wait 20', '/quit'].join('\n'),
    });
    expect(code).toBe(0);
    expect(out).toContain("Hi Ana! Welcome to *Luigi's Pizza*. How can we help?");
    expect(out).toContain('What would you like to see?');
    expect(out).toContain('Are you still there? This chat closes for now.');
  });
});

describe('chatloom migrate and user create', () => {
  it('migrates, creates a user who can sign in with the printed password, and refuses bad input by name', async () => {
    const migrated = chatloom(['migrate']);
    expect(migrated.code).toBe(0);
    expect(chatloom(['migrate']).code).toBe(0); // again: nothing to do, no error

    const server = await startProcess({
      DATABASE_URL: join(dir, 'cli.db'),
      CHATLOOM_DATA_DIR: dir,
    });
    try {
      const admin = await apiClient(server.base, demoCredentials(server.output()));
      const me = await admin<{ tenantId: string }>('GET', '/auth/me');
      const tenantId = me.body.tenantId;
      const created = chatloom([
        'user',
        'create',
        '--email',
        'bea@example.com',
        '--name',
        'Bea',
        '--tenant',
        tenantId,
        '--role',
        'agent',
      ]);
      expect(created.code).toBe(0);
      const password = /password: (\S+)/.exec(created.out)?.[1];
      expect(password).toBeDefined();
      const bea = await apiClient(server.base, { email: 'bea@example.com', password: password! });
      expect((await bea<{ user: { email: string } }>('GET', '/auth/me')).body.user.email).toBe(
        'bea@example.com',
      );

      const missing = chatloom(['user', 'create', '--email', 'x@example.com', '--name', 'X']);
      expect(missing.code).not.toBe(0);
      expect(missing.err).toContain('--tenant');
      const unknownTenant = chatloom([
        'user',
        'create',
        '--email',
        'x@example.com',
        '--name',
        'X',
        '--tenant',
        'nope',
      ]);
      expect(unknownTenant.code).not.toBe(0);
      expect(`${unknownTenant.out}${unknownTenant.err}`).toMatch(/tenant/i);
    } finally {
      await server.stop();
    }
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = new URL('./cli.ts', import.meta.url).pathname;
const demo = new URL('../../../examples/demo-flow.json', import.meta.url).pathname;

function run(args: string[], input = '') {
  const result = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
    input,
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('chatloom-flow CLI', () => {
  it('validates the example flow', () => {
    const { code, out } = run(['validate', demo]);
    expect(out).toContain('valid (0 errors, 0 warnings)');
    expect(code).toBe(0);
  });

  it('lists the diagnostics of a broken flow and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chatloom-cli-'));
    const file = join(dir, 'broken.json');
    writeFileSync(
      file,
      JSON.stringify({
        format: 'chatloom.flow/v1',
        id: 'x',
        version: 1,
        name: 'X',
        languages: ['en'],
        defaultLanguage: 'en',
        startStep: 'nope',
        steps: [
          {
            id: 'a',
            message: { type: 'text', text: { en: 'Hi' } },
            options: { type: 'none', next: { type: 'end' } },
          },
        ],
      }),
    );
    const { code, out } = run(['validate', file]);
    expect(out).toContain('error flow.start-step-missing at /startStep');
    expect(out).toContain('invalid (1 errors, 0 warnings)');
    expect(code).toBe(1);
    writeFileSync(file, '{ not json');
    const bad = run(['validate', file]);
    expect(bad.err).toContain('is not valid JSON');
    expect(bad.code).toBe(1);
  });

  it('property-tests a flow: a summary and coverage, exit 0; a faulty flow prints its transcript and exits 1', () => {
    const ok = run(['test', demo, '--runs', '300', '--seed', '5']);
    expect(ok.out).toContain('checkFlow "pizza-support": 300 conversations (seed 5)');
    expect(ok.out).toContain('no problems');
    expect(ok.out).toContain('coverage: 8/8 steps reached');
    expect(ok.err).toContain('checked 300/300 conversations');
    expect(ok.code).toBe(0);

    const dir = mkdtempSync(join(tmpdir(), 'chatloom-cli-'));
    const file = join(dir, 'messenger-only-problem.json');
    const flow = JSON.parse(readFileSync(demo, 'utf8'));
    flow.steps.find((s: { id: string }) => s.id === 'welcome').message.text.en =
      `Welcome! ${'x'.repeat(700)}`;
    writeFileSync(file, JSON.stringify(flow));
    const faulty = run(['test', file, '--runs', '200', '--seed', '5', '--channel', 'messenger']);
    expect(faulty.out).toContain(
      '✗ channel-limits at step "welcome": on messenger, the text above the buttons has 709 characters; messenger allows 640',
    );
    expect(faulty.out).toContain('replay: checkFlow(flow, { seed: 5, path:');
    expect(faulty.code).toBe(1);
    expect(run(['test', file, '--channel', 'telegram']).err).toContain(
      'Unknown channel "telegram"',
    );
  });

  it('chats with a flow: buttons by tap, typed labels, retries, letters, timeouts and the end', () => {
    const script = ['/tap 1', '12', '4242', 'b', '/quit'].join('\n');
    const { code, out } = run(['chat', demo, '--var', 'name=Ana'], script);
    expect(code).toBe(0);
    expect(out).toContain("bot: Hi Ana! Welcome to *Luigi's Pizza*. How can we help?");
    expect(out).toContain('[1] Track my order');
    expect(out).toContain('bot: An order number has 4 to 8 digits');
    expect(out).toContain('-- orderNumber = "4242"');
    expect(out).toContain('C. Main menu');
    expect(out).toContain('-- handed off to a person');
    expect(out).toContain('-- session ended (handoff)');

    const waited = run(['chat', demo, '--language', 'es'], ['/wait 16', '/quit'].join('\n'));
    expect(waited.out).toContain('bot: ¿Sigues ahí? Cerramos esta conversación por ahora.');
  });
});

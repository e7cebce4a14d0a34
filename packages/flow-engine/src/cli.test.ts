import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
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

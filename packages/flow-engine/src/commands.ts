/**
 * The flow-file commands, shared by `chatloom-flow` (this package) and `chatloom flow` (the
 * server's CLI): validate, property-test, and chat in the terminal. Node only; they read files
 * and write to stdout/stderr, and return an exit code.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ChannelName } from './channels.js';
import { checkFlow } from './check.js';
import { compileFlow } from './compile.js';
import { advance, start } from './engine.js';
import type { FlowDefinition } from './schema.js';
import { describeMessage } from './transcript.js';
import type { AdvanceResult, Choice, FlowInput, FlowOutput } from './types.js';
import { type Diagnostic, FlowValidationError, validateFlow } from './validate.js';

/** Reads a JSON file, with errors that name the file. */
export function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

function printDiagnostics(file: string, diagnostics: Diagnostic[]) {
  for (const d of diagnostics)
    console.log(`${file}: ${d.severity} ${d.code} at ${d.path}\n  ${d.message}`);
}

/** Prints the diagnostics of a flow file; 1 when it has errors. */
export function validateCommand(file: string): number {
  const result = validateFlow(readJson(file));
  printDiagnostics(file, result.diagnostics);
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = result.diagnostics.length - errors;
  console.log(
    `${file}: ${result.valid ? 'valid' : 'invalid'} (${errors} errors, ${warnings} warnings)`,
  );
  return result.valid ? 0 : 1;
}

export const channelNames: readonly ChannelName[] = ['whatsapp', 'messenger', 'instagram'];

/** Runs `checkFlow` on a flow file and prints its report; 1 on a failure, 2 on bad options. */
export function testCommand(
  file: string,
  runs: number,
  seed: number | undefined,
  channels: string[],
): number {
  const unknown = channels.filter((c) => !channelNames.includes(c as ChannelName));
  if (unknown.length > 0) {
    console.error(
      `Unknown channel ${unknown.map((c) => `"${c}"`).join(', ')}; use ${channelNames.join(', ')}`,
    );
    return 2;
  }
  if (!Number.isInteger(runs) || runs < 1) {
    console.error('--runs takes a whole number, at least 1');
    return 2;
  }
  const interactive = process.stderr.isTTY === true;
  let shown = 0;
  const report = checkFlow(readJson(file) as FlowDefinition, {
    runs,
    ...(seed !== undefined && { seed }),
    ...(channels.length > 0 && { channels: channels as ChannelName[] }),
    // A progress line on a terminal; a line per quarter otherwise (CI logs).
    onProgress: (checked, total) => {
      if (interactive) process.stderr.write(`\rchecking conversations: ${checked}/${total}`);
      else if (checked >= ((shown + 1) * total) / 4) {
        shown++;
        process.stderr.write(`checked ${checked}/${total} conversations\n`);
      }
    },
  });
  if (interactive) process.stderr.write('\n');
  console.log(report.toString());
  return report.ok ? 0 : 1;
}

/** Talks to a flow file on stdin/stdout until `/quit`, the end of input or the session's end. */
export function chatCommand(
  file: string,
  language: string | undefined,
  vars: Record<string, string>,
): Promise<number> {
  let flow: ReturnType<typeof compileFlow>;
  try {
    flow = compileFlow(readJson(file));
  } catch (error) {
    if (error instanceof FlowValidationError) {
      printDiagnostics(file, error.diagnostics);
      return Promise.resolve(1);
    }
    throw error;
  }
  // A clock that real time moves and /wait pushes forward.
  let offset = 0;
  const now = () => Date.now() + offset;
  let choices: Choice[] = [];
  let pendingTimer: NodeJS.Timeout | undefined;

  const show = (outputs: FlowOutput[]) => {
    for (const output of outputs) {
      if (output.type === 'send') {
        const described = describeMessage(output.message);
        if (described.choices.length > 0) choices = described.choices;
        console.log(`bot: ${described.text.replace(/\n/g, '\n     ')}`);
      } else if (output.type === 'handoff') console.log('-- handed off to a person');
      else if (output.type === 'start-flow') console.log(`-- starts flow "${output.flowId}"`);
      else if (output.type === 'end') console.log(`-- session ended (${output.reason})`);
      else if (output.type === 'set-variable')
        console.log(`-- ${output.name} = ${JSON.stringify(output.value)}`);
    }
  };

  let state: AdvanceResult = start(flow, { now: now(), ...(language && { language }), vars });
  show(state.outputs);

  const apply = (input: FlowInput) => {
    state = advance(flow, state.snapshot, input, now());
    show(state.outputs);
    armTimer();
  };
  // The session timeout runs on real time too (a person may just wait).
  const armTimer = () => {
    clearTimeout(pendingTimer);
    const timer = state.snapshot.context.timer;
    if (!timer || state.snapshot.state === 'ended') return;
    pendingTimer = setTimeout(
      () => apply({ type: 'timer', timerId: timer.id }),
      Math.max(0, timer.at - now()),
    );
    pendingTimer.unref();
  };
  armTimer();

  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin, terminal: false });
    const finish = () => {
      clearTimeout(pendingTimer);
      lines.close();
      resolve(0);
    };
    lines.on('line', (line) => {
      const [command, argument] = line.trim().split(/\s+/, 2);
      if (command === '/quit') return finish();
      if (command === '/state') {
        console.log(JSON.stringify(state.snapshot, null, 2));
      } else if (command === '/tap') {
        const choice = choices[Number(argument) - 1];
        if (choice) apply({ type: 'choice', id: choice.id });
        else console.log(`-- no choice ${argument}; there are ${choices.length}`);
      } else if (command === '/wait') {
        offset += Number(argument) * 60_000;
        const timer = state.snapshot.context.timer;
        if (timer && timer.at <= now()) apply({ type: 'timer', timerId: timer.id });
        else console.log(`-- ${argument} minutes later`);
      } else if (command === '/lang' && argument) {
        apply({ type: 'language', language: argument });
      } else {
        console.log(`you: ${line}`);
        apply({ type: 'text', text: line });
      }
      if (state.snapshot.state === 'ended') finish();
    });
    lines.on('close', () => resolve(0));
  });
}

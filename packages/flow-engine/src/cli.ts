#!/usr/bin/env node
/**
 * `chatloom-flow`: validate a flow file, or talk to it in the terminal.
 *
 *   chatloom-flow validate <file>            diagnostics; exit code 1 on errors
 *   chatloom-flow test <file> [--runs N] [--seed S] [--channel whatsapp|messenger|instagram]...
 *                                            property-tests the flow (checkFlow); exit code 1 on a failure
 *   chatloom-flow chat <file> [--language es] [--var name=Ana]
 *
 * In a chat, type as the user would. Commands: /tap N (tap the N-th button or row),
 * /wait MINUTES (move the clock; due timers fire), /lang CODE, /state, /quit.
 * With commands.ts, the package's only I/O; the engine itself stays pure.
 */
import { parseArgs } from 'node:util';
import { chatCommand, testCommand, validateCommand } from './commands.js';

const usage = `Usage:
  chatloom-flow validate <file>
  chatloom-flow test <file> [--runs N] [--seed S] [--channel whatsapp|messenger|instagram]...
  chatloom-flow chat <file> [--language CODE] [--var NAME=VALUE]...`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      language: { type: 'string' },
      var: { type: 'string', multiple: true },
      runs: { type: 'string' },
      seed: { type: 'string' },
      channel: { type: 'string', multiple: true },
      help: { type: 'boolean' },
    },
  });
  const [command, file] = positionals;
  if (values.help || !command || !file) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  if (command === 'validate') return validateCommand(file);
  if (command === 'test') {
    return testCommand(
      file,
      Number(values.runs ?? 1000),
      values.seed === undefined ? undefined : Number(values.seed),
      values.channel ?? [],
    );
  }
  if (command === 'chat') {
    const vars = Object.fromEntries(
      (values.var ?? []).map((v) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)]),
    );
    return chatCommand(file, values.language, vars);
  }
  console.log(`Unknown command "${command}".\n${usage}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  },
);

/**
 * Flow engine throughput on one core: a 50-step flow driven by random (seeded) inputs.
 * Prints steps/second for `advance` with snapshots kept in memory and with a JSON round
 * trip per step (what a store does), next to XState's own pure `transition` on the same
 * machine, and the compile time of the flow.
 *
 *   pnpm bench            (all benchmarks)
 *   pnpm build && node --import tsx bench/flow-engine.ts
 */
import {
  advance,
  type CompiledFlow,
  compileFlow,
  type FlowDefinition,
  type FlowInput,
  type SessionSnapshot,
  type Step,
  start,
  validateFlow,
} from '@chatloom/flow-engine';
import { transition } from 'xstate';

const STEPS = 50;
const DURATION_MS = Number(process.env.BENCH_MS ?? 2000);

/** A small seeded PRNG (mulberry32), so every run feeds the same inputs. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function benchFlow(id: string): FlowDefinition {
  const goto = (i: number) => ({ type: 'goto' as const, step: `s${i % STEPS}` });
  const steps: Step[] = Array.from({ length: STEPS }, (_, i): Step => {
    const text = { en: `Step ${i}: what next, {{name}}?`, es: `Paso ${i}: ¿y ahora, {{name}}?` };
    const label = (n: number) => ({ en: `Option ${n}`, es: `Opción ${n}` });
    switch (i % 4) {
      case 0:
        return {
          id: `s${i}`,
          message: { type: 'text', text },
          options: {
            type: 'buttons',
            buttons: [1, 2, 3].map((n) => ({ id: `b${n}`, label: label(n), action: goto(i + n) })),
          },
        };
      case 1:
        return {
          id: `s${i}`,
          message: { type: 'text', text },
          options: {
            type: 'list',
            buttonLabel: { en: 'Choose', es: 'Elige' },
            rows: Array.from({ length: 8 }, (_, n) => ({
              id: `r${n}`,
              title: label(n),
              action: goto(i + n + 1),
            })),
          },
        };
      case 2:
        return {
          id: `s${i}`,
          message: { type: 'text', text },
          options: {
            type: 'navigation',
            groups: [
              {
                options: Array.from({ length: 5 }, (_, n) => ({
                  id: `n${n}`,
                  label: label(n),
                  action: goto(i + n + 1),
                })),
              },
            ],
          },
        };
      default:
        return {
          id: `s${i}`,
          message: { type: 'text', text },
          options: { type: 'none', saveAs: 'answer', next: goto(i + 1) },
        };
    }
  });
  return {
    format: 'chatloom.flow/v1',
    id,
    version: 1,
    name: 'Benchmark flow',
    languages: ['en', 'es'],
    defaultLanguage: 'en',
    startStep: 's0',
    steps,
    systemMessages: {
      invalid: {
        text: { en: 'Sorry?', es: '¿Perdón?' },
        actions: [{ label: { en: 'Start', es: 'Inicio' }, action: { type: 'start' } }],
      },
      sessionTimeout: { minutes: 30, text: { en: 'Bye', es: 'Adiós' } },
    },
  };
}

/** A random input that fits the session's current step most of the time. */
function inputFor(flow: CompiledFlow, snapshot: SessionSnapshot, random: () => number): FlowInput {
  const step = flow.steps.get(snapshot.context.stepId)!.step;
  const r = random();
  const o = step.options;
  if (r < 0.1) return { type: 'text', text: 'something else entirely' };
  if (o.type === 'none') return { type: 'text', text: `answer ${Math.floor(r * 1000)}` };
  if (o.type === 'navigation')
    return { type: 'text', text: String.fromCharCode(97 + Math.floor(random() * 5)) };
  if (o.type === 'buttons') {
    const pick = o.buttons[Math.floor(random() * o.buttons.length)]!;
    return r < 0.5
      ? { type: 'choice', id: `${step.id}:${pick.id}` }
      : { type: 'text', text: pick.label.en!.toUpperCase() };
  }
  if (o.type === 'list') {
    const pick = o.rows[Math.floor(random() * o.rows.length)]!;
    return { type: 'choice', id: `${step.id}:${pick.id}` };
  }
  return { type: 'text', text: '?' };
}

function measure(name: string, run: (iterations: number) => void): number {
  run(5000); // warm up
  let iterations = 0;
  const started = performance.now();
  while (performance.now() - started < DURATION_MS) {
    run(1000);
    iterations += 1000;
  }
  const perSecond = iterations / ((performance.now() - started) / 1000);
  console.log(
    `  ${name.padEnd(58)} ${Math.round(perSecond).toLocaleString('en-US').padStart(10)} steps/s  ${(1e6 / perSecond).toFixed(2).padStart(6)} µs/step`,
  );
  return perSecond;
}

const definition = benchFlow('bench');
const flow = compileFlow(definition);
console.log(
  `flow engine: ${STEPS}-step flow, random inputs (10% invalid), one core, ${DURATION_MS} ms per figure`,
);

// Snapshots kept in memory (an embedder that holds sessions, or checkFlow).
{
  const random = prng(1);
  let now = 1_700_000_000_000;
  let state = start(flow, { now, vars: { name: 'Ana' } });
  measure('advance, snapshot kept in memory', (n) => {
    for (let i = 0; i < n; i++) {
      now += 1000;
      state = advance(flow, state.snapshot, inputFor(flow, state.snapshot, random), now);
      if (state.snapshot.state === 'ended') state = start(flow, { now, vars: { name: 'Ana' } });
    }
  });
}

// A JSON round trip per step: what a store does (serialise, save, load, parse).
{
  const random = prng(1);
  let now = 1_700_000_000_000;
  let stored = JSON.stringify(start(flow, { now, vars: { name: 'Ana' } }).snapshot);
  measure('advance, snapshot through JSON each step (as stored)', (n) => {
    for (let i = 0; i < n; i++) {
      now += 1000;
      const snapshot = JSON.parse(stored) as SessionSnapshot;
      let result = advance(flow, snapshot, inputFor(flow, snapshot, random), now);
      if (result.snapshot.state === 'ended') result = start(flow, { now, vars: { name: 'Ana' } });
      stored = JSON.stringify(result.snapshot);
    }
  });
}

// XState alone on the same machine, fed valid events directly: the ceiling the engine builds on.
{
  const machine = flow.machine;
  const random = prng(1);
  const eventFor = (value: string, seq: number) => {
    const table = flow.steps.get(value.slice(5));
    const ids = table ? [...table.optionIds] : [];
    const now = 1_700_000_000_000 + seq * 1000;
    return ids.length > 0
      ? { type: `option:${ids[Math.floor(random() * ids.length)]}`, now, seq }
      : { type: 'text', text: 'answer', now, seq };
  };
  const initial = () =>
    machine.resolveState({ value: 'step:s0', context: start(flow, { now: 0 }).snapshot.context });
  let snapshot = initial();
  let seq = 1;
  measure('xstate machine.transition alone, reused actor scope', (n) => {
    for (let i = 0; i < n; i++) {
      flow.collected.length = 0;
      snapshot = machine.transition(snapshot, eventFor(String(snapshot.value), ++seq), flow.scope);
    }
  });
  snapshot = initial();
  measure("xstate's public transition() (builds an actor scope per call)", (n) => {
    for (let i = 0; i < n; i++) {
      snapshot = transition(machine, snapshot, eventFor(String(snapshot.value), ++seq) as never)[0];
    }
  });
}

// Compile time: validation plus building the machine, cache bypassed with fresh ids.
{
  let i = 0;
  const rounds = 200;
  const validateStarted = performance.now();
  for (let r = 0; r < rounds; r++) validateFlow(definition);
  const validateMs = (performance.now() - validateStarted) / rounds;
  const started = performance.now();
  for (let r = 0; r < rounds; r++) compileFlow({ ...definition, id: `bench-compile-${i++}` });
  const compileMs = (performance.now() - started) / rounds;
  console.log(`  ${'validateFlow (50 steps)'.padEnd(58)} ${validateMs.toFixed(2).padStart(10)} ms`);
  console.log(
    `  ${'compileFlow (50 steps, validation included, uncached)'.padEnd(58)} ${compileMs.toFixed(2).padStart(10)} ms`,
  );
}

// checkFlow: conversations generated, played and checked per second on the example flow.
{
  const { readFileSync } = await import('node:fs');
  const { checkFlow } = await import('@chatloom/flow-engine/testing');
  const demo = JSON.parse(
    readFileSync(new URL('../examples/demo-flow.json', import.meta.url), 'utf8'),
  ) as FlowDefinition;
  const runs = 10_000;
  const report = checkFlow(demo, { runs, seed: 1 });
  const perSecond = runs / (report.durationMs / 1000);
  console.log(
    `  ${'checkFlow, example flow, 3 channels, up to 25 turns each'.padEnd(58)} ${Math.round(perSecond).toLocaleString('en-US').padStart(10)} conversations/s (${runs.toLocaleString('en-US')} in ${(report.durationMs / 1000).toFixed(1)} s, ${report.ok ? 'passed' : 'FAILED'})`,
  );
}

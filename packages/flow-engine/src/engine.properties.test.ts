import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelProfiles, preferredRendering, renderingProblems } from './channels.js';
import { type CompiledFlow, compileFlow } from './compile.js';
import { advance } from './engine.js';
import type { FlowDefinition } from './schema.js';
import { conversationArbitrary, flowArbitrary, playConversation, type Trace } from './testing.js';
import type { SessionSnapshot } from './types.js';

const whatsapp = channelProfiles.whatsapp;
// Every generated flow has the id "generated" and version 1: the compile cache must tell them apart.
const compile = (def: FlowDefinition): CompiledFlow => compileFlow(def);

const declaredStates = (flow: CompiledFlow) =>
  new Set<string>([
    ...flow.definition.steps.map((s) => `step:${s.id}`),
    'timed-out',
    'closing',
    'ended',
  ]);

const everyTurn = (trace: Trace) => [
  { after: trace.start.snapshot, outputs: trace.start.outputs },
  ...trace.turns,
];

// A long variable pushes interpolated texts past their limits unless the engine holds them.
const cases = fc.tuple(
  flowArbitrary(),
  conversationArbitrary(40),
  fc.constantFrom('Ana', 'N'.repeat(5000)),
);
const runs = { numRuns: 400 };

describe('engine properties over generated flows and conversations', () => {
  it('never throws and never leaves a declared state', () => {
    fc.assert(
      fc.property(cases, ([def, commands, name]) => {
        const flow = compile(def);
        const states = declaredStates(flow);
        const trace = playConversation(flow, commands, { vars: { name } });
        for (const turn of everyTurn(trace)) expect(states).toContain(turn.after.state);
      }),
      runs,
    );
  });

  it('never emits a message over a WhatsApp limit', () => {
    fc.assert(
      fc.property(cases, ([def, commands, name]) => {
        const trace = playConversation(compile(def), commands, { vars: { name } });
        for (const turn of everyTurn(trace)) {
          for (const output of turn.outputs) {
            if (output.type === 'send')
              expect(
                renderingProblems(preferredRendering(output.message, whatsapp), whatsapp),
              ).toEqual([]);
          }
        }
      }),
      runs,
    );
  });

  it('keeps at most one armed timeout, and the outputs agree with the snapshot', () => {
    fc.assert(
      fc.property(cases, ([def, commands, name]) => {
        const trace = playConversation(compile(def), commands, { vars: { name } });
        const armed = new Set<string>();
        for (const turn of everyTurn(trace)) {
          for (const output of turn.outputs) {
            if (output.type === 'schedule-timer') armed.add(output.timerId);
            if (output.type === 'cancel-timer') {
              expect(armed).toContain(output.timerId);
              armed.delete(output.timerId);
            }
          }
          // A timer that fired is no longer armed.
          const timer = turn.after.context.timer;
          for (const id of armed) if (id !== timer?.id) armed.delete(id);
          expect(armed.size).toBeLessThanOrEqual(1);
          expect([...armed]).toEqual(timer ? [timer.id] : []);
        }
      }),
      runs,
    );
  });

  it('replays identically from a JSON round trip of the snapshot', () => {
    fc.assert(
      fc.property(cases, ([def, commands, name]) => {
        const flow = compile(def);
        const trace = playConversation(flow, commands, { vars: { name } });
        for (const turn of trace.turns) {
          if (!turn.input) continue;
          const copy = JSON.parse(JSON.stringify(turn.before)) as SessionSnapshot;
          expect(advance(flow, copy, turn.input, turn.now)).toEqual({
            snapshot: turn.after,
            outputs: turn.outputs,
          });
        }
      }),
      runs,
    );
  });

  it('sends nothing after the session ended, and ends with exactly one end output', () => {
    fc.assert(
      fc.property(cases, ([def, commands, name]) => {
        const trace = playConversation(compile(def), commands, { vars: { name } });
        let ended = false;
        for (const turn of everyTurn(trace)) {
          if (ended) expect(turn.outputs).toEqual([]);
          const ends = turn.outputs.filter((o) => o.type === 'end');
          expect(ends.length).toBeLessThanOrEqual(1);
          if (ends.length === 1) {
            expect(turn.outputs[turn.outputs.length - 1]).toEqual(ends[0]);
            expect(turn.after.state).toBe('ended');
            ended = true;
          }
          expect(turn.after.state === 'ended').toBe(ended);
        }
      }),
      runs,
    );
  });

  it('starts another flow only as the last thing before a switched end', () => {
    fc.assert(
      fc.property(cases, ([def, commands, name]) => {
        const trace = playConversation(compile(def), commands, { vars: { name } });
        for (const turn of everyTurn(trace)) {
          const at = turn.outputs.findIndex((o) => o.type === 'start-flow');
          if (at === -1) continue;
          expect(turn.outputs[at]).toEqual({ type: 'start-flow', flowId: 'booking' });
          expect(turn.outputs.slice(at + 1)).toEqual([{ type: 'end', reason: 'switched' }]);
        }
      }),
      runs,
    );
  });

  it('answers every accepted user input with at least one output until the end', () => {
    fc.assert(
      fc.property(cases, ([def, commands, name]) => {
        const trace = playConversation(compile(def), commands, { vars: { name } });
        for (const turn of trace.turns) {
          if (turn.before.state === 'ended' || !turn.input || turn.after === turn.before) continue;
          if (turn.input.type === 'text' || turn.input.type === 'choice')
            expect(turn.outputs.length).toBeGreaterThan(0);
        }
      }),
      runs,
    );
  });
});

/**
 * What the engine takes in and gives out: channel-neutral messages, inputs, outputs and the
 * session snapshot. All plain JSON.
 */

/** A choice as channels show it: a reply button, a list row or a keyed line of text. */
export interface Choice {
  /** Sent back by the channel when the user picks it (button or row id). */
  id: string;
  title: string;
  description?: string;
}

/**
 * A message in no channel's format. Adapters render each kind as well as their channel can
 * (a list becomes quick replies on Messenger, lettered text where nothing else fits).
 */
export type ChannelMessage =
  | { kind: 'text'; text: string }
  | {
      kind: 'media';
      media: 'image' | 'video' | 'document' | 'audio';
      url: string;
      caption?: string;
      filename?: string;
    }
  | { kind: 'template'; name: string; language: string; parameters: string[] }
  | { kind: 'buttons'; text: string; buttons: Choice[] }
  | {
      kind: 'list';
      text: string;
      buttonLabel: string;
      sections: { title?: string; rows: Choice[] }[];
    }
  /** Choices the user answers by typing a key (navigation letters A, B, C…). */
  | {
      kind: 'options';
      text: string;
      groups: { title?: string; options: (Choice & { key: string })[] }[];
    };

/** What the user (or the clock) did. */
export type FlowInput =
  /** Typed text. */
  | { type: 'text'; text: string }
  /** A button or list reply, carrying the choice id the engine sent. */
  | { type: 'choice'; id: string }
  /** A timer the engine scheduled has come due. */
  | { type: 'timer'; timerId: string }
  /** The user switched language; the current step is sent again in it. */
  | { type: 'language'; language: string };

/** Why a message was sent, for transcripts and analytics. */
export type SendPurpose = 'step' | 'retry' | 'invalid' | 'timeout' | 'thank-you';

/** Effects for the caller to carry out, in order. */
export type FlowOutput =
  | { type: 'send'; message: ChannelMessage; purpose: SendPurpose; stepId?: string }
  /** Arm a timer: call `advance` with `{ type: 'timer', timerId }` at `at` (epoch ms). */
  | { type: 'schedule-timer'; timerId: string; at: number; purpose: 'session-timeout' }
  | { type: 'cancel-timer'; timerId: string }
  | { type: 'set-variable'; name: string; value: string }
  /** Pass the conversation to a person. The session has ended. */
  | { type: 'handoff' }
  /**
   * Start flow `flowId` (another flow of the tenant) for this conversation. This session has
   * ended (reason `switched`); the host starts that flow, and checks that it exists.
   */
  | { type: 'start-flow'; flowId: string }
  /** The session is over; drop it. */
  | { type: 'end'; reason: EndReason };

/** `switched`: an option started another flow (see the `start-flow` output). */
export type EndReason = 'completed' | 'timeout' | 'handoff' | 'switched';

export const sessionFormat = 'chatloom.session/v1';

/** Where a session is. */
export type SessionPhase =
  /** At a step, waiting for the user. */
  | 'step'
  /** The session timed out; only the timeout message's actions are accepted. */
  | 'timed-out'
  /** The flow ended; only the thank-you message's actions are accepted. */
  | 'closing'
  | 'ended';

/** The engine's per-session data, carried in the snapshot. */
export interface SessionContext {
  /** The step the session is at, or was at last (when timed out or closing). */
  stepId: string;
  language: string;
  vars: Record<string, string>;
  /** The armed session timeout, if any. */
  timer: { id: string; at: number } | null;
  /** The invalid message was just shown at this step, so its action keys are live. */
  invalidShown: boolean;
  /** Counts accepted inputs; timer ids derive from it. */
  seq: number;
  endReason?: EndReason;
}

/** A session, as plain JSON. Store it; hand it back to `advance`. */
export interface SessionSnapshot {
  format: typeof sessionFormat;
  flowId: string;
  flowVersion: number;
  /** The machine state: `step:<id>`, or the phase for the others. */
  state: `step:${string}` | Exclude<SessionPhase, 'step'>;
  context: SessionContext;
}

export interface AdvanceResult {
  snapshot: SessionSnapshot;
  outputs: FlowOutput[];
}

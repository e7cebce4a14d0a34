/** What the page and the flow-test worker say to each other (plain, cloneable data). */
import type { ChannelName, FlowDefinition } from '@chatloom/flow-engine';
import type { FlowCheckReport } from '@chatloom/flow-engine/testing';

export interface FlowTestOptions {
  runs: number;
  seed: number;
  channels: ChannelName[];
}

export interface FlowTestRequest {
  definition: FlowDefinition;
  options: FlowTestOptions;
}

/** A report without its methods (they do not cross to the page). */
export type FlowTestReport = Omit<FlowCheckReport, 'toString' | 'assert'>;

export type FlowTestReply =
  | { type: 'progress'; checked: number; total: number }
  | { type: 'done'; report: FlowTestReport }
  | { type: 'error'; message: string };

/**
 * The flow as a graph (React Flow): a node per step, the start step marked, an edge per
 * "go to step" action labelled with the option that takes it. Steps are laid out top-down in
 * levels by their distance from the start step (unreached steps last), which suits the tall,
 * narrow pane the graph shares with the list. Clicking a node shows the step.
 */
import type { FlowDefinition, Step } from '@chatloom/flow-engine';
import {
  Background,
  Controls,
  type Edge,
  Handle,
  MarkerType,
  type Node,
  type NodeProps,
  Position,
  ReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import { allChoices, labelOf, plainText } from './flow-editor-draft.js';

export interface StepNodeData extends Record<string, unknown> {
  index: number;
  id: string;
  isStart: boolean;
  preview: string;
  /** Where the step's options leave the flow: "End", "Hand off". */
  exits: string[];
  errors: number;
  onSelect: (index: number) => void;
}

type StepNode = Node<StepNodeData, 'step'>;

const levelHeight = 150;
const nodeSpacing = 250;

/** Each step's level: its distance (in "go to" hops) from the start step. */
export function stepLevels(flow: FlowDefinition): number[] {
  const indexOf = new Map<string, number>();
  flow.steps.forEach((s, i) => {
    if (!indexOf.has(s.id)) indexOf.set(s.id, i);
  });
  const column = flow.steps.map(() => -1);
  const start = indexOf.get(flow.startStep);
  if (start !== undefined) {
    column[start] = 0;
    const queue = [start];
    while (queue.length > 0) {
      const i = queue.shift() as number;
      for (const target of targets(flow.steps[i] as Step)) {
        const j = indexOf.get(target);
        if (j !== undefined && column[j] === -1) {
          column[j] = (column[i] ?? 0) + 1;
          queue.push(j);
        }
      }
    }
  }
  const last = Math.max(0, ...column) + 1;
  return column.map((c) => (c === -1 ? last : c));
}

/** The steps a step's "go to" actions lead to, with the option that leads there. */
function links(step: Step, language: string, fallback: string): { to: string; label: string }[] {
  const o = step.options;
  if (o.type === 'none')
    return o.next.type === 'goto' ? [{ to: o.next.step, label: 'any answer' }] : [];
  return allChoices(o).flatMap((c) =>
    c.action.type === 'goto'
      ? [{ to: c.action.step, label: labelOf(c)[language] || labelOf(c)[fallback] || c.id }]
      : [],
  );
}

const targets = (step: Step) => links(step, '', '').map((l) => l.to);

const exitNames = { end: 'End', handoff: 'Hand off', start: 'Restart' } as const;

function exits(step: Step, flowId: string): string[] {
  const o = step.options;
  const actions = o.type === 'none' ? [o.next] : allChoices(o).map((c) => c.action);
  const names = new Set<string>();
  for (const a of actions) {
    if (a.type === 'goto') continue;
    // A start naming this flow itself is a restart.
    names.add(
      a.type === 'start' && a.flow !== undefined && a.flow !== flowId
        ? `Start ${a.flow}`
        : exitNames[a.type],
    );
  }
  return [...names];
}

/** The graph's nodes (laid out) and edges for a flow, texts in `language`. */
export function flowElements(
  definition: FlowDefinition,
  language: string,
  errorsByStep: readonly number[],
  onSelect: (index: number) => void,
): { nodes: StepNode[]; edges: Edge[] } {
  const levels = stepLevels(definition);
  const widths = new Map<number, number>();
  for (const level of levels) widths.set(level, (widths.get(level) ?? 0) + 1);
  const placed = new Map<number, number>();
  const nodes: StepNode[] = definition.steps.map((step, index) => {
    const level = levels[index] ?? 0;
    const n = placed.get(level) ?? 0;
    placed.set(level, n + 1);
    // Each level centred under the start step.
    const x = (n - ((widths.get(level) ?? 1) - 1) / 2) * nodeSpacing;
    const m = step.message;
    const preview =
      m.type === 'text'
        ? m.text[language] || m.text[definition.defaultLanguage] || ''
        : `(${m.type} message)`;
    return {
      id: `s${index}`,
      type: 'step',
      position: { x, y: level * levelHeight },
      data: {
        index,
        id: step.id,
        isStart: step.id === definition.startStep,
        preview: plainText(preview).slice(0, 120),
        exits: exits(step, definition.id),
        errors: errorsByStep[index] ?? 0,
        onSelect,
      },
    };
  });
  const indexOf = new Map<string, number>();
  definition.steps.forEach((s, i) => {
    if (!indexOf.has(s.id)) indexOf.set(s.id, i);
  });
  const edges: Edge[] = definition.steps.flatMap((step, from) =>
    links(step, language, definition.defaultLanguage).flatMap((link, n) => {
      const to = indexOf.get(link.to);
      if (to === undefined) return [];
      return [
        {
          id: `e${from}-${n}`,
          source: `s${from}`,
          target: `s${to}`,
          label: link.label,
          markerEnd: { type: MarkerType.ArrowClosed },
          labelBgPadding: [4, 2] as [number, number],
          style: { stroke: '#94a3b8' },
        },
      ];
    }),
  );
  return { nodes, edges };
}

function StepNodeView({ data }: NodeProps<StepNode>) {
  return (
    <>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <button
        type="button"
        className={`nodrag w-56 rounded-lg border bg-white px-3 py-2 text-left shadow-sm hover:border-indigo-400 focus-visible:outline-2 focus-visible:outline-indigo-500 ${
          data.errors > 0
            ? 'border-red-400'
            : data.isStart
              ? 'border-emerald-500'
              : 'border-slate-300'
        }`}
        aria-label={`Show step ${data.id || data.index + 1}`}
        onClick={() => data.onSelect(data.index)}
      >
        <span className="flex items-center gap-1.5">
          {data.isStart && (
            <span className="rounded-full bg-emerald-100 px-1.5 text-[10px] font-semibold text-emerald-800 uppercase">
              Start
            </span>
          )}
          <span className="truncate font-mono text-xs font-semibold">{data.id || '(no id)'}</span>
          {data.errors > 0 && (
            <span className="ml-auto text-[10px] text-red-700">
              {data.errors} error{data.errors === 1 ? '' : 's'}
            </span>
          )}
        </span>
        <span className="mt-1 line-clamp-2 block text-xs text-slate-600">{data.preview}</span>
        {data.exits.length > 0 && (
          <span className="mt-1 block text-[10px] text-slate-400">→ {data.exits.join(' · ')}</span>
        )}
      </button>
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </>
  );
}

const nodeTypes = { step: StepNodeView };

export function FlowGraph({
  definition,
  language,
  errorsByStep,
  onSelect,
}: {
  definition: FlowDefinition;
  language: string;
  /** Errors per step index. */
  errorsByStep: readonly number[];
  onSelect: (index: number) => void;
}) {
  const { nodes, edges } = useMemo(
    () => flowElements(definition, language, errorsByStep, onSelect),
    [definition, language, errorsByStep, onSelect],
  );

  return (
    <div
      className="h-full min-h-96 w-full rounded-lg border border-slate-200 bg-slate-50"
      data-testid="flow-graph"
    >
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        nodesDraggable={false}
        nodesConnectable={false}
        // Each node is one button of ours: the wrappers would be a second tab stop per step.
        nodesFocusable={false}
        edgesFocusable={false}
        fitView
        fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
        minZoom={0.2}
        aria-label="Flow graph"
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

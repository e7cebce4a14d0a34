/** Keyword triggers: which flow a message starts, and which triggers of different flows collide. */
import type { FlowDefinition, Trigger } from './schema.js';
import { normalizeText } from './text.js';

/** A flow that starts on a trigger, and the language the trigger was written in. */
export interface TriggerMatch<F extends TriggerSource = FlowDefinition> {
  flow: F;
  trigger: Trigger;
  /** Start the session in this language. */
  language: string;
}

/** Anything with triggers: a flow definition or a compiled flow's definition. */
export interface TriggerSource {
  id: string;
  triggers?: Trigger[];
}

const matchRank = { exact: 0, contains: 1, regex: 2 } as const;

/** A regular expression for a regex trigger, compiled case-insensitively, or undefined if it doesn't compile. */
export function triggerRegex(keyword: string): RegExp | undefined {
  try {
    return new RegExp(keyword, 'iu');
  } catch {
    return undefined;
  }
}

/** Regex triggers look at the first 1,000 characters of a message. */
export const regexInputLimit = 1000;

const regexCache = new Map<string, RegExp | undefined>();
function cachedRegex(keyword: string): RegExp | undefined {
  if (!regexCache.has(keyword)) {
    if (regexCache.size > 10_000) regexCache.clear();
    regexCache.set(keyword, triggerRegex(keyword));
  }
  return regexCache.get(keyword);
}

// Triggers are matched against every message that starts no session: normalise each keyword once.
const normalizedKeywords = new WeakMap<Trigger, string>();
function normalizedKeyword(trigger: Trigger): string {
  let keyword = normalizedKeywords.get(trigger);
  if (keyword === undefined) {
    keyword = normalizeText(trigger.keyword);
    normalizedKeywords.set(trigger, keyword);
  }
  return keyword;
}

/** Whether `normalizedText` fires `trigger`. Regex triggers run on the normalised text. */
export function triggerMatches(trigger: Trigger, normalizedText: string): boolean {
  switch (trigger.match) {
    case 'exact':
      return normalizedKeyword(trigger) === normalizedText;
    case 'contains': {
      const keyword = normalizedKeyword(trigger);
      return keyword.length > 0 && normalizedText.includes(keyword);
    }
    case 'regex':
      // Bounded input keeps even a slow (polynomial) pattern fast; nested repetition is refused by validation.
      return cachedRegex(trigger.keyword)?.test(normalizedText.slice(0, regexInputLimit)) ?? false;
  }
}

/**
 * Picks the flow a message starts. An exact match beats a contains match, which beats a
 * regex; among equals, triggers in the user's `language` come first, then list order.
 */
export function matchTrigger<F extends TriggerSource>(
  flows: readonly F[],
  text: string,
  language?: string,
): TriggerMatch<F> | undefined {
  const normalized = normalizeText(text);
  if (normalized === '') return undefined;
  let best: { match: TriggerMatch<F>; score: number } | undefined;
  for (const flow of flows) {
    for (const trigger of flow.triggers ?? []) {
      const score = matchRank[trigger.match] * 2 + (trigger.language === language ? 0 : 1);
      if (best && best.score <= score) continue;
      if (triggerMatches(trigger, normalized)) {
        best = { match: { flow, trigger, language: trigger.language }, score };
      }
    }
  }
  return best?.match;
}

/** Two triggers of different flows that can fire on the same text. */
export interface TriggerCollision {
  language: string;
  first: { flowId: string; trigger: Trigger; index: number };
  second: { flowId: string; trigger: Trigger; index: number };
  message: string;
}

/**
 * Finds triggers of different flows that fire on the same text (in the same language):
 * equal exact keywords, an exact keyword that contains or matches another flow's contains
 * or regex keyword, and contains keywords of which one includes the other. Two regexes are
 * compared only on each other's literal source, so some regex overlaps go unreported.
 */
export function findTriggerCollisions(flows: readonly TriggerSource[]): TriggerCollision[] {
  const entries = flows.flatMap((flow) =>
    (flow.triggers ?? []).map((trigger, index) => ({
      flowId: flow.id,
      trigger,
      index,
      normalized: normalizeText(trigger.keyword),
    })),
  );
  const collisions: TriggerCollision[] = [];
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      const a = entries[i]!;
      const b = entries[j]!;
      if (a.flowId === b.flowId || a.trigger.language !== b.trigger.language) continue;
      // Each side's keyword, taken as a message, fires the other side's trigger.
      const aFiresB = a.trigger.match !== 'regex' && triggerMatches(b.trigger, a.normalized);
      const bFiresA = b.trigger.match !== 'regex' && triggerMatches(a.trigger, b.normalized);
      if (!aFiresB && !bFiresA) continue;
      const [shown, fired] = aFiresB ? [a, b] : [b, a];
      collisions.push({
        language: a.trigger.language,
        first: { flowId: a.flowId, trigger: a.trigger, index: a.index },
        second: { flowId: b.flowId, trigger: b.trigger, index: b.index },
        message: `"${shown.trigger.keyword}" (${shown.trigger.match}, flow "${shown.flowId}") also fires the ${fired.trigger.match} trigger "${fired.trigger.keyword}" of flow "${fired.flowId}" in language "${a.trigger.language}"`,
      });
    }
  }
  return collisions;
}

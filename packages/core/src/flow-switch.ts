/**
 * Flows that start other flows (`{ type: 'start', flow }` options): the chain one inbound
 * message (or timer) sets off, held to a bound.
 */

/**
 * At most this many flows start for one inbound message or timer. A flow starts another only
 * when an option is chosen, so one input switches once; the bound keeps a host (or a future
 * engine feature) from ever looping A → B → A inside one unit of work.
 */
export const maxFlowSwitches = 5;

/** What starting a flow gave: it is not live, or it started (with the flow it starts in turn). */
export type SwitchOutcome = { live: false } | { live: true; next?: string };

/**
 * Starts `first.to`, then every flow that one starts at once, and so on, up to `limit`
 * starts. `startFlow` starts one flow for the conversation and writes its outputs. Returns the
 * problem to record (a flow that is not live, or the bound reached), or undefined. Either way
 * the flow that asked for the switch has already ended, so the conversation is left without a
 * flow session: a problem never leaves one half-switched.
 */
export function followSwitches(
  first: { from: string; to: string } | undefined,
  startFlow: (flowId: string) => SwitchOutcome,
  limit = maxFlowSwitches,
): string | undefined {
  let link = first;
  const chain: string[] = first ? [first.from] : [];
  while (link) {
    if (chain.length > limit)
      return `flows started one another ${limit} times for one message (${chain.map((id) => `"${id}"`).join(' → ')}); "${link.from}" did not start "${link.to}" and the conversation's flow ended`;
    const outcome = startFlow(link.to);
    if (!outcome.live)
      return `flow "${link.from}" starts flow "${link.to}", which is not published for this tenant; the conversation's flow ended`;
    chain.push(link.to);
    link = outcome.next === undefined ? undefined : { from: link.to, to: outcome.next };
  }
  return undefined;
}

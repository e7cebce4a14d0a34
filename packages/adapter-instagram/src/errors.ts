/**
 * Instagram Send API errors → what core does (instagram-messaging.md §4). The codes Messenger
 * and Instagram share — among them the window error 10 with subcode 2018278 or 2534022 — and
 * the Graph-wide ones come from @chatloom/meta-graph.
 */
import { defineSendApiErrorTable, type GraphErrorTable } from '@chatloom/meta-graph';

/** The table the Instagram adapter classifies errors with. */
export const instagramErrorTable: GraphErrorTable = defineSendApiErrorTable('Instagram');

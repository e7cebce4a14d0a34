/**
 * Messenger Send API errors → what core does (messenger-platform.md §5). The codes Messenger
 * and Instagram share (window, unavailable person, unknown recipient …) and the Graph-wide
 * ones come from @chatloom/meta-graph; Messenger adds none of its own today.
 */
import { defineSendApiErrorTable, type GraphErrorTable } from '@chatloom/meta-graph';

/** The table the Messenger adapter classifies errors with. */
export const messengerErrorTable: GraphErrorTable = defineSendApiErrorTable('Messenger');

/**
 * Platform limits the flow format enforces. They are WhatsApp's (the strictest of the three
 * channels for interactive messages); every count is in Unicode code points.
 * Source: ../shared/reference/whatsapp-cloud-api.md §4.2.
 */
export const limits = {
  /** A plain text message body. */
  textBody: 4096,
  /** The body of an interactive message (buttons or list); 1024 is safe for both. */
  interactiveBody: 1024,
  /** A media caption (image, video, document). */
  caption: 1024,
  /** Reply buttons in one message. */
  buttons: 3,
  /** A reply button's title. */
  buttonTitle: 20,
  /** Rows in one list message, across all its sections. */
  listRows: 10,
  /** Sections in one list message. */
  listSections: 10,
  /** A list row's title. */
  rowTitle: 24,
  /** A list row's description. */
  rowDescription: 72,
  /** The label of the button that opens a list. */
  listButton: 20,
  /** A list section's title. */
  sectionTitle: 24,
  /** Navigation options are keyed A–Z. */
  navigationOptions: 26,
  /** A navigation option's label (rendered as a line of text). */
  navigationLabel: 100,
  /** A system message (invalid, thank-you, session timeout). */
  systemMessage: 1024,
  /** Actions under one system message (keys 1, 2, 3). */
  systemActions: 3,
  /** A system action's label (rendered as a reply button). */
  systemActionLabel: 20,
  /** A button or row id (WhatsApp allows 200 for rows, 256 for buttons). */
  optionId: 200,
} as const;

/** Length in code points, the way Meta counts characters. */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** Cuts `text` to at most `max` code points, ending with an ellipsis when it was cut. */
export function clampText(text: string, max: number): string {
  if (text.length <= max) return text; // UTF-16 length is an upper bound of code points
  const points = Array.from(text);
  if (points.length <= max) return text;
  return `${points.slice(0, max - 1).join('')}…`;
}

/**
 * WhatsApp's text markup (`*bold*`, `_italic_`, `~strike~`, ```` ```monospace``` ````, `` `code` ``):
 * the format flow texts, quick replies and system messages are stored in, because it is what
 * WhatsApp renders (Messenger and Instagram show it literally). `parseMarkup` turns it into
 * styled runs; `<Markup>` shows it the way the customer's phone does.
 */
import type { ReactNode } from 'react';

export type Mark = 'bold' | 'italic' | 'strike' | 'code';

export interface Run {
  text: string;
  /** Outermost first, as the markers nest in the text (`_*a*_` is italic, then bold). */
  marks: Mark[];
  /** For monospace: the fence the text used, so an editor can write it back the same way. */
  fence?: '```' | '`';
}

const markers: { open: '```' | '`' | '*' | '_' | '~'; mark: Mark }[] = [
  { open: '```', mark: 'code' },
  { open: '`', mark: 'code' },
  { open: '*', mark: 'bold' },
  { open: '_', mark: 'italic' },
  { open: '~', mark: 'strike' },
];

// WhatsApp only formats when the marker hugs a word: `*a*` is bold, `* a *` and `2*3*4` are not.
const boundary = (c: string | undefined) => c === undefined || /[\s.,;:!?()"'-]/.test(c);

/**
 * Styled runs of one text; unmatched markers stay as typed. Newlines are kept in the text.
 * A marker whose mark is already open is text too (`**a**` is a bold `*a*`, as WhatsApp shows
 * it), so no mark nests inside itself and an editor can write every text back as it was.
 */
export function parseMarkup(text: string, outer: Mark[] = []): Run[] {
  const runs: Run[] = [];
  let plain = '';
  let i = 0;
  const flush = () => {
    if (plain) runs.push({ text: plain, marks: outer });
    plain = '';
  };
  while (i < text.length) {
    const marker = markers.find((m) => text.startsWith(m.open, i));
    if (marker && boundary(text[i - 1]) && !outer.includes(marker.mark)) {
      const start = i + marker.open.length;
      const end = findClose(text, marker.open, start);
      if (end > start) {
        flush();
        const inner = text.slice(start, end);
        const marks = [...outer, marker.mark];
        // Code is literal: markers inside it are not formatting.
        if (marker.mark === 'code')
          runs.push({ text: inner, marks, fence: marker.open === '`' ? '`' : '```' });
        else runs.push(...parseMarkup(inner, marks));
        i = end + marker.open.length;
        continue;
      }
    }
    plain += text[i];
    i += 1;
  }
  flush();
  return runs;
}

function findClose(text: string, open: string, start: number): number {
  if (/\s/.test(text[start] ?? ' ')) return -1;
  let at = text.indexOf(open, start + 1);
  while (at !== -1) {
    const inside = text.slice(start, at);
    if (open.length === 1 && inside.includes('\n')) return -1; // inline marks stay on one line
    if (!/\s/.test(text[at - 1] ?? ' ') && boundary(text[at + open.length])) return at;
    at = text.indexOf(open, at + 1);
  }
  return -1;
}

const markClass: Record<Mark, string> = {
  bold: 'font-semibold',
  italic: 'italic',
  strike: 'line-through',
  code: 'font-mono text-[0.9em]',
};

/** A text as the customer sees it on WhatsApp: formatting applied, line breaks kept. */
export function Markup({ text, className = '' }: { text: string; className?: string }): ReactNode {
  return (
    <span className={`whitespace-pre-wrap break-words ${className}`}>
      {parseMarkup(text).map((run, index) =>
        run.marks.length === 0 ? (
          run.text
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: runs are positional and never reorder
          <span key={index} className={run.marks.map((m) => markClass[m]).join(' ')}>
            {run.text}
          </span>
        ),
      )}
    </span>
  );
}

/**
 * A small rich-text editor for WhatsApp markup (`*bold*`, `_italic_`, `~strike~`,
 * ```` ```monospace``` ````, `` `code` ``). Texts are stored as markup because that is what WhatsApp
 * renders, so the value in and out is markup text: `parseMarkup` (markup.tsx) reads it into a Tiptap
 * document, `toMarkup` writes the document back. Only what WhatsApp can show is offered: paragraphs,
 * line breaks and the four inline styles; no headings, lists or links.
 *
 * The counter counts code points of the markup (what the channel counts, via flow-engine's
 * `codePointLength`) and turns red past `maxLength`; nothing is truncated, so the user decides what
 * to cut and the save is refused by the validator with its own message.
 */
import { codePointLength } from '@chatloom/flow-engine';
import { Placeholder } from '@tiptap/extensions';
import type { Node as PMNode } from '@tiptap/pm/model';
import { type Selection, TextSelection } from '@tiptap/pm/state';
import type { EditorView } from '@tiptap/pm/view';
import {
  type Editor,
  EditorContent,
  Extension,
  type JSONContent,
  markInputRule,
  mergeAttributes,
  Mark as TiptapMark,
  useEditor,
  useEditorState,
} from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { Bold, Code, Italic, Strikethrough } from 'lucide-react';
import { type ReactNode, useEffect, useId, useMemo, useRef, useState } from 'react';
import { type Mark, parseMarkup } from './markup.js';

export interface RichTextEditorProps {
  /** WhatsApp markup text. */
  value: string;
  /** Called with the new markup on every edit by the user (not when `value` is set from outside). */
  onChange: (value: string) => void;
  /** Accessible name of the editable box. */
  label: string;
  /** Shows an "n / max" counter of code points; red when over (nothing is cut). */
  maxLength?: number;
  /** Id of the editable element. */
  id?: string;
  invalid?: boolean;
  placeholder?: string;
  disabled?: boolean;
  /** Ids of elements describing the box (e.g. an error message); the counter is added. */
  describedBy?: string;
}

/**
 * Monospace as a mark of its own (instead of StarterKit's `code`) so it can remember which fence
 * the text used (```` ``` ```` or `` ` ``) and can sit inside bold/italic/strike, as WhatsApp allows.
 */
const Monospace = TiptapMark.create({
  name: 'code',
  code: true,
  excludes: 'code',
  addAttributes() {
    return {
      fence: {
        default: '```',
        parseHTML: (element: HTMLElement) =>
          element.getAttribute('data-fence') === '`' ? '`' : '```',
        renderHTML: (attributes: { fence?: string }) => ({ 'data-fence': attributes.fence }),
      },
    };
  },
  parseHTML() {
    return [{ tag: 'code' }];
  },
  renderHTML({ HTMLAttributes }) {
    return [
      'code',
      mergeAttributes(HTMLAttributes, {
        class: 'rounded bg-slate-100 px-0.5 font-mono text-[0.9em]',
      }),
      0,
    ];
  },
  addKeyboardShortcuts() {
    return { 'Mod-e': () => this.editor.commands.toggleMark(this.name) };
  },
});

/**
 * ProseMirror keeps a text's marks in a fixed order (bold, italic, …), but markup nests them in
 * the order they were written: `_*a*_` and `*_a_*` look the same and are different texts. Each
 * mark read from markup remembers its depth (0 = outermost) so `docToMarkup` writes it back in
 * place. Marks the user adds have none and open after those that have one.
 */
const Nesting = Extension.create({
  name: 'markupNesting',
  addGlobalAttributes() {
    return [
      {
        types: ['bold', 'italic', 'strike', 'code'],
        attributes: { nest: { default: null, rendered: false } },
      },
    ];
  },
});

/**
 * Typing WhatsApp markup formats it on the spot (`*a*` → bold). StarterKit's own rules are
 * Markdown (`*a*` → italic), so they are switched off and these are the only input rules enabled.
 */
const WhatsAppInputRules = Extension.create({
  name: 'whatsappInputRules',
  addInputRules() {
    const { marks } = this.editor.schema;
    const rule = (marker: string) => {
      const m = marker.replace(/./g, (c) => `\\${c}`);
      return new RegExp(`(?:^|\\s)(${m}(?!\\s)([^\\n]*?[^\\s])${m})$`);
    };
    const rules = [];
    if (marks.code) {
      rules.push(
        markInputRule({ find: rule('```'), type: marks.code, getAttributes: { fence: '```' } }),
      );
      rules.push(
        markInputRule({
          find: /(?:^|\s)(`(?!\s|`)([^`\n]*?[^\s`])`)$/,
          type: marks.code,
          getAttributes: { fence: '`' },
        }),
      );
    }
    if (marks.bold) rules.push(markInputRule({ find: rule('*'), type: marks.bold }));
    if (marks.italic) rules.push(markInputRule({ find: rule('_'), type: marks.italic }));
    if (marks.strike) rules.push(markInputRule({ find: rule('~'), type: marks.strike }));
    return rules;
  },
});

// ---------------------------------------------------------------------------------------------
// markup → document

const markName: Record<Mark, string> = {
  bold: 'bold',
  italic: 'italic',
  strike: 'strike',
  code: 'code',
};
/**
 * A Tiptap document for a markup text: one paragraph per line, except inside monospace.
 * `docToMarkup` of it gives the text back unchanged, whatever the text.
 */
export function markupToDoc(text: string): JSONContent {
  const paragraphs: JSONContent[] = [{ type: 'paragraph', content: [] }];
  const current = () =>
    paragraphs[paragraphs.length - 1] as JSONContent & { content: JSONContent[] };
  for (const run of parseMarkup(text)) {
    const marks = run.marks.map((mark, nest) =>
      mark === 'code'
        ? { type: 'code', attrs: { fence: run.fence ?? '```', nest } }
        : { type: markName[mark], attrs: { nest } },
    );
    const lines = run.text.split('\n');
    lines.forEach((line, index) => {
      if (index > 0) {
        // A line break inside monospace stays inside it; elsewhere a line is a paragraph.
        if (run.marks.includes('code')) current().content.push({ type: 'hardBreak', marks });
        else paragraphs.push({ type: 'paragraph', content: [] });
      }
      if (line)
        current().content.push({ type: 'text', text: line, ...(marks.length ? { marks } : {}) });
    });
  }
  return {
    type: 'doc',
    content: paragraphs.map((p) => (p.content?.length ? p : { type: 'paragraph' })),
  };
}

// ---------------------------------------------------------------------------------------------
// document → markup

interface Piece {
  text: string;
  /** Mark keys, e.g. `bold`, `code:```` ` */
  marks: string[];
}

// Opening order: code last, because markers inside monospace are literal.
const rank = (key: string) => ['bold', 'italic', 'strike'].indexOf(key) + 1 || 9;
const markerOf = (key: string) =>
  key === 'bold' ? '*' : key === 'italic' ? '_' : key === 'strike' ? '~' : key.slice(5);

/** A node's mark keys in the order they open: as nested in the markup read, then by rank. */
function pieceMarks(node: PMNode): string[] {
  return node.marks
    .map((mark) => ({
      key:
        mark.type.name === 'code'
          ? `code:${mark.attrs.fence === '`' ? '`' : '```'}`
          : mark.type.name,
      nest: typeof mark.attrs.nest === 'number' ? mark.attrs.nest : Number.POSITIVE_INFINITY,
    }))
    .filter(({ key }) => key.startsWith('code:') || rank(key) < 9)
    .sort(
      (a, b) =>
        Number(a.key.startsWith('code:')) - Number(b.key.startsWith('code:')) ||
        a.nest - b.nest ||
        rank(a.key) - rank(b.key),
    )
    .map(({ key }) => key);
}

/** One paragraph's inline content as markup. */
function inlineToMarkup(paragraph: PMNode): string {
  const pieces: Piece[] = [];
  paragraph.forEach((child) => {
    if (child.isText) pieces.push({ text: child.text ?? '', marks: pieceMarks(child) });
    else if (child.type.name === 'hardBreak') pieces.push({ text: '\n', marks: pieceMarks(child) });
  });
  let out = '';
  const open: string[] = [];
  const close = (keep: number) => {
    // WhatsApp only closes a marker that follows a non-space: move trailing spaces outside.
    const trailing = /\s*$/.exec(out)?.[0] ?? '';
    out = out.slice(0, out.length - trailing.length);
    while (open.length > keep) out += markerOf(open.pop() ?? '');
    out += trailing;
  };
  pieces.forEach((piece, index) => {
    // A space-only piece opens nothing new (an empty `* *` would not be formatting).
    const wanted = /^\s*$/.test(piece.text)
      ? piece.marks.filter((key) => open.includes(key))
      : piece.marks;
    let keep = 0;
    while (keep < open.length && wanted.includes(open[keep] ?? '')) keep += 1;
    const opensNew = wanted.some((key) => !open.slice(0, keep).includes(key));
    // Nothing may open inside monospace (its markers are literal): close back to before it.
    const codeAt = open.slice(0, keep).findIndex((key) => key.startsWith('code:'));
    if (opensNew && codeAt !== -1) keep = codeAt;
    // `wanted` is already in opening order (pieceMarks).
    const toOpen = wanted.filter((key) => !open.slice(0, keep).includes(key));
    if (keep < open.length) close(keep);
    let text = piece.text;
    if (toOpen.length > 0) {
      // WhatsApp only opens a marker before a non-space: leading spaces go before it.
      const leading = /^\s*/.exec(text)?.[0] ?? '';
      out += leading;
      text = text.slice(leading.length);
      for (const key of toOpen) {
        out += markerOf(key);
        open.push(key);
      }
    }
    out += text;
    if (index === pieces.length - 1) close(0);
  });
  return out;
}

/** The markup text of a Tiptap document: paragraphs joined by newlines. */
export function docToMarkup(doc: PMNode): string {
  const lines: string[] = [];
  doc.forEach((block) => {
    lines.push(inlineToMarkup(block));
  });
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

/**
 * Text typed or inserted over a selection replaces it as plain typing would. Left to the browser,
 * ProseMirror diffs the new DOM against the old text and the inserted words can take the marks
 * of whatever text they happened to line up with (select all, then type: half the text bold).
 */
const handleDOMEvents = {
  beforeinput: (view: EditorView, event: Event) => {
    const input = event as InputEvent;
    if (
      (input.inputType !== 'insertText' && input.inputType !== 'insertReplacementText') ||
      !input.data ||
      view.composing
    )
      return false;
    const selection = browserSelection(view) ?? view.state.selection;
    if (selection.empty) return false;
    event.preventDefault();
    // ProseMirror's own rule for typing over a selection (the marks at its start).
    view.dispatch(view.state.tr.setSelection(selection).insertText(input.data).scrollIntoView());
    return true;
  },
};

/**
 * The browser's selection in the editor. It can be ahead of ProseMirror's, which follows it on
 * `selectionchange`, an event that may not have run yet (select all, then type at once).
 */
function browserSelection(view: EditorView): Selection | null {
  // A shadow root has getSelection in Chromium only; elsewhere the document's is the one.
  const root = view.root as Partial<Pick<Document, 'getSelection'>>;
  const dom = root.getSelection?.() ?? document.getSelection();
  const { anchorNode, focusNode } = dom ?? {};
  if (!dom || !anchorNode || !focusNode) return null;
  if (!view.dom.contains(anchorNode) || !view.dom.contains(focusNode)) return null;
  try {
    const { doc } = view.state;
    return TextSelection.between(
      doc.resolve(view.posAtDOM(anchorNode, dom.anchorOffset)),
      doc.resolve(view.posAtDOM(focusNode, dom.focusOffset)),
    );
  } catch {
    return null; // a node ProseMirror does not map (its own widgets): keep its selection
  }
}

const tools = [
  { mark: 'bold', label: 'Bold', keys: 'Control+B', Icon: Bold },
  { mark: 'italic', label: 'Italic', keys: 'Control+I', Icon: Italic },
  { mark: 'strike', label: 'Strikethrough', keys: 'Control+Shift+S', Icon: Strikethrough },
  { mark: 'code', label: 'Monospace', keys: 'Control+E', Icon: Code },
] as const;

function Toolbar({ editor, disabled }: { editor: Editor; disabled: boolean }): ReactNode {
  const active = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      bold: e.isActive('bold'),
      italic: e.isActive('italic'),
      strike: e.isActive('strike'),
      code: e.isActive('code'),
    }),
  });
  return (
    <div className="flex gap-0.5 border-b border-slate-200 px-1 py-0.5">
      {tools.map(({ mark, label, keys, Icon }) => (
        <button
          key={mark}
          type="button"
          aria-label={label}
          aria-pressed={active[mark]}
          aria-keyshortcuts={keys}
          title={`${label} (${keys.replace('Control', 'Ctrl')})`}
          disabled={disabled}
          // Keep the selection in the editor while clicking.
          onMouseDown={(event) => event.preventDefault()}
          onClick={() => editor.chain().focus().toggleMark(mark).run()}
          className={`rounded p-1 text-slate-600 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-500 disabled:opacity-40 ${
            active[mark] ? 'bg-indigo-100 text-indigo-700' : ''
          }`}
        >
          <Icon aria-hidden size={15} />
        </button>
      ))}
    </div>
  );
}

export function RichTextEditor({
  value,
  onChange,
  label,
  maxLength,
  id,
  invalid = false,
  placeholder,
  disabled = false,
  describedBy,
}: RichTextEditorProps): ReactNode {
  const counterId = useId();
  const [text, setText] = useState(value);
  // The markup the editor holds; a `value` equal to it is our own echo and must not reset the doc.
  const held = useRef(value);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  const attributes = useMemo(() => {
    const described = [describedBy, maxLength !== undefined ? counterId : undefined]
      .filter(Boolean)
      .join(' ');
    const attrs: Record<string, string> = {
      role: 'textbox',
      'aria-multiline': 'true',
      'aria-label': label,
      'aria-invalid': invalid ? 'true' : 'false',
      class:
        'min-h-16 whitespace-pre-wrap break-words px-3 py-2 text-sm outline-none [&_p.is-editor-empty:first-child]:before:pointer-events-none [&_p.is-editor-empty:first-child]:before:float-left [&_p.is-editor-empty:first-child]:before:h-0 [&_p.is-editor-empty:first-child]:before:text-slate-400 [&_p.is-editor-empty:first-child]:before:content-[attr(data-placeholder)]',
    };
    if (described) attrs['aria-describedby'] = described;
    if (id) attrs.id = id;
    if (disabled) attrs['aria-readonly'] = 'true';
    return attrs;
  }, [label, invalid, describedBy, maxLength, counterId, id, disabled]);

  const editor = useEditor({
    extensions: [
      StarterKit.configure({
        blockquote: false,
        bulletList: false,
        code: false,
        codeBlock: false,
        dropcursor: false,
        gapcursor: false,
        heading: false,
        horizontalRule: false,
        link: false,
        listItem: false,
        listKeymap: false,
        orderedList: false,
        trailingNode: false,
        underline: false,
      }),
      Monospace,
      Nesting,
      WhatsAppInputRules,
      Placeholder.configure({ placeholder: placeholder ?? '' }),
    ],
    content: markupToDoc(value),
    editable: !disabled,
    enableInputRules: ['whatsappInputRules'],
    enablePasteRules: false,
    editorProps: { attributes, handleDOMEvents },
    // Markers typed or pasted as plain text (`*a*`) are formatting on WhatsApp: show them so
    // once the user leaves the box. The markup itself does not change.
    onBlur: ({ editor: e }) => {
      const doc = markupToDoc(held.current);
      if (!e.schema.nodeFromJSON(doc).eq(e.state.doc))
        e.commands.setContent(doc, { emitUpdate: false });
    },
    onUpdate: ({ editor: e }) => {
      const markup = docToMarkup(e.state.doc);
      if (markup === held.current) return;
      held.current = markup;
      setText(markup);
      onChangeRef.current(markup);
    },
  });

  // A new value from outside (reset, another language tab) replaces the document.
  useEffect(() => {
    if (!editor || value === held.current) return;
    held.current = value;
    setText(value);
    editor.commands.setContent(markupToDoc(value), { emitUpdate: false });
  }, [editor, value]);

  useEffect(() => {
    if (!editor) return;
    editor.setEditable(!disabled, false);
    editor.setOptions({ editorProps: { attributes, handleDOMEvents } });
  }, [editor, disabled, attributes]);

  const length = codePointLength(text);
  const over = maxLength !== undefined && length > maxLength;
  return (
    <div
      className={`rounded-md border focus-within:ring-2 focus-within:ring-indigo-500 ${
        invalid || over ? 'border-red-500' : 'border-slate-300'
      } ${disabled ? 'bg-slate-50 text-slate-600' : 'bg-white'}`}
    >
      {editor && !disabled && <Toolbar editor={editor} disabled={disabled} />}
      <EditorContent editor={editor} />
      {maxLength !== undefined && (
        <div
          id={counterId}
          data-testid="counter"
          className={`px-3 pb-1 text-right text-xs tabular-nums ${over ? 'font-medium text-red-600' : 'text-slate-500'}`}
        >
          {length} / {maxLength}
          {over && <span className="sr-only"> (too long)</span>}
        </div>
      )}
    </div>
  );
}

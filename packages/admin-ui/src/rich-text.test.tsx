import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { Editor } from '@tiptap/react';
import fc from 'fast-check';
import { useState } from 'react';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { docToMarkup, markupToDoc, RichTextEditor } from './rich-text.js';

afterEach(cleanup);

const box = (name = 'Message') => screen.getByRole('textbox', { name });
// Tiptap puts the editor instance on its editable element.
const editorOf = (element: HTMLElement) => {
  const editor = (element as HTMLElement & { editor?: Editor }).editor;
  if (!editor) throw new Error('no editor on the textbox');
  return editor;
};

function setup(value: string, maxLength?: number) {
  const onChange = vi.fn();
  render(
    <RichTextEditor value={value} onChange={onChange} label="Message" maxLength={maxLength} />,
  );
  return { onChange, editor: editorOf(box()) };
}

/** Types text the way a keyboard does: through ProseMirror's text input (input rules apply). */
function type(editor: Editor, text: string) {
  for (const char of text) {
    act(() => {
      const { from, to } = editor.state.selection;
      const handled = editor.view.someProp('handleTextInput', (f) =>
        f(editor.view, from, to, char, () => editor.state.tr.insertText(char, from, to)),
      );
      if (!handled) editor.view.dispatch(editor.state.tr.insertText(char, from, to));
    });
  }
}

/** A parent that owns the value, as pages do. */
function Controlled({ initial, onValue }: { initial: string; onValue: (value: string) => void }) {
  const [value, setValue] = useState(initial);
  onValue(value);
  return <RichTextEditor value={value} onChange={setValue} label="Message" maxLength={10} />;
}

describe('markup round trip', () => {
  test.each([
    ['plain', 'Hello there'],
    ['bold', 'Hello *world*'],
    ['italic', 'an _italic_ word'],
    ['strike', 'was ~10~ now 8'],
    ['code', 'run ```npm test``` now'],
    ['inline code', 'the `id` field'],
    ['nested', '*_both_* and *bold _and italic_ here*'],
    ['multi-line', 'Line one\n*Line two*\n\nLine four'],
    ['code over lines', '```line 1\nline 2```'],
    ['unmatched markers', '2*3*4 costs 5 * 2 and snake_case_name'],
    ['empty', ''],
    ['emoji', 'Hi 👋 *there*'],
    ['doubled bold', '**Opening hours**'],
    ['doubled strike', 'Price: ~~10~~ 8'],
    ['doubled italic', '__init__'],
    ['tripled bold', '***wow***'],
    ['italic around bold', '_*both*_'],
    ['bold around italic', '*_both_*'],
    ['all four, nested', '~_*`x`*_~ and ```a *b*```'],
  ])('%s survives markup → editor → markup', (_, markup) => {
    const { editor } = setup(markup);
    expect(docToMarkup(editor.state.doc)).toBe(markup);
  });

  test('any text survives markup → document → markup (the editor never rewrites untouched text)', () => {
    const { editor } = setup('');
    const piece = fc.constantFrom(
      '*',
      '_',
      '~',
      '`',
      '```',
      'a',
      'b',
      'Z',
      ' ',
      '\n',
      '👋',
      '🇪🇸',
      '.',
      '-',
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 40 }).map((pieces) => pieces.join('')),
        (text) => {
          const doc = editor.schema.nodeFromJSON(markupToDoc(text));
          doc.check();
          expect(docToMarkup(doc)).toBe(text);
        },
      ),
      { numRuns: 3000 },
    );
  });

  test('the editor shows the formatting, one paragraph per line', () => {
    setup('*b* _i_ ~s~ ```c```\nnext');
    const element = box();
    expect(element.querySelector('strong')?.textContent).toBe('b');
    expect(element.querySelector('em')?.textContent).toBe('i');
    expect(element.querySelector('s')?.textContent).toBe('s');
    expect(element.querySelector('code')?.textContent).toBe('c');
    expect(element.querySelectorAll('p')).toHaveLength(2);
  });

  test('markupToDoc keeps the code fence so it is written back the same way', () => {
    expect(JSON.stringify(markupToDoc('`a` ```b```'))).toContain('"fence":"`"');
    expect(JSON.stringify(markupToDoc('```b```'))).toContain('"fence":"```"');
  });
});

describe('editing', () => {
  test('typing calls onChange with markup; WhatsApp markers format as typed', () => {
    const { editor, onChange } = setup('');
    act(() => {
      editor.commands.focus('end');
    });
    type(editor, 'Hi *there* ');
    expect(box().querySelector('strong')?.textContent).toBe('there');
    expect(onChange).toHaveBeenLastCalledWith('Hi *there* ');
  });

  test('markers pasted as plain text show as formatting once the box is left', () => {
    const { editor, onChange } = setup('');
    act(() => {
      editor.commands.focus('end');
      editor.commands.insertContent('Hi *there*');
    });
    expect(box().querySelector('strong')).toBeNull();
    expect(onChange).toHaveBeenLastCalledWith('Hi *there*');
    fireEvent.blur(box());
    expect(box().querySelector('strong')?.textContent).toBe('there');
    expect(onChange).toHaveBeenCalledTimes(1);
  });

  test('the toolbar bolds the selection and says it is pressed', () => {
    const { editor, onChange } = setup('Hello world');
    act(() => {
      editor.commands.setTextSelection({ from: 7, to: 12 });
    });
    const bold = screen.getByRole('button', { name: 'Bold' });
    expect(bold.getAttribute('aria-pressed')).toBe('false');
    fireEvent.click(bold);
    expect(onChange).toHaveBeenLastCalledWith('Hello *world*');
    expect(bold.getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(screen.getByRole('button', { name: 'Monospace' }));
    expect(onChange).toHaveBeenLastCalledWith('Hello *```world```*');
  });

  test('a selection with a trailing space keeps the marker on the word', () => {
    const { editor, onChange } = setup('Hello world');
    act(() => {
      editor.commands.setTextSelection({ from: 1, to: 7 });
    });
    fireEvent.click(screen.getByRole('button', { name: 'Italic' }));
    expect(onChange).toHaveBeenLastCalledWith('_Hello_ world');
  });

  test('a new value from outside replaces the content without calling onChange', () => {
    const onChange = vi.fn();
    const { rerender } = render(<RichTextEditor value="one" onChange={onChange} label="Message" />);
    rerender(<RichTextEditor value="*two*" onChange={onChange} label="Message" />);
    expect(box().querySelector('strong')?.textContent).toBe('two');
    expect(onChange).not.toHaveBeenCalled();
  });

  test('typing in nested, doubled text changes only what was typed', () => {
    const { editor, onChange } = setup('_*both*_ **Opening hours**\nPrice: ~~10~~ 8');
    act(() => {
      editor.commands.focus('end');
    });
    type(editor, ' €');
    expect(onChange).toHaveBeenLastCalledWith('_*both*_ **Opening hours**\nPrice: ~~10~~ 8 €');
  });

  test('typing over a selection ProseMirror has not caught up with replaces it as plain text', () => {
    const { editor, onChange } = setup('We are open *9 to 6*, Monday.');
    // The browser selects everything; its selectionchange has not reached ProseMirror yet.
    const range = document.createRange();
    range.selectNodeContents(box());
    document.getSelection()?.removeAllRanges();
    document.getSelection()?.addRange(range);
    expect(editor.state.selection.empty).toBe(true);
    act(() => {
      box().dispatchEvent(
        new InputEvent('beforeinput', {
          inputType: 'insertText',
          data: 'Open every day.',
          bubbles: true,
          cancelable: true,
        }),
      );
    });
    expect(onChange).toHaveBeenLastCalledWith('Open every day.');
  });

  test('a controlled parent does not loop and keeps the edits', () => {
    let latest = '';
    render(<Controlled initial="start" onValue={(v) => (latest = v)} />);
    const editor = editorOf(box());
    act(() => {
      editor.commands.focus('end');
    });
    type(editor, ' more');
    expect(latest).toBe('start more');
    expect(screen.getByTestId('counter').textContent).toBe('10 / 10');
  });

  test('the counter counts code points of the markup and turns red past the limit, without cutting', () => {
    const { editor, onChange } = setup('*hey* 👋', 8);
    expect(screen.getByTestId('counter').textContent).toBe('7 / 8');
    act(() => {
      editor.commands.focus('end');
    });
    type(editor, ' you');
    expect(onChange).toHaveBeenLastCalledWith('*hey* 👋 you');
    const counter = screen.getByTestId('counter');
    expect(counter.textContent).toContain('11 / 8');
    expect(counter.className).toContain('text-red-600');
    expect(box().getAttribute('aria-describedby')).toBe(counter.id);
  });

  test('accessibility attributes and read-only mode', () => {
    render(
      <RichTextEditor
        value="x"
        onChange={() => {}}
        label="Reply"
        invalid
        disabled
        describedBy="err"
        id="reply"
      />,
    );
    const element = box('Reply');
    expect(element.getAttribute('aria-multiline')).toBe('true');
    expect(element.getAttribute('aria-invalid')).toBe('true');
    expect(element.getAttribute('aria-describedby')).toBe('err');
    expect(element.id).toBe('reply');
    expect(element.getAttribute('contenteditable')).toBe('false');
    expect(screen.queryByRole('button', { name: 'Bold' })).toBeNull();
  });
});

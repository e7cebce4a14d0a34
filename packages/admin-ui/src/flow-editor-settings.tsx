/**
 * The flow-wide part of the builder: name, languages (add, remove, default), start step and
 * the keyword triggers of each language.
 */
import type { Diagnostic, FlowDefinition, Trigger } from '@chatloom/flow-engine';
import { X } from 'lucide-react';
import { useId, useState } from 'react';
import { languageProblem, missingCount, removeLanguageIn } from './flow-editor-draft.js';
import { Diagnostics, diagnosticsAt, Field, inlineInputClass } from './flow-editor-fields.js';
import { Button, inputClass, Modal } from './ui.js';

type Edit = (change: (draft: FlowDefinition) => void) => void;

export function FlowSettings({
  definition,
  diagnostics,
  edit,
  setLanguage,
}: {
  definition: FlowDefinition;
  /** The flow-level diagnostics (not under /steps). */
  diagnostics: readonly Diagnostic[];
  edit: Edit;
  setLanguage: (language: string) => void;
}) {
  return (
    <div className="space-y-4 rounded-lg border border-slate-200 bg-white p-4">
      <div className="flex flex-wrap items-start gap-4">
        <Field label="Name" pointer="/name" diagnostics={diagnostics} className="min-w-64 flex-1">
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              className={inputClass}
              value={definition.name}
              onChange={(e) =>
                edit((d) => {
                  d.name = e.target.value;
                })
              }
            />
          )}
        </Field>
        <Field label="Start step" pointer="/startStep" diagnostics={diagnostics} className="w-56">
          {({ id, describedBy, invalid }) => (
            <select
              id={id}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              className={inputClass}
              value={definition.startStep}
              onChange={(e) =>
                edit((d) => {
                  d.startStep = e.target.value;
                })
              }
            >
              {definition.steps.map((s, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: ids may repeat while being edited
                <option key={`${i}-${s.id}`} value={s.id}>
                  {s.id || '(no id)'}
                </option>
              ))}
              {!definition.steps.some((s) => s.id === definition.startStep) && (
                <option value={definition.startStep}>{definition.startStep} (missing)</option>
              )}
            </select>
          )}
        </Field>
      </div>
      <Languages
        definition={definition}
        diagnostics={diagnostics}
        edit={edit}
        setLanguage={setLanguage}
      />
      <Triggers definition={definition} diagnostics={diagnostics} edit={edit} />
    </div>
  );
}

function Languages({
  definition,
  diagnostics,
  edit,
  setLanguage,
}: {
  definition: FlowDefinition;
  diagnostics: readonly Diagnostic[];
  edit: Edit;
  setLanguage: (language: string) => void;
}) {
  const [code, setCode] = useState('');
  const [problem, setProblem] = useState<string>();
  const [removing, setRemoving] = useState<string>();
  const problemId = useId();
  const { languages, defaultLanguage } = definition;
  const add = () => {
    const language = code.trim();
    const why = languageProblem(language, languages);
    setProblem(why);
    if (why) return;
    edit((d) => void d.languages.push(language));
    setLanguage(language);
    setCode('');
  };
  const triggersOf = (language: string) =>
    (definition.triggers ?? []).filter((t) => t.language === language).length;

  return (
    <div className="space-y-2 text-sm">
      <div className="flex flex-wrap items-end gap-4">
        <div>
          <span className="mb-0.5 block text-slate-700">Languages</span>
          <ul className="flex flex-wrap gap-2" aria-label="Languages">
            {languages.map((language) => {
              const missing = missingCount(definition, language);
              return (
                <li
                  key={language}
                  className="flex items-center gap-1 rounded-full border border-slate-300 py-0.5 pr-1 pl-2.5"
                >
                  <span className="font-medium">{language}</span>
                  {language === defaultLanguage && (
                    <span className="text-xs text-slate-500">default</span>
                  )}
                  {missing > 0 && <span className="text-xs text-red-700">{missing} missing</span>}
                  <button
                    type="button"
                    aria-label={`Remove language ${language}`}
                    title={
                      language === defaultLanguage
                        ? 'The default language cannot be removed'
                        : `Remove ${language}`
                    }
                    disabled={language === defaultLanguage || languages.length < 2}
                    className="rounded-full p-0.5 text-slate-500 hover:bg-slate-100 hover:text-red-700 disabled:opacity-30"
                    onClick={() => setRemoving(language)}
                  >
                    <X aria-hidden size={13} />
                  </button>
                </li>
              );
            })}
          </ul>
        </div>
        <div>
          <label htmlFor={`${problemId}-code`} className="mb-0.5 block text-slate-700">
            New language code
          </label>
          <div className="flex gap-2">
            <input
              id={`${problemId}-code`}
              className={`${inputClass} w-28`}
              placeholder="es, pt-BR"
              value={code}
              aria-invalid={problem !== undefined}
              aria-describedby={problem ? problemId : undefined}
              onChange={(e) => {
                setCode(e.target.value);
                setProblem(undefined);
              }}
              onKeyDown={(e) => {
                // Enter adds the language instead of submitting the whole flow.
                if (e.key === 'Enter') {
                  e.preventDefault();
                  add();
                }
              }}
            />
            <Button variant="secondary" className="whitespace-nowrap" onClick={add}>
              Add language
            </Button>
          </div>
        </div>
        <Field
          label="Default language"
          pointer="/defaultLanguage"
          diagnostics={diagnostics}
          className="w-40"
        >
          {({ id, describedBy, invalid }) => (
            <select
              id={id}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              className={inputClass}
              value={defaultLanguage}
              onChange={(e) =>
                edit((d) => {
                  d.defaultLanguage = e.target.value;
                })
              }
            >
              {languages.map((l) => (
                <option key={l}>{l}</option>
              ))}
              {!languages.includes(defaultLanguage) && <option>{defaultLanguage}</option>}
            </select>
          )}
        </Field>
      </div>
      {problem && (
        <p id={problemId} className="text-xs text-red-700" role="alert">
          {problem}
        </p>
      )}
      <Diagnostics items={diagnosticsAt(diagnostics, '/languages')} />
      <Modal
        open={removing !== undefined}
        onOpenChange={(open) => !open && setRemoving(undefined)}
        title={`Remove language ${removing ?? ''}?`}
      >
        <p>
          Its translations in every step
          {removing && triggersOf(removing) > 0
            ? ` and its ${triggersOf(removing)} keyword trigger${triggersOf(removing) === 1 ? '' : 's'}`
            : ''}{' '}
          are deleted from this draft.
        </p>
        <div className="mt-4 flex justify-end gap-2">
          <Button variant="secondary" onClick={() => setRemoving(undefined)}>
            Cancel
          </Button>
          <Button
            variant="danger"
            onClick={() => {
              const language = removing;
              if (language) {
                edit((d) => removeLanguageIn(d, language));
                setLanguage(defaultLanguage);
              }
              setRemoving(undefined);
            }}
          >
            Remove {removing}
          </Button>
        </div>
      </Modal>
    </div>
  );
}

const matches: { value: Trigger['match']; label: string }[] = [
  { value: 'exact', label: 'is exactly' },
  { value: 'contains', label: 'contains' },
  { value: 'regex', label: 'matches the pattern' },
];

/** Keywords that start the flow, each in one language ("hola" starts it in Spanish). */
function Triggers({
  definition,
  diagnostics,
  edit,
}: {
  definition: FlowDefinition;
  diagnostics: readonly Diagnostic[];
  edit: Edit;
}) {
  const triggers = definition.triggers ?? [];
  const change = (i: number, patch: Partial<Trigger>) =>
    edit((d) => {
      const t = d.triggers?.[i];
      if (t) Object.assign(t, patch);
    });
  return (
    <div className="space-y-2 text-sm">
      <span className="block text-slate-700">Keyword triggers</span>
      {triggers.length === 0 ? (
        <p className="text-xs text-slate-500">
          No keywords: this flow starts only when it is the channel's default flow.
        </p>
      ) : (
        <ol className="space-y-2" aria-label="Keyword triggers">
          {triggers.map((trigger, i) => {
            const n = i + 1;
            const pointer = `/triggers/${i}`;
            return (
              <li
                // biome-ignore lint/suspicious/noArrayIndexKey: triggers have no id; a trigger is its position
                key={i}
                className="flex flex-wrap items-start gap-2"
                data-pointer={pointer}
              >
                <span className="mt-1.5 text-slate-600">When a message</span>
                <select
                  aria-label={`Trigger ${n} match`}
                  className={inlineInputClass}
                  value={trigger.match}
                  onChange={(e) => change(i, { match: e.target.value as Trigger['match'] })}
                >
                  {matches.map((m) => (
                    <option key={m.value} value={m.value}>
                      {m.label}
                    </option>
                  ))}
                </select>
                <div className="min-w-48 flex-1">
                  <input
                    aria-label={`Trigger ${n} keyword`}
                    aria-invalid={diagnosticsAt(diagnostics, pointer).length > 0}
                    className={`${inputClass} ${trigger.match === 'regex' ? 'font-mono' : ''}`}
                    value={trigger.keyword}
                    onChange={(e) => change(i, { keyword: e.target.value })}
                  />
                  <Diagnostics items={diagnosticsAt(diagnostics, pointer)} />
                </div>
                <span className="mt-1.5 text-slate-600">in</span>
                <select
                  aria-label={`Trigger ${n} language`}
                  className={inlineInputClass}
                  value={trigger.language}
                  onChange={(e) => change(i, { language: e.target.value })}
                >
                  {definition.languages.map((l) => (
                    <option key={l}>{l}</option>
                  ))}
                  {!definition.languages.includes(trigger.language) && (
                    <option>{trigger.language}</option>
                  )}
                </select>
                <button
                  type="button"
                  aria-label={`Remove trigger ${n}`}
                  className="mt-1 rounded p-1 text-slate-500 hover:bg-slate-100 hover:text-red-700"
                  onClick={() =>
                    edit((d) => {
                      d.triggers?.splice(i, 1);
                      if (d.triggers?.length === 0) delete d.triggers;
                    })
                  }
                >
                  <X aria-hidden size={15} />
                </button>
              </li>
            );
          })}
        </ol>
      )}
      <Button
        variant="secondary"
        onClick={() =>
          edit((d) => {
            d.triggers = [
              ...(d.triggers ?? []),
              { language: d.defaultLanguage, match: 'exact', keyword: '' },
            ];
          })
        }
      >
        Add trigger
      </Button>
    </div>
  );
}

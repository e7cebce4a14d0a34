/** Small building blocks every page uses: states (loading, empty, error), buttons, a dialog. */
import * as Dialog from '@radix-ui/react-dialog';
import { X } from 'lucide-react';
import type { ButtonHTMLAttributes, ReactNode } from 'react';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p role="status" className="p-6 text-sm text-slate-500">
      {label}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <div className="m-4 rounded border border-dashed border-slate-300 p-6 text-center text-sm text-slate-500">
      {children}
    </div>
  );
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div
      role="alert"
      className="m-4 rounded border border-red-300 bg-red-50 p-4 text-sm text-red-800"
    >
      <p>{message}</p>
      {retry && (
        <button type="button" className="mt-2 underline" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Loading, error or the content, for a react-query result. */
export function QueryState<T>({
  query,
  children,
}: {
  query: { isPending: boolean; error: unknown; data: T | undefined; refetch: () => unknown };
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading />;
  if (query.error || query.data === undefined)
    return <ErrorState error={query.error} retry={() => void query.refetch()} />;
  return <>{children(query.data)}</>;
}

type Variant = 'primary' | 'secondary' | 'danger';
const variants: Record<Variant, string> = {
  primary: 'bg-indigo-600 text-white hover:bg-indigo-700',
  secondary: 'border border-slate-300 bg-white text-slate-800 hover:bg-slate-100',
  danger: 'bg-red-600 text-white hover:bg-red-700',
};

export function Button({
  variant = 'primary',
  className = '',
  type = 'button',
  ...props
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant }) {
  return (
    <button
      type={type}
      className={`rounded px-3 py-1.5 text-sm font-medium disabled:opacity-50 ${variants[variant]} ${className}`}
      {...props}
    />
  );
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="flex items-center justify-between border-b border-slate-200 bg-white px-6 py-4">
      <h1 className="text-lg font-semibold">{title}</h1>
      <div className="flex gap-2">{children}</div>
    </header>
  );
}

/**
 * A modal dialog (Radix): focus kept inside, Escape or the close button closes it. Centred, and
 * its body scrolls within the window, so long forms (every permission, a template) fit.
 */
export function Modal({
  open,
  onOpenChange,
  title,
  description,
  size = 'md',
  children,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  /** A line under the title, read out as the dialog's description. */
  description?: string;
  size?: 'md' | 'lg';
  children: ReactNode;
}) {
  const width = size === 'lg' ? 'w-[44rem]' : 'w-[30rem]';
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-black/30" />
        <Dialog.Content
          {...(description === undefined && { 'aria-describedby': undefined })}
          className={`fixed top-1/2 left-1/2 z-50 flex max-h-[90vh] ${width} max-w-[95vw] -translate-x-1/2 -translate-y-1/2 flex-col rounded-lg bg-white shadow-xl focus:outline-none`}
        >
          <div className="flex items-start justify-between gap-4 px-6 pt-5 pb-2">
            <div>
              <Dialog.Title className="text-base font-semibold">{title}</Dialog.Title>
              {description !== undefined && (
                <Dialog.Description className="text-xs text-slate-500">
                  {description}
                </Dialog.Description>
              )}
            </div>
            {/* "Dismiss": a dialog's own "Close" button (e.g. Delete / Close) keeps its name. */}
            <Dialog.Close
              aria-label="Dismiss"
              className="rounded p-1 text-slate-500 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-500"
            >
              <X aria-hidden size={16} />
            </Dialog.Close>
          </div>
          <div className="min-h-0 flex-1 overflow-auto px-6 pb-6 text-sm text-slate-700">
            {children}
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

export const inputClass =
  'w-full rounded border border-slate-300 px-2 py-1.5 text-sm focus:border-indigo-500 focus:outline-none';

export function formatTime(ms: number | null): string {
  if (ms === null) return '—';
  return new Date(ms).toLocaleString();
}

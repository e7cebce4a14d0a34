/**
 * Send a file from the media gallery (`GET /media`): pick an image, video, audio or document,
 * add a caption, send. People who manage media can add a file to the gallery here: upload one
 * from their computer (`POST /media/upload`; the server keeps it at a public address the
 * platform fetches) or add one by its public URL (the gallery stores the link).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FileText, Film, Link2, Music, Paperclip, Upload } from 'lucide-react';
import { type DragEvent, type FormEvent, useId, useRef, useState } from 'react';
import { ApiError, api, apiBase, type MediaItem, type Message } from './api.js';
import { Button, inputClass, Modal } from './ui.js';

const kindIcon = { video: Film, audio: Music, document: FileText } as const;

/** The paperclip that opens the media picker (the picker itself renders outside the reply form). */
export function MediaButton({ disabled, onOpen }: { disabled: boolean; onOpen: () => void }) {
  return (
    <button
      type="button"
      disabled={disabled}
      aria-label="Send media"
      title="Send an image or document from the gallery"
      onClick={onOpen}
      className="rounded p-1.5 text-slate-600 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-500 disabled:opacity-40"
    >
      <Paperclip className="h-5 w-5" />
    </button>
  );
}

/**
 * The picker dialog. Render it outside any other form: React bubbles a portal's events through
 * the component tree, so its forms' submits would also submit an enclosing form (the reply box).
 * Its forms stop their submit events too, for the same reason.
 */
export function MediaPicker({
  open,
  onOpenChange,
  conversationId,
  canAdd,
  onSent,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  conversationId: string;
  canAdd: boolean;
  onSent: (message: Message) => void;
}) {
  const setOpen = onOpenChange;
  const [picked, setPicked] = useState<string | null>(null);
  const [caption, setCaption] = useState('');
  const [adding, setAdding] = useState(false);
  const media = useQuery({
    queryKey: ['media'],
    queryFn: () => api.get<MediaItem[]>('/media'),
    enabled: open,
  });
  const send = useMutation({
    mutationFn: () =>
      api.post<Message>(`/conversations/${conversationId}/messages`, {
        mediaId: picked,
        ...(caption.trim() && { caption: caption.trim() }),
      }),
    onSuccess: (message) => {
      onSent(message);
      setOpen(false);
      setPicked(null);
      setCaption('');
    },
  });
  const item = media.data?.find((m) => m.id === picked);
  return (
    <Modal
      size="lg"
      open={open}
      onOpenChange={setOpen}
      title="Send media"
      description="Pick a file of the gallery; it goes out with an optional caption."
    >
      {media.isPending ? (
        <p role="status" className="text-slate-500">
          Loading the gallery…
        </p>
      ) : media.error ? (
        <p role="alert" className="text-red-700">
          {media.error.message}
        </p>
      ) : (
        <div className="space-y-4">
          {media.data.length === 0 ? (
            <p className="rounded border border-dashed border-slate-300 p-4 text-center text-slate-500">
              The gallery is empty.
              {canAdd ? ' Upload a file or add one by its URL below.' : ''}
            </p>
          ) : (
            <div role="radiogroup" aria-label="Gallery" className="grid grid-cols-4 gap-2">
              {media.data.map((m) => {
                const Icon = m.kind === 'image' ? null : kindIcon[m.kind];
                return (
                  // biome-ignore lint/a11y/useSemanticElements: a tile grid of pictures, not radio inputs
                  <button
                    key={m.id}
                    type="button"
                    role="radio"
                    aria-checked={picked === m.id}
                    aria-label={m.name}
                    onClick={() => setPicked(m.id)}
                    className={`flex h-28 flex-col items-center justify-center gap-1 overflow-hidden rounded border p-1 text-xs focus-visible:outline-2 focus-visible:outline-indigo-500 ${picked === m.id ? 'border-indigo-600 ring-2 ring-indigo-600' : 'border-slate-200 hover:border-slate-400'}`}
                  >
                    {Icon ? (
                      <Icon aria-hidden className="h-8 w-8 text-slate-500" />
                    ) : (
                      <img src={m.url} alt="" className="h-20 w-full object-cover" />
                    )}
                    <span className="w-full truncate">{m.name}</span>
                  </button>
                );
              })}
            </div>
          )}
          {item && (
            <form
              className="space-y-2"
              onSubmit={(e) => {
                e.preventDefault();
                e.stopPropagation();
                send.mutate();
              }}
            >
              <label className="block text-xs font-medium text-slate-700">
                Caption (optional)
                <input
                  className={`${inputClass} mt-1`}
                  maxLength={1024}
                  value={caption}
                  placeholder={item.caption ?? ''}
                  onChange={(e) => setCaption(e.target.value)}
                />
              </label>
              <div className="flex items-center justify-end gap-2">
                {send.error && (
                  <span role="alert" className="mr-auto text-xs text-red-700">
                    {send.error.message}
                  </span>
                )}
                <Button type="submit" disabled={send.isPending}>
                  Send {item.kind}
                </Button>
              </div>
            </form>
          )}
          {canAdd && <UploadMedia onUploaded={(m) => setPicked(m.id)} />}
          {canAdd &&
            (adding ? (
              <AddMedia
                onAdded={(m) => {
                  setPicked(m.id);
                  setAdding(false);
                }}
                onCancel={() => setAdding(false)}
              />
            ) : (
              <Button variant="secondary" onClick={() => setAdding(true)}>
                <Link2 aria-hidden className="mr-1 inline h-4 w-4" />
                Add by URL
              </Button>
            ))}
        </div>
      )}
    </Modal>
  );
}

/** What the platforms take (the server checks the same; this only saves a doomed upload). */
const accept = [
  'image/jpeg',
  'image/png',
  'video/mp4',
  'video/3gpp',
  'audio/aac',
  'audio/amr',
  'audio/mpeg',
  'audio/mp4',
  'audio/ogg',
  'application/pdf',
  'text/plain',
  '.doc',
  '.docx',
  '.xls',
  '.xlsx',
  '.ppt',
  '.pptx',
].join(',');
const MB = 1024 * 1024;
/** WhatsApp's size limits by kind: image 5 MB, video and audio 16 MB, documents 100 MB. */
function sizeProblem(file: File): string | null {
  const kind = file.type.split('/')[0];
  const [label, limit] =
    kind === 'image'
      ? ['image', 5]
      : kind === 'video' || kind === 'audio'
        ? [kind, 16]
        : ['document', 100];
  if (file.size === 0) return `${file.name} is empty`;
  if (file.size > limit * MB)
    return `${file.name} is ${(file.size / MB).toFixed(1)} MB; WhatsApp takes ${label === 'audio' ? 'audio' : `${label}s`} up to ${limit} MB`;
  return null;
}

/**
 * Posts a file to `/media/upload` as multipart form data. XMLHttpRequest rather than fetch,
 * for upload progress; errors carry the server's message like the shared `api` client's.
 */
function uploadMedia(file: File, onProgress: (fraction: number) => void): Promise<MediaItem> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `${apiBase}/media/upload`);
    request.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    request.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = request.responseText;
      }
      if (request.status >= 200 && request.status < 300) return resolve(body as MediaItem);
      const message =
        typeof body === 'object' && body !== null && 'message' in body
          ? String((body as { message: unknown }).message)
          : `${request.status} ${request.statusText}`;
      reject(new ApiError(request.status, message, body));
    };
    request.onerror = () =>
      reject(new ApiError(0, 'The upload did not reach the server; check the connection', null));
    const form = new FormData();
    form.append('file', file, file.name);
    request.send(form);
  });
}

/** A drop zone and a file button: uploads one file, adds it to the gallery and picks it. */
function UploadMedia({ onUploaded }: { onUploaded: (media: MediaItem) => void }) {
  const client = useQueryClient();
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [uploading, setUploading] = useState<{ name: string; fraction: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);

  async function start(file: File | undefined) {
    if (!file || uploading) return;
    const problem = sizeProblem(file);
    setError(problem);
    if (problem) return;
    setUploading({ name: file.name, fraction: 0 });
    try {
      const media = await uploadMedia(file, (fraction) =>
        setUploading({ name: file.name, fraction }),
      );
      client.setQueryData<MediaItem[]>(['media'], (list) => [media, ...(list ?? [])]);
      onUploaded(media);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setUploading(null);
      if (input.current) input.current.value = '';
    }
  }
  const over = (e: DragEvent) => {
    e.preventDefault();
    setDragging(true);
  };
  const percent = uploading ? Math.round(uploading.fraction * 100) : 0;
  return (
    <section
      aria-label="Upload to gallery"
      onDragOver={over}
      onDragEnter={over}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        void start(e.dataTransfer.files[0]);
      }}
      className={`rounded border-2 border-dashed p-3 text-sm ${dragging ? 'border-indigo-500 bg-indigo-50' : 'border-slate-300'}`}
    >
      {uploading ? (
        <div role="status" className="space-y-1">
          <p className="truncate text-slate-700">
            Uploading {uploading.name}… {percent}%
          </p>
          <div
            role="progressbar"
            aria-label={`Uploading ${uploading.name}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
            className="h-1.5 overflow-hidden rounded bg-slate-200"
          >
            <div className="h-full bg-indigo-600 transition-all" style={{ width: `${percent}%` }} />
          </div>
        </div>
      ) : (
        <div className="flex flex-wrap items-center gap-3">
          <input
            ref={input}
            id={inputId}
            type="file"
            accept={accept}
            className="peer sr-only"
            onChange={(e) => void start(e.target.files?.[0])}
          />
          <label
            htmlFor={inputId}
            className="cursor-pointer rounded bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-700 peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-indigo-500"
          >
            <Upload aria-hidden className="mr-1 inline h-4 w-4" />
            Upload a file
          </label>
          <span className="text-xs text-slate-500">
            or drop one here · images up to 5 MB (JPEG, PNG), video and audio up to 16 MB, documents
            up to 100 MB
          </span>
        </div>
      )}
      {error && (
        <p role="alert" className="mt-2 text-xs text-red-700">
          {error}
        </p>
      )}
    </section>
  );
}

function AddMedia({
  onAdded,
  onCancel,
}: {
  onAdded: (media: MediaItem) => void;
  onCancel: () => void;
}) {
  const client = useQueryClient();
  const [kind, setKind] = useState<MediaItem['kind']>('image');
  const [url, setUrl] = useState('');
  const [name, setName] = useState('');
  const add = useMutation({
    mutationFn: () =>
      api.post<MediaItem>('/media', {
        kind,
        url: url.trim(),
        name: name.trim(),
        ...(kind === 'document' && { filename: url.trim().split('/').pop() || name.trim() }),
      }),
    onSuccess: (media) => {
      client.setQueryData<MediaItem[]>(['media'], (list) => [media, ...(list ?? [])]);
      onAdded(media);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    e.stopPropagation();
    add.mutate();
  };
  return (
    <form
      onSubmit={submit}
      aria-label="Add by URL"
      className="space-y-2 rounded border border-slate-200 p-3"
    >
      <div className="grid grid-cols-[8rem_1fr] gap-2">
        <label className="text-xs font-medium text-slate-700">
          Kind
          <select
            className={`${inputClass} mt-1`}
            value={kind}
            onChange={(e) => setKind(e.target.value as MediaItem['kind'])}
          >
            <option value="image">Image</option>
            <option value="document">Document</option>
            <option value="video">Video</option>
            <option value="audio">Audio</option>
          </select>
        </label>
        <label className="text-xs font-medium text-slate-700">
          Name
          <input
            className={`${inputClass} mt-1`}
            required
            maxLength={200}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
      </div>
      <label className="block text-xs font-medium text-slate-700">
        Public URL
        <input
          className={`${inputClass} mt-1`}
          type="url"
          required
          placeholder="https://…"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
        />
      </label>
      <div className="flex items-center justify-end gap-2">
        {add.error && (
          <span role="alert" className="mr-auto text-xs text-red-700">
            {add.error.message}
          </span>
        )}
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" disabled={add.isPending}>
          Add
        </Button>
      </div>
    </form>
  );
}

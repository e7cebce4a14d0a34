/**
 * Send a file from the media gallery (`GET /media`): pick an image, video, audio or document,
 * add a caption, send. People who manage media can add a file to the gallery here by its
 * public URL (the gallery stores links, the platform fetches the file when it is sent).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FileText, Film, ImagePlus, Music, Paperclip } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { api, type MediaItem, type Message } from './api.js';
import { Button, inputClass, Modal } from './ui.js';

const kindIcon = { video: Film, audio: Music, document: FileText } as const;

export function MediaPicker({
  conversationId,
  disabled,
  canAdd,
  onSent,
}: {
  conversationId: string;
  disabled: boolean;
  canAdd: boolean;
  onSent: (message: Message) => void;
}) {
  const [open, setOpen] = useState(false);
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
    <>
      <button
        type="button"
        disabled={disabled}
        aria-label="Send media"
        title="Send an image or document from the gallery"
        onClick={() => setOpen(true)}
        className="rounded p-1.5 text-slate-600 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-500 disabled:opacity-40"
      >
        <Paperclip className="h-5 w-5" />
      </button>
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
                The gallery is empty.{canAdd ? ' Add a file below.' : ''}
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
                  <ImagePlus aria-hidden className="mr-1 inline h-4 w-4" />
                  Add to gallery
                </Button>
              ))}
          </div>
        )}
      </Modal>
    </>
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
    add.mutate();
  };
  return (
    <form
      onSubmit={submit}
      aria-label="Add to gallery"
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

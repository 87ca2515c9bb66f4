// Files given with a message: reading them in the page, the limits the
// app holds them to, and whether the chat's model can take them.
import type { Attachment, ModelOption } from './api';

/** The largest file the app accepts (images; other files are limited to 10 MiB by the app). */
export const maxAttachmentBytes = 20 << 20;

/** Reads a file as standard base64 (what the app's AddAttachment takes). */
export function readBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => {
      const url = typeof r.result === 'string' ? r.result : '';
      resolve(url.slice(url.indexOf(',') + 1));
    };
    r.onerror = () => reject(r.error ?? new Error('the file could not be read'));
    r.readAsDataURL(file);
  });
}

/**
 * Why the message cannot go to the model as it is, or null: images to a
 * model that cannot take them.
 */
export function visionRefusal(pending: Attachment[], model: ModelOption | undefined, modelName: string): string | null {
  const images = pending.filter((a) => a.kind === 'image');
  if (images.length === 0 || model?.vision) return null;
  const what = images.length === 1 ? `the image ${images[0].name}` : `${images.length} images`;
  return `${modelName} cannot take images. Pick a model that can (GPT-4o, Claude, Gemini…) or remove ${what}.`;
}

/** What a chip says of a file's kind. */
export function kindLabel(kind: string): string {
  switch (kind) {
    case 'image': return 'Image';
    case 'pdf': return 'PDF';
    case 'code': return 'Code';
    case 'markdown': return 'Markdown';
    case 'html': return 'HTML';
    default: return 'Text';
  }
}

/** The note under a text file cut to fit the model's window, or null. */
export function cutNote(a: Attachment): string | null {
  if (!a.truncated) return null;
  return `cut to ${a.keptTokens.toLocaleString('en-US')} of ${a.totalTokens.toLocaleString('en-US')} tokens to fit the model's window`;
}

/** Whether the page runs in the app's own window (not a browser on the development server). */
export function inNativeWindow(): boolean {
  const { protocol, hostname } = window.location;
  return protocol === 'wails:' || hostname === 'wails.localhost' || hostname === 'wails';
}

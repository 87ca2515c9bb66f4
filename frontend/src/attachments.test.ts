import { describe, expect, it } from 'vitest';
import { cutNote, kindLabel, visionRefusal } from './attachments';
import { assistant, catalog } from './wailsjs/go/models';

const file = (kind: string, name: string, extra: Partial<assistant.AttachmentView> = {}) =>
  new assistant.AttachmentView({ id: 1, messageId: 0, name, mime: '', kind, size: 10, truncated: false, keptTokens: 0, totalTokens: 0, ...extra });
const model = (vision: boolean) => new catalog.ModelView({ id: 'x/y', name: 'Y', provider: 'x', local: false, vision });

describe('attachments', () => {
  it('refuses images for a model without vision, naming the model and the image', () => {
    expect(visionRefusal([file('text', 'a.txt')], model(false), 'Echo')).toBeNull();
    expect(visionRefusal([file('image', 'a.png')], model(true), 'GPT-4o')).toBeNull();
    expect(visionRefusal([file('image', 'a.png')], model(false), 'Echo')).toBe('Echo cannot take images. Pick a model that can (GPT-4o, Claude, Gemini…) or remove the image a.png.');
    expect(visionRefusal([file('image', 'a.png'), file('image', 'b.png')], undefined, 'gone/model')).toContain('remove 2 images');
  });
  it('says when a text was cut to fit', () => {
    expect(cutNote(file('text', 'a.txt'))).toBeNull();
    expect(cutNote(file('text', 'a.txt', { truncated: true, keptTokens: 16384, totalTokens: 40000 }))).toBe("cut to 16,384 of 40,000 tokens to fit the model's window");
    expect(kindLabel('pdf')).toBe('PDF');
  });
});

// Generated from backend/session/events.go by `go test ./backend/session -run TestEventNamesFile -update`.
// Do not edit: change the table there.
import type { assistant, catalog, dataexport, session, watch } from './wailsjs/go/models';

export const eventNames = {
  token: 'chat:token',
  reasoning: 'chat:reasoning',
  done: 'chat:done',
  chatUpdated: 'chat:updated',
  chatsChanged: 'chats:changed',
  modelLoad: 'models:load',
  download: 'models:download',
  modelsChanged: 'models:changed',
  docsProgress: 'docs:progress',
  docsChanged: 'docs:changed',
  docsEmbedding: 'docs:embedding',
  docsFolder: 'docs:folder',
  dataProgress: 'data:progress',
  chatAttached: 'chat:attached',
} as const;

/** The payload of each event (undefined: the event carries none). */
export interface EventPayload {
  token: assistant.TokenEvent;
  reasoning: assistant.TokenEvent;
  done: assistant.DoneEvent;
  chatUpdated: assistant.ChatView;
  chatsChanged: undefined;
  modelLoad: catalog.ModelLoadEvent;
  download: catalog.DownloadEvent;
  modelsChanged: undefined;
  docsProgress: session.IngestProgress;
  docsChanged: undefined;
  docsEmbedding: session.EmbeddingProgress;
  docsFolder: watch.State;
  dataProgress: dataexport.Progress;
  chatAttached: session.AttachedEvent;
}

// The one module that talks to the Go side: typed wrappers over the
// generated Wails bindings and events. Components import from here only.
import * as App from './wailsjs/go/main/App';
import { EventsOn } from './wailsjs/runtime/runtime';
import { EventOrder } from './eventorder';
import type { assistant, backup, catalog, dataexport, docs, download, localapi, session, watch } from './wailsjs/go/models';
import { eventNames, type EventPayload } from './events.gen';

export type Chat = assistant.ChatView;
export type ChatSettings = assistant.ChatSettings;
export type Preset = assistant.PresetView;
export type Message = assistant.MessageView;
export type ChatDetail = assistant.ChatDetail;
export type Attachment = assistant.AttachmentView;
export type AttachmentContent = assistant.AttachmentContent;
export type ModelOption = catalog.ModelView;
export type Status = session.Status;
export type ProviderInfo = catalog.ProviderView;
export type LocalModel = catalog.LocalModelView;
export type LocalSettings = catalog.LocalSettings;
export type PendingDownload = catalog.PendingDownload;
export type HFModel = session.HuggingFaceModel;
export type Catalogue = session.CatalogueView;
export type CatalogueEntry = session.CatalogueEntry;
export type MessageHit = assistant.MessageHitView;
export type APIStatus = session.APIStatus;
export type APISettings = assistant.LocalAPISettings;
export type ClientToken = session.ClientTokenView;
export type NewClientToken = session.NewClientToken;
export type ConnectInfo = session.ConnectView;
export type ClientSetup = localapi.ClientSetup;
export type Doc = docs.Document;
export type DocFull = docs.Full;
export type DocHit = docs.Hit;
export type DocResult = docs.Result;
export type FolderState = watch.State;
export type Citation = assistant.Citation;
export type ImportReport = dataexport.Report;
export type BackupConfig = backup.Config;
export type Theme = 'system' | 'light' | 'dark';
export type EmbeddingModel = catalog.EmbeddingModel;
export type EmbeddingProgressData = docs.EmbedProgress;
export type EmbeddingState = session.EmbeddingState;
export type EmbeddingProgress = session.EmbeddingProgress;
export type IngestProgress = session.IngestProgress;
/** An event's payload: the generated type without the class's converter (events arrive as plain JSON). */
type Plain<T> = Omit<T, 'convertValues'>;
export type TokenEvent = Plain<assistant.TokenEvent>;
export type DoneEvent = Plain<assistant.DoneEvent>;
export type LoadEvent = catalog.ModelLoadEvent;
export type DownloadProgress = download.Progress;
export type DownloadEvent = catalog.DownloadEvent;
/** Progress of an export: stage, and items done of total. */
export type DataProgress = dataexport.Progress;
/** Files dropped on the message box in the window, kept for the chat's next message. */
export type AttachedEvent = Plain<session.AttachedEvent>;

/** The saved theme, or "system" for anything else. */
function asTheme(t: string): Theme {
  return t === 'light' || t === 'dark' ? t : 'system';
}

/** Turns a rejected binding call into a readable message. */
export function errorText(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e instanceof Error) return e.message;
  try { return JSON.stringify(e); } catch { return String(e); }
}

export const api = {
  status: (): Promise<Status> => App.Status(),
  listChats: (): Promise<Chat[]> => App.ListChats(),
  createChat: (): Promise<Chat> => App.CreateChat(),
  renameChat: (id: number, title: string): Promise<void> => App.RenameChat(id, title),
  deleteChat: (id: number): Promise<void> => App.DeleteChat(id),
  openChat: (id: number): Promise<ChatDetail> => App.OpenChat(id),
  send: (chatId: number, text: string, attachments: number[]) => App.SendMessage(chatId, text, attachments),
  addAttachment: (chatId: number, name: string, base64: string): Promise<Attachment> => App.AddAttachment(chatId, name, base64),
  pickAttachments: (chatId: number): Promise<Attachment[]> => App.PickAttachments(chatId),
  removeAttachment: (id: number): Promise<void> => App.RemoveAttachment(id),
  openAttachment: (id: number): Promise<AttachmentContent> => App.OpenAttachment(id),
  setAttachDropZone: (chatId: number, r: { x: number; y: number; width: number; height: number }): Promise<void> =>
    App.SetAttachDropZone(chatId, Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height)),
  regenerate: (chatId: number) => App.Regenerate(chatId),
  editAndResend: (chatId: number, messageId: number, text: string, attachments: number[]) => App.EditAndResend(chatId, messageId, text, attachments),
  selectBranch: (chatId: number, messageId: number): Promise<ChatDetail> => App.SelectBranch(chatId, messageId),
  stop: (chatId: number): Promise<void> => App.StopGeneration(chatId),
  listModels: (): Promise<ModelOption[]> => App.ListModels(),
  setChatModel: (chatId: number, model: string): Promise<void> => App.SetChatModel(chatId, model),
  setChatSettings: (chatId: number, s: ChatSettings): Promise<Chat> => App.SetChatSettings(chatId, s),
  applyPreset: (chatId: number, presetId: number): Promise<Chat> => App.ApplyPreset(chatId, presetId),
  listPresets: (): Promise<Preset[]> => App.ListPresets(),
  createPreset: (name: string, s: ChatSettings): Promise<Preset> => App.CreatePreset(name, s),
  updatePreset: (id: number, name: string, s: ChatSettings): Promise<Preset> => App.UpdatePreset(id, name, s),
  deletePreset: (id: number): Promise<void> => App.DeletePreset(id),
  exportChat: (chatId: number, format: 'markdown' | 'html'): Promise<string> => App.ExportChat(chatId, format),
  theme: async (): Promise<Theme> => asTheme(await App.Theme()),
  setTheme: (t: Theme): Promise<void> => App.SetTheme(t),
  searchMessages: (q: string): Promise<MessageHit[]> => App.SearchMessages(q),
  providers: (): Promise<ProviderInfo[]> => App.Providers(),
  setProviderKey: (id: string, key: string, baseUrl: string): Promise<ProviderInfo> => App.SetProviderKey(id, key, baseUrl),
  removeProviderKey: (id: string): Promise<void> => App.RemoveProviderKey(id),
  localModels: (): Promise<LocalModel[]> => App.LocalModels(),
  importModelFile: (): Promise<LocalModel> => App.ImportModelFile(),
  importModelFolder: (): Promise<LocalModel> => App.ImportModelFolder(),
  huggingFaceModels: (): Promise<HFModel[]> => App.HuggingFaceModels(),
  importHuggingFaceModel: (path: string): Promise<LocalModel> => App.ImportHuggingFaceModel(path),
  updateLocalModel: (id: string, name: string, s: LocalSettings): Promise<LocalModel> => App.UpdateLocalModel(id, name, s),
  removeLocalModel: (id: string): Promise<void> => App.RemoveLocalModel(id),
  downloadModel: (url: string, sha256: string): Promise<string> => App.DownloadModel(url, sha256),
  pauseDownload: (id: string): Promise<void> => App.PauseDownload(id),
  cancelDownload: (id: string): Promise<void> => App.CancelDownload(id),
  pendingDownloads: (): Promise<PendingDownload[]> => App.PendingDownloads(),
  modelCatalogue: (): Promise<Catalogue> => App.ModelCatalogue(),
  refreshModelCatalogue: (url: string): Promise<Catalogue> => App.RefreshModelCatalogue(url),
  downloadCatalogueModel: (id: string): Promise<string> => App.DownloadCatalogueModel(id),
  localAPIStatus: (): Promise<APIStatus> => App.LocalAPIStatus(),
  exportData: (passphrase: string): Promise<string> => App.ExportData(passphrase),
  importData: (passphrase: string): Promise<ImportReport> => App.ImportData(passphrase),
  wipeData: (confirm: string): Promise<void> => App.WipeData(confirm),
  rotateDBKey: (): Promise<void> => App.RotateDBKey(),
  unlock: (passphrase: string): Promise<void> => App.Unlock(passphrase),
  keyMode: (): Promise<string> => App.KeyMode(),
  usePassphrase: (passphrase: string): Promise<void> => App.UsePassphrase(passphrase),
  useKeychain: (): Promise<void> => App.UseKeychain(),
  backupConfig: (): Promise<BackupConfig> => App.BackupConfig(),
  chooseBackupFolder: (): Promise<string> => App.ChooseBackupFolder(),
  saveBackupConfig: (c: BackupConfig, passphrase: string): Promise<BackupConfig> => App.SaveBackupConfig(c, passphrase),
  backupNow: (): Promise<string> => App.BackupNow(),
  retentionDays: (): Promise<number> => App.RetentionDays(),
  setRetentionDays: (days: number): Promise<number> => App.SetRetentionDays(days),
  listDocuments: (): Promise<Doc[]> => App.ListDocuments(),
  embeddingModels: (): Promise<EmbeddingState> => App.EmbeddingModels(),
  useEmbeddingModel: (id: string): Promise<void> => App.UseEmbeddingModel(id),
  reindexDocuments: (): Promise<void> => App.ReindexDocuments(),
  importEmbeddingModel: (): Promise<string> => App.ImportEmbeddingModel(),
  addDocumentFiles: (): Promise<DocResult[]> => App.AddDocumentFiles(),
  addDocumentFolder: (): Promise<FolderState> => App.AddDocumentFolder(),
  watchedFolders: (): Promise<FolderState[]> => App.WatchedFolders(),
  pauseFolder: (id: number, paused: boolean): Promise<FolderState> => App.PauseFolder(id, paused),
  removeFolder: (id: number): Promise<void> => App.RemoveFolder(id),
  addNote: (title: string, text: string): Promise<DocResult> => App.AddNote(title, text),
  getDocument: (id: number): Promise<DocFull> => App.GetDocument(id),
  deleteDocument: (id: number): Promise<void> => App.DeleteDocument(id),
  searchDocuments: (q: string): Promise<DocHit[]> => App.SearchDocuments(q),
  setChatDocuments: (chatId: number, on: boolean): Promise<void> => App.SetChatDocuments(chatId, on),
  saveLocalAPI: (s: APISettings): Promise<APIStatus> => App.SaveLocalAPI(s),
  rotateLocalAPIToken: (): Promise<APIStatus> => App.RotateLocalAPIToken(),
  clientTokens: (): Promise<ClientToken[]> => App.ClientTokens(),
  createClientToken: (name: string): Promise<NewClientToken> => App.CreateClientToken(name),
  rotateClientToken: (name: string): Promise<NewClientToken> => App.RotateClientToken(name),
  revokeClientToken: (name: string): Promise<void> => App.RevokeClientToken(name),
  connectInfo: (model: string, tokenName: string, token: string): Promise<ConnectInfo> => App.ConnectInfo(model, tokenName, token),
};

type Off = () => void;

const order = new EventOrder();
const listeners = new Map<string, Set<(p: unknown) => void>>();
let subscribed = false;

/**
 * Subscribes to an event by its key in the generated table. Every event
 * of the table is received once, here, and handed to its listeners in the
 * order the backend sent them (see eventorder.ts).
 */
function on<K extends keyof EventPayload>(key: K, fn: (p: EventPayload[K]) => void): Off {
  if (!subscribed) {
    subscribed = true;
    for (const name of Object.values(eventNames)) {
      // A listener that throws must not hold back the others, nor the
      // events after it.
      const deliver = (p: unknown) => listeners.get(name)?.forEach((f) => {
        try { f(p); } catch (err) { console.error(err); }
      });
      EventsOn(name, (p: unknown, seq?: unknown) => order.push(seq, () => deliver(p)));
    }
  }
  const name = eventNames[key];
  let set = listeners.get(name);
  if (!set) listeners.set(name, (set = new Set()));
  const f = fn as (p: unknown) => void;
  set.add(f);
  return () => { set.delete(f); };
}

export const events = {
  onToken: (fn: (e: TokenEvent) => void): Off => on('token', fn),
  onReasoning: (fn: (e: TokenEvent) => void): Off => on('reasoning', fn),
  onDone: (fn: (e: DoneEvent) => void): Off => on('done', fn),
  onChatUpdated: (fn: (c: Chat) => void): Off => on('chatUpdated', fn),
  onModelLoad: (fn: (e: LoadEvent) => void): Off => on('modelLoad', fn),
  onDownload: (fn: (e: DownloadEvent) => void): Off => on('download', fn),
  onModelsChanged: (fn: () => void): Off => on('modelsChanged', fn),
  onDocsProgress: (fn: (p: IngestProgress) => void): Off => on('docsProgress', fn),
  onDocsEmbedding: (fn: (p: EmbeddingProgress) => void): Off => on('docsEmbedding', fn),
  onDocsChanged: (fn: () => void): Off => on('docsChanged', fn),
  onDocsFolder: (fn: (s: FolderState) => void): Off => on('docsFolder', fn),
  onChatsChanged: (fn: () => void): Off => on('chatsChanged', fn),
  onDataProgress: (fn: (p: DataProgress) => void): Off => on('dataProgress', fn),
  onChatAttached: (fn: (e: AttachedEvent) => void): Off => on('chatAttached', fn),
};

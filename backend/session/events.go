package session

import (
	"sidecar/backend/assistant"
	"sidecar/backend/catalog"
	"sidecar/backend/dataexport"
	"sidecar/backend/docs"
)

// Event names the UI listens to, with the payload each carries. The chat
// events are emitted by backend/assistant, the model events by
// backend/catalog, under the same names.
const (
	EventChatToken     = assistant.EventToken        // assistant.TokenEvent
	EventChatReasoning = assistant.EventReasoning    // assistant.TokenEvent: a piece of the reasoning
	EventChatDone      = assistant.EventDone         // assistant.DoneEvent
	EventChatUpdated   = assistant.EventChatUpdated  // assistant.ChatView
	EventChatsChanged  = assistant.EventChatsChanged // nil: chats were deleted or imported
	EventModelLoad     = catalog.EventModelLoad      // catalog.ModelLoadEvent
	EventModelDownload = catalog.EventModelDownload  // catalog.DownloadEvent
	EventModelsChanged = catalog.EventModelsChanged  // nil: the model list changed
	EventDocsProgress  = "docs:progress"             // IngestProgress
	EventDocsChanged   = "docs:changed"              // nil: the document list changed
	EventDocsEmbedding = "docs:embedding"            // EmbeddingProgress
	EventDocsFolder    = "docs:folder"               // watch.State: a watched folder's state changed
	EventDataProgress  = "data:progress"             // dataexport.Progress
	EventChatAttached  = "chat:attached"             // AttachedEvent: files dropped on the message box
)

// IngestProgress reports adding files; Done comes once with the results.
type IngestProgress struct {
	docs.Progress
	Done    bool          `json:"done"`
	Results []docs.Result `json:"results"`
	Error   string        `json:"error"`
}

// EmbeddingProgress is a docs:embedding event; Finished comes once.
type EmbeddingProgress struct {
	docs.EmbedProgress
	Finished bool   `json:"finished"`
	Error    string `json:"error"`
}

// Event is one entry of the table the frontend's event names are
// generated from (frontend/src/events.gen.ts; see TestEventNamesFile).
type Event struct {
	Key     string // the name the frontend uses, e.g. "token"
	Name    string // the wire name, e.g. "chat:token"
	Payload string // the payload's type in the generated bindings ("" for none)
}

// EventTable lists every event the window emits.
var EventTable = []Event{
	{"token", EventChatToken, "assistant.TokenEvent"},
	{"reasoning", EventChatReasoning, "assistant.TokenEvent"},
	{"done", EventChatDone, "assistant.DoneEvent"},
	{"chatUpdated", EventChatUpdated, "assistant.ChatView"},
	{"chatsChanged", EventChatsChanged, ""},
	{"modelLoad", EventModelLoad, "catalog.ModelLoadEvent"},
	{"download", EventModelDownload, "catalog.DownloadEvent"},
	{"modelsChanged", EventModelsChanged, ""},
	{"docsProgress", EventDocsProgress, "session.IngestProgress"},
	{"docsChanged", EventDocsChanged, ""},
	{"docsEmbedding", EventDocsEmbedding, "session.EmbeddingProgress"},
	{"docsFolder", EventDocsFolder, "watch.State"},
	{"dataProgress", EventDataProgress, "dataexport.Progress"},
	{"chatAttached", EventChatAttached, "session.AttachedEvent"},
}

// EventPayloads has one field per event payload type. The window binds a
// method returning it so that the generated TypeScript bindings declare
// every payload type; its value carries nothing.
type EventPayloads struct {
	Token         assistant.TokenEvent   `json:"token"`
	Done          assistant.DoneEvent    `json:"done"`
	ChatUpdated   assistant.ChatView     `json:"chatUpdated"`
	ModelLoad     catalog.ModelLoadEvent `json:"modelLoad"`
	Download      catalog.DownloadEvent  `json:"download"`
	DocsProgress  IngestProgress         `json:"docsProgress"`
	DocsEmbedding EmbeddingProgress      `json:"docsEmbedding"`
	DocsFolder    FolderState            `json:"docsFolder"`
	DataProgress  dataexport.Progress    `json:"dataProgress"`
	ChatAttached  AttachedEvent          `json:"chatAttached"`
}

package session

import (
	"sidecar/backend/assistant"
	"sidecar/backend/docs"
)

// Event names the UI listens to, with the payload each carries. The chat
// and model events are emitted by backend/assistant under the same names.
const (
	EventChatToken     = assistant.EventToken         // assistant.TokenEvent
	EventChatDone      = assistant.EventDone          // assistant.DoneEvent
	EventChatUpdated   = assistant.EventChatUpdated   // assistant.ChatView
	EventChatsChanged  = assistant.EventChatsChanged  // nil: chats were deleted or imported
	EventModelLoad     = assistant.EventModelLoad     // assistant.ModelLoadEvent
	EventModelDownload = assistant.EventModelDownload // assistant.DownloadEvent
	EventModelsChanged = assistant.EventModelsChanged // nil: the model list changed
	EventDocsProgress  = "docs:progress"              // IngestProgress
	EventDocsChanged   = "docs:changed"               // nil: the document list changed
	EventDocsEmbedding = "docs:embedding"             // EmbeddingProgress
	EventDataProgress  = "data:progress"              // dataexport.Progress
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

// Package dataexport writes and reads Sidecar's export archive: every
// chat with its messages, every document with its text and chunk
// boundaries, and the settings, as a zip of versioned JSON parts with a
// manifest of counts and SHA-256 sums; optionally encrypted with a
// passphrase (Argon2id + XChaCha20-Poly1305). Secrets are never exported.
// SCHEMA.md documents the format.
package dataexport

import "sidecar/backend/store"

// SchemaVersion is the version of the archive format this build writes.
// It reads every version from MinSchemaVersion on: version 2 added chat
// settings and presets.json to version 1, which has neither; version 3
// added the branches of a chat (message ids and parents, the shown
// branch); version 4 added attachments.json, the files given with
// messages. Chats of versions 1 and 2 are single paths.
const (
	SchemaVersion    = 4
	MinSchemaVersion = 1
)

// Format names the archive in its manifest.
const Format = "sidecar-export"

// Part names inside the zip.
const (
	PartManifest  = "manifest.json"
	PartChats     = "chats.json"
	PartDocuments = "documents.json"
	PartSettings  = "settings.json"
	PartPresets   = "presets.json" // from schema version 2
	// PartAttachments holds the files of messages (schema 4 on).
	PartAttachments = "attachments.json"
)

// Manifest describes an archive.
type Manifest struct {
	Format        string            `json:"format"`
	SchemaVersion int               `json:"schema_version"`
	AppVersion    string            `json:"app_version"`
	CreatedAt     int64             `json:"created_at"` // Unix milliseconds
	Counts        Counts            `json:"counts"`
	SHA256        map[string]string `json:"sha256"` // part name -> hex digest
}

// Counts are the numbers of things in an archive.
type Counts struct {
	Chats     int `json:"chats"`
	Messages  int `json:"messages"`
	Documents int `json:"documents"`
	Chunks    int `json:"chunks"`
	Settings  int `json:"settings"`
	Presets   int `json:"presets,omitempty"`
	// Attachments counts the files of messages (schema 4).
	Attachments int `json:"attachments,omitempty"`
}

// Attachment is one file given with a message (schema 4): Chat is the
// chat's place in chats.json (1 up) and Message the message's id within
// it; Data is the file as given (base64 in JSON), Text what a prompt
// carries of it.
type Attachment struct {
	Chat        int    `json:"chat"`
	Message     int    `json:"message"`
	Name        string `json:"name"`
	MIME        string `json:"mime"`
	Kind        string `json:"kind"`
	Lang        string `json:"lang,omitempty"`
	Data        []byte `json:"data"`
	Text        string `json:"text,omitempty"`
	Truncated   bool   `json:"truncated,omitempty"`
	KeptTokens  int    `json:"kept_tokens,omitempty"`
	TotalTokens int    `json:"total_tokens,omitempty"`
	CreatedAt   int64  `json:"created_at"`
}

// Chat is one exported chat.
type Chat struct {
	Title        string    `json:"title"`
	Model        string    `json:"model"`
	UseDocuments bool      `json:"use_documents"`
	CreatedAt    int64     `json:"created_at"`
	UpdatedAt    int64     `json:"updated_at"`
	Messages     []Message `json:"messages"`
	// The chat's system prompt and sampling (schema 2; absent: the
	// model's defaults).
	SystemPrompt string   `json:"system_prompt,omitempty"`
	Temperature  *float64 `json:"temperature,omitempty"`
	TopP         *float64 `json:"top_p,omitempty"`
	MaxTokens    int      `json:"max_tokens,omitempty"`
	// Shown is the id of the message the shown branch ends at (schema 3).
	Shown int `json:"shown,omitempty"`
}

// Preset is one exported preset of chat settings (schema 2).
type Preset struct {
	Name         string   `json:"name"`
	SystemPrompt string   `json:"system_prompt"`
	Temperature  *float64 `json:"temperature,omitempty"`
	TopP         *float64 `json:"top_p,omitempty"`
	MaxTokens    int      `json:"max_tokens,omitempty"`
	CreatedAt    int64    `json:"created_at"`
	UpdatedAt    int64    `json:"updated_at"`
}

func (c *Chat) settings() store.ChatSettings {
	return store.ChatSettings{SystemPrompt: c.SystemPrompt, Temperature: c.Temperature, TopP: c.TopP, MaxTokens: c.MaxTokens}
}

func (p *Preset) settings() store.ChatSettings {
	return store.ChatSettings{SystemPrompt: p.SystemPrompt, Temperature: p.Temperature, TopP: p.TopP, MaxTokens: p.MaxTokens}
}

// Message is one exported message.
type Message struct {
	Role             string `json:"role"`
	Content          string `json:"content"`
	Model            string `json:"model"`
	Status           string `json:"status"`
	Error            string `json:"error"`
	PromptTokens     int    `json:"prompt_tokens"`
	CompletionTokens int    `json:"completion_tokens"`
	DurationMS       int64  `json:"duration_ms"`
	ContextDropped   int    `json:"context_dropped"`
	Citations        string `json:"citations"` // JSON list, as stored
	CreatedAt        int64  `json:"created_at"`
	// Reasoning is what a thinking model reasoned before its answer, kept
	// apart from Content (absent in older archives and when there is none).
	Reasoning string `json:"reasoning,omitempty"`
	// ID numbers the message within its chat, 1 up in the order written,
	// and Parent is the id of the message it follows (absent: the chat's
	// first); versions of a turn share a parent (schema 3).
	ID     int `json:"id,omitempty"`
	Parent int `json:"parent,omitempty"`
}

// Document is one exported document.
type Document struct {
	Source    string  `json:"source"`
	Title     string  `json:"title"`
	Kind      string  `json:"kind"`
	Size      int64   `json:"size"`
	SHA256    string  `json:"sha256"` // of the original file
	Content   string  `json:"content"`
	CreatedAt int64   `json:"created_at"`
	UpdatedAt int64   `json:"updated_at"`
	Chunks    []Chunk `json:"chunks"`
}

// Chunk is a chunk of a document: its boundaries in Content and its text.
type Chunk struct {
	Ord       int    `json:"ord"`
	Text      string `json:"text"`
	LineStart int    `json:"line_start"`
	LineEnd   int    `json:"line_end"`
	Heading   string `json:"heading"`
	Tokens    int    `json:"tokens"`
}

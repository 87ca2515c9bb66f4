package assistant

import "sidecar/backend/store"

// ChatView is a chat as the UI and API see it. Times are Unix milliseconds.
type ChatView struct {
	ID           int64        `json:"id"`
	Title        string       `json:"title"`
	Model        string       `json:"model"`
	UseDocuments bool         `json:"useDocuments"`
	Settings     ChatSettings `json:"settings"`
	CreatedAt    int64        `json:"createdAt"`
	UpdatedAt    int64        `json:"updatedAt"`
}

// MessageView is a stored message as the UI and API see it.
type MessageView struct {
	ID               int64      `json:"id"`
	ChatID           int64      `json:"chatId"`
	Role             string     `json:"role"`
	Content          string     `json:"content"`
	Reasoning        string     `json:"reasoning"` // a thinking model's reasoning, apart from Content
	Model            string     `json:"model"`
	Status           string     `json:"status"` // streaming, done, stopped, error
	Error            string     `json:"error"`
	PromptTokens     int        `json:"promptTokens"`
	CompletionTokens int        `json:"completionTokens"`
	DurationMS       int64      `json:"durationMs"`
	ContextDropped   int        `json:"contextDropped"` // earlier messages left out to fit the model's context
	Citations        []Citation `json:"citations"`
	CreatedAt        int64      `json:"createdAt"`
	ParentID         int64      `json:"parentId"` // the message this one follows; 0: the chat's first
	// Siblings are the ids of every version of this turn (edits of a
	// message, regenerated answers), this one included, oldest first.
	Siblings []int64 `json:"siblings"`
	// Attachments are the files given with a message of the user's.
	Attachments []AttachmentView `json:"attachments"`
}

// ChatDetail is an opened chat: Messages are its shown branch.
type ChatDetail struct {
	Chat       ChatView      `json:"chat"`
	Messages   []MessageView `json:"messages"`
	Generating bool          `json:"generating"`
	// Pending are the files picked for the next message, not sent yet.
	Pending []AttachmentView `json:"pending"`
}

// ModelView is one model the user can pick.
type ModelView struct {
	ID       string `json:"id"` // "provider/model"
	Name     string `json:"name"`
	Provider string `json:"provider"`
	Local    bool   `json:"local"`
}

// SendResult is what SendMessage stored before generation starts.
type SendResult struct {
	User      MessageView `json:"user"`
	Assistant MessageView `json:"assistant"`
}

// TokenEvent carries one streamed piece of an answer (EventToken) or of
// its reasoning (EventReasoning). Offset is where the piece starts in
// that text, in UTF-16 code units (a JavaScript string's length), so a
// view that receives pieces out of order or twice can place each once.
type TokenEvent struct {
	ChatID    int64  `json:"chatId"`
	MessageID int64  `json:"messageId"`
	Text      string `json:"text"`
	Offset    int    `json:"offset"`
}

// DoneEvent carries the final state of an answer.
type DoneEvent struct {
	ChatID  int64       `json:"chatId"`
	Message MessageView `json:"message"`
}

func chatView(c store.Chat) ChatView {
	return ChatView{ID: c.ID, Title: c.Title, Model: c.Model, UseDocuments: c.UseDocuments, Settings: settingsView(c.Settings),
		CreatedAt: c.CreatedAt.UnixMilli(), UpdatedAt: c.UpdatedAt.UnixMilli()}
}

func messageView(m store.Message, atts []AttachmentView) MessageView {
	v := MessageView{ID: m.ID, ChatID: m.ChatID, Role: m.Role, Content: m.Content, Reasoning: m.Reasoning, Model: m.Model, Status: m.Status,
		Error: m.Error, PromptTokens: m.PromptTokens, CompletionTokens: m.CompletionTokens, DurationMS: m.DurationMS,
		ContextDropped: m.ContextDropped, Citations: parseCitations(m), CreatedAt: m.CreatedAt.UnixMilli(),
		ParentID: m.ParentID, Siblings: m.Siblings}
	if v.Siblings == nil {
		v.Siblings = []int64{m.ID}
	}
	if v.Attachments = atts; atts == nil {
		v.Attachments = []AttachmentView{}
	}
	return v
}

// Package assistant holds Sidecar's chats: managing them and sending a
// message (build the prompt, ground it in the documents, generate with the
// provider the catalogue (backend/catalog) gives for the chat's model,
// stream the answer out as events, persist it), retention, and completions
// for the local API. The desktop shell and the local API call it; it calls
// the catalogue and the building blocks (store, llm, ...).
package assistant

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"sidecar/backend/catalog"
	"sidecar/backend/store"
)

// Event names sent through Events.
const (
	EventToken       = "chat:token"     // TokenEvent: one streamed piece of an answer
	EventReasoning   = "chat:reasoning" // TokenEvent: one streamed piece of an answer's reasoning
	EventDone        = "chat:done"      // DoneEvent: an answer is complete, stopped or failed
	EventChatUpdated = "chat:updated"   // ChatView: a chat's title or order changed
)

// Events delivers events to the UI. Implementations must not block for long.
type Events interface {
	Emit(name string, data any)
}

// DefaultModel is used by chats that have not chosen a model.
const DefaultModel = catalog.DefaultModel

// MaxMessageBytes bounds one user message.
const MaxMessageBytes = 256 << 10

// Errors callers can test for with errors.Is.
var (
	ErrBusy         = errors.New("assistant: this chat is already generating an answer")
	ErrEmptyMessage = errors.New("assistant: the message is empty")
	ErrTooLong      = fmt.Errorf("assistant: the message is longer than %d KiB", MaxMessageBytes>>10)
)

// Service implements the chats over one opened store.
type Service struct {
	db     *store.DB
	cat    *catalog.Catalog
	events Events
	log    *slog.Logger

	mu        sync.Mutex
	running   map[int64]*generation // by chat ID
	retriever Retriever
	wg        sync.WaitGroup
}

// generation is a chat's answer from the moment it is reserved: stop
// cancels its preparation (history, grounding, loading a model) and its
// streaming alike, so cancel is set before anyone can see the generation.
type generation struct {
	ctx    context.Context // ends when the answer is stopped
	cancel context.CancelFunc
	done   chan struct{} // closed when the chat is free again

	mu                 sync.Mutex
	answerID           int64  // the answer streaming, once it is stored
	content, reasoning string // what it has streamed so far
}

// streamed records an answer's text so far; a chat opened while it streams
// shows it, and the pieces that follow continue from it.
func (g *generation) streamed(answerID int64, content, reasoning string) {
	g.mu.Lock()
	g.answerID, g.content, g.reasoning = answerID, content, reasoning
	g.mu.Unlock()
}

// live is the text streamed so far of answer id, if it is the one streaming.
func (g *generation) live(id int64) (content, reasoning string, ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.content, g.reasoning, g.answerID == id && id != 0
}

// New returns a Service whose chats use the models of cat.
func New(db *store.DB, cat *catalog.Catalog, events Events, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: db, cat: cat, events: events, log: log, running: map[int64]*generation{}}
}

// Close stops all generations, those still being prepared included, and
// waits for them to be stored.
func (s *Service) Close() {
	s.mu.Lock()
	var all []int64
	for id := range s.running {
		all = append(all, id)
	}
	s.mu.Unlock()
	for _, id := range all {
		s.stopAndWait(id)
	}
	s.wg.Wait()
}

// ListChats returns all chats, most recent first.
func (s *Service) ListChats(ctx context.Context) ([]ChatView, error) {
	chats, err := s.db.ListChats(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ChatView, len(chats))
	for i, c := range chats {
		out[i] = chatView(c)
	}
	return out, nil
}

// CreateChat creates an empty chat using the default model.
func (s *Service) CreateChat(ctx context.Context) (ChatView, error) {
	c, err := s.db.CreateChat(ctx, "", DefaultModel)
	if err != nil {
		return ChatView{}, err
	}
	return chatView(c), nil
}

// RenameChat renames a chat.
func (s *Service) RenameChat(ctx context.Context, id int64, title string) error {
	if len(title) > 200 {
		return fmt.Errorf("assistant: title longer than 200 bytes")
	}
	return s.db.RenameChat(ctx, id, title)
}

// SetChatModel chooses the model for a chat's next answers.
func (s *Service) SetChatModel(ctx context.Context, id int64, model string) error {
	if _, _, err := s.cat.Provider(model); err != nil {
		return err
	}
	return s.db.SetChatModel(ctx, id, model)
}

// DeleteChat stops any generation in the chat and deletes it.
func (s *Service) DeleteChat(ctx context.Context, id int64) error {
	s.stopAndWait(id)
	return s.db.DeleteChat(ctx, id)
}

// OpenChat returns a chat with the messages of its shown branch.
func (s *Service) OpenChat(ctx context.Context, id int64) (ChatDetail, error) {
	c, err := s.db.Chat(ctx, id)
	if err != nil {
		return ChatDetail{}, err
	}
	msgs, err := s.db.ShownPath(ctx, id)
	if err != nil {
		return ChatDetail{}, err
	}
	d := ChatDetail{Chat: chatView(c), Messages: make([]MessageView, len(msgs))}
	atts := s.attachmentViews(ctx, msgs)
	for i, m := range msgs {
		d.Messages[i] = messageView(m, atts[m.ID])
	}
	pending, err := s.db.PendingAttachments(ctx, id)
	if err != nil {
		return ChatDetail{}, err
	}
	d.Pending = make([]AttachmentView, len(pending))
	for i, a := range pending {
		d.Pending[i] = attachmentView(a)
	}
	s.mu.Lock()
	g, running := s.running[id]
	s.mu.Unlock()
	d.Generating = running
	if running {
		// The answer streaming has more than its last saved text: show all
		// of it, so the pieces still to come continue where it ends.
		for i := range d.Messages {
			m := &d.Messages[i]
			if content, reasoning, ok := g.live(m.ID); ok && m.Status == store.StatusStreaming {
				m.Content, m.Reasoning = content, reasoning
			}
		}
	}
	return d, nil
}

// SelectBranch shows the version of a turn that message id is, with the
// newest conversation that followed it, and returns the chat as shown
// then. Not while the chat is generating an answer (ErrBusy).
func (s *Service) SelectBranch(ctx context.Context, chatID, id int64) (ChatDetail, error) {
	s.mu.Lock()
	_, busy := s.running[chatID]
	s.mu.Unlock()
	if busy {
		return ChatDetail{}, ErrBusy
	}
	if err := s.db.SelectBranch(ctx, chatID, id); err != nil {
		return ChatDetail{}, err
	}
	return s.OpenChat(ctx, chatID)
}

// Stop cancels the chat's generation, if any, and waits until the partial
// answer is stored.
func (s *Service) Stop(chatID int64) { s.stopAndWait(chatID) }

func (s *Service) stopAndWait(chatID int64) {
	s.mu.Lock()
	g := s.running[chatID]
	s.mu.Unlock()
	if g == nil {
		return
	}
	g.cancel()
	select {
	case <-g.done:
	case <-time.After(10 * time.Second):
		s.log.Error("generation did not stop in time", "chat_id", chatID)
	}
}

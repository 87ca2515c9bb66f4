package assistant

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"sidecar/backend/attach"
	"sidecar/backend/llm"
	"sidecar/backend/store"
)

// persistEvery is how often a streaming answer's partial text is saved, so
// a crash loses at most this much of it.
const persistEvery = time.Second

// SendMessage stores the user's message and an empty answer, then generates
// the answer in the background: its text arrives as EventToken events and
// its end as one EventDone. It returns once both messages are stored.
func (s *Service) SendMessage(ctx context.Context, chatID int64, text string) (SendResult, error) {
	return s.SendWithAttachments(ctx, chatID, text, nil)
}

// SendWithAttachments sends a message carrying files picked for it
// (AddAttachment): their text goes into the prompt, their images to a
// model that takes them. A message with images for a model that cannot
// take them is refused (ErrNoVision) before anything is stored, so the
// text and files stay as they were. With files, the text may be empty.
func (s *Service) SendWithAttachments(ctx context.Context, chatID int64, text string, attachments []int64) (SendResult, error) {
	text, err := cleanMessage(text, len(attachments) > 0)
	if err != nil {
		return SendResult{}, err
	}
	g, err := s.reserve(chatID)
	if err != nil {
		return SendResult{}, err
	}
	res, err := s.startLocked(ctx, g, chatID, func(c store.Chat) (store.Message, error) {
		if err := s.checkAttachments(ctx, c, attachments, 0); err != nil {
			return store.Message{}, err
		}
		u, err := s.db.AddMessage(ctx, store.Message{ChatID: chatID, Role: string(llm.RoleUser), Content: text, Attach: attachments})
		if err != nil {
			return store.Message{}, err
		}
		if c.Title == "New chat" {
			title := text
			if title == "" {
				if as, err := s.db.AttachmentsByID(ctx, attachments[:1]); err == nil {
					title = as[0].Name
				}
			}
			if err := s.db.RenameChat(ctx, chatID, titleFrom(title)); err != nil {
				return store.Message{}, err
			}
		}
		return u, nil
	})
	if err != nil {
		s.release(chatID, g)
		return SendResult{}, err
	}
	return res, nil
}

// EditAndResend adds text as a new version of one of the user's messages
// (the earlier version and what followed it stay, as another branch),
// with the files of the earlier version, and answers it.
func (s *Service) EditAndResend(ctx context.Context, chatID, messageID int64, text string) (SendResult, error) {
	m, err := s.db.Message(ctx, messageID)
	if err != nil {
		return SendResult{}, err
	}
	atts, err := s.db.AttachmentsOf(ctx, []int64{m.ID}, false)
	if err != nil {
		return SendResult{}, err
	}
	keep := []int64{}
	for _, a := range atts[m.ID] {
		keep = append(keep, a.ID)
	}
	return s.EditWithAttachments(ctx, chatID, messageID, text, keep)
}

// EditWithAttachments is EditAndResend with the files the new version
// carries: any of the earlier version's (keep them all, or some) and
// files picked since (pending ones).
func (s *Service) EditWithAttachments(ctx context.Context, chatID, messageID int64, text string, attachments []int64) (SendResult, error) {
	text, err := cleanMessage(text, len(attachments) > 0)
	if err != nil {
		return SendResult{}, err
	}
	g, err := s.reserve(chatID)
	if err != nil {
		return SendResult{}, err
	}
	res, err := s.startLocked(ctx, g, chatID, func(c store.Chat) (store.Message, error) {
		m, err := s.db.Message(ctx, messageID)
		if err != nil {
			return store.Message{}, err
		}
		if m.ChatID != chatID || m.Role != string(llm.RoleUser) {
			return store.Message{}, errors.New("assistant: only your own messages can be edited")
		}
		if err := s.checkAttachments(ctx, c, attachments, m.ID); err != nil {
			return store.Message{}, err
		}
		return s.db.AddReply(ctx, store.Message{ChatID: chatID, ParentID: m.ParentID, Role: string(llm.RoleUser), Content: text, Attach: attachments})
	})
	if err != nil {
		s.release(chatID, g)
		return SendResult{}, err
	}
	return res, nil
}

// cleanMessage trims a message from the user and checks it can be sent;
// it may be empty when it carries files.
func cleanMessage(text string, files bool) (string, error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "" && !files:
		return "", ErrEmptyMessage
	case len(text) > MaxMessageBytes:
		return "", ErrTooLong
	case !utf8.ValidString(text):
		return "", errors.New("assistant: the message is not valid UTF-8")
	}
	return text, nil
}

// Regenerate answers the last message from the user on the chat's shown
// path again; the new answer becomes a version beside the earlier ones
// (or the first, after a failure left none).
func (s *Service) Regenerate(ctx context.Context, chatID int64) (SendResult, error) {
	g, err := s.reserve(chatID)
	if err != nil {
		return SendResult{}, err
	}
	res, err := s.startLocked(ctx, g, chatID, func(store.Chat) (store.Message, error) {
		msgs, err := s.db.ShownPath(ctx, chatID)
		if err != nil {
			return store.Message{}, err
		}
		for i := len(msgs) - 1; i >= 0; i-- {
			if msgs[i].Role == string(llm.RoleUser) {
				return msgs[i], nil
			}
		}
		return store.Message{}, errors.New("assistant: nothing to regenerate: the chat has no message from you")
	})
	if err != nil {
		s.release(chatID, g)
		return SendResult{}, err
	}
	return res, nil
}

func (s *Service) reserve(chatID int64) (*generation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, busy := s.running[chatID]; busy {
		return nil, ErrBusy
	}
	ctx, cancel := context.WithCancel(context.Background())
	g := &generation{ctx: ctx, cancel: cancel, done: make(chan struct{})}
	s.running[chatID] = g
	return g, nil
}

func (s *Service) release(chatID int64, g *generation) {
	s.mu.Lock()
	if s.running[chatID] == g {
		delete(s.running, chatID)
	}
	s.mu.Unlock()
	g.cancel()
	close(g.done)
}

// startLocked runs prepare (which stores or finds the user message), adds
// the empty answer after it and starts the generation; the model sees the
// path from the chat's first message to the user's. The chat is reserved; stopping
// it cancels the preparation too.
func (s *Service) startLocked(ctx context.Context, g *generation, chatID int64, prepare func(store.Chat) (store.Message, error)) (SendResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(g.ctx, cancel)()
	c, err := s.db.Chat(ctx, chatID)
	if err != nil {
		return SendResult{}, err
	}
	p, modelID, err := s.cat.Provider(c.Model)
	if err != nil {
		return SendResult{}, err
	}
	user, err := prepare(c)
	if err != nil {
		return SendResult{}, err
	}
	history, err := s.db.PathTo(ctx, chatID, user.ID)
	if err != nil {
		return SendResult{}, err
	}
	vision := llm.CapabilitiesOf(p, modelID).Vision
	if !vision {
		// A regenerated answer to a message with images, after the chat
		// moved to a model without vision.
		if as, err := s.db.AttachmentsOf(ctx, []int64{user.ID}, false); err != nil {
			return SendResult{}, err
		} else if slices.ContainsFunc(as[user.ID], func(a store.Attachment) bool { return a.Kind == attach.KindImage }) {
			return SendResult{}, ErrNoVision
		}
	}
	model := c.Model
	if model == "" {
		model = DefaultModel
	}
	turns, fit, err := s.withAttachments(ctx, p, modelID, history, prompt(history), vision)
	if err != nil {
		return SendResult{}, err
	}
	for _, a := range fit {
		if err := s.db.SetAttachmentFit(ctx, a.ID, a.Truncated, a.KeptTokens, a.TotalTokens); err != nil {
			return SendResult{}, err
		}
	}
	msgs := s.withSystemPrompt(ctx, p, modelID, c.Settings.SystemPrompt, turns)
	var cites []Citation
	if c.UseDocuments {
		if msgs, cites, err = s.groundChat(ctx, p, modelID, msgs); err != nil {
			return SendResult{}, err
		}
	}
	if err := ctx.Err(); err != nil {
		return SendResult{}, err
	}
	msgs, dropped, err := llm.FitWindow(p, modelID, msgs)
	if err != nil {
		return SendResult{}, fmt.Errorf("assistant: %w", err)
	}
	answer, err := s.db.AddReply(ctx, store.Message{ChatID: chatID, ParentID: user.ID, Role: string(llm.RoleAssistant), Model: model,
		Status: store.StatusStreaming, ContextDropped: dropped, Citations: citationsJSON(cites)})
	if err != nil {
		return SendResult{}, err
	}
	if c2, err := s.db.Chat(ctx, chatID); err == nil && s.events != nil {
		s.events.Emit(EventChatUpdated, chatView(c2))
	}
	// The views are read before the generation starts: a fast answer
	// releases the chat, which cancels ctx, and the versions would then be
	// read with a cancelled context.
	res := SendResult{User: s.withSiblings(ctx, user), Assistant: s.withSiblings(ctx, answer)}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		req := llm.Request{Model: modelID, Messages: msgs, Temperature: c.Settings.Temperature, TopP: c.Settings.TopP, MaxTokens: c.Settings.MaxTokens}
		final := s.generate(g, p, req, answer)
		// Free the chat before announcing the end, so a UI reacting to the
		// event can send the next message at once.
		s.release(chatID, g)
		if s.events != nil {
			s.events.Emit(EventDone, DoneEvent{ChatID: chatID, Message: final})
		}
	}()
	return res, nil
}

// prompt turns stored history into provider messages: failed answers and
// empty ones are left out (a message of the user's with files only stays,
// its files come in withAttachments).
func prompt(history []store.Message) []llm.Message {
	var out []llm.Message
	for _, m := range history {
		if keepInPrompt(m) {
			out = append(out, llm.Message{Role: llm.Role(m.Role), Content: m.Content})
		}
	}
	return out
}

func keepInPrompt(m store.Message) bool {
	return m.Status != store.StatusError && m.Status != store.StatusStreaming &&
		(strings.TrimSpace(m.Content) != "" || m.Role == string(llm.RoleUser))
}

// generate streams the answer, stores it and returns its final state.
// Providers that report events (llm.EventStreamer) give reasoning apart
// from the answer: it streams as EventReasoning and is stored as the
// message's Reasoning, never in its text.
func (s *Service) generate(g *generation, p llm.Provider, req llm.Request, answer store.Message) MessageView {
	ctx := g.ctx
	start := time.Now()
	var b, thought strings.Builder
	var textAt, thoughtAt int // lengths so far in UTF-16 code units
	lastSave := start
	usage, err := llm.StreamEvents(ctx, p, req, func(ev llm.Event) error {
		name, at := EventToken, &textAt
		switch ev.Kind {
		case llm.EventText:
			b.WriteString(ev.Text)
		case llm.EventThinking:
			thought.WriteString(ev.Text)
			name, at = EventReasoning, &thoughtAt
		default:
			return nil // the request offers no tools
		}
		// Recorded before the event goes out: a chat opened in between
		// shows the piece, and the event then finds it there.
		g.streamed(answer.ID, b.String(), thought.String())
		if s.events != nil && ev.Text != "" {
			s.events.Emit(name, TokenEvent{ChatID: answer.ChatID, MessageID: answer.ID, Text: ev.Text, Offset: *at})
		}
		*at += utf16Len(ev.Text)
		if time.Since(lastSave) >= persistEvery {
			lastSave = time.Now()
			partial := answer
			partial.Content, partial.Reasoning = b.String(), thought.String()
			if err := s.db.FinishMessage(context.Background(), partial); err != nil {
				s.log.Warn("saving partial answer failed", "chat_id", answer.ChatID, "err", err)
			}
		}
		return nil
	})
	answer.Reasoning = thought.String()
	answer.Content = b.String()
	answer.PromptTokens, answer.CompletionTokens = usage.PromptTokens, usage.CompletionTokens
	answer.DurationMS = time.Since(start).Milliseconds()
	switch {
	case err == nil:
		answer.Status = store.StatusDone
	case errors.Is(err, context.Canceled):
		answer.Status = store.StatusStopped
	default:
		answer.Status = store.StatusError
		answer.Error = err.Error()
		s.log.Warn("generation failed", "chat_id", answer.ChatID, "provider", p.ID(), "err", err)
	}
	if err := s.db.FinishMessage(context.Background(), answer); err != nil {
		s.log.Error("storing the answer failed", "chat_id", answer.ChatID, "err", err)
		answer.Status, answer.Error = store.StatusError, fmt.Sprintf("the answer could not be saved: %v", err)
	}
	stored, err := s.db.Message(context.Background(), answer.ID)
	if err != nil {
		stored = answer
	}
	return s.withSiblings(context.Background(), stored)
}

// withSiblings is m's view with the ids of its versions and its
// attachments.
func (s *Service) withSiblings(ctx context.Context, m store.Message) MessageView {
	if ids, err := s.db.Siblings(ctx, m.ChatID, m.ParentID); err == nil {
		m.Siblings = ids
	}
	return messageView(m, s.attachmentViews(ctx, []store.Message{m})[m.ID])
}

// titleFrom makes a chat title from the first message: its first line,
// cut at a word boundary.
func titleFrom(text string) string {
	line, _, _ := strings.Cut(text, "\n")
	line = strings.TrimSpace(strings.Trim(line, "#*`> "))
	if line == "" {
		return "New chat"
	}
	const max = 48
	if utf8.RuneCountInString(line) <= max {
		return line
	}
	r := []rune(line)[:max]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > max/2 {
		cut = cut[:i]
	}
	return strings.TrimSpace(cut) + "…"
}

// utf16Len is the length of s in UTF-16 code units, as JavaScript counts it.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

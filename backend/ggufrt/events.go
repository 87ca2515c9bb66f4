package ggufrt

import (
	"context"
	"strings"

	"sidecar/backend/llm"
	"sidecar/backend/models"
	"sidecar/backend/tokenizer"
	"sidecar/backend/toolparse"
)

var _ models.EventStreamer = (*model)(nil)

// StreamEvents implements models.EventStreamer: Stream, with the tool
// calls read out of the answer (in the format the template teaches, see
// toolparse.Detect) and <think> reasoning reported apart from the text.
// Text that may begin a call is held back; a call that cannot be read
// comes back as text.
func (g *model) StreamEvents(ctx context.Context, p models.Prompt, s models.Sampling, on llm.EventFunc) (llm.Usage, error) {
	p.AddGenerationPrompt = true
	text, err := g.render(ctx, p)
	if err != nil {
		return llm.Usage{}, err
	}
	src := g.info.ChatTemplate
	if p.Template != "" {
		src = p.Template
	}
	var format toolparse.Format
	if len(p.Tools) > 0 {
		format = toolparse.Detect(src)
	}
	think := strings.Contains(src, "<think>")
	sink := newEventSink(format, think, think && opensThinking(text), on)
	use, err := g.generate(ctx, text, s, true, sink.write)
	if err == nil {
		err = sink.finish()
	}
	return use, err
}

// opensThinking reports whether a rendered prompt ends inside an open
// <think> section (Qwen3 and DeepSeek-R1 templates open it for the model).
func opensThinking(prompt string) bool {
	return strings.HasSuffix(strings.TrimRight(prompt, " \t\r\n"), "<think>")
}

// eventSink turns generated text into events: reasoning and answer text
// as they come, tool calls when the answer is complete.
type eventSink struct {
	st *toolparse.Stream
	on llm.EventFunc
}

func newEventSink(f toolparse.Format, think, startInside bool, on llm.EventFunc) *eventSink {
	return &eventSink{st: toolparse.NewStream(f, think, startInside), on: on}
}

func (e *eventSink) emit(thinking, text string) error {
	if thinking != "" {
		if err := e.on(llm.Event{Kind: llm.EventThinking, Text: thinking}); err != nil {
			return err
		}
	}
	if text != "" {
		return e.on(llm.Event{Kind: llm.EventText, Text: text})
	}
	return nil
}

func (e *eventSink) write(piece string) error {
	return e.emit(e.st.Feed(piece))
}

// finish reports what was held back and the calls. A malformed call was
// returned as text by the parser: the answer stands as plain text.
func (e *eventSink) finish() error {
	thinking, text, calls, _ := e.st.Finish()
	if err := e.emit(thinking, text); err != nil {
		return err
	}
	for i, c := range calls {
		if err := e.on(llm.Event{Kind: llm.EventToolCall, Index: i, Call: c}); err != nil {
			return err
		}
	}
	return nil
}

// markerTokens finds the control tokens that stand for the markers of
// toolparse (Llama's <|python_tag|>, Mistral's [TOOL_CALLS]...), whose
// text the decoder would otherwise drop.
func markerTokens(tok *tokenizer.Tokenizer) map[int]string {
	out := map[int]string{}
	for _, m := range toolparse.Markers {
		ids, err := tok.Encode(m, false, true)
		if err == nil && len(ids) == 1 && tok.IsControl(ids[0]) {
			out[int(ids[0])] = m
		}
	}
	return out
}

// piece is the text of a generated token: the decoder's, or with
// markers, a marker token's own text.
func (g *model) piece(dec *tokenizer.Decoder, id int, markers bool) string {
	if markers {
		if m, ok := g.markers[id]; ok {
			return dec.Flush() + m
		}
	}
	return dec.Next(tokenizer.Token(id))
}

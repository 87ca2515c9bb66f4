package toolparse

import (
	"strings"

	"sidecar/backend/llm"
)

// Detect names the tool-call format a chat template teaches its model,
// 0 when it teaches none of those Parse reads (XML-style calls such as
// Qwen3-Coder's <function=...>, or GLM's <arg_key>, are not read).
func Detect(template string) Format {
	has := func(s string) bool { return strings.Contains(template, s) }
	switch {
	case has("[TOOL_CALLS]"):
		return Mistral
	case has("<tool_call>") && has(`"arguments"`) && !has("<function=") && !has("<arg_key>") && !has("<parameter="):
		return Hermes
	case has("<|start_header_id|>") && has(`"parameters"`):
		return Llama3
	}
	return 0
}

// Markers are the texts of the special tokens the formats write around
// calls and reasoning. A runtime whose decoder drops control tokens
// passes these on as their text, so the parser sees them.
var Markers = []string{"<tool_call>", "</tool_call>", "<|python_tag|>", "[TOOL_CALLS]", "[ARGS]", "<think>", "</think>"}

// maxHeld bounds the text a Stream keeps for tool calls: beyond it the
// answer is no call (calls are far shorter), and the text is let out.
const maxHeld = 1 << 20

// Stream reads a model's answer piece by piece as it is generated:
// reasoning (when asked to split <think>), answer text, and tool calls
// in format f. Text that may be the start of a call is held back until
// it is known not to be one; a call and everything after it is kept
// until Finish, which parses it.
type Stream struct {
	f       Format
	think   *ThinkSplitter   // nil: no reasoning markup
	pending string           // text not passed on yet: a possible start of a call
	started bool             // some text was passed on (Llama3 calls only come first)
	calls   *strings.Builder // from the start of a call on; nil before one
}

// NewStream returns a stream for format f (0: text only). With think,
// <think>...</think> is reported as reasoning; startInside says the
// prompt opened it already.
func NewStream(f Format, think, startInside bool) *Stream {
	s := &Stream{f: f}
	if think {
		s.think = NewThinkSplitter(startInside)
	}
	return s
}

// Feed takes the next piece of output and returns the reasoning and the
// answer text that can be passed on now.
func (s *Stream) Feed(piece string) (thinking, text string) {
	text = piece
	if s.think != nil {
		thinking, text = s.think.Feed(piece)
	}
	return thinking, s.text(text)
}

// Finish ends the stream: the reasoning and text still held, and the
// calls. A malformed call comes back as text, with err saying why.
func (s *Stream) Finish() (thinking, text string, calls []llm.ToolCall, err error) {
	var rest string
	if s.think != nil {
		thinking, rest = s.think.Flush()
	}
	text = s.text(rest)
	if s.calls == nil {
		text += s.pending
		s.pending = ""
		return thinking, text, nil, nil
	}
	held := s.calls.String()
	s.calls = nil
	before, calls, err := Parse(s.f, held)
	if err != nil || len(calls) == 0 {
		return thinking, text + held, nil, err
	}
	return thinking, text + before, calls, nil
}

// text passes answer text through the tool-call watch.
func (s *Stream) text(in string) string {
	if s.calls != nil {
		s.calls.WriteString(in)
		if s.calls.Len() > maxHeld {
			out := s.calls.String()
			s.calls, s.f = nil, 0 // no call is this long: plain text from here
			return out
		}
		return ""
	}
	if s.f == 0 {
		return in
	}
	buf := s.pending + in
	s.pending = ""
	var out string
	switch s.f {
	case Llama3:
		if s.started {
			return buf
		}
		trimmed := strings.TrimLeft(buf, " \t\r\n")
		switch {
		case trimmed == "" || strings.HasPrefix("<|python_tag|>", trimmed):
			s.pending = buf // not decided yet
			return ""
		case strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "<|python_tag|>"):
			s.calls = &strings.Builder{}
			s.calls.WriteString(buf)
			return ""
		}
		s.started = true
		return buf
	case Hermes, Mistral:
		tag := "<tool_call>"
		if s.f == Mistral {
			tag = "[TOOL_CALLS]"
		}
		if i := strings.Index(buf, tag); i >= 0 {
			out = buf[:i]
			s.calls = &strings.Builder{}
			s.calls.WriteString(buf[i:])
			return out
		}
		keep := partialSuffix(buf, tag)
		s.pending = buf[len(buf)-keep:]
		return buf[:len(buf)-keep]
	}
	return buf
}

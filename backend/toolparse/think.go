package toolparse

import "strings"

const (
	thinkOpen  = "<think>"
	thinkClose = "</think>"
)

// ThinkSplitter separates <think>...</think> reasoning from the answer
// in a stream of pieces, holding back only what may be the start of a
// tag split between pieces.
type ThinkSplitter struct {
	inside bool
	held   string
}

// NewThinkSplitter returns a splitter. startInside is for templates that
// open <think> in the prompt (Qwen3, DeepSeek-R1), so the output starts
// inside the reasoning and only closes it.
func NewThinkSplitter(startInside bool) *ThinkSplitter {
	return &ThinkSplitter{inside: startInside}
}

// Feed takes the next piece and returns the reasoning and answer text it
// completes.
func (s *ThinkSplitter) Feed(piece string) (thinking, text string) {
	buf := s.held + piece
	s.held = ""
	var th, tx strings.Builder
	for buf != "" {
		tag := thinkOpen
		if s.inside {
			tag = thinkClose
		}
		out := &tx
		if s.inside {
			out = &th
		}
		if i := strings.Index(buf, tag); i >= 0 {
			out.WriteString(buf[:i])
			buf = buf[i+len(tag):]
			s.inside = !s.inside
			continue
		}
		keep := partialSuffix(buf, tag)
		out.WriteString(buf[:len(buf)-keep])
		s.held = buf[len(buf)-keep:]
		break
	}
	return th.String(), tx.String()
}

// Flush returns what was held back at the end of the stream.
func (s *ThinkSplitter) Flush() (thinking, text string) {
	h := s.held
	s.held = ""
	if s.inside {
		return h, ""
	}
	return "", h
}

// partialSuffix is the length of the longest end of s that begins tag.
func partialSuffix(s, tag string) int {
	for n := min(len(tag)-1, len(s)); n > 0; n-- {
		if strings.HasSuffix(s, tag[:n]) {
			return n
		}
	}
	return 0
}

// SplitThink splits a whole answer into its reasoning and its text.
func SplitThink(out string, startInside bool) (thinking, text string) {
	s := NewThinkSplitter(startInside)
	th, tx := s.Feed(out)
	fth, ftx := s.Flush()
	return strings.TrimSpace(th + fth), strings.TrimSpace(tx + ftx)
}

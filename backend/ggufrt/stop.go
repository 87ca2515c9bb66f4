package ggufrt

import (
	"strings"

	"sidecar/backend/llama"
	"sidecar/backend/llm"
)

// stopper passes text on, holding back what could be the start of a stop
// text, and ends the generation (llama.ErrStop) when one appears; the
// stop text itself is never passed on.
type stopper struct {
	stops   []string
	pending string
	done    bool // a stop text was seen: nothing more is passed on
	send    llm.TokenFunc
}

func newStopper(stops []string, send llm.TokenFunc) *stopper {
	var keep []string
	for _, s := range stops {
		if s != "" {
			keep = append(keep, s)
		}
	}
	return &stopper{stops: keep, send: send}
}

func (s *stopper) write(text string) error {
	if text == "" || s.done {
		return nil
	}
	s.pending += text
	cut := -1
	for _, st := range s.stops {
		if i := strings.Index(s.pending, st); i >= 0 && (cut < 0 || i < cut) {
			cut = i
		}
	}
	if cut >= 0 {
		if err := s.emit(s.pending[:cut]); err != nil {
			return err
		}
		s.pending, s.done = "", true
		return llama.ErrStop
	}
	hold := 0
	for _, st := range s.stops {
		for k := min(len(st)-1, len(s.pending)); k > hold; k-- {
			if strings.HasSuffix(s.pending, st[:k]) {
				hold = k
				break
			}
		}
	}
	n := len(s.pending) - hold
	if err := s.emit(s.pending[:n]); err != nil {
		return err
	}
	s.pending = s.pending[n:]
	return nil
}

func (s *stopper) flush() error {
	p := s.pending
	s.pending = ""
	return s.emit(p)
}

func (s *stopper) emit(text string) error {
	if text == "" {
		return nil
	}
	return s.send(text)
}

package llama

import (
	"errors"
	"fmt"

	"sidecar/backend/quant"
)

// ErrContextFull is returned when tokens do not fit in the State's context.
var ErrContextFull = errors.New("llama: context full")

// maxBatch is how many prompt positions go through the graph together.
const maxBatch = 256

// State is one sequence being evaluated: its KV cache, sized to the
// context chosen when it was made, and its scratch. A State is used by one
// goroutine at a time; its worker pool shares each step's work.
type State struct {
	m       *Model
	ctx     int
	n       int
	tokens  []int
	k, v    [][]float32 // per layer: ctx × KVHeads·HeadDim
	pool    *pool
	ropes   []*rope // per layer
	buf     buffers
	acts    map[actKey]*quant.Acts
	scores  [][]float32 // per worker: the attention scores of one group of query heads
	logits  []float32   // positions × vocab
	all     bool
	nLogits int
}

type actKey struct {
	kind quant.Type
	cols int
}

// buffers are the activations of one batch.
type buffers struct {
	x, h, o       []float32 // batch × Embd
	q, att        []float32 // batch × Heads·HeadDim
	k, v          []float32 // batch × KVHeads·HeadDim
	qkv           []float32 // batch × (Heads+2·KVHeads)·HeadDim (fused)
	gate, up, act []float32 // batch × FF
	gateUp        []float32 // batch × 2·FF (fused)
}

// NewState makes a State with a KV cache for ctxSize positions (at least 1)
// and threads workers. RoPE factors that depend on the context (Phi-3's
// long and short factors) are chosen here, as llama.cpp chooses them.
func (m *Model) NewState(ctxSize, threads int) (*State, error) {
	c := m.Config
	if ctxSize <= 0 || ctxSize > 1<<20 {
		return nil, fmt.Errorf("llama: context of %d positions", ctxSize)
	}
	s := &State{m: m, ctx: ctxSize, pool: newPool(threads), acts: map[actKey]*quant.Acts{}}
	kvDim := c.KVHeads * c.HeadDim
	s.k, s.v = make([][]float32, c.Layers), make([][]float32, c.Layers)
	for i := range s.k {
		s.k[i] = make([]float32, ctxSize*kvDim)
		s.v[i] = make([]float32, ctxSize*kvDim)
	}
	factors := m.ropeFreqs
	if factors == nil {
		factors = m.ropeShort
		if ctxSize > c.OrigCtx && m.ropeLong != nil {
			factors = m.ropeLong
		}
	}
	global := newRope(c, c.RopeBase, c.RopeScale, factors)
	s.ropes = make([]*rope, c.Layers)
	for i := range s.ropes {
		s.ropes[i] = global
		if c.Sliding[i] {
			s.ropes[i] = newRope(c, c.SWABase, c.SWAScale, factors)
		}
	}
	b, qDim := maxBatch, c.Heads*c.HeadDim
	s.buf = buffers{
		x: make([]float32, b*c.Embd), h: make([]float32, b*c.Embd), o: make([]float32, b*c.Embd),
		q: make([]float32, b*qDim), att: make([]float32, b*qDim),
		k: make([]float32, b*kvDim), v: make([]float32, b*kvDim),
		act: make([]float32, b*c.FF),
	}
	if c.a.fused {
		s.buf.qkv = make([]float32, b*(qDim+2*kvDim))
		s.buf.gateUp = make([]float32, b*2*c.FF)
	} else {
		s.buf.gate, s.buf.up = make([]float32, b*c.FF), make([]float32, b*c.FF)
	}
	s.scores = make([][]float32, s.pool.n)
	for i := range s.scores {
		s.scores[i] = make([]float32, c.Heads/c.KVHeads*ctxSize)
	}
	return s, nil
}

// Close stops the State's workers.
func (s *State) Close() { s.pool.close() }

// Model is the model the State evaluates.
func (s *State) Model() *Model { return s.m }

// Len is the number of positions held.
func (s *State) Len() int { return s.n }

// Cap is the context size.
func (s *State) Cap() int { return s.ctx }

// Tokens are the tokens held, in order.
func (s *State) Tokens() []int { return s.tokens }

// Reset empties the State.
func (s *State) Reset() { s.n, s.tokens = 0, s.tokens[:0] }

// Truncate keeps the first n positions (a prefix shared with the next
// prompt need not be evaluated again).
func (s *State) Truncate(n int) {
	if n < s.n {
		s.n = max(0, n)
		s.tokens = s.tokens[:s.n]
	}
}

// SetAllLogits makes Eval keep the logits of every position it evaluates,
// not only the last.
func (s *State) SetAllLogits(on bool) { s.all = on }

// PositionLogits returns the logits of position i of the last Eval (all
// positions when SetAllLogits is on; otherwise only the last, i = 0).
func (s *State) PositionLogits(i int) []float32 {
	v := s.m.Config.Vocab
	if i < 0 || i >= s.nLogits {
		return nil
	}
	return s.logits[i*v : (i+1)*v]
}

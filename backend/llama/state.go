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
	cache   CacheType
	k16     [][]uint16 // per layer: KVHeads × ctx × HeadDim, F16 (CacheF16)
	v16     [][]uint16
	k32     [][]float32 // the same in float32 (CacheF32)
	v32     [][]float32
	pool    *pool
	ropes   []*rope // per layer
	buf     buffers
	acts    map[actKey]*quant.Acts
	scratch []attnScratch // per worker
	logits  []float32     // positions × vocab
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

// CacheType is how the KV cache holds keys and values.
type CacheType int

const (
	// CacheF16 holds them in half precision, as llama.cpp does by default:
	// half the memory of float32 and half the bytes read per token.
	CacheF16 CacheType = iota
	// CacheF32 holds them in float32.
	CacheF32
)

func (t CacheType) String() string {
	if t == CacheF32 {
		return "f32"
	}
	return "f16"
}

// NewState makes a State with an F16 KV cache for ctxSize positions (at
// least 1) and threads workers.
func (m *Model) NewState(ctxSize, threads int) (*State, error) {
	return m.NewStateCache(ctxSize, threads, CacheF16)
}

// NewStateCache makes a State whose KV cache is of type cache. RoPE factors
// that depend on the context (Phi-3's long and short factors) are chosen
// here, as llama.cpp chooses them.
func (m *Model) NewStateCache(ctxSize, threads int, cache CacheType) (*State, error) {
	c := m.Config
	if ctxSize <= 0 || ctxSize > 1<<20 {
		return nil, fmt.Errorf("llama: context of %d positions", ctxSize)
	}
	if cache != CacheF16 && cache != CacheF32 {
		return nil, fmt.Errorf("llama: cache type %d", cache)
	}
	s := &State{m: m, ctx: ctxSize, cache: cache, pool: newPool(threads), acts: map[actKey]*quant.Acts{}}
	kvDim := c.KVHeads * c.HeadDim
	for range c.Layers {
		if cache == CacheF16 {
			s.k16 = append(s.k16, make([]uint16, ctxSize*kvDim))
			s.v16 = append(s.v16, make([]uint16, ctxSize*kvDim))
		} else {
			s.k32 = append(s.k32, make([]float32, ctxSize*kvDim))
			s.v32 = append(s.v32, make([]float32, ctxSize*kvDim))
		}
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
	s.scratch = make([]attnScratch, s.pool.n)
	for i := range s.scratch {
		s.scratch[i] = newAttnScratch(ctxSize, c.HeadDim)
	}
	return s, nil
}

// CacheBytes is the size of the KV cache.
func (s *State) CacheBytes() int64 {
	c := s.m.Config
	per := int64(4)
	if s.cache == CacheF16 {
		per = 2
	}
	return 2 * int64(c.Layers) * int64(s.ctx) * int64(c.KVHeads*c.HeadDim) * per
}

// Cache is the KV cache's type.
func (s *State) Cache() CacheType { return s.cache }

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

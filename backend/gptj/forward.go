package gptj

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"sidecar/backend/quant"
)

// State is one conversation's evaluation state: the KV cache and the
// position. A model can serve several States.
type State struct {
	m *Model
	n int // tokens in the cache
	// The cache, per layer, head by head: the key of head h at position t
	// is at (h·ctx + t)·headDim, so attention reads each head's keys as
	// one contiguous run of rows. Half-float values are kept transposed:
	// dimension d of head h at position t is at (h·headDim + d)·ctx + t,
	// so the weighted sum of values is headDim dot products of the
	// attention weights with rows, as the scores are (F32 values are kept
	// as the keys).
	k, v   [][]float32 // for F32 weights
	kh, vh [][]byte    // half floats, for the other types
	ctx    int         // cache size in tokens
	tokens []int

	// scratch for a batch of up to maxBatch tokens, allocated once
	x, h, q, kk, vv, att, out, ff, ff2 []float32
	ah, a2                             actQ8 // h, and att or ff, quantized
	tmp, logits                        []float32
	angles                             []float64   // rotary cosines and sines per batch position
	all                                []float32   // AllLogits: batch × NVocab
	scores                             [][]float32 // per worker: attention scores
	work                               []scratch   // per worker: buffers for batched products
	pool                               *pool
	allLogits                          bool
}

// maxBatch is how many prompt tokens go through the model together: the
// weights are read once per batch, the activations stay in cache.
const maxBatch = 64

// AllLogits makes Eval compute the logits of every position of the
// batch, not only the last (for scoring a text, and to measure the same
// work as engines that always do). They are returned by PositionLogits.
func (s *State) SetAllLogits(on bool) { s.allLogits = on }

// PositionLogits returns the logits after the i-th token of the last
// Eval with AllLogits on (valid until the next call), or nil.
func (s *State) PositionLogits(i int) []float32 {
	v := s.m.Config.NVocab
	if !s.allLogits || (i+1)*v > len(s.all) {
		return nil
	}
	return s.all[i*v : (i+1)*v]
}

// ErrContextFull means the cache holds NCtx tokens already.
var ErrContextFull = errors.New("gptj: the context is full")

// NewState returns an empty state with a cache for ctxSize tokens (at most
// the model's n_ctx), computing on one thread.
func (m *Model) NewState(ctxSize int) *State { return m.NewStateThreads(ctxSize, 1) }

// NewStateThreads is NewState with matrix products split over threads
// goroutines; Close releases them.
func (m *Model) NewStateThreads(ctxSize, threads int) *State {
	c := m.Config
	if ctxSize <= 0 || ctxSize > c.NCtx {
		ctxSize = c.NCtx
	}
	s := &State{m: m, ctx: ctxSize}
	// The cache is half precision unless the weights are F32 (as ggml
	// does): it halves what attention reads per token at long contexts.
	if m.WType == F32 {
		s.k, s.v = make([][]float32, c.NLayer), make([][]float32, c.NLayer)
		for i := range s.k {
			s.k[i], s.v[i] = make([]float32, ctxSize*c.NEmbd), make([]float32, ctxSize*c.NEmbd)
		}
	} else {
		s.kh, s.vh = make([][]byte, c.NLayer), make([][]byte, c.NLayer)
		for i := range s.kh {
			s.kh[i], s.vh[i] = make([]byte, 2*ctxSize*c.NEmbd), make([]byte, 2*ctxSize*c.NEmbd)
		}
	}
	e, bt := c.NEmbd, min(maxBatch, ctxSize)
	f := func(n int) []float32 { return make([]float32, n) }
	s.x, s.h, s.q, s.kk, s.vv, s.att, s.out, s.ff2 = f(bt*e), f(bt*e), f(bt*e), f(bt*e), f(bt*e), f(bt*e), f(bt*e), f(bt*e)
	s.ff = f(bt * 4 * e)
	s.ah, s.a2 = newActQ8(bt*e), newActQ8(bt*4*e)
	s.tmp, s.logits = f(e), f(c.NVocab)
	s.angles = make([]float64, bt*c.NRot)
	s.pool = newPool(threads)
	s.work, s.scores = make([]scratch, s.pool.n), make([][]float32, s.pool.n)
	for i := range s.work {
		s.work[i], s.scores[i] = newScratch(4*e), f(ctxSize)
	}
	return s
}

// Close stops the state's worker goroutines.
func (s *State) Close() { s.pool.close() }

// mul computes out = X·Mᵀ for batch vectors X; a holds X quantized when
// M is quantized.
func (s *State) mul(m *Matrix, out, x []float32, a *actQ8, batch int) {
	if batch > 1 {
		clear(out[:batch*m.Rows]) // batched products add up column passes
	}
	s.pool.split(task{s: s, m: m, out: out, x: x, a: a, batch: batch}, m.Rows, mulChunk(m))
}

// mulGELU is mul followed by out = gelu(out + bias), done by the workers.
func (s *State) mulGELU(m *Matrix, out, x []float32, a *actQ8, batch int, bias []float32) {
	if batch > 1 {
		clear(out[:batch*m.Rows])
	}
	s.pool.split(task{s: s, m: m, out: out, x: x, a: a, batch: batch, geluB: bias}, m.Rows, mulChunk(m))
}

// mulChunk is how many rows a worker takes at a time: about 256 KiB of
// weights, enough to stream well and small enough to balance, in a
// multiple of 4 rows so that generation reads all of them four streams at
// a time.
func mulChunk(m *Matrix) int { return max(4, ((256<<10)/rowBytes(m.Type, m.Cols)+3)&^3) }

// Len is the number of tokens in the cache.
func (s *State) Len() int { return s.n }

// Cap is the cache size.
func (s *State) Cap() int { return s.ctx }

// Tokens returns the tokens in the cache.
func (s *State) Tokens() []int { return s.tokens }

// Reset empties the cache.
func (s *State) Reset() { s.n, s.tokens = 0, s.tokens[:0] }

// Truncate keeps the first n tokens (later positions are recomputed).
func (s *State) Truncate(n int) {
	if n < s.n {
		s.n, s.tokens = n, s.tokens[:n]
	}
}

// Eval feeds tokens after what is in the cache and returns the logits
// after the last one (valid until the next call).
func (s *State) Eval(tokens []int) ([]float32, error) {
	if len(tokens) == 0 {
		return nil, errors.New("gptj: nothing to evaluate")
	}
	if s.n+len(tokens) > s.Cap() {
		return nil, fmt.Errorf("%w (%d tokens, room for %d)", ErrContextFull, s.n+len(tokens), s.Cap())
	}
	for _, t := range tokens {
		if t < 0 || t >= s.m.Config.NVocab {
			return nil, fmt.Errorf("gptj: token %d out of range", t)
		}
	}
	for len(tokens) > 0 {
		n := min(len(tokens), maxBatch, len(s.x)/s.m.Config.NEmbd)
		s.forward(tokens[:n], n == len(tokens))
		tokens = tokens[n:]
	}
	return s.logits, nil
}

func layerNorm(dst, x, w, b []float32, eps float32) {
	var mean float64
	for _, v := range x {
		mean += float64(v)
	}
	mean /= float64(len(x))
	var variance float64
	for _, v := range x {
		d := float64(v) - mean
		variance += d * d
	}
	variance /= float64(len(x))
	inv := 1 / math.Sqrt(variance+float64(eps))
	for i, v := range x {
		dst[i] = float32((float64(v)-mean)*inv)*w[i] + b[i]
	}
}

// gelu is GPT-J's GELU, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))),
// written as x / (1 + e^(−2t)) (the same function) with a float32
// exponential: within a few float32 roundings of the float64 formula
// (tested), at a fraction of the cost of math.Tanh, which the feed-forward
// layer calls 16,384 times per token and layer.
func gelu(x float32) float32 {
	const c = 0.7978845608028654 // sqrt(2/pi)
	t := -2 * c * (x + 0.044715*x*x*x)
	if t > 80 { // x below about −9: GELU is 0 in float32 (and x³ may be −Inf)
		return 0
	}
	if t < -87 {
		t = -87
	}
	return x / (1 + exp32(t))
}

// exp32 is e^t for t in [−87, 87]: t = k·ln2 + r with |r| ≤ ln2/2, e^r by
// its Taylor polynomial to r⁷ (relative error below 2e-8 there), times 2^k.
// k is rounded by adding and subtracting 1.5·2²³, which leaves it in the
// low bits of the sum: no branch, no conversion.
func exp32(t float32) float32 {
	const (
		log2e   = 1.44269504088896341
		ln2hi   = 0.693359375 // ln2 = ln2hi + ln2lo, ln2hi exact in few bits
		ln2lo   = -2.12194440e-4
		shifter = 1.5 * (1 << 23)
	)
	kf := t*log2e + shifter
	k := int32(math.Float32bits(kf)) - int32(math.Float32bits(shifter))
	kf -= shifter
	r := t - kf*ln2hi - kf*ln2lo
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720+r*(1.0/5040)))))))
	return p * math.Float32frombits(uint32(k+127)<<23)
}

// ropeAngles fills cs with the cosines and sines of the rotary angles of
// position pos: for pair i of the first nRot dims of a head, cs[2i] and
// cs[2i+1] are the cosine and sine of pos·10000^(−2i/nRot). Every head,
// and queries and keys alike, use the same ones.
func ropeAngles(cs []float64, pos, nRot int) {
	for i := 0; i < nRot/2; i++ {
		theta := float64(pos) * math.Pow(10000, -2*float64(i)/float64(nRot))
		cs[2*i+1], cs[2*i] = math.Sincos(theta)
	}
}

// rope rotates pairs (2i, 2i+1) of the first nRot dims of each head by the
// angles in cs (ropeAngles).
func rope(v []float32, cs []float64, nHead, hd, nRot int) {
	for h := 0; h < nHead; h++ {
		base := h * hd
		for i := 0; i < nRot/2; i++ {
			cos, sin := cs[2*i], cs[2*i+1]
			a, b := float64(v[base+2*i]), float64(v[base+2*i+1])
			v[base+2*i] = float32(a*cos - b*sin)
			v[base+2*i+1] = float32(a*sin + b*cos)
		}
	}
}

// forward runs a batch of tokens through the model at positions s.n...
func (s *State) forward(tokens []int, wantLogits bool) {
	m, c := s.m, s.m.Config
	e, hd, bt := c.NEmbd, c.HeadDim(), len(tokens)
	x, h, q, kk, vv := s.x[:bt*e], s.h[:bt*e], s.q[:bt*e], s.kk[:bt*e], s.vv[:bt*e]
	for b, t := range tokens {
		m.wte.Row(t, x[b*e:(b+1)*e])
	}
	nr := c.NRot
	angles := s.angles[:bt*nr]
	for b := 0; b < bt; b++ {
		ropeAngles(angles[b*nr:(b+1)*nr], s.n+b, nr)
	}
	for li := range m.layers {
		l := &m.layers[li]
		for b := 0; b < bt; b++ {
			layerNorm(h[b*e:(b+1)*e], x[b*e:(b+1)*e], l.ln1W, l.ln1B, c.Eps)
		}
		if l.q.quantized() {
			s.ah.quantizeRows(h, e)
		}
		s.mul(l.q, q, h, &s.ah, bt)
		s.mul(l.k, kk, h, &s.ah, bt)
		s.mul(l.v, vv, h, &s.ah, bt)
		for b := 0; b < bt; b++ {
			pos := s.n + b
			rope(q[b*e:(b+1)*e], angles[b*nr:(b+1)*nr], c.NHead, hd, nr)
			rope(kk[b*e:(b+1)*e], angles[b*nr:(b+1)*nr], c.NHead, hd, nr)
			for h := 0; h < c.NHead; h++ {
				at, src := (h*s.ctx+pos)*hd, b*e+h*hd
				if s.k != nil {
					copy(s.k[li][at:at+hd], kk[src:src+hd])
					copy(s.v[li][at:at+hd], vv[src:src+hd])
				} else {
					toF16(s.kh[li][2*at:2*(at+hd)], kk[src:src+hd])
					vt := s.vh[li][2*(h*hd*s.ctx+pos):]
					for d, v := range vv[src : src+hd] {
						binary.LittleEndian.PutUint16(vt[2*d*s.ctx:], f32ToF16(v))
					}
				}
			}
		}
		s.pool.split(task{s: s, attend: true, layer: li, batch: bt}, c.NHead, 1)
		att, out := s.att[:bt*e], s.out[:bt*e]
		if l.out.quantized() {
			s.a2.quantizeRows(att, e)
		}
		s.mul(l.out, out, att, &s.a2, bt)
		ff, ff2 := s.ff[:bt*4*e], s.ff2[:bt*e]
		s.mulGELU(l.fcIn, ff, h, &s.ah, bt, l.fcInB) // the workers apply bias and GELU to their rows
		if l.fcOut.quantized() {
			s.a2.quantizeRows(ff, 4*e)
		}
		s.mul(l.fcOut, ff2, ff, &s.a2, bt)
		for i := range x {
			x[i] += out[i] + ff2[i] + l.fcOutB[i%e]
		}
	}
	s.n += bt
	s.tokens = append(s.tokens, tokens...)
	if s.allLogits {
		s.logitsAll(x, bt)
		copy(s.logits, s.all[(bt-1)*c.NVocab:bt*c.NVocab])
		return
	}
	if !wantLogits {
		return
	}
	layerNorm(s.tmp, x[(bt-1)*e:], m.lnfW, m.lnfB, c.Eps)
	if m.lmHead.quantized() {
		s.ah.quantize(s.tmp)
	}
	s.mul(m.lmHead, s.logits, s.tmp, &s.ah, 1)
	for i := range s.logits {
		s.logits[i] += m.lmHeadB[i]
	}
}

// logitsAll computes the logits of all bt positions into s.all.
func (s *State) logitsAll(x []float32, bt int) {
	m, c := s.m, s.m.Config
	e, v := c.NEmbd, c.NVocab
	if len(s.all) < bt*v {
		s.all = make([]float32, bt*v)
	}
	h := s.h[:bt*e]
	for b := 0; b < bt; b++ {
		layerNorm(h[b*e:(b+1)*e], x[b*e:(b+1)*e], m.lnfW, m.lnfB, c.Eps)
	}
	if m.lmHead.quantized() {
		s.ah.quantizeRows(h, e)
	}
	s.mul(m.lmHead, s.all[:bt*v], h, &s.ah, bt)
	for b := 0; b < bt; b++ {
		for i, bias := range m.lmHeadB {
			s.all[b*v+i] += bias
		}
	}
}

// attendHeads computes the causal attention of the batch's tokens for
// heads lo..hi of layer li into s.att, with worker w's score buffer.
func (s *State) attendHeads(li, bt, lo, hi, w int) {
	c := s.m.Config
	e, hd := c.NEmbd, c.HeadDim()
	scale := float32(1 / math.Sqrt(float64(hd)))
	half := s.k == nil
	for b := 0; b < bt; b++ {
		last := s.n + b
		scores := s.scores[w][:last+1]
		for h := lo; h < hi; h++ {
			qh := s.q[b*e+h*hd : b*e+(h+1)*hd]
			// Head h's keys: last+1 rows of hd from run; its half-float
			// values: hd rows of ctx from run (float ones as the keys).
			run := h * s.ctx * hd
			if half {
				scoresF16(scores, s.kh[li][2*run:2*(run+len(scores)*hd)], qh)
			} else {
				for t := range scores {
					scores[t] = dot(qh, s.k[li][run+t*hd:run+(t+1)*hd])
				}
			}
			mx := float32(math.Inf(-1))
			for t, d := range scores {
				scores[t] = d * scale
				if scores[t] > mx {
					mx = scores[t]
				}
			}
			var sum float64
			for t, d := range scores {
				p := float32(0)
				if d-mx > -87 {
					p = exp32(d - mx)
				}
				scores[t] = p
				sum += float64(p)
			}
			ah := s.att[b*e+h*hd : b*e+(h+1)*hd]
			if half {
				rowsF16(ah, s.vh[li][2*run:2*(run+hd*s.ctx)], s.ctx, scores)
			} else {
				clear(ah)
				for t, p := range scores {
					axpy(p, s.v[li][run+t*hd:run+(t+1)*hd], ah)
				}
			}
			inv := float32(1 / sum)
			for i := range ah {
				ah[i] *= inv
			}
		}
	}
}

// scoresF16 sets scores[t] to row t of the half-float matrix k (rows of
// len(q)) times q, for every t: rowsF16 over rows of len(q).
func scoresF16(scores []float32, k []byte, q []float32) { rowsF16(scores, k, len(q), q) }

// rowsF16 sets out[r] to the first len(x) values of row r of the
// half-float matrix m (rows of rowLen values) times x: package quant's
// half-float products, which read the rows as four streams, as the
// weights are.
func rowsF16(out []float32, m []byte, rowLen int, x []float32) {
	quant.DotF16Rows(out, m, 2*rowLen, x)
}

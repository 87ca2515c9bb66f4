package llama

import (
	"context"
	"fmt"
	"math"

	"sidecar/backend/quant"
)

// Eval appends tokens to the sequence and returns the logits after the
// last one (valid until the next Eval). Tokens go through the graph in
// batches; ctx is checked between batches and between layers.
func (s *State) Eval(ctx context.Context, tokens []int) ([]float32, error) {
	c := s.m.Config
	if len(tokens) == 0 {
		return nil, fmt.Errorf("llama: eval of no tokens")
	}
	if s.n+len(tokens) > s.ctx {
		return nil, ErrContextFull
	}
	for _, t := range tokens {
		if t < 0 || t >= c.Vocab {
			return nil, fmt.Errorf("llama: token %d outside the vocabulary of %d", t, c.Vocab)
		}
	}
	keep := 1
	if s.all {
		keep = len(tokens)
	}
	if need := keep * c.Vocab; cap(s.logits) < need {
		s.logits = make([]float32, need)
	}
	s.logits, s.nLogits = s.logits[:keep*c.Vocab], keep
	for at := 0; at < len(tokens); at += maxBatch {
		batch := tokens[at:min(at+maxBatch, len(tokens))]
		if err := s.forward(ctx, batch); err != nil {
			return nil, err
		}
		s.tokens = append(s.tokens, batch...)
		s.n += len(batch)
		if s.all {
			s.output(len(batch), 0, s.logits[at*c.Vocab:])
		} else if at+len(batch) == len(tokens) {
			s.output(len(batch), len(batch)-1, s.logits)
		}
	}
	return s.logits[(keep-1)*c.Vocab:], nil
}

// forward runs the layers over a batch at positions s.n.. and leaves the
// last hidden states in buf.x. The cache is written for those positions.
func (s *State) forward(ctx context.Context, batch []int) error {
	c, b := s.m.Config, &s.buf
	nb := len(batch)
	for i, t := range batch {
		x := b.x[i*c.Embd : (i+1)*c.Embd]
		s.m.embd.DequantizeRow(t, x)
		if c.a.gemma {
			scale(x, float32(math.Sqrt(float64(c.Embd))))
		}
	}
	for li := range s.m.layers {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.attention(li, nb)
		s.ffn(li, nb)
	}
	return nil
}

func (s *State) attention(li, nb int) {
	c, b, l := s.m.Config, &s.buf, &s.m.layers[li]
	qDim, kvDim, hd := c.Heads*c.HeadDim, c.KVHeads*c.HeadDim, c.HeadDim
	rmsNormRows(b.h, b.x, l.attnNorm, c.Embd, nb, c.Eps)
	if c.a.fused {
		s.mul(b.h, nb, out{l.qkv, b.qkv})
		w := qDim + 2*kvDim
		for i := 0; i < nb; i++ {
			row := b.qkv[i*w:]
			copy(b.q[i*qDim:(i+1)*qDim], row[:qDim])
			copy(b.k[i*kvDim:(i+1)*kvDim], row[qDim:qDim+kvDim])
			copy(b.v[i*kvDim:(i+1)*kvDim], row[qDim+kvDim:w])
		}
	} else {
		s.mul(b.h, nb, out{l.q, b.q}, out{l.k, b.k}, out{l.v, b.v})
	}
	addBias(b.q, l.qBias, nb)
	addBias(b.k, l.kBias, nb)
	addBias(b.v, l.vBias, nb)
	r := s.ropes[li]
	for i := 0; i < nb; i++ {
		q, k := b.q[i*qDim:(i+1)*qDim], b.k[i*kvDim:(i+1)*kvDim]
		if l.qNorm != nil {
			rmsNormRows(q, q, l.qNorm, hd, c.Heads, c.Eps)
			rmsNormRows(k, k, l.kNorm, hd, c.KVHeads, c.Eps)
		}
		r.at(s.n + i)
		r.apply(q, c.Heads, hd)
		r.apply(k, c.KVHeads, hd)
		s.store(li, s.n+i, k, b.v[i*kvDim:(i+1)*kvDim])
	}
	s.attendAll(li, nb)
	s.mul(b.att, nb, out{l.o, b.o})
	addBias(b.o, l.oBias, nb)
	if l.attnPostNorm != nil {
		rmsNormRows(b.o, b.o, l.attnPostNorm, c.Embd, nb, c.Eps)
	}
	add(b.x[:nb*c.Embd], b.o)
}

func (s *State) ffn(li, nb int) {
	c, b, l := s.m.Config, &s.buf, &s.m.layers[li]
	rmsNormRows(b.h, b.x, l.ffnNorm, c.Embd, nb, c.Eps)
	ff := c.FF
	if c.a.fused {
		s.mul(b.h, nb, out{l.gateUp, b.gateUp})
		for i := 0; i < nb; i++ {
			row := b.gateUp[i*2*ff:]
			glu(b.act[i*ff:(i+1)*ff], row[:ff], row[ff:2*ff], c.a.gemma)
		}
	} else {
		s.mul(b.h, nb, out{l.gate, b.gate}, out{l.up, b.up})
		glu(b.act[:nb*ff], b.gate[:nb*ff], b.up[:nb*ff], c.a.gemma)
	}
	s.mul(b.act, nb, out{l.down, b.o})
	if l.ffnPostNorm != nil {
		rmsNormRows(b.o, b.o, l.ffnPostNorm, c.Embd, nb, c.Eps)
	}
	add(b.x[:nb*c.Embd], b.o)
}

// output writes the logits of batch positions from.. into dst.
func (s *State) output(nb, from int, dst []float32) {
	c, b := s.m.Config, &s.buf
	n := nb - from
	h := b.h[:n*c.Embd]
	rmsNormRows(h, b.x[from*c.Embd:nb*c.Embd], s.m.outputNorm, c.Embd, n, c.Eps)
	s.mul(h, n, out{s.m.output, dst[:n*c.Vocab]})
	if cp := c.FinalSoftCap; cp > 0 {
		for i, v := range dst[:n*c.Vocab] {
			dst[i] = cp * float32(math.Tanh(float64(v/cp)))
		}
	}
}

// out is one product of a step: a matrix and where its rows go.
type out struct {
	m   quant.Matrix
	dst []float32
}

// mul multiplies nb input vectors of x by each matrix (all with the same
// input width), preparing x once per activation type and sharing the rows
// among the workers. dst holds nb vectors of the matrix's rows.
func (s *State) mul(x []float32, nb int, outs ...out) {
	cols := outs[0].m.Cols()
	prepared := map[quant.Type]*quant.Acts{}
	for _, o := range outs {
		kind, _ := quant.ActType(o.m.Type())
		if prepared[kind] != nil {
			continue
		}
		key := actKey{kind, cols}
		a := s.acts[key]
		if a == nil {
			var err error
			if a, err = quant.NewActs(o.m.Type(), cols, maxBatch); err != nil {
				panic(err) // the loader checked every matrix's type and width
			}
			s.acts[key] = a
		}
		if err := a.Set(x[:nb*cols]); err != nil {
			panic(err)
		}
		prepared[kind] = a
	}
	for _, o := range outs {
		kind, _ := quant.ActType(o.m.Type())
		a, m, dst := prepared[kind], o.m, o.dst
		rows := m.Rows()
		s.pool.run(rows, rowChunk(m), func(_, lo, hi int) {
			if nb == 1 {
				m.DotRows(lo, hi, a, dst)
			} else {
				m.MulRows(lo, hi, a, dst, rows)
			}
		})
	}
}

// rowChunk is how many rows a worker claims at a time: about 64 KiB of
// weights, a multiple of 16 rows (the batched products' widest tile).
func rowChunk(m quant.Matrix) int { return max(16, ((64<<10)/max(1, m.RowBytes())+15)&^15) }

package docs

import (
	"context"
	"fmt"
	"math"
	"sort"

	"sidecar/backend/simd"
)

// memIndex is the coarse stage of vector search: every vector of the
// model in use, quantized to int8 with one scale per vector, held in
// memory and scanned with simd.DotI8 (a 384-dimension vector is 384
// bytes; 100,000 of them take 40 MB). It is built from the model's float
// table on the first search and kept in step by writes and deletes; the
// full float vectors in the database re-score its candidates.
type memIndex struct {
	model int64 // embModel.id
	dims  int
	ids   []int64 // per slot; -1: deleted
	q     []int8  // per slot: dims values
	scale []float32
	slot  map[int64]int
	dead  int
}

func newMemIndex(model int64, dims int) *memIndex {
	return &memIndex{model: model, dims: dims, slot: map[int64]int{}}
}

// quantizeVec writes v as int8 values of q and returns their scale.
func quantizeVec(q []int8, v []float32) float32 {
	var amax float32
	for _, x := range v {
		amax = max(amax, float32(math.Abs(float64(x))))
	}
	if amax == 0 {
		clear(q)
		return 0
	}
	inv := 127 / amax
	for i, x := range v {
		q[i] = int8(math.Round(float64(x * inv)))
	}
	return amax / 127
}

func (ix *memIndex) add(id int64, v []float32) {
	if len(v) != ix.dims {
		return
	}
	if s, ok := ix.slot[id]; ok {
		ix.scale[s] = quantizeVec(ix.q[s*ix.dims:(s+1)*ix.dims], v)
		return
	}
	ix.slot[id] = len(ix.ids)
	ix.ids = append(ix.ids, id)
	ix.q = append(ix.q, make([]int8, ix.dims)...)
	ix.scale = append(ix.scale, quantizeVec(ix.q[len(ix.q)-ix.dims:], v))
}

func (ix *memIndex) remove(id int64) {
	if s, ok := ix.slot[id]; ok {
		ix.ids[s] = -1
		delete(ix.slot, id)
		ix.dead++
	}
}

// compact drops deleted slots once they are a quarter of the index.
func (ix *memIndex) compact() {
	if ix.dead*4 < len(ix.ids) || ix.dead == 0 {
		return
	}
	n := 0
	for s, id := range ix.ids {
		if id < 0 {
			continue
		}
		copy(ix.q[n*ix.dims:(n+1)*ix.dims], ix.q[s*ix.dims:(s+1)*ix.dims])
		ix.ids[n], ix.scale[n], ix.slot[id] = id, ix.scale[s], n
		n++
	}
	ix.ids, ix.scale, ix.q, ix.dead = ix.ids[:n], ix.scale[:n], ix.q[:n*ix.dims], 0
}

// top returns the ids of the k vectors with the largest dot product with
// qv (cosine order for the unit vectors the embedders produce).
func (ix *memIndex) top(qv []float32, k int) []int64 {
	if len(qv) != ix.dims || k <= 0 {
		return nil
	}
	qq := make([]int8, ix.dims)
	quantizeVec(qq, qv)
	type cand struct {
		id    int64
		score float32
	}
	// A bounded min-heap of the best k.
	heap := make([]cand, 0, k)
	less := func(i, j int) bool { return heap[i].score < heap[j].score }
	down := func(i int) {
		for {
			l, small := 2*i+1, i
			if l < len(heap) && less(l, small) {
				small = l
			}
			if r := l + 1; r < len(heap) && less(r, small) {
				small = r
			}
			if small == i {
				return
			}
			heap[i], heap[small] = heap[small], heap[i]
			i = small
		}
	}
	for s, id := range ix.ids {
		if id < 0 {
			continue
		}
		sc := float32(simd.DotI8(ix.q[s*ix.dims:(s+1)*ix.dims], qq)) * ix.scale[s]
		if len(heap) < k {
			heap = append(heap, cand{id, sc})
			for i := len(heap) - 1; i > 0; {
				p := (i - 1) / 2
				if !less(i, p) {
					break
				}
				heap[i], heap[p] = heap[p], heap[i]
				i = p
			}
			continue
		}
		if sc > heap[0].score {
			heap[0] = cand{id, sc}
			down(0)
		}
	}
	sort.Slice(heap, func(i, j int) bool { return heap[i].score > heap[j].score })
	out := make([]int64, len(heap))
	for i, c := range heap {
		out[i] = c.id
	}
	return out
}

// memIndexFor returns the in-memory index of model m, building it from
// the float table when there is none.
func (s *Service) memIndexFor(ctx context.Context, m embModel) (*memIndex, error) {
	s.idxMu.Lock()
	defer s.idxMu.Unlock()
	if s.index != nil && s.index.model == m.id {
		return s.index, nil
	}
	ix := newMemIndex(m.id, m.dims)
	rows, err := s.db.SQL().QueryContext(ctx, fmt.Sprintf(`SELECT chunk_id, v FROM %s`, m.floatTable()))
	if err != nil {
		return nil, fmt.Errorf("docs: load vectors: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var b []byte
		if err := rows.Scan(&id, &b); err != nil {
			return nil, fmt.Errorf("docs: load vectors: %w", err)
		}
		ix.add(id, blobFloats(b))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("docs: load vectors: %w", err)
	}
	s.index = ix
	return ix, nil
}

// indexChanged applies committed writes and deletes to the in-memory
// index of model m, if it is loaded.
func (s *Service) indexChanged(m embModel, added []int64, vecs [][]float32, removed []int64) {
	s.idxMu.Lock()
	defer s.idxMu.Unlock()
	ix := s.index
	if ix == nil || ix.model != m.id {
		return
	}
	for _, id := range removed {
		ix.remove(id)
	}
	for i, id := range added {
		ix.add(id, vecs[i])
	}
	ix.compact()
}

// Warm builds the in-memory vector index ahead of the first search.
func (s *Service) Warm(ctx context.Context) error {
	_, m := s.current()
	_, err := s.memIndexFor(ctx, m)
	return err
}

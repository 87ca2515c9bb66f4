package tokenizer

import "container/heap"

// symbol is a run of bytes of the word being merged, linked to its
// neighbours; n is 0 once merged into its left neighbour.
type symbol struct {
	start, n   int
	prev, next int
}

// bigram is a candidate merge of two adjacent symbols; lower key first,
// then the leftmost. size is the pair's length when it was queued: a pair
// whose symbols changed since is stale.
type bigram struct {
	key         float64
	left, right int
	size        int
}

type bigramQueue []bigram

func (q bigramQueue) Len() int { return len(q) }
func (q bigramQueue) Less(i, j int) bool {
	if q[i].key != q[j].key {
		return q[i].key < q[j].key
	}
	return q[i].left < q[j].left
}
func (q bigramQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *bigramQueue) Push(x any)   { *q = append(*q, x.(bigram)) }
func (q *bigramQueue) Pop() any {
	old := *q
	b := old[len(old)-1]
	*q = old[:len(old)-1]
	return b
}

// merger runs the merge loop shared by SentencePiece and BPE over one
// word: score says whether a pair of texts may merge, and with what key.
type merger struct {
	word  string
	syms  []symbol
	queue bigramQueue
	score func(pair string, leftLen int) (float64, bool)
}

// utf8Len is the length of the UTF-8 sequence a lead byte starts (1 for a
// stray continuation byte), as SentencePiece splits text.
func utf8Len(b byte) int {
	switch {
	case b < 0xC0:
		return 1
	case b < 0xE0:
		return 2
	case b < 0xF0:
		return 3
	}
	return 4
}

func (m *merger) run() []symbol {
	m.syms = m.syms[:0]
	for off := 0; off < len(m.word); {
		n := min(utf8Len(m.word[off]), len(m.word)-off)
		i := len(m.syms)
		m.syms = append(m.syms, symbol{start: off, n: n, prev: i - 1, next: i + 1})
		off += n
	}
	if len(m.syms) == 0 {
		return nil
	}
	m.syms[len(m.syms)-1].next = -1
	m.queue = m.queue[:0]
	for i := 1; i < len(m.syms); i++ {
		m.add(i-1, i)
	}
	for m.queue.Len() > 0 {
		b := heap.Pop(&m.queue).(bigram)
		l, r := &m.syms[b.left], &m.syms[b.right]
		if l.n == 0 || r.n == 0 || l.n+r.n != b.size {
			continue
		}
		l.n += r.n
		r.n = 0
		l.next = r.next
		if r.next >= 0 {
			m.syms[r.next].prev = b.left
		}
		m.add(l.prev, b.left)
		m.add(b.left, l.next)
	}
	return m.syms
}

func (m *merger) add(left, right int) {
	if left < 0 || right < 0 {
		return
	}
	l, r := m.syms[left], m.syms[right]
	key, ok := m.score(m.word[l.start:r.start+r.n], l.n)
	if !ok {
		return
	}
	heap.Push(&m.queue, bigram{key: key, left: left, right: right, size: l.n + r.n})
}

package llama

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"sidecar/backend/gguf"
	"sidecar/backend/quant"
	"sidecar/backend/simd"
)

// Info describes a GGUF file without building a model from it.
type Info struct {
	Arch          string
	Name          string
	Supported     bool           // the engine runs this architecture
	Params        int64          // elements of all tensors
	Bytes         int64          // file size
	Types         map[string]int // tensors per weight type
	FileType      string         // the dominant type of the 2-D tensors
	ContextLength int
	Layers        int
	Embd          int
	ChatTemplate  bool
	// Fill-in-the-middle tokens are the tokenizer's to find (by id or by
	// text): tokenizer.FromGGUF(f).FIM().
}

// Describe reads what a GGUF file says about itself.
func Describe(f *gguf.File) Info {
	info := Info{Bytes: f.Size(), Types: map[string]int{}}
	info.Arch, _ = f.String("general.architecture")
	info.Name, _ = f.StringOr("general.name", "")
	_, info.Supported = arches[info.Arch]
	weight := map[quant.Type]int64{}
	for _, t := range f.Tensors {
		info.Params += t.Elements()
		info.Types[t.Type.String()]++
		if len(t.Dims) == 2 {
			weight[t.Type] += t.Elements()
		}
	}
	var best int64
	for t, n := range weight {
		if n > best || (n == best && t.String() < info.FileType) {
			best, info.FileType = n, t.String()
		}
	}
	ctx, _ := f.IntOr(info.Arch+".context_length", 0)
	layers, _ := f.IntOr(info.Arch+".block_count", 0)
	embd, _ := f.IntOr(info.Arch+".embedding_length", 0)
	info.ContextLength, info.Layers, info.Embd = int(ctx), int(layers), int(embd)
	info.ChatTemplate = f.Has("tokenizer.chat_template")
	return info
}

// TypeSummary lists the tensor types as "Q4_K ×97, Q6_K ×17, …".
func (i Info) TypeSummary() string {
	var parts []string
	for t, n := range i.Types {
		parts = append(parts, fmt.Sprintf("%s ×%d", t, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// matrices are every weight matrix one generated token reads in full.
func (m *Model) matrices() []quant.Matrix {
	out := []quant.Matrix{m.output}
	for i := range m.layers {
		l := &m.layers[i]
		for _, w := range []quant.Matrix{l.q, l.k, l.v, l.qkv, l.o, l.gate, l.up, l.gateUp, l.down} {
			if w.Rows() > 0 {
				out = append(out, w)
			}
		}
	}
	return out
}

// StreamedBytes is how many bytes of weights one generated token reads:
// every matrix, and one row of the embedding table.
func (m *Model) StreamedBytes() int64 {
	n := int64(m.embd.RowBytes())
	for _, w := range m.matrices() {
		n += int64(w.Rows() * w.RowBytes())
	}
	return n
}

// ReadFloor measures how long reading the weights of one generated token
// takes on this machine now (see simd.ReadTime).
func (m *Model) ReadFloor(threads int, fiveStreams bool) time.Duration {
	var parts [][]byte
	for _, w := range m.matrices() {
		if w.Rows() > 0 {
			parts = append(parts, rowsOf(w))
		}
	}
	return simd.ReadTime(parts, threads, fiveStreams)
}

// rowsOf is the matrix's bytes, rows one after the other.
func rowsOf(w quant.Matrix) []byte {
	first := w.Row(0)
	return first[: w.Rows()*w.RowBytes() : w.Rows()*w.RowBytes()]
}

// Kernels names the kernel set of each weight type the model uses.
func (m *Model) Kernels() string {
	seen := map[string]bool{}
	var parts []string
	for _, w := range m.matrices() {
		s := w.Type().String() + ":" + quant.Kernels(w.Type())
		if !seen[s] {
			seen[s] = true
			parts = append(parts, s)
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

package quant

import "fmt"

// Matrix is a read-only view of a rows×cols matrix of one type stored row
// by row, as GGUF and ggml files hold their weights (cols is ne0, the
// contiguous length; row r is output feature r of a product). The bytes
// are used where they are, typically straight from a memory-mapped file:
// nothing is copied or converted.
type Matrix struct {
	typ        Type
	rows, cols int
	rowBytes   int
	data       []byte
}

// NewMatrix checks that data holds exactly rows rows of cols values of t,
// and that t has kernels, and returns the view.
func NewMatrix(t Type, rows, cols int, data []byte) (Matrix, error) {
	if _, ok := ActType(t); !ok {
		return Matrix{}, fmt.Errorf("quant: matrix of %s: no kernel for this type", t)
	}
	rb, err := t.RowBytes(int64(cols))
	if err != nil || rows < 0 || cols <= 0 {
		return Matrix{}, fmt.Errorf("quant: matrix of %d×%d %s: bad shape", rows, cols, t)
	}
	if want := int64(rows) * rb; rb > 0 && int64(rows) > (1<<62)/rb || int64(len(data)) != want {
		return Matrix{}, fmt.Errorf("quant: matrix of %d×%d %s: %d bytes, want %d", rows, cols, t, len(data), want)
	}
	return Matrix{typ: t, rows: rows, cols: cols, rowBytes: int(rb), data: data}, nil
}

// Type is the matrix's element type.
func (m Matrix) Type() Type { return m.typ }

// Rows is the number of rows (output features).
func (m Matrix) Rows() int { return m.rows }

// Cols is the number of values per row (input features).
func (m Matrix) Cols() int { return m.cols }

// RowBytes is the size in bytes of one row.
func (m Matrix) RowBytes() int { return m.rowBytes }

// Row returns the bytes of row r.
func (m Matrix) Row(r int) []byte { return m.data[r*m.rowBytes : (r+1)*m.rowBytes] }

// DequantizeRow decodes row r into dst (len Cols()), as ggml does.
func (m Matrix) DequantizeRow(r int, dst []float32) {
	dequantizers[m.typ](m.Row(r), dst[:m.cols])
}

// check panics unless a was made for a type with this matrix's ActType
// and width and holds vectors: a mismatch is a bug in the caller.
func (m Matrix) check(a *Acts) {
	if a.kind != mustActType(m.typ) || a.cols != m.cols || a.n == 0 {
		panic(fmt.Sprintf("quant: %d-column %s activations (%d set) used with a %d-column %s matrix", a.cols, a.kind, a.n, m.cols, m.typ))
	}
}

func mustActType(t Type) Type { k, _ := ActType(t); return k }

// Dot returns row r · the first vector of a.
func (m Matrix) Dot(r int, a *Acts) float32 {
	m.check(a)
	var out [1]float32
	kernelsFor(m.typ).rows(Matrix{m.typ, 1, m.cols, m.rowBytes, m.Row(r)}, 0, 1, a, out[:])
	return out[0]
}

// DotRows sets out[r] = row r · the first vector of a for r0 ≤ r < r1: the
// share of a matrix-vector product one worker takes in generation. out is
// indexed by row number, so workers may share one output slice.
func (m Matrix) DotRows(r0, r1 int, a *Acts, out []float32) {
	m.check(a)
	if r0 < 0 || r1 > m.rows || r0 > r1 || len(out) < r1 {
		panic(fmt.Sprintf("quant: rows %d..%d of %d into %d outputs", r0, r1, m.rows, len(out)))
	}
	kernelsFor(m.typ).rows(m, r0, r1, a, out)
}

// MulRows sets out[v·ldo + r] = row r · vector v of a, for every vector v
// a holds and r0 ≤ r < r1: a worker's share of a matrix product over a
// batch (prompt evaluation). Each row is read from memory once per group
// of vectors rather than once per vector.
func (m Matrix) MulRows(r0, r1 int, a *Acts, out []float32, ldo int) {
	m.check(a)
	if r0 < 0 || r1 > m.rows || r0 > r1 || ldo < r1 || len(out) < (a.n-1)*ldo+r1 {
		panic(fmt.Sprintf("quant: rows %d..%d of %d for %d vectors into %d outputs (stride %d)", r0, r1, m.rows, a.n, len(out), ldo))
	}
	kernelsFor(m.typ).mul(m, r0, r1, a, out, ldo)
}

// kernelSet is what a type's products run: the plain-Go ones, or faster
// ones the CPU has (kernels_amd64.go).
type kernelSet struct {
	rows func(m Matrix, r0, r1 int, a *Acts, out []float32)
	mul  func(m Matrix, r0, r1 int, a *Acts, out []float32, ldo int)
}

// fast holds the accelerated kernel sets by type; types not in it use Go.
var fast = map[Type]kernelSet{}

func kernelsFor(t Type) kernelSet {
	if k, ok := fast[t]; ok {
		return k
	}
	return goKernels
}

var goKernels = kernelSet{rows: rowsGo, mul: mulGo}

func rowsGo(m Matrix, r0, r1 int, a *Acts, out []float32) {
	dot := goDots[m.typ]
	x := &a.first
	for r := r0; r < r1; r++ {
		out[r] = dot(m.Row(r), x)
	}
}

// mulGo multiplies block by block of rows (see rowBlocks), each vector
// with every row of a block in turn.
func mulGo(m Matrix, r0, r1 int, a *Acts, out []float32, ldo int) {
	mulEach(goDots[m.typ], m, r0, r1, a, out, ldo)
}

func mulEach(dot func(row []byte, x *actVec) float32, m Matrix, r0, r1 int, a *Acts, out []float32, ldo int) {
	for b0 := r0; b0 < r1; b0 += m.blockRows() {
		b1 := min(b0+m.blockRows(), r1)
		for v := 0; v < a.n; v++ {
			x := a.vec(v)
			for r := b0; r < b1; r++ {
				out[v*ldo+r] = dot(m.Row(r), &x)
			}
		}
	}
}

// blockRows is how many rows the batched products take at a time: about
// 256 KiB of weights, which stay in the core's L2 cache while every vector
// (from L1) passes over them, so each row is read from memory once per
// batch.
func (m Matrix) blockRows() int { return max(4, blockBytes/m.rowBytes) }

var blockBytes = 256 << 10 // a variable so tests can make blocks small

// Kernels names the kernel set in use for t: "go", or the instruction
// sets of its assembly kernels.
func Kernels(t Type) string {
	if _, ok := fast[t]; ok {
		return fastName + gemmName(t)
	}
	return "go"
}

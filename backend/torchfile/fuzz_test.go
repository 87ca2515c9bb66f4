package torchfile

import (
	"archive/zip"
	"testing"
)

// FuzzOpen feeds arbitrary bytes to Open and Data: every input gives an
// error or tensors whose data has exactly the bytes their shape says,
// never a panic. The seeds (real checkpoints and a hand-built one) and
// the corpus in testdata/fuzz run as a regression test with go test.
func FuzzOpen(f *testing.F) {
	for _, name := range []string{"small.pt", "small_deflate.pt", "param.pt", "evil_system.pt", "module.pt"} {
		f.Add(readFixture(f, name))
	}
	f.Add(archive(f, stateDict(func(p *pk) { p.tensor("w", "0", 6, 0, []int32{2, 3}, []int32{1, 2}) }), map[string][]byte{"0": floats(6)}, zip.Store))
	f.Fuzz(func(t *testing.T, b []byte) {
		tf, err := Open(b)
		if err != nil {
			return
		}
		for _, e := range tf.Tensors() {
			d, err := tf.Data(e.Tensor)
			if err != nil {
				continue
			}
			if int64(len(d)) != e.Tensor.NumElements()*e.Tensor.DType.Size() {
				t.Fatalf("%s: %d bytes for %v %s", e.Name, len(d), e.Tensor.Shape, e.Tensor.DType)
			}
		}
	})
}

// FuzzUnpickle mutates the data.pkl of a well-formed archive, where most
// mutations reach the unpickler rather than the zip reader.
func FuzzUnpickle(f *testing.F) {
	data := map[string][]byte{"0": floats(6)}
	f.Add(stateDict(func(p *pk) { p.tensor("w", "0", 6, 0, []int32{2, 3}, []int32{3, 1}) }))
	f.Add(stateDict(func(p *pk) {
		p.tensor("a", "0", 6, 1, []int32{5}, []int32{1})
		p.tensor("b", "0", 6, 0, []int32{3, 2}, []int32{1, 3})
	}))
	f.Fuzz(func(t *testing.T, pkl []byte) {
		tf, err := Open(archive(t, pkl, data, zip.Store))
		if err != nil {
			return
		}
		for _, e := range tf.Tensors() {
			if d, err := tf.Data(e.Tensor); err == nil && int64(len(d)) != e.Tensor.NumElements()*4 {
				t.Fatalf("%s: %d bytes for %v", e.Name, len(d), e.Tensor.Shape)
			}
		}
	})
}

package torchfile

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"runtime"
	"strings"
	"testing"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decode turns little-endian elements into float64 for comparison.
func decode(t *testing.T, dt DType, b []byte) []float64 {
	t.Helper()
	n := len(b) / int(dt.Size())
	out := make([]float64, n)
	for i := range out {
		switch dt {
		case F32:
			out[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])))
		case F64:
			out[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
		case F16:
			out[i] = halfToFloat(binary.LittleEndian.Uint16(b[2*i:]))
		case BF16:
			out[i] = float64(math.Float32frombits(uint32(binary.LittleEndian.Uint16(b[2*i:])) << 16))
		case I64:
			out[i] = float64(int64(binary.LittleEndian.Uint64(b[8*i:])))
		case Bool, U8:
			out[i] = float64(b[i])
		default:
			t.Fatalf("no decoder for %s", dt)
		}
	}
	return out
}

// halfToFloat is a plain IEEE binary16 decoder, written apart from any
// engine code so the test checks the bytes, not a shared routine.
func halfToFloat(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp, frac := int(h>>10&0x1f), float64(h&0x3ff)
	switch exp {
	case 0:
		return sign * frac * math.Pow(2, -24)
	case 31:
		return math.Inf(int(sign))
	}
	return sign * (1 + frac/1024) * math.Pow(2, float64(exp-15))
}

// TestReadsWhatTorchWrote opens checkpoints written by torch.save (see
// testdata/gen.py) and compares every tensor with the values PyTorch
// printed: dtypes, scalars, empty tensors, views sharing a storage at an
// offset, transposed and column-sliced (strided) views, and the same
// archive with deflated entries.
func TestReadsWhatTorchWrote(t *testing.T) {
	var want map[string]struct {
		DType  string    `json:"dtype"`
		Shape  []int64   `json:"shape"`
		Values []float64 `json:"values"`
	}
	if err := json.Unmarshal(readFixture(t, "small.json"), &want); err != nil {
		t.Fatal(err)
	}
	dtypes := map[string]DType{"torch.float32": F32, "torch.float16": F16, "torch.bfloat16": BF16, "torch.float64": F64, "torch.int64": I64, "torch.bool": Bool}
	for _, file := range []string{"small.pt", "small_deflate.pt"} {
		f, err := Open(readFixture(t, file))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if len(f.Tensors()) != len(want) {
			t.Fatalf("%s: %d tensors, want %d", file, len(f.Tensors()), len(want))
		}
		for i, e := range f.Tensors() {
			w, ok := want[e.Name]
			if !ok {
				t.Fatalf("%s: unexpected tensor %q", file, e.Name)
			}
			if i == 0 && e.Name != "f32" {
				t.Errorf("%s: order lost: first tensor is %q", file, e.Name)
			}
			if e.Tensor.DType != dtypes[w.DType] || !equalInts(e.Tensor.Shape, w.Shape) {
				t.Errorf("%s: %s is %s %v, want %s %v", file, e.Name, e.Tensor.DType, e.Tensor.Shape, w.DType, w.Shape)
				continue
			}
			b, err := f.Data(e.Tensor)
			if err != nil {
				t.Fatalf("%s: %s: %v", file, e.Name, err)
			}
			got := decode(t, e.Tensor.DType, b)
			if len(got) != len(w.Values) {
				t.Fatalf("%s: %s has %d values, want %d", file, e.Name, len(got), len(w.Values))
			}
			for j := range got {
				if got[j] != w.Values[j] {
					t.Fatalf("%s: %s[%d] = %v, want %v", file, e.Name, j, got[j], w.Values[j])
				}
			}
		}
		tr := find(f, "transposed")
		if tr.Contiguous() || !find(f, "rows").Contiguous() || find(f, "rows").Offset != 10 {
			t.Errorf("%s: views not seen as torch wrote them: transposed strides %v, rows offset %d", file, tr.Strides, find(f, "rows").Offset)
		}
	}
}

func find(f *File, name string) *Tensor {
	for _, e := range f.Tensors() {
		if e.Name == name {
			return e.Tensor
		}
	}
	return nil
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestRefusesCodeTorchWrote: pickles written by torch.save that would run
// os.system or eval, or rebuild an nn.Module, are refused by name.
func TestRefusesCodeTorchWrote(t *testing.T) {
	for file, name := range map[string]string{
		"evil_system.pt": "posix.system",
		"evil_eval.pt":   "__builtin__.eval",
		"module.pt":      "torch.nn.modules.linear.Linear",
	} {
		_, err := Open(readFixture(t, file))
		if !errors.Is(err, ErrNotAllowed) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: err = %v, want ErrNotAllowed naming %s", file, err, name)
		}
	}
}

// pk assembles pickle opcodes.
type pk struct{ bytes.Buffer }

func (p *pk) op(b ...byte) *pk { p.Write(b); return p }
func (p *pk) global(mod, name string) *pk {
	p.WriteString("c" + mod + "\n" + name + "\n")
	return p
}
func (p *pk) str(s string) *pk {
	p.WriteByte('X')
	binary.Write(&p.Buffer, binary.LittleEndian, uint32(len(s)))
	p.WriteString(s)
	return p
}
func (p *pk) int(n int32) *pk {
	p.WriteByte('J')
	binary.Write(&p.Buffer, binary.LittleEndian, n)
	return p
}
func (p *pk) ints(v ...int32) *pk {
	p.op('(')
	for _, n := range v {
		p.int(n)
	}
	return p.op('t')
}

// tensor appends key: _rebuild_tensor_v2(storage key of numel F32, off, shape, strides).
func (p *pk) tensor(name, key string, numel int32, off int32, shape, strides []int32) *pk {
	p.str(name).global("torch._utils", "_rebuild_tensor_v2").op('(')
	p.op('(').str("storage").global("torch", "FloatStorage").str(key).str("cpu").int(numel).op('t', 'Q')
	p.int(off).ints(shape...).ints(strides...).op(0x89).global("collections", "OrderedDict").op(')', 'R', 't', 'R')
	return p
}

// stateDict wraps items (key/value opcodes) in an OrderedDict.
func stateDict(items func(p *pk)) []byte {
	p := &pk{}
	p.op(0x80, 2).global("collections", "OrderedDict").op(')', 'R', '(')
	items(p)
	p.op('u', '.')
	return p.Bytes()
}

// archive builds a torch-style zip: archive/data.pkl and archive/data/<key>.
func archive(t testing.TB, pkl []byte, data map[string][]byte, method uint16) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	add := func(name string, b []byte) {
		fw, err := w.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(b)
	}
	add("archive/data.pkl", pkl)
	for k, v := range data {
		add("archive/data/"+k, v)
	}
	add("archive/version", []byte("3\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func floats(n int) []byte { return make([]byte, 4*n) }

func TestHostilePickles(t *testing.T) {
	ok := archive(t, stateDict(func(p *pk) { p.tensor("w", "0", 6, 0, []int32{2, 3}, []int32{3, 1}) }), map[string][]byte{"0": floats(6)}, zip.Store)
	if f, err := Open(ok); err != nil || len(f.Tensors()) != 1 {
		t.Fatalf("the well-formed case must open: %v", err)
	}
	deep := &pk{}
	deep.op(0x80, 2).str("x")
	for i := 0; i < 100000; i++ {
		deep.op(0x85) // TUPLE1: a million-deep nest of tuples is only a chain
	}
	deep.op('.')
	marks := &pk{}
	marks.op(0x80, 2)
	for i := 0; i < maxMarks+1; i++ {
		marks.op('(')
	}
	bigMemo := &pk{}
	bigMemo.op(0x80, 2, 'N')
	for i := 0; i <= maxMemo; i++ {
		bigMemo.op('r')
		binary.Write(&bigMemo.Buffer, binary.LittleEndian, uint32(i*4099))
	}
	bigStack := &pk{}
	bigStack.op(0x80, 2)
	for i := 0; i <= maxStack; i++ {
		bigStack.op('N')
	}
	cases := []struct {
		name string
		pkl  []byte
		data map[string][]byte
		want error
		msg  string
	}{
		{"os.system", (&pk{}).op(0x80, 2).global("os", "system").str("id").op(0x85, 'R', '.').Bytes(), nil, ErrNotAllowed, "os.system"},
		{"stack global eval", (&pk{}).op(0x80, 2).str("builtins").str("eval").op(0x93).Bytes(), nil, ErrNotAllowed, "builtins.eval"},
		{"subprocess", (&pk{}).op(0x80, 2).global("subprocess", "Popen").Bytes(), nil, ErrNotAllowed, "subprocess.Popen"},
		{"torch.load_from_bytes", (&pk{}).op(0x80, 2).global("torch.storage", "_load_from_bytes").Bytes(), nil, ErrNotAllowed, "torch.storage._load_from_bytes"},
		{"reduce a storage class", (&pk{}).op(0x80, 2).global("torch", "FloatStorage").op(')', 'R', '.').Bytes(), nil, ErrNotAllowed, "calls torch.FloatStorage"},
		{"reduce a string", (&pk{}).op(0x80, 2).str("os.system").op(')', 'R', '.').Bytes(), nil, ErrNotAllowed, "calls string"},
		{"INST", []byte("\x80\x02(ios\nsystem\n."), nil, ErrFormat, "opcode 0x69"},
		{"NEWOBJ", (&pk{}).op(0x80, 2).global("collections", "OrderedDict").op(')', 0x81, '.').Bytes(), nil, ErrFormat, "opcode 0x81"},
		{"huge string", (&pk{}).op(0x80, 2, 'X', 0xff, 0xff, 0xff, 0x7f).Bytes(), nil, ErrFormat, "limit"},
		{"string past end", (&pk{}).op(0x80, 2, 'X', 0x00, 0x10, 0x00, 0x00, 'a').Bytes(), nil, ErrFormat, "truncated"},
		{"no STOP", (&pk{}).op(0x80, 2, '}').Bytes(), nil, ErrFormat, "no STOP"},
		{"not a dict", (&pk{}).op(0x80, 2, 'N', '.').Bytes(), nil, ErrFormat, "holds a None"},
		{"deep tuples", deep.Bytes(), nil, ErrFormat, "holds a tuple"},
		{"deep marks", marks.Bytes(), nil, ErrFormat, "nested MARKs"},
		{"memo", bigMemo.Bytes(), nil, ErrFormat, "memo entries"},
		{"stack", bigStack.Bytes(), nil, ErrFormat, "on the stack"},
		{"memo get unset", (&pk{}).op(0x80, 2, 'h', 9, '.').Bytes(), nil, ErrFormat, "not set"},
		{"underflow", (&pk{}).op(0x80, 2, 'R').Bytes(), nil, ErrFormat, "underflow"},
		{"long int", (&pk{}).op(0x80, 2, 0x8a, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9).Bytes(), nil, ErrFormat, "64 bits"},
		{"storage bigger than entry", stateDict(func(p *pk) { p.tensor("w", "0", 1<<30, 0, []int32{1}, []int32{1}) }), map[string][]byte{"0": floats(6)}, ErrFormat, "does not match its entry"},
		{"missing entry", stateDict(func(p *pk) { p.tensor("w", "7", 6, 0, []int32{6}, []int32{1}) }), map[string][]byte{"0": floats(6)}, ErrFormat, "no data/7"},
		{"negative stride", stateDict(func(p *pk) { p.tensor("w", "0", 6, 5, []int32{6}, []int32{-1}) }), map[string][]byte{"0": floats(6)}, ErrFormat, "negative"},
		{"negative size", stateDict(func(p *pk) { p.tensor("w", "0", 6, 0, []int32{-6}, []int32{1}) }), map[string][]byte{"0": floats(6)}, ErrFormat, "negative"},
		{"negative offset", stateDict(func(p *pk) { p.tensor("w", "0", 6, -1, []int32{2}, []int32{1}) }), map[string][]byte{"0": floats(6)}, ErrFormat, "outside its storage"},
		{"empty tensor past storage", stateDict(func(p *pk) { p.tensor("w", "0", 6, 1<<20, []int32{0}, []int32{1}) }), map[string][]byte{"0": floats(6)}, ErrFormat, "outside its storage"},
		{"past storage", stateDict(func(p *pk) { p.tensor("w", "0", 6, 1, []int32{2, 3}, []int32{3, 1}) }), map[string][]byte{"0": floats(6)}, ErrFormat, "reaches element 6"},
		{"overflowing size", stateDict(func(p *pk) {
			p.tensor("w", "0", 6, 0, []int32{1 << 30, 1 << 30, 1 << 30}, []int32{0, 0, 0})
		}), map[string][]byte{"0": floats(6)}, ErrFormat, "overflows"},
		{"overflowing stride", stateDict(func(p *pk) {
			p.tensor("w", "0", 6, 0, []int32{2, 2, 2}, []int32{1 << 30, 1 << 30, 1 << 30})
		}), map[string][]byte{"0": floats(6)}, ErrFormat, "reaches element"},
		{"broadcast view", stateDict(func(p *pk) { p.tensor("w", "0", 6, 0, []int32{1 << 20}, []int32{0}) }), map[string][]byte{"0": floats(6)}, ErrFormat, "overlapping"},
		{"non-tensor value", stateDict(func(p *pk) { p.str("w").str("x") }), nil, ErrFormat, "is a string, not a tensor"},
		{"persid not storage", (&pk{}).op(0x80, 2).str("x").op('Q', '.').Bytes(), nil, ErrFormat, "not a storage"},
	}
	for _, c := range cases {
		_, err := Open(archive(t, c.pkl, c.data, zip.Store))
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: err = %v, want %v containing %q", c.name, err, c.want, c.msg)
		}
	}
}

// TestTruncatedFiles opens every prefix of a real checkpoint and of its
// data.pkl: each gives an error, none panics.
func TestTruncatedFiles(t *testing.T) {
	full := readFixture(t, "small.pt")
	for n := 0; n < len(full); n++ {
		if _, err := Open(full[:n]); err == nil {
			t.Fatalf("a file cut at %d of %d bytes opened", n, len(full))
		}
	}
	zr, _ := zip.NewReader(bytes.NewReader(full), int64(len(full)))
	var pkl []byte
	for _, f := range zr.File {
		if f.Name == "small/data.pkl" {
			rc, _ := f.Open()
			pkl, _ = readAll(rc)
		}
	}
	data := map[string][]byte{}
	for _, f := range zr.File {
		if k, ok := strings.CutPrefix(f.Name, "small/data/"); ok {
			rc, _ := f.Open()
			data[k], _ = readAll(rc)
		}
	}
	if _, err := Open(archive(t, pkl, data, zip.Store)); err != nil {
		t.Fatalf("the rebuilt archive must open: %v", err)
	}
	for n := 0; n < len(pkl); n++ {
		if _, err := Open(archive(t, pkl[:n], data, zip.Store)); err == nil {
			t.Fatalf("data.pkl cut at %d of %d bytes opened", n, len(pkl))
		}
	}
}

func readAll(r interface{ Read([]byte) (int, error) }) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(r)
	return b.Bytes(), err
}

// TestZipBombs: an entry whose header claims far more than deflate can
// give is refused before inflating; one that inflates to more than its
// header says stops at the header's size; a directory with too many
// entries is refused before archive/zip allocates for them; a damaged
// stored entry fails its checksum.
func TestZipBombs(t *testing.T) {
	pkl := stateDict(func(p *pk) { p.tensor("w", "0", 6, 0, []int32{6}, []int32{1}) })
	good := archive(t, pkl, map[string][]byte{"0": floats(6)}, zip.Deflate)
	if f, err := Open(good); err != nil {
		t.Fatal(err)
	} else if _, err := f.Data(f.Tensors()[0].Tensor); err != nil {
		t.Fatal(err)
	}

	// 64 MiB of zeros as data/0, its headers rewritten to claim 24 bytes.
	bomb := archive(t, pkl, map[string][]byte{"0": make([]byte, 64<<20)}, zip.Deflate)
	bomb = rewriteSize(t, bomb, "archive/data/0", 24)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f, err := Open(bomb)
	if err == nil {
		_, err = f.Data(f.Tensors()[0].Tensor)
	}
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrFormat) {
		t.Errorf("bomb: err = %v", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Errorf("inflating a lying entry allocated %d bytes", got)
	}
	t.Logf("lying deflate entry (64 MiB inflated, 24 B declared): %v; allocated %d bytes", err, after.TotalAlloc-before.TotalAlloc)

	// Claims 1 GiB from a few bytes: over deflate's ratio.
	claim := rewriteSize(t, archive(t, pkl, map[string][]byte{"0": floats(6)}, zip.Deflate), "archive/data/0", 1<<30)
	pkl2 := stateDict(func(p *pk) { p.tensor("w", "0", 1<<28, 0, []int32{6}, []int32{1}) })
	claim = rewriteSize(t, archive(t, pkl2, map[string][]byte{"0": floats(6)}, zip.Deflate), "archive/data/0", 1<<30)
	if f, err := Open(claim); err != nil {
		t.Fatalf("claim: %v", err)
	} else if _, err := f.Data(f.Tensors()[0].Tensor); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "zip bomb") {
		t.Errorf("claim: err = %v", err)
	}

	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for i := 0; i <= maxEntries; i++ {
		w.CreateHeader(&zip.FileHeader{Name: "a", Method: zip.Store})
	}
	w.Close()
	many := append([]byte("PK\x03\x04"), buf.Bytes()[4:]...)
	if _, err := Open(many); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "entries") {
		t.Errorf("many entries: err = %v", err)
	}

	bad := archive(t, pkl, map[string][]byte{"0": floats(6)}, zip.Store)
	i := bytes.Index(bad, []byte("archive/data/0")) + len("archive/data/0")
	bad[i] = 1 // the first stored byte
	f, err = Open(bad)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Data(f.Tensors()[0].Tensor); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("damaged entry: err = %v", err)
	}
}

// rewriteSize sets the uncompressed size of entry name in its local and
// central headers.
func rewriteSize(t *testing.T, b []byte, name string, size uint32) []byte {
	t.Helper()
	b = bytes.Clone(b)
	for _, sig := range []struct {
		magic string
		at    int // offset of the uncompressed size field
		name  int // offset of the name
	}{{"PK\x03\x04", 22, 30}, {"PK\x01\x02", 24, 46}} {
		for off := 0; ; {
			i := bytes.Index(b[off:], []byte(sig.magic))
			if i < 0 {
				break
			}
			h := off + i
			if h+sig.name+len(name) <= len(b) && string(b[h+sig.name:h+sig.name+len(name)]) == name {
				binary.LittleEndian.PutUint32(b[h+sig.at:], size)
			}
			off = h + 4
		}
	}
	return b
}

// TestHostileMemoryBound measures what the worst pickles of this test
// allocate while being refused: at most a fixed multiple of their size.
func TestHostileMemoryBound(t *testing.T) {
	lists := &pk{}
	lists.op(0x80, 2)
	for i := 0; i < 1<<19; i++ {
		lists.op(']', 'q', byte(i)) // a new list, memoised
	}
	lists.op('.')
	strs := &pk{}
	strs.op(0x80, 2, '(')
	for i := 0; i < 1<<16; i++ {
		strs.op('X', 0, 1, 0, 0) // a 256-byte string (two entries of the memo)
		strs.Write(make([]byte, 256))
	}
	strs.op('t', '.')
	for name, pkl := range map[string][]byte{"lists": lists.Bytes(), "strings": strs.Bytes()} {
		file := archive(t, pkl, nil, zip.Store)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := Open(file)
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Fatalf("%s: opened", name)
		}
		got := after.TotalAlloc - before.TotalAlloc
		t.Logf("%s: %d-byte pickle refused (%v) after allocating %d bytes (%.1fx)", name, len(pkl), err, got, float64(got)/float64(len(pkl)))
		if got > 64*uint64(len(pkl))+1<<20 {
			t.Errorf("%s: allocated %d bytes for a %d-byte pickle", name, got, len(pkl))
		}
	}
}

func TestLegacyAndForeign(t *testing.T) {
	legacy := readFixture(t, "legacy.pt") // torch.save(..., _use_new_zipfile_serialization=False)
	if _, err := Open(legacy); !errors.Is(err, ErrLegacy) {
		t.Errorf("legacy: %v", err)
	}
	if !IsCheckpoint(legacy[:16]) || !IsCheckpoint(readFixture(t, "small.pt")[:16]) || IsCheckpoint([]byte("GGUF\x03\x00\x00\x00")) {
		t.Error("IsCheckpoint does not tell torch files from others")
	}
	if _, err := Open([]byte("GGUF\x03\x00\x00\x00")); !errors.Is(err, ErrFormat) {
		t.Errorf("gguf: %v", err)
	}
}

// zip64End rewrites a zip's end record the way a writer of large files
// (torch's miniz above 4 GiB) does: counts of 0xffff in the classic
// record and the real count, given here, in a zip64 end record found
// through its locator.
func zip64End(t *testing.T, b []byte, count uint64) []byte {
	t.Helper()
	e := bytes.LastIndex(b, []byte("PK\x05\x06"))
	if e < 0 {
		t.Fatal("no end record")
	}
	cdSize := binary.LittleEndian.Uint32(b[e+12:])
	cdOff := binary.LittleEndian.Uint32(b[e+16:])
	out := bytes.Clone(b[:e])
	rec := make([]byte, 56)
	copy(rec, "PK\x06\x06")
	binary.LittleEndian.PutUint64(rec[4:], 44)
	binary.LittleEndian.PutUint16(rec[12:], 45)
	binary.LittleEndian.PutUint64(rec[24:], count)
	binary.LittleEndian.PutUint64(rec[32:], count)
	binary.LittleEndian.PutUint64(rec[40:], uint64(cdSize))
	binary.LittleEndian.PutUint64(rec[48:], uint64(cdOff))
	loc := make([]byte, 20)
	copy(loc, "PK\x06\x07")
	binary.LittleEndian.PutUint64(loc[8:], uint64(len(out)))
	binary.LittleEndian.PutUint32(loc[16:], 1)
	end := bytes.Clone(b[e : e+22])
	binary.LittleEndian.PutUint16(end[8:], 0xffff)
	binary.LittleEndian.PutUint16(end[10:], 0xffff)
	return append(append(append(out, rec...), loc...), end...)
}

func TestZip64EndRecord(t *testing.T) {
	pkl := stateDict(func(p *pk) { p.tensor("w", "0", 6, 0, []int32{6}, []int32{1}) })
	plain := archive(t, pkl, map[string][]byte{"0": floats(6)}, zip.Store)
	if n, ok := directoryCount(zip64End(t, plain, 3)); !ok || n != 3 {
		t.Fatalf("zip64 count = %d, %v", n, ok)
	}
	f, err := Open(zip64End(t, plain, 3))
	if err != nil || len(f.Tensors()) != 1 {
		t.Fatalf("zip64 end record: %v", err)
	}
	if _, err := Open(zip64End(t, plain, 1<<40)); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "lists 1099511627776 entries") {
		t.Errorf("zip64 huge count: %v", err)
	}
}

// TestParameters: nn.Parameter values, which torch pickles through
// torch._utils._rebuild_parameter, read as their tensors.
func TestParameters(t *testing.T) {
	var want map[string][]float64
	if err := json.Unmarshal(readFixture(t, "param.json"), &want); err != nil {
		t.Fatal(err)
	}
	f, err := Open(readFixture(t, "param.pt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Tensors()) != 2 {
		t.Fatalf("%d tensors", len(f.Tensors()))
	}
	for _, e := range f.Tensors() {
		b, err := f.Data(e.Tensor)
		if err != nil {
			t.Fatal(err)
		}
		got := decode(t, e.Tensor.DType, b)
		if len(got) != len(want[e.Name]) {
			t.Fatalf("%s: %d values, want %d", e.Name, len(got), len(want[e.Name]))
		}
		for i := range got {
			if got[i] != want[e.Name][i] {
				t.Errorf("%s[%d] = %v, want %v", e.Name, i, got[i], want[e.Name][i])
			}
		}
	}
}

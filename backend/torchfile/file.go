package torchfile

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
)

// maxEntries bounds the zip directory (GPT-J-6B has about 350 entries).
const maxEntries = 1 << 16

// maxDeflateRatio is the most deflate can expand data (1032:1); a
// compressed entry that claims more is refused before it is read.
const maxDeflateRatio = 1032

// Entry is a named tensor of the state dict, in the order of data.pkl.
type Entry struct {
	Name   string
	Tensor *Tensor
}

// File is an opened checkpoint. Its tensors are described at Open; their
// data is read on demand by Data.
type File struct {
	data     []byte
	entries  []Entry
	zips     map[string]*zip.File // storage key -> archive/data/<key>
	storages map[string]*storageRef
	checked  map[string]bool // storage keys whose CRC was verified
}

// Open reads the directory and data.pkl of a checkpoint held in data
// (typically the file mapped into memory; it must stay valid while the
// File is used). The top-level object must be a dict of tensors.
func Open(data []byte) (*File, error) {
	if bytes.HasPrefix(data, legacyMagic) {
		return nil, ErrLegacy
	}
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, fmt.Errorf("%w: not a zip file", ErrFormat)
	}
	if n, ok := directoryCount(data); ok && n > maxEntries {
		return nil, fmt.Errorf("%w: the zip directory lists %d entries (limit %d)", ErrFormat, n, maxEntries)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if len(zr.File) > maxEntries {
		return nil, fmt.Errorf("%w: the zip holds %d entries (limit %d)", ErrFormat, len(zr.File), maxEntries)
	}
	var pkl *zip.File
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/data.pkl") && strings.Count(f.Name, "/") == 1 {
			if pkl != nil {
				return nil, fmt.Errorf("%w: two data.pkl entries (%s, %s)", ErrFormat, pkl.Name, f.Name)
			}
			pkl = f
		}
	}
	if pkl == nil {
		return nil, fmt.Errorf("%w: no <archive>/data.pkl entry", ErrFormat)
	}
	prefix := strings.TrimSuffix(pkl.Name, "data.pkl")
	tf := &File{data: data, zips: map[string]*zip.File{}, storages: map[string]*storageRef{}, checked: map[string]bool{}}
	for _, f := range zr.File {
		if key, ok := strings.CutPrefix(f.Name, prefix+"data/"); ok {
			tf.zips[key] = f
		}
		if f.Name == prefix+"byteorder" {
			b, err := tf.entryBytes(f, 16)
			if err != nil {
				return nil, err
			}
			if string(b) != "little" {
				return nil, fmt.Errorf("%w: byte order %q is not supported", ErrFormat, b)
			}
		}
	}
	pb, err := tf.entryBytes(pkl, maxPickle)
	if err != nil {
		return nil, err
	}
	u := &unpickler{b: pb, persist: tf.persistentLoad}
	root, err := u.run()
	if err != nil {
		return nil, err
	}
	d, ok := root.(*dict)
	if !ok {
		return nil, fmt.Errorf("%w: data.pkl holds a %s, not a state dict", ErrFormat, typeName(root))
	}
	for _, k := range d.keys {
		name, ok := k.(string)
		if !ok {
			return nil, fmt.Errorf("%w: state dict key %v is not a string", ErrFormat, k)
		}
		t, ok := d.vals[k].(*Tensor)
		if !ok {
			return nil, fmt.Errorf("%w: state dict entry %q is a %s, not a tensor", ErrFormat, name, typeName(d.vals[k]))
		}
		tf.entries = append(tf.entries, Entry{Name: name, Tensor: t})
	}
	return tf, nil
}

// Tensors lists the state dict in its order.
func (f *File) Tensors() []Entry { return f.entries }

// persistentLoad resolves ('storage', <storage class>, key, location,
// numel) to a storage whose zip entry holds exactly numel elements.
func (f *File) persistentLoad(pid any) (*storageRef, error) {
	t, ok := pid.(tuple)
	if !ok || len(t) != 5 || t[0] != "storage" {
		return nil, fmt.Errorf("%w: persistent id %s is not a storage", ErrFormat, typeName(pid))
	}
	g, ok := t[1].(global)
	dt, known := storageTypes[g]
	if !ok || !known {
		return nil, fmt.Errorf("%w: storage of type %s", ErrNotAllowed, typeName(t[1]))
	}
	key, ok1 := t[2].(string)
	numel, ok2 := t[4].(int64)
	if !ok1 || !ok2 || numel < 0 {
		return nil, fmt.Errorf("%w: storage id (%s, %s) is malformed", ErrFormat, typeName(t[2]), typeName(t[4]))
	}
	if s, ok := f.storages[key]; ok {
		if s.dtype != dt || s.numel != numel {
			return nil, fmt.Errorf("%w: storage %q is named as %s×%d and %s×%d", ErrFormat, key, s.dtype, s.numel, dt, numel)
		}
		return s, nil
	}
	z, ok := f.zips[key]
	if !ok {
		return nil, fmt.Errorf("%w: storage %q has no data/%s entry", ErrFormat, key, key)
	}
	if numel > 1<<60/dt.Size() || uint64(numel*dt.Size()) != z.UncompressedSize64 {
		return nil, fmt.Errorf("%w: storage %q of %d %s elements does not match its entry of %d bytes", ErrFormat, key, numel, dt, z.UncompressedSize64)
	}
	s := &storageRef{dtype: dt, key: key, numel: numel}
	f.storages[key] = s
	return s, nil
}

// Data returns the tensor's elements in row-major order, little-endian.
// A contiguous tensor of a stored (uncompressed) entry is a slice of the
// file's bytes; any other is copied into a new buffer no larger than its
// storage. The entry's CRC-32 is checked the first time it is read.
func (f *File) Data(t *Tensor) ([]byte, error) {
	z := f.zips[t.storage.key]
	es := t.DType.Size()
	raw, err := f.entryBytes(z, int64(z.UncompressedSize64))
	if err != nil {
		return nil, err
	}
	if !f.checked[t.storage.key] {
		if crc32.ChecksumIEEE(raw) != z.CRC32 {
			return nil, fmt.Errorf("%w: %s: checksum mismatch (the file is damaged)", ErrFormat, z.Name)
		}
		f.checked[t.storage.key] = true
	}
	n := t.NumElements()
	if t.Contiguous() {
		return raw[t.Offset*es : (t.Offset+n)*es], nil
	}
	out := make([]byte, 0, n*es)
	idx := make([]int64, len(t.Shape))
	for k := int64(0); k < n; k++ {
		pos := t.Offset
		for i, j := range idx {
			pos += j * t.Strides[i]
		}
		out = append(out, raw[pos*es:(pos+1)*es]...)
		for i := len(idx) - 1; i >= 0; i-- {
			if idx[i]++; idx[i] < t.Shape[i] {
				break
			}
			idx[i] = 0
		}
	}
	return out, nil
}

// entryBytes returns an entry's content: a slice of the file when stored,
// else inflated through a reader that stops at the declared size and at
// most limit bytes (growing its buffer as data arrives, so a lying header
// cannot make it allocate more than the data it really inflates).
func (f *File) entryBytes(z *zip.File, limit int64) ([]byte, error) {
	size := z.UncompressedSize64
	if size > uint64(limit) {
		return nil, fmt.Errorf("%w: %s has %d bytes (limit %d)", ErrFormat, z.Name, size, limit)
	}
	switch z.Method {
	case zip.Store:
		off, err := z.DataOffset()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrFormat, z.Name, err)
		}
		if z.CompressedSize64 != size || off < 0 || uint64(off) > uint64(len(f.data)) || size > uint64(len(f.data))-uint64(off) {
			return nil, fmt.Errorf("%w: %s: %d bytes at %d run past the end of the file (%d bytes)", ErrFormat, z.Name, size, off, len(f.data))
		}
		return f.data[off : uint64(off)+size], nil
	case zip.Deflate:
		if size/maxDeflateRatio > z.CompressedSize64 {
			return nil, fmt.Errorf("%w: %s claims %d bytes from %d compressed (a zip bomb?)", ErrFormat, z.Name, size, z.CompressedSize64)
		}
		rc, err := z.Open()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrFormat, z.Name, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, int64(size)+1))
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrFormat, z.Name, err)
		}
		if uint64(len(b)) != size {
			return nil, fmt.Errorf("%w: %s inflates to %d bytes, its header says %d", ErrFormat, z.Name, len(b), size)
		}
		return b, nil
	}
	return nil, fmt.Errorf("%w: %s uses zip method %d (stored and deflate are supported)", ErrFormat, z.Name, z.Method)
}

// directoryCount reads the number of entries from the end-of-directory
// record (zip64 when present), before archive/zip allocates for them.
func directoryCount(b []byte) (uint64, bool) {
	lo := max(0, len(b)-(22+65535))
	i := bytes.LastIndex(b[lo:], []byte("PK\x05\x06"))
	if i < 0 || lo+i+22 > len(b) {
		return 0, false
	}
	e := lo + i
	n := uint64(binary.LittleEndian.Uint16(b[e+10:]))
	if n != 0xffff || e < 20 || !bytes.Equal(b[e-20:e-16], []byte("PK\x06\x07")) {
		return n, true
	}
	off := binary.LittleEndian.Uint64(b[e-20+8:])
	if off > uint64(len(b)) || uint64(len(b))-off < 56 || !bytes.Equal(b[off:off+4], []byte("PK\x06\x06")) {
		return 0, false
	}
	return binary.LittleEndian.Uint64(b[off+32:]), true
}

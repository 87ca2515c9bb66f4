package dataexport

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"

	"sidecar/backend/docs"
	"sidecar/backend/store"
)

// Limits on what an archive may unpack to. Parts are read as streams, one
// chat or document at a time, so memory stays near maxItemJSON whatever
// the archive holds.
const (
	maxPartBytes  = 1 << 30 // chats or documents, unpacked
	maxTotalBytes = 2 << 30 // every part together, unpacked
	maxSmallPart  = 1 << 20 // manifest and settings
	// maxPresetsPart bounds presets.json: MaxPresets presets, each with
	// the longest system prompt written with six-byte JSON escapes.
	maxPresetsPart = store.MaxPresets * (6*store.MaxSystemPromptBytes + 4<<10)
	maxRatio       = 200 // uncompressed/compressed, for parts over 10 MiB
	// MaxDocumentBytes bounds one imported document, original and text,
	// as docs add bounds a file.
	MaxDocumentBytes = docs.MaxFileBytes
	// maxItemJSON bounds one chat or one document as JSON: a document's
	// text, its chunks' text and JSON escapes.
	maxItemJSON = 4*MaxDocumentBytes + 1<<20
)

// ErrBadArchive is wrapped by every refusal of a hostile or broken archive.
var ErrBadArchive = errors.New("dataexport: not a valid Sidecar export")

var errItemTooLarge = errors.New("item too large")

// zipped is an archive's zip with its parts found and sized.
type zipped struct {
	parts map[string]*zip.File
}

// openZip checks the layout and the declared sizes (decrypting first when
// needed) without unpacking anything.
func openZip(data []byte, passphrase string) (*zipped, error) {
	if len(data) > MaxArchiveBytes {
		return nil, fmt.Errorf("%w: larger than %d GiB", ErrBadArchive, MaxArchiveBytes>>30)
	}
	if IsEncrypted(data) {
		plain, err := decrypt(data, passphrase)
		if err != nil {
			return nil, err
		}
		data = plain
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: not a zip archive (%v)", ErrBadArchive, err)
	}
	z := &zipped{parts: map[string]*zip.File{}}
	var total uint64
	for _, f := range zr.File {
		limit := uint64(maxPartBytes)
		switch f.Name {
		case PartManifest, PartSettings:
			limit = maxSmallPart
		case PartPresets:
			limit = maxPresetsPart
		case PartChats, PartDocuments, PartAttachments:
		default:
			return nil, fmt.Errorf("%w: unexpected entry %q", ErrBadArchive, f.Name)
		}
		if _, dup := z.parts[f.Name]; dup {
			return nil, fmt.Errorf("%w: %s appears twice", ErrBadArchive, f.Name)
		}
		total += f.UncompressedSize64
		if f.UncompressedSize64 > limit || total > maxTotalBytes {
			return nil, fmt.Errorf("%w: %s unpacks to more than allowed (%d MiB for this part, %d MiB in all)", ErrBadArchive, f.Name, limit>>20, maxTotalBytes>>20)
		}
		if f.UncompressedSize64 > 10<<20 && f.CompressedSize64 > 0 && f.UncompressedSize64/f.CompressedSize64 > maxRatio {
			return nil, fmt.Errorf("%w: %s is compressed suspiciously well (a zip bomb?)", ErrBadArchive, f.Name)
		}
		z.parts[f.Name] = f
	}
	for _, name := range []string{PartManifest, PartChats, PartDocuments, PartSettings} {
		if _, ok := z.parts[name]; !ok {
			return nil, fmt.Errorf("%w: %s is missing", ErrBadArchive, name)
		}
	}
	// presets.json (schema 2 on) is checked against the manifest's version
	// once that is read.
	return z, nil
}

// stream opens a part, hashing what is read, and never reads past its
// declared size.
func (z *zipped) stream(name string) (*partStream, error) {
	f := z.parts[name]
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadArchive, name, err)
	}
	p := &partStream{name: name, rc: rc, h: sha256.New(), left: int64(f.UncompressedSize64)}
	return p, nil
}

// partStream is one part being read: its hash, and the item limit that
// the JSON decoder's reads are held to.
type partStream struct {
	name string
	rc   io.ReadCloser
	h    hash.Hash
	left int64 // bytes the part may still yield
	read int64 // bytes read so far
	mark int64 // where the current item started
}

func (p *partStream) Read(b []byte) (int, error) {
	if p.read-p.mark > maxItemJSON {
		return 0, errItemTooLarge
	}
	if p.left <= 0 {
		// One byte more than declared is damage, not data.
		var one [1]byte
		if n, _ := p.rc.Read(one[:]); n > 0 {
			return 0, fmt.Errorf("%w: %s is larger than its header says", ErrBadArchive, p.name)
		}
		return 0, io.EOF
	}
	if int64(len(b)) > p.left {
		b = b[:p.left]
	}
	n, err := p.rc.Read(b)
	p.h.Write(b[:n])
	p.read += int64(n)
	p.left -= int64(n)
	if err == io.EOF && p.left > 0 {
		err = fmt.Errorf("%w: %s is damaged (shorter than its header says)", ErrBadArchive, p.name)
	}
	return n, err
}

func (p *partStream) Close() error { return p.rc.Close() }

func (p *partStream) sum() string { return hex.EncodeToString(p.h.Sum(nil)) }

// decodeWhole decodes a small part as one JSON value.
func (p *partStream) decodeWhole(v any) error {
	dec := json.NewDecoder(p)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return p.problem(err)
	}
	return p.finish(dec)
}

// eachItem decodes a part that is a JSON list, one item at a time, each
// held to maxItemJSON.
func eachItem[T any](p *partStream, fn func(i int, v *T) error) error {
	dec := json.NewDecoder(p)
	dec.DisallowUnknownFields()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		if err != nil {
			return p.problem(err)
		}
		return fmt.Errorf("%w: %s is not a list", ErrBadArchive, p.name)
	}
	for i := 0; dec.More(); i++ {
		p.mark = dec.InputOffset()
		var v T
		if err := dec.Decode(&v); err != nil {
			return p.problem(err)
		}
		if err := fn(i, &v); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return p.problem(err)
	}
	return p.finish(dec)
}

// finish reads what is left of the part: nothing but white space.
func (p *partStream) finish(dec *json.Decoder) error {
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return fmt.Errorf("%w: %s: trailing data", ErrBadArchive, p.name)
		}
		return p.problem(err)
	}
	return nil
}

func (p *partStream) problem(err error) error {
	switch {
	case errors.Is(err, errItemTooLarge):
		return fmt.Errorf("%w: %s: an item is larger than %d MiB (documents are limited to %d MiB, as when added)",
			ErrBadArchive, p.name, maxItemJSON>>20, MaxDocumentBytes>>20)
	case errors.Is(err, ErrBadArchive):
		return err
	}
	return fmt.Errorf("%w: %s: %v", ErrBadArchive, p.name, err)
}

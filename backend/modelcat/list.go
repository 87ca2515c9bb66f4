// Package modelcat is the catalogue of recommended local models: a list
// shipped inside Sidecar as data (recommended.json), which the user may
// replace with one fetched from a URL. It validates such lists strictly,
// decides which entries fit this computer's memory, and checks a
// downloaded file against its entry before the file is offered as a
// model. Checksums and exact sizes appear only where they are known.
package modelcat

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"

	"sidecar/backend/download"
)

//go:embed recommended.json
var shipped []byte

// Limits of a list; a list over them is refused.
const (
	MaxListBytes = 1 << 20 // the JSON text
	MaxEntries   = 200
	maxText      = 300 // characters of one text field
	maxURL       = 2048
)

// Entry is one recommended model file.
type Entry struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Family       string `json:"family"`
	Parameters   string `json:"parameters"`   // as the family names it: "1.5B"
	Quantization string `json:"quantization"` // "Q4_K_M"
	// SizeBytes is the file's size; SizeApprox says it is an estimate
	// (then it is only shown, never checked).
	SizeBytes  int64 `json:"sizeBytes"`
	SizeApprox bool  `json:"sizeApprox"`
	// MemoryBytes is about how much memory running it takes (weights plus
	// a working context); always an estimate.
	MemoryBytes   int64  `json:"memoryBytes"`
	ContextLength int    `json:"contextLength"`
	Licence       string `json:"licence"`
	URL           string `json:"url"`
	// SHA256 of the file in hex, "" where not known for certain.
	SHA256      string `json:"sha256"`
	Description string `json:"description"`
}

// FileName is the name the download is saved under (the URL's last part).
func (e Entry) FileName() string {
	u, err := url.Parse(e.URL)
	if err != nil {
		return ""
	}
	return path.Base(u.Path)
}

// List is a catalogue as stored and fetched.
type List struct {
	Version int     `json:"version"` // 1
	Models  []Entry `json:"models"`
}

// Find returns the entry with id.
func (l List) Find(id string) (Entry, bool) {
	for _, e := range l.Models {
		if e.ID == id {
			return e, true
		}
	}
	return Entry{}, false
}

// ByURL returns the entry downloaded from u.
func (l List) ByURL(u string) (Entry, bool) {
	for _, e := range l.Models {
		if e.URL == u {
			return e, true
		}
	}
	return Entry{}, false
}

// Shipped is the list built into Sidecar.
func Shipped() List {
	l, err := Parse(shipped)
	if err != nil {
		panic("modelcat: the shipped list is invalid: " + err.Error())
	}
	return l
}

var (
	idPattern  = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,99}$`)
	shaPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// Parse reads and validates a list: the JSON must hold exactly the
// known fields, every entry must be complete and every URL https (or
// http to this computer). The first problem is the error.
func Parse(b []byte) (List, error) {
	if len(b) > MaxListBytes {
		return List{}, fmt.Errorf("modelcat: the list is %d bytes, more than the %d allowed", len(b), MaxListBytes)
	}
	if !utf8.Valid(b) {
		return List{}, errors.New("modelcat: the list is not UTF-8 text")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var l List
	if err := dec.Decode(&l); err != nil {
		return List{}, fmt.Errorf("modelcat: the list is not a model catalogue: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return List{}, errors.New("modelcat: the list has more after its JSON object")
	}
	if l.Version != 1 {
		return List{}, fmt.Errorf("modelcat: list version %d is not supported (this Sidecar reads version 1)", l.Version)
	}
	if len(l.Models) == 0 {
		return List{}, errors.New("modelcat: the list has no models")
	}
	if len(l.Models) > MaxEntries {
		return List{}, fmt.Errorf("modelcat: the list has %d models, more than the %d allowed", len(l.Models), MaxEntries)
	}
	ids, urls := map[string]bool{}, map[string]bool{}
	for i, e := range l.Models {
		if err := check(e); err != nil {
			return List{}, fmt.Errorf("modelcat: model %d (%q): %w", i+1, clip(e.ID), err)
		}
		if ids[e.ID] {
			return List{}, fmt.Errorf("modelcat: id %q appears twice", e.ID)
		}
		if urls[e.URL] {
			return List{}, fmt.Errorf("modelcat: model %q: its URL appears twice", e.ID)
		}
		ids[e.ID], urls[e.URL] = true, true
	}
	return l, nil
}

func check(e Entry) error {
	if !idPattern.MatchString(e.ID) {
		return errors.New("id must be 1-100 lower-case letters, digits, '.', '_' or '-'")
	}
	for name, v := range map[string]string{"name": e.Name, "family": e.Family, "parameters": e.Parameters,
		"quantization": e.Quantization, "licence": e.Licence} {
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("%s is missing", name)
		}
		if err := text(name, v); err != nil {
			return err
		}
	}
	if err := text("description", e.Description); err != nil {
		return err
	}
	if e.SizeBytes <= 0 || e.SizeBytes > 1<<40 {
		return fmt.Errorf("sizeBytes %d is not a file size (1 byte to 1 TiB)", e.SizeBytes)
	}
	if e.MemoryBytes < e.SizeBytes || e.MemoryBytes > 1<<41 {
		return fmt.Errorf("memoryBytes %d must be at least the file size and at most 2 TiB", e.MemoryBytes)
	}
	if e.ContextLength < 0 || e.ContextLength > 1<<24 {
		return fmt.Errorf("contextLength %d is out of range", e.ContextLength)
	}
	if e.SHA256 != "" && !shaPattern.MatchString(e.SHA256) {
		return errors.New("sha256 must be empty or 64 lower-case hex digits")
	}
	if err := CheckURL(e.URL); err != nil {
		return err
	}
	name := e.FileName()
	if _, err := download.SafeName(name); err != nil || !strings.HasSuffix(strings.ToLower(name), ".gguf") {
		return fmt.Errorf("the URL must end with a .gguf file name, not %q", clip(name))
	}
	return nil
}

func text(name, v string) error {
	if utf8.RuneCountInString(v) > maxText {
		return fmt.Errorf("%s is longer than %d characters", name, maxText)
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return fmt.Errorf("%s holds a control character", name)
		}
	}
	return nil
}

// CheckURL accepts https URLs, and http ones only to this computer
// (localhost or a loopback address).
func CheckURL(raw string) error {
	if len(raw) > maxURL {
		return fmt.Errorf("the URL is longer than %d characters", maxURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("the URL cannot be read: %w", err)
	}
	if u.User != nil {
		return errors.New("the URL must not carry a user name or password")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("scheme %q is not accepted: use https", clip(u.Scheme))
	}
	if u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", clip(raw))
	}
	switch u.Scheme {
	case "https":
		return nil
	default: // http
		if Loopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%s is plain http: only https URLs (or http to this computer) are accepted", u.Host)
	}
}

// Loopback reports whether host names this computer.
func Loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func clip(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

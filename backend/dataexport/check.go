package dataexport

import (
	"encoding/json"
	"fmt"

	"sidecar/backend/attach"
	"sidecar/backend/docs"
	"sidecar/backend/store"
)

// archive is what Read found in an archive: its manifest and settings,
// and, when asked to collect them, its chats and documents.
type archive struct {
	z        *zipped
	manifest Manifest
	chats    []Chat
	docs     []Document
	settings map[string]string
	presets  []Preset // always kept: there are at most store.MaxPresets
	atts     []Attachment
}

// Read checks and decodes an archive without touching any data: the zip
// layout, sizes, the manifest's version and SHA-256 sums, the JSON of each
// part, every chat and document against the limits, and the counts. It
// keeps every chat and document in memory; Import reads them as streams.
func Read(data []byte, passphrase string) (*archive, error) { return check(data, passphrase, true) }

// check is Read, keeping the chats and documents only when collect is set.
func check(data []byte, passphrase string, collect bool) (*archive, error) {
	z, err := openZip(data, passphrase)
	if err != nil {
		return nil, err
	}
	a := &archive{z: z}
	sums := map[string]string{}
	read := func(name string, fn func(p *partStream) error) error {
		p, err := z.stream(name)
		if err != nil {
			return err
		}
		defer p.Close()
		if err := fn(p); err != nil {
			return err
		}
		sums[name] = p.sum()
		return nil
	}
	if err := read(PartManifest, func(p *partStream) error { return p.decodeWhole(&a.manifest) }); err != nil {
		return nil, err
	}
	if a.manifest.Format != Format {
		return nil, fmt.Errorf("%w: format %q", ErrBadArchive, a.manifest.Format)
	}
	if v := a.manifest.SchemaVersion; v < MinSchemaVersion || v > SchemaVersion {
		return nil, fmt.Errorf("%w: schema version %d; this Sidecar reads versions %d to %d", ErrBadArchive, v, MinSchemaVersion, SchemaVersion)
	}
	_, hasPresets := z.parts[PartPresets]
	if hasPresets != (a.manifest.SchemaVersion >= 2) {
		return nil, fmt.Errorf("%w: %s does not belong to schema version %d", ErrBadArchive, PartPresets, a.manifest.SchemaVersion)
	}
	_, hasAttachments := z.parts[PartAttachments]
	if hasAttachments != (a.manifest.SchemaVersion >= 4) {
		return nil, fmt.Errorf("%w: %s does not belong to schema version %d", ErrBadArchive, PartAttachments, a.manifest.SchemaVersion)
	}
	var c Counts
	// userMsgs[i][j] says whether message j+1 of chat i+1 is the user's,
	// for checking attachments.
	var userMsgs [][]bool
	err = read(PartChats, func(p *partStream) error {
		return eachItem(p, func(_ int, ch *Chat) error {
			if err := checkChat(ch, a.manifest.SchemaVersion); err != nil {
				return err
			}
			users := make([]bool, len(ch.Messages))
			for j, m := range ch.Messages {
				users[j] = m.Role == "user"
			}
			userMsgs = append(userMsgs, users)
			c.Chats++
			c.Messages += len(ch.Messages)
			if collect {
				a.chats = append(a.chats, *ch)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	err = read(PartDocuments, func(p *partStream) error {
		return eachItem(p, func(_ int, d *Document) error {
			if err := checkDocument(d); err != nil {
				return err
			}
			c.Documents++
			c.Chunks += len(d.Chunks)
			if collect {
				a.docs = append(a.docs, *d)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	if err := read(PartSettings, func(p *partStream) error { return p.decodeWhole(&a.settings) }); err != nil {
		return nil, err
	}
	c.Settings = len(a.settings)
	parts := []string{PartChats, PartDocuments, PartSettings}
	if hasPresets {
		parts = append(parts, PartPresets)
		if err := read(PartPresets, func(p *partStream) error { return p.decodeWhole(&a.presets) }); err != nil {
			return nil, err
		}
		if err := checkPresets(a.presets); err != nil {
			return nil, err
		}
		c.Presets = len(a.presets)
	}
	if hasAttachments {
		parts = append(parts, PartAttachments)
		err := read(PartAttachments, func(p *partStream) error {
			return eachItem(p, func(_ int, at *Attachment) error {
				if err := checkAttachment(at, userMsgs); err != nil {
					return err
				}
				c.Attachments++
				if collect {
					a.atts = append(a.atts, *at)
				}
				return nil
			})
		})
		if err != nil {
			return nil, err
		}
	}
	for _, name := range parts {
		if a.manifest.SHA256[name] != sums[name] {
			return nil, fmt.Errorf("%w: %s does not match its SHA-256 in the manifest", ErrBadArchive, name)
		}
	}
	if c != a.manifest.Counts {
		return nil, fmt.Errorf("%w: the counts do not match the manifest", ErrBadArchive)
	}
	if collect {
		if a.chats == nil {
			a.chats = []Chat{}
		}
		if a.docs == nil {
			a.docs = []Document{}
		}
	}
	return a, nil
}

func checkChat(ch *Chat, version int) error {
	if err := ch.settings().Normalize().Check(); err != nil {
		return fmt.Errorf("%w: chat %q: %v", ErrBadArchive, ch.Title, err)
	}
	if err := checkBranches(ch, version); err != nil {
		return err
	}
	for _, m := range ch.Messages {
		switch {
		case m.Role != "user" && m.Role != "assistant" && m.Role != "system":
			return fmt.Errorf("%w: a message has role %q", ErrBadArchive, m.Role)
		case m.Status != "done" && m.Status != "stopped" && m.Status != "error" && m.Status != "streaming":
			return fmt.Errorf("%w: a message has status %q", ErrBadArchive, m.Status)
		case !json.Valid([]byte(m.Citations)):
			return fmt.Errorf("%w: a message's citations are not JSON", ErrBadArchive)
		}
	}
	return nil
}

// checkDocument holds a document to what docs add accepts.
func checkDocument(d *Document) error {
	if d.Source == "" || len(d.SHA256) != 64 {
		return fmt.Errorf("%w: a document lacks its source or SHA-256", ErrBadArchive)
	}
	switch d.Kind {
	case docs.KindText, docs.KindMarkdown, docs.KindCode, docs.KindHTML, docs.KindPDF:
	default:
		return fmt.Errorf("%w: document %q has kind %q", ErrBadArchive, d.Title, d.Kind)
	}
	chunkText := 0
	for _, c := range d.Chunks {
		chunkText += len(c.Text) + len(c.Heading)
	}
	// A PDF's text may run one page past the file limit, as docs add reads it.
	if d.Size > MaxDocumentBytes || len(d.Content) > MaxDocumentBytes+1<<20 || chunkText > 3*MaxDocumentBytes {
		return fmt.Errorf("%w: document %q is larger than %d MiB, the limit for a document", ErrBadArchive, d.Title, MaxDocumentBytes>>20)
	}
	return nil
}

// checkAttachment holds an attachment to what a message can carry: it
// belongs to a message of the user's in the archive, has a known kind, a
// name, and is within the size limits of a file picked in the app.
func checkAttachment(a *Attachment, userMsgs [][]bool) error {
	if a.Chat < 1 || a.Chat > len(userMsgs) || a.Message < 1 || a.Message > len(userMsgs[a.Chat-1]) || !userMsgs[a.Chat-1][a.Message-1] {
		return fmt.Errorf("%w: an attachment belongs to no message of the user's (chat %d, message %d)", ErrBadArchive, a.Chat, a.Message)
	}
	limit := attach.MaxFileBytes
	switch a.Kind {
	case attach.KindImage:
		limit = attach.MaxImageBytes
	case docs.KindText, docs.KindMarkdown, docs.KindCode, docs.KindHTML, docs.KindPDF:
	default:
		return fmt.Errorf("%w: attachment %q has kind %q", ErrBadArchive, a.Name, a.Kind)
	}
	switch {
	case a.Name == "" || len(a.Name) > attach.MaxNameBytes || a.MIME == "" || len(a.MIME) > 100 || len(a.Lang) > 100:
		return fmt.Errorf("%w: an attachment lacks its name or type", ErrBadArchive)
	case len(a.Data) > limit || len(a.Text) > attach.MaxFileBytes+1<<20:
		return fmt.Errorf("%w: attachment %q is larger than %d MiB, the limit for its kind", ErrBadArchive, a.Name, limit>>20)
	case a.KeptTokens < 0 || a.TotalTokens < 0:
		return fmt.Errorf("%w: attachment %q has negative token counts", ErrBadArchive, a.Name)
	}
	return nil
}

// checkPresets holds presets to what the app accepts: at most
// store.MaxPresets, each name unique, one line and not too long, each
// setting in bounds.
func checkPresets(ps []Preset) error {
	if len(ps) > store.MaxPresets {
		return fmt.Errorf("%w: %d presets, more than the %d there can be", ErrBadArchive, len(ps), store.MaxPresets)
	}
	seen := map[string]bool{}
	for i := range ps {
		name, err := store.CleanPresetName(ps[i].Name)
		if err != nil {
			return fmt.Errorf("%w: a preset: %v", ErrBadArchive, err)
		}
		if seen[name] {
			return fmt.Errorf("%w: two presets are named %q", ErrBadArchive, name)
		}
		seen[name] = true
		if err := ps[i].settings().Normalize().Check(); err != nil {
			return fmt.Errorf("%w: preset %q: %v", ErrBadArchive, name, err)
		}
	}
	return nil
}

// checkBranches holds a chat's message tree to the format: from schema 3
// the messages are numbered 1 up in order, each parent is an earlier
// message and the shown one exists; before, there are no numbers.
func checkBranches(ch *Chat, version int) error {
	if version < 3 {
		if ch.Shown != 0 {
			return fmt.Errorf("%w: chat %q has a shown branch before schema 3", ErrBadArchive, ch.Title)
		}
		for _, m := range ch.Messages {
			if m.ID != 0 || m.Parent != 0 {
				return fmt.Errorf("%w: chat %q has message ids before schema 3", ErrBadArchive, ch.Title)
			}
		}
		return nil
	}
	for i, m := range ch.Messages {
		if m.ID != i+1 {
			return fmt.Errorf("%w: chat %q: message %d has id %d", ErrBadArchive, ch.Title, i+1, m.ID)
		}
		if m.Parent < 0 || m.Parent >= m.ID {
			return fmt.Errorf("%w: chat %q: message %d follows %d, which is not an earlier message", ErrBadArchive, ch.Title, m.ID, m.Parent)
		}
	}
	if ch.Shown < 0 || ch.Shown > len(ch.Messages) || (ch.Shown == 0) != (len(ch.Messages) == 0) {
		return fmt.Errorf("%w: chat %q: the shown message %d is not one of its messages", ErrBadArchive, ch.Title, ch.Shown)
	}
	return nil
}

package session

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"sidecar/backend/dataexport"
)

// Export writes every chat, document and setting to path (a non-empty
// passphrase encrypts it), beside the target first so no half-written
// archive is left. Progress goes out as data:progress events.
func (s *Session) Export(ctx context.Context, path, passphrase string) (dataexport.Manifest, error) {
	return with(s, func(o *open) (dataexport.Manifest, error) {
		data, m, err := dataexport.Export(ctx, o.prof.DB, Version, passphrase, func(p dataexport.Progress) { s.emit(EventDataProgress, p) })
		if err != nil {
			return m, err
		}
		tmp := path + ".part"
		if err := os.WriteFile(tmp, data, 0o600); err != nil {
			return m, fmt.Errorf("export: %w", err)
		}
		if err := os.Rename(tmp, path); err != nil {
			os.Remove(tmp)
			return m, fmt.Errorf("export: %w", err)
		}
		return m, nil
	})
}

// Import restores the archive at path; nothing changes if it is refused.
func (s *Session) Import(ctx context.Context, path, passphrase string) (dataexport.Report, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return dataexport.Report{}, fmt.Errorf("import: %w", err)
	}
	if fi.Size() > dataexport.MaxArchiveBytes {
		return dataexport.Report{}, fmt.Errorf("import: the archive is larger than %d GiB", dataexport.MaxArchiveBytes>>30)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return dataexport.Report{}, fmt.Errorf("import: %w", err)
	}
	rep, err := with(s, func(o *open) (dataexport.Report, error) {
		return dataexport.Import(ctx, o.prof.DB, o.docs, data, passphrase, func(p dataexport.Progress) { s.emit(EventDataProgress, p) })
	})
	s.emit(EventDocsChanged, nil)
	s.emit(EventChatsChanged, nil)
	return rep, err
}

// ChatExportName suggests a file name for one chat's export ("markdown" or "html").
func (s *Session) ChatExportName(ctx context.Context, chatID int64, format string) (string, error) {
	return with(s, func(o *open) (string, error) { return o.svc.ChatExportName(ctx, chatID, format) })
}

// ExportChat writes one chat to path as Markdown or a printable HTML
// page, beside the target first so no half-written file is left.
func (s *Session) ExportChat(ctx context.Context, chatID int64, format, path string) error {
	return s.use(func(o *open) error {
		var b bytes.Buffer
		if err := o.svc.ExportChat(ctx, chatID, format, &b); err != nil {
			return err
		}
		tmp := path + ".part"
		if err := os.WriteFile(tmp, b.Bytes(), 0o600); err != nil {
			return fmt.Errorf("export chat: %w", err)
		}
		if err := os.Rename(tmp, path); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("export chat: %w", err)
		}
		return nil
	})
}

package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"sidecar/backend/download"
)

// DownloadLocalModel downloads a model file from url into the models
// folder in the background, resuming an earlier partial download of the
// same file; sha256 ("" to skip) is checked at the end. Progress arrives as
// EventModelDownload events; when complete the model is added. It returns
// the download's ID (the file name).
func (c *Catalog) DownloadLocalModel(ctx context.Context, url, sha256 string) (string, error) {
	l, err := c.localModels()
	if err != nil {
		return "", err
	}
	url = strings.TrimSpace(url)
	name := ""
	if i := strings.LastIndexByte(strings.SplitN(url, "?", 2)[0], '/'); i >= 0 {
		name = strings.SplitN(url, "?", 2)[0][i+1:]
	}
	if name, err = download.SafeName(name); err != nil {
		return "", fmt.Errorf("catalog: the URL must end with the model's file name, e.g. …/gpt4all-j-q4_0.bin: %w", err)
	}
	l.mu.Lock()
	if _, busy := l.downloads[name]; busy {
		l.mu.Unlock()
		return "", fmt.Errorf("catalog: %s is already downloading", name)
	}
	dctx, cancel := context.WithCancel(context.Background())
	l.downloads[name] = cancel
	l.mu.Unlock()

	if err := c.rememberDownload(ctx, name, &PendingDownload{ID: name, URL: url, SHA256: sha256}); err != nil {
		l.mu.Lock()
		delete(l.downloads, name)
		l.mu.Unlock()
		cancel()
		return "", err
	}
	emit := func(e DownloadEvent) {
		e.ID, e.URL = name, url
		c.emit(EventModelDownload, e)
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer func() {
			l.mu.Lock()
			delete(l.downloads, name)
			l.mu.Unlock()
			cancel()
		}()
		emit(DownloadEvent{State: "running"})
		path, err := download.Fetch(dctx, download.Request{
			URL: url, Dir: l.dir, Name: name, SHA256: sha256,
			Progress: func(p download.Progress) { emit(DownloadEvent{State: "running", Progress: p}) },
		})
		switch {
		case errors.Is(err, context.Canceled):
			state := "paused"
			if _, statErr := os.Stat(download.PartPath(l.dir, name)); statErr != nil {
				state = "cancelled"
			}
			if state == "cancelled" {
				c.rememberDownload(context.Background(), name, nil)
			}
			emit(DownloadEvent{State: state})
			return
		case err != nil:
			c.log.Warn("model download failed", "file", name, "err", err)
			emit(DownloadEvent{State: "failed", Error: err.Error()})
			return
		}
		c.rememberDownload(context.Background(), name, nil)
		if check := c.downloadCheck(); check != nil {
			if err := check(context.Background(), url, path); err != nil {
				os.Remove(path)
				emit(DownloadEvent{State: "failed", Error: fmt.Sprintf("downloaded, but it was not offered: %v", err)})
				return
			}
		}
		if _, err := l.add(context.Background(), path, true); err != nil {
			os.Remove(path)
			emit(DownloadEvent{State: "failed", Error: fmt.Sprintf("downloaded, but it is not a model Sidecar can load: %v", err)})
			return
		}
		emit(DownloadEvent{State: "done"})
	}()
	return name, nil
}

// DownloadCheck looks at a finished download (from url, now at path)
// before it is added: an error deletes the file and fails the download.
type DownloadCheck func(ctx context.Context, url, path string) error

// SetDownloadCheck makes every finished download pass check (nil: none)
// before it is added, resumed ones included.
func (c *Catalog) SetDownloadCheck(check DownloadCheck) {
	c.mu.Lock()
	c.dlCheck = check
	c.mu.Unlock()
}

func (c *Catalog) downloadCheck() DownloadCheck {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dlCheck
}

// PauseDownload stops a download and keeps what arrived, so the next
// DownloadLocalModel of the same URL resumes it.
func (c *Catalog) PauseDownload(id string) error {
	l, err := c.localModels()
	if err != nil {
		return err
	}
	l.mu.Lock()
	cancel, ok := l.downloads[id]
	l.mu.Unlock()
	if !ok {
		return fmt.Errorf("catalog: no download %q is running", id)
	}
	cancel()
	return nil
}

// CancelDownload stops a download and deletes its partial file.
func (c *Catalog) CancelDownload(id string) error {
	l, err := c.localModels()
	if err != nil {
		return err
	}
	if _, err := download.SafeName(id); err != nil {
		return err
	}
	l.mu.Lock()
	cancel, ok := l.downloads[id]
	l.mu.Unlock()
	part := download.PartPath(l.dir, id)
	if ok {
		os.Remove(part) // removed first so the finishing goroutine reports "cancelled"
		cancel()
	}
	if err := os.Remove(part); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("catalog: %w", err)
	}
	return c.rememberDownload(context.Background(), id, nil)
}

// PendingDownload is an interrupted download that can be resumed.
type PendingDownload struct {
	ID     string `json:"id"`
	URL    string `json:"url"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"` // already on disk
}

const settingDownloads = "models.downloads"

// rememberDownload records (d != nil) or forgets (d == nil) a download so
// it can be resumed after a restart.
func (c *Catalog) rememberDownload(ctx context.Context, id string, d *PendingDownload) error {
	c.dlMu.Lock()
	defer c.dlMu.Unlock()
	all := map[string]PendingDownload{}
	raw, err := c.db.Setting(ctx, settingDownloads, "{}")
	if err != nil {
		return err
	}
	json.Unmarshal([]byte(raw), &all) // a damaged list only loses resume hints
	if d == nil {
		delete(all, id)
	} else {
		all[id] = *d
	}
	b, _ := json.Marshal(all)
	return c.db.SetSetting(ctx, settingDownloads, string(b))
}

// PendingDownloads lists interrupted downloads that can be resumed (with
// DownloadLocalModel of the same URL).
func (c *Catalog) PendingDownloads(ctx context.Context) ([]PendingDownload, error) {
	l, err := c.localModels()
	if err != nil {
		return nil, err
	}
	raw, err := c.db.Setting(ctx, settingDownloads, "{}")
	if err != nil {
		return nil, err
	}
	all := map[string]PendingDownload{}
	json.Unmarshal([]byte(raw), &all)
	out := []PendingDownload{}
	for id, d := range all {
		l.mu.Lock()
		_, running := l.downloads[id]
		l.mu.Unlock()
		fi, err := os.Stat(download.PartPath(l.dir, id))
		if running || err != nil {
			continue
		}
		d.Bytes = fi.Size()
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

package catalog

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sidecar/backend/models/modelstest"
	"sidecar/backend/store/storetest"
)

// A download the check refuses is reported, deleted and not added; one it
// accepts is added.
func TestDownloadCheck(t *testing.T) {
	ctx := context.Background()
	c := New(storetest.Open(t), nil, nil)
	defer c.Close()
	dir := t.TempDir()
	c.EnableLocal(dir, &modelstest.WordRuntime{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("MODEL\n" + strings.TrimPrefix(r.URL.Path, "/") + " says hi\n"))
	}))
	defer srv.Close()
	var seen []string
	c.SetDownloadCheck(func(_ context.Context, url, path string) error {
		seen = append(seen, url)
		if strings.Contains(url, "refused") {
			return errors.New("not the model the list promised")
		}
		return nil
	})
	run := func(name string) DownloadEvent {
		t.Helper()
		r := make(downloads, 4096)
		c.events = r
		id, err := c.DownloadLocalModel(ctx, srv.URL+"/"+name, "")
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.After(20 * time.Second)
		for {
			select {
			case d := <-r:
				if d.ID == id && d.State != "running" {
					return d
				}
			case <-deadline:
				t.Fatal("download did not finish")
			}
		}
	}
	if d := run("refused.bin"); d.State != "failed" || !strings.Contains(d.Error, "not the model the list promised") {
		t.Fatalf("refused download = %+v", d)
	}
	if _, err := os.Stat(filepath.Join(dir, "refused.bin")); !os.IsNotExist(err) {
		t.Fatal("a refused download left its file")
	}
	if d := run("accepted.bin"); d.State != "done" {
		t.Fatalf("accepted download = %+v", d)
	}
	ms, err := c.LocalModels(ctx)
	if err != nil || len(ms) != 1 || filepath.Base(ms[0].Path) != "accepted.bin" {
		t.Fatalf("models = %+v %v", ms, err)
	}
	if len(seen) != 2 || !strings.HasSuffix(seen[0], "/refused.bin") {
		t.Fatalf("checked %v", seen)
	}
}

package localapi

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestClientTokens(t *testing.T) {
	e := start(t, Config{})
	// Another process (the CLI) manages the file; the server sees it.
	ct, err := LoadClientTokens(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	zed, err := ct.Create("Zed")
	if err != nil || !strings.HasPrefix(zed, clientTokenPrefix) {
		t.Fatalf("create: %q %v", zed, err)
	}
	if _, err := ct.Create("Zed"); !errors.Is(err, ErrTokenExists) {
		t.Fatalf("duplicate name: %v", err)
	}
	for _, bad := range []string{"", "a/b", strings.Repeat("x", 65), "tab\t"} {
		if _, err := ct.Create(bad); !errors.Is(err, ErrBadTokenName) {
			t.Errorf("name %q: %v", bad, err)
		}
	}
	nvim, _ := ct.Create("nvim")
	b, _ := os.ReadFile(filepath.Join(e.dir, ClientTokensFile))
	if strings.Contains(string(b), zed[4:]) || !strings.Contains(string(b), hashToken(zed)) {
		t.Fatalf("the file must hold hashes only: %s", b)
	}
	if fi, _ := os.Stat(filepath.Join(e.dir, ClientTokensFile)); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
	if r := e.do(t, "GET", "/v1/models", "", map[string]string{"Authorization": "Bearer " + zed}); r.StatusCode != 200 {
		t.Fatalf("named token: %d", r.StatusCode)
	}
	if r := e.do(t, "GET", "/t/"+nvim+"/api/tags", "", map[string]string{"Authorization": ""}); r.StatusCode != 200 {
		t.Fatalf("named token in the path: %d", r.StatusCode)
	}
	list, err := ct.List()
	if err != nil || len(list) != 2 || list[0].Name != "Zed" || list[1].Name != "nvim" || list[0].Hash != "" {
		t.Fatalf("list %+v %v", list, err)
	}
	if server, _ := e.srv.clients.List(); server[0].LastUsed.IsZero() {
		t.Fatalf("last use not recorded: %+v", server)
	}
	if err := ct.Revoke("Zed"); err != nil {
		t.Fatal(err)
	}
	if r := e.do(t, "GET", "/v1/models", "", map[string]string{"Authorization": "Bearer " + zed}); r.StatusCode != 401 {
		t.Fatalf("revoked token: %d", r.StatusCode)
	}
	if r := e.do(t, "GET", "/v1/models", "", map[string]string{"Authorization": "Bearer " + nvim}); r.StatusCode != 200 {
		t.Fatalf("other token after a revoke: %d", r.StatusCode)
	}
	if err := ct.Revoke("Zed"); !errors.Is(err, ErrNoSuchToken) {
		t.Fatalf("revoke twice: %v", err)
	}
	// A damaged file is refused with a clear error, and the default
	// token keeps working.
	os.WriteFile(filepath.Join(e.dir, ClientTokensFile), []byte("{not json"), 0o600)
	if _, err := LoadClientTokens(e.dir); err == nil || !strings.Contains(err.Error(), ClientTokensFile) {
		t.Fatalf("damaged file: %v", err)
	}
	if r := e.do(t, "GET", "/v1/models", "", nil); r.StatusCode != 200 {
		t.Fatalf("default token with a damaged file: %d", r.StatusCode)
	}
}

// Two holders of the same file (the window and `sidecar token`, say) that
// change it at the same time lose none of each other's changes: each
// change re-reads and writes under the lock file.
func TestClientTokensTwoWritersLoseNothing(t *testing.T) {
	dir := t.TempDir()
	a, err := LoadClientTokens(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadClientTokens(dir)
	if err != nil {
		t.Fatal(err)
	}
	const each = 40
	var wg sync.WaitGroup
	tokens := make(chan string, 2)
	for w, c := range []*ClientTokens{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				tok, err := c.Create(fmt.Sprintf("w%d-%d", w, i))
				if err != nil {
					t.Error(err)
					return
				}
				if i == 0 {
					tokens <- tok
				}
				c.lastSav = time.Time{} // every use below writes its time
				c.Match(tok)
			}
		}()
	}
	wg.Wait()
	close(tokens)
	c, err := LoadClientTokens(dir)
	if err != nil {
		t.Fatal(err)
	}
	list, _ := c.List()
	if len(list) != 2*each {
		t.Fatalf("%d tokens in the file after %d were made by two writers", len(list), 2*each)
	}
	for tok := range tokens {
		if _, ok := c.Match(tok); !ok {
			t.Fatal("a token made by one writer was lost by the other")
		}
	}
}

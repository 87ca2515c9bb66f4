package localapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// Concurrent uploads of the same file name and notes of the same title,
// over real HTTP on 127.0.0.1: none fails with a server error, no answer
// carries SQL, and one document per name remains.
func TestConcurrentSameNameUploads(t *testing.T) {
	e, ds, _ := startWithDocs(t)
	const n = 12
	type answer struct {
		status int
		body   string
	}
	answers := make(chan answer, 2*n)
	var wg sync.WaitGroup
	post := func(body []byte, ctype string) {
		defer wg.Done()
		req, _ := http.NewRequest("POST", e.url+"/api/documents", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+e.token)
		req.Header.Set("Content-Type", ctype)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answers <- answer{0, err.Error()}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		answers <- answer{resp.StatusCode, string(b)}
	}
	for i := 0; i < n; i++ {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "same.txt")
		fmt.Fprintf(fw, "Version %d of the same file, with words about release %d.\n", i, i)
		mw.Close()
		note, _ := json.Marshal(map[string]string{"title": "standup", "text": fmt.Sprintf("# Standup\n\nItem %d for the team.\n", i)})
		wg.Add(2)
		go post(body.Bytes(), mw.FormDataContentType())
		go post(note, "application/json")
	}
	wg.Wait()
	close(answers)
	for a := range answers {
		if a.status != http.StatusCreated && a.status != http.StatusOK && a.status != http.StatusConflict {
			t.Errorf("status %d: %s", a.status, a.body)
		}
		for _, leak := range []string{"UNIQUE", "constraint", "sqlite", "SQL", "documents.source"} {
			if strings.Contains(a.body, leak) {
				t.Errorf("the answer leaks %q: %s", leak, a.body)
			}
		}
	}
	list, err := ds.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string]int{}
	for _, d := range list {
		sources[d.Source]++
	}
	if len(list) != 2 || sources["upload:same.txt"] != 1 || sources["api:standup"] != 1 {
		t.Errorf("documents after the uploads: %v", sources)
	}
}

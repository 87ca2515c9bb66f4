package session

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

func TestClientTokensThroughTheSession(t *testing.T) {
	kc := testKeychain(t)
	ctx := context.Background()
	s, err := Open(ctx, Options{Keychain: kc, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Before the API runs, the URL is the saved port's.
	c, err := s.ConnectInfo(ctx, "echo/echo", "Zed", "")
	if err != nil || c.Running || c.URL != "http://127.0.0.1:8088" || !strings.Contains(c.Clients[1].Text, "/t/YOUR_ZED_TOKEN") {
		t.Fatalf("connect before serving: %+v %v", c, err)
	}
	url, err := s.ServeAPI(ctx, -1)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.CreateClientToken(ctx, "Zed")
	if err != nil || tok.Name != "Zed" || tok.PathURL != url+"/t/"+tok.Token+"/" {
		t.Fatalf("create: %+v %v (url %s)", tok, err, url)
	}
	get := func(u, bearer string) int {
		req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := get(url+"/v1/models", tok.Token); code != 200 {
		t.Fatalf("the new token: %d", code)
	}
	if code := get(tok.PathURL+"api/tags", ""); code != 200 {
		t.Fatalf("the path URL: %d", code)
	}
	list, err := s.ClientTokens(ctx)
	if err != nil || len(list) != 1 || list[0].Name != "Zed" || list[0].Created == 0 || list[0].LastUsed < list[0].Created {
		t.Fatalf("list: %+v %v", list, err)
	}
	c, err = s.ConnectInfo(ctx, "echo/echo", "Zed", tok.Token)
	if err != nil || !c.Running || c.URL != url || !strings.Contains(c.Clients[0].Text, "apiKey: "+tok.Token) {
		t.Fatalf("connect with the new token: %+v %v", c, err)
	}
	fresh, err := s.RotateClientToken(ctx, "Zed")
	if err != nil || fresh.Token == tok.Token {
		t.Fatalf("rotate: %+v %v", fresh, err)
	}
	if code := get(url+"/v1/models", tok.Token); code != 401 {
		t.Fatalf("the old value after rotation: %d", code)
	}
	if err := s.RevokeClientToken(ctx, "Zed"); err != nil {
		t.Fatal(err)
	}
	if code := get(url+"/v1/models", fresh.Token); code != 401 {
		t.Fatalf("a revoked token: %d", code)
	}
	if list, err := s.ClientTokens(ctx); err != nil || len(list) != 0 {
		t.Fatalf("list after revoking: %+v %v", list, err)
	}
	if _, err := s.CreateClientToken(ctx, "bad/name"); err == nil {
		t.Fatal("a bad name was accepted")
	}
}

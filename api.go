package main

import (
	"context"
	"sync"
	"time"

	"sidecar/backend/assistant"
	"sidecar/backend/docs"
	"sidecar/backend/localapi"
)

// APIStatus is the local API's state for the Settings screen. The token is
// shown there on purpose: the user copies it into their editor plugin.
type APIStatus struct {
	Settings     assistant.LocalAPISettings `json:"settings"`
	Running      bool                       `json:"running"`
	URL          string                     `json:"url"`
	Token        string                     `json:"token"`
	Error        string                     `json:"error"`
	AuthFailures int                        `json:"authFailures"`
	Recent       []localapi.AuthFailure     `json:"recent"`
}

// apiHost runs the local API next to the window.
type apiHost struct {
	mu     sync.Mutex
	srv    *localapi.Server
	tokens *localapi.Tokens
	err    error
}

// apply stops the API and starts it again if the settings enable it.
func (a *App) applyAPI(ctx context.Context, svc *assistant.Service, set assistant.LocalAPISettings) {
	h := &a.api
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.srv != nil {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		h.srv.Shutdown(sctx)
		cancel()
		h.srv = nil
	}
	h.err = nil
	if !set.Enabled {
		return
	}
	if h.tokens == nil {
		t, err := localapi.LoadTokens(ctx, a.prof.Keychain)
		if err != nil {
			h.err = err
			return
		}
		h.tokens = t
	}
	srv := localapi.New(localapi.Config{Port: set.Port, AllowedOrigins: set.Origins, DataDir: a.dataDir}, svc,
		localapi.DocEmbeddings{E: docs.Lexical{}}, h.tokens, a.log).WithDocuments(a.docs)
	if err := srv.Start(); err != nil {
		h.err = err
		a.log.Warn("local API did not start", "err", err)
		return
	}
	h.srv = srv
}

func (a *App) stopAPI() {
	a.api.mu.Lock()
	defer a.api.mu.Unlock()
	if a.api.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		a.api.srv.Shutdown(ctx)
		a.api.srv = nil
	}
}

// LocalAPIStatus reports the local API's settings and state.
func (a *App) LocalAPIStatus() (APIStatus, error) {
	s, err := a.service()
	if err != nil {
		return APIStatus{}, err
	}
	set, err := s.LocalAPISettings(a.ctx)
	if err != nil {
		return APIStatus{}, err
	}
	h := &a.api
	h.mu.Lock()
	defer h.mu.Unlock()
	st := APIStatus{Settings: set, Recent: []localapi.AuthFailure{}}
	if h.err != nil {
		st.Error = h.err.Error()
	}
	if h.tokens != nil {
		st.Token = h.tokens.Current()
	}
	if h.srv != nil {
		st.Running, st.URL = true, h.srv.URL()
		st.AuthFailures, st.Recent = h.srv.AuthFailures()
	}
	return st, nil
}

// SaveLocalAPI saves the settings and restarts the API accordingly.
func (a *App) SaveLocalAPI(set assistant.LocalAPISettings) (APIStatus, error) {
	s, err := a.service()
	if err != nil {
		return APIStatus{}, err
	}
	set, err = s.SaveLocalAPISettings(a.ctx, set)
	if err != nil {
		return APIStatus{}, err
	}
	a.applyAPI(a.ctx, s, set)
	return a.LocalAPIStatus()
}

// RotateLocalAPIToken replaces the token; the old one stops working now.
func (a *App) RotateLocalAPIToken() (APIStatus, error) {
	if _, err := a.service(); err != nil {
		return APIStatus{}, err
	}
	h := &a.api
	h.mu.Lock()
	var err error
	switch {
	case h.srv != nil:
		_, err = h.srv.RotateToken(a.ctx)
	case h.tokens != nil:
		_, err = h.tokens.Rotate(a.ctx)
	default:
		var t *localapi.Tokens
		if t, err = localapi.LoadTokens(a.ctx, a.prof.Keychain); err == nil {
			h.tokens = t
			_, err = t.Rotate(a.ctx)
		}
	}
	h.mu.Unlock()
	if err != nil {
		return APIStatus{}, err
	}
	return a.LocalAPIStatus()
}

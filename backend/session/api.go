package session

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

// apiHost runs the local API of an open profile.
type apiHost struct {
	mu     sync.Mutex
	srv    *localapi.Server
	tokens *localapi.Tokens
	err    error
}

// liveEmbeddings serves at /v1/embeddings the model the documents use
// now: the user's choice, as the Documents screen shows it.
type liveEmbeddings struct{ d *docs.Service }

func (l liveEmbeddings) EmbeddingModels() []string { return []string{l.d.Embedder().Name()} }

func (l liveEmbeddings) Embed(ctx context.Context, model string, in []string) ([][]float32, error) {
	return localapi.DocEmbeddings{E: l.d.Embedder()}.Embed(ctx, model, in)
}

// applyAPI stops the API and starts it again if set enables it.
func (s *Session) applyAPI(o *open, set assistant.LocalAPISettings) {
	h := &o.api
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		h.srv.Shutdown(sctx)
		cancel()
		h.srv = nil
	}
	h.err = nil
	if !set.Enabled {
		return
	}
	if h.tokens == nil {
		t, err := localapi.LoadTokens(o.jobs.ctx, o.prof.Keychain)
		if err != nil {
			h.err = err
			return
		}
		h.tokens = t
	}
	srv := localapi.New(localapi.Config{Port: set.Port, AllowedOrigins: set.Origins, DataDir: s.opt.Dir}, localapi.Models{Catalog: o.cat, Service: o.svc},
		liveEmbeddings{o.docs}, h.tokens, s.log).WithDocuments(o.docs)
	if err := srv.Start(); err != nil {
		h.err = err
		s.log.Warn("local API did not start", "err", err)
		return
	}
	h.srv = srv
}

// stopAPI shuts the API of o down, waiting up to 5 s for requests in flight.
func (s *Session) stopAPI(o *open) {
	o.api.mu.Lock()
	defer o.api.mu.Unlock()
	if o.api.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		o.api.srv.Shutdown(ctx)
		o.api.srv = nil
	}
}

// ServeAPI starts the local API with the saved settings, on port if it is
// not 0, whether or not the settings enable it (`sidecar serve`). It
// returns the API's URL.
func (s *Session) ServeAPI(ctx context.Context, port int) (string, error) {
	return with(s, func(o *open) (string, error) {
		set, err := o.svc.LocalAPISettings(ctx)
		if err != nil {
			return "", err
		}
		if port != 0 {
			set.Port = port
		}
		set.Enabled = true
		s.applyAPI(o, set)
		o.api.mu.Lock()
		defer o.api.mu.Unlock()
		if o.api.err != nil {
			return "", o.api.err
		}
		return o.api.srv.URL(), nil
	})
}

// LocalAPIStatus reports the local API's settings and state.
func (s *Session) LocalAPIStatus(ctx context.Context) (APIStatus, error) {
	return with(s, func(o *open) (APIStatus, error) { return apiStatus(ctx, o) })
}

func apiStatus(ctx context.Context, o *open) (APIStatus, error) {
	set, err := o.svc.LocalAPISettings(ctx)
	if err != nil {
		return APIStatus{}, err
	}
	h := &o.api
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
func (s *Session) SaveLocalAPI(ctx context.Context, set assistant.LocalAPISettings) (APIStatus, error) {
	return with(s, func(o *open) (APIStatus, error) {
		set, err := o.svc.SaveLocalAPISettings(ctx, set)
		if err != nil {
			return APIStatus{}, err
		}
		s.applyAPI(o, set)
		return apiStatus(ctx, o)
	})
}

// RotateLocalAPIToken replaces the token; the old one stops working now.
func (s *Session) RotateLocalAPIToken(ctx context.Context) (APIStatus, error) {
	return with(s, func(o *open) (APIStatus, error) {
		h := &o.api
		h.mu.Lock()
		var err error
		switch {
		case h.srv != nil:
			_, err = h.srv.RotateToken(ctx)
		case h.tokens != nil:
			_, err = h.tokens.Rotate(ctx)
		default:
			var t *localapi.Tokens
			if t, err = localapi.LoadTokens(ctx, o.prof.Keychain); err == nil {
				h.tokens = t
				_, err = t.Rotate(ctx)
			}
		}
		h.mu.Unlock()
		if err != nil {
			return APIStatus{}, err
		}
		return apiStatus(ctx, o)
	})
}

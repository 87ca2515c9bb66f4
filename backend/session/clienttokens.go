package session

import (
	"context"
	"fmt"

	"sidecar/backend/localapi"
)

// ClientTokenView is a named client token as Settings lists it: never its
// value, which is shown once when it is made.
type ClientTokenView struct {
	Name     string `json:"name"`
	Created  int64  `json:"created"`  // Unix milliseconds
	LastUsed int64  `json:"lastUsed"` // Unix milliseconds; 0: never
}

// NewClientToken is a token just made (or given a new value): the only
// time its value leaves Sidecar.
type NewClientToken struct {
	Name  string `json:"name"`
	Token string `json:"token"`
	// PathURL is the base URL with the token in the path, for clients
	// that cannot send a header.
	PathURL string `json:"pathUrl"`
}

// ConnectView is how clients reach the local API: the URL it runs on (or
// would, with the saved port), every dialect's base URL and every
// client's configuration.
type ConnectView struct {
	URL      string                 `json:"url"`
	Running  bool                   `json:"running"`
	Dialects []localapi.DialectURL  `json:"dialects"`
	Clients  []localapi.ClientSetup `json:"clients"`
}

// clientTokens opens the named tokens of the data folder (the running API
// re-reads the same file, so a change takes effect with its next request).
func (s *Session) clientTokens() (*localapi.ClientTokens, error) {
	return localapi.LoadClientTokens(s.opt.Dir)
}

// ClientTokens lists the named client tokens by name.
func (s *Session) ClientTokens(ctx context.Context) ([]ClientTokenView, error) {
	return with(s, func(*open) ([]ClientTokenView, error) {
		ct, err := s.clientTokens()
		if err != nil {
			return nil, err
		}
		list, err := ct.List()
		if err != nil {
			return nil, err
		}
		out := make([]ClientTokenView, len(list))
		for i, t := range list {
			out[i] = ClientTokenView{Name: t.Name, Created: t.Created.UnixMilli()}
			if !t.LastUsed.IsZero() {
				out[i].LastUsed = t.LastUsed.UnixMilli()
			}
		}
		return out, nil
	})
}

// CreateClientToken makes a token named name and returns its value.
func (s *Session) CreateClientToken(ctx context.Context, name string) (NewClientToken, error) {
	return s.newClientToken(ctx, name, (*localapi.ClientTokens).Create)
}

// RotateClientToken gives the token named name a new value; the old one
// stops working at once.
func (s *Session) RotateClientToken(ctx context.Context, name string) (NewClientToken, error) {
	return s.newClientToken(ctx, name, (*localapi.ClientTokens).Rotate)
}

func (s *Session) newClientToken(ctx context.Context, name string, mk func(*localapi.ClientTokens, string) (string, error)) (NewClientToken, error) {
	return with(s, func(o *open) (NewClientToken, error) {
		ct, err := s.clientTokens()
		if err != nil {
			return NewClientToken{}, err
		}
		tok, err := mk(ct, name)
		if err != nil {
			return NewClientToken{}, err
		}
		url, _, err := apiURL(ctx, o)
		if err != nil {
			return NewClientToken{}, err
		}
		return NewClientToken{Name: name, Token: tok, PathURL: url + "/t/" + tok + "/"}, nil
	})
}

// RevokeClientToken deletes the token named name: it stops working at once.
func (s *Session) RevokeClientToken(ctx context.Context, name string) error {
	_, err := with(s, func(*open) (struct{}, error) {
		ct, err := s.clientTokens()
		if err != nil {
			return struct{}{}, err
		}
		return struct{}{}, ct.Revoke(name)
	})
	return err
}

// ConnectInfo returns the configurations for model with token, or with a
// placeholder naming the token tokenName when token is "" (Settings puts a
// token's value in only right after making it).
func (s *Session) ConnectInfo(ctx context.Context, model, tokenName, token string) (ConnectView, error) {
	return with(s, func(o *open) (ConnectView, error) {
		url, running, err := apiURL(ctx, o)
		if err != nil {
			return ConnectView{}, err
		}
		if token == "" {
			token = localapi.TokenPlaceholder(tokenName)
		}
		c := localapi.Connect(url, token, model)
		return ConnectView{URL: url, Running: running, Dialects: c.Dialects, Clients: c.Clients}, nil
	})
}

// apiURL is the URL the local API runs on, or would with its saved port.
func apiURL(ctx context.Context, o *open) (string, bool, error) {
	o.api.mu.Lock()
	if o.api.srv != nil {
		defer o.api.mu.Unlock()
		return o.api.srv.URL(), true, nil
	}
	o.api.mu.Unlock()
	set, err := o.svc.LocalAPISettings(ctx)
	if err != nil {
		return "", false, err
	}
	return fmt.Sprintf("http://127.0.0.1:%d", set.Port), false, nil
}

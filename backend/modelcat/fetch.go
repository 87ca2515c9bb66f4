package modelcat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// FetchTimeout bounds fetching a list, connection to last byte.
const FetchTimeout = 20 * time.Second

// Fetch downloads the list at u (https, or http to this computer; so
// must every redirect be), reading at most MaxListBytes, and validates
// it. It returns the list and its text as fetched.
func Fetch(ctx context.Context, client *http.Client, u string) (List, []byte, error) {
	if err := CheckURL(u); err != nil {
		return List{}, nil, fmt.Errorf("modelcat: list URL: %w", err)
	}
	if client == nil {
		client = http.DefaultClient
	}
	c := *client
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("too many redirects")
		}
		return CheckURL(req.URL.String())
	}
	ctx, cancel := context.WithTimeout(ctx, FetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return List{}, nil, fmt.Errorf("modelcat: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return List{}, nil, fmt.Errorf("modelcat: fetching the list: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return List{}, nil, fmt.Errorf("modelcat: fetching the list: the server answered %s", resp.Status)
	}
	if resp.ContentLength > MaxListBytes {
		return List{}, nil, fmt.Errorf("modelcat: the list is %d bytes, more than the %d allowed", resp.ContentLength, MaxListBytes)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxListBytes+1))
	if err != nil {
		return List{}, nil, fmt.Errorf("modelcat: reading the list: %w", err)
	}
	if len(b) > MaxListBytes {
		return List{}, nil, fmt.Errorf("modelcat: the list is more than the %d bytes allowed", MaxListBytes)
	}
	l, err := Parse(b)
	if err != nil {
		return List{}, nil, err
	}
	return l, b, nil
}

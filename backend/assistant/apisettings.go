package assistant

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// LocalAPISettings configure the loopback API for editor plugins.
type LocalAPISettings struct {
	Enabled bool     `json:"enabled"`
	Port    int      `json:"port"`
	Origins []string `json:"origins"` // browser origins allowed to call it, exact matches
}

const (
	settingAPIEnabled = "localapi.enabled"
	settingAPIPort    = "localapi.port"
	settingAPIOrigins = "localapi.origins"
	defaultAPIPort    = 8088
)

// LocalAPISettings returns the saved settings (off, port 8088, no origins
// by default).
func (s *Service) LocalAPISettings(ctx context.Context) (LocalAPISettings, error) {
	out := LocalAPISettings{Port: defaultAPIPort, Origins: []string{}}
	en, err := s.db.Setting(ctx, settingAPIEnabled, "false")
	if err != nil {
		return out, err
	}
	out.Enabled = en == "true"
	p, err := s.db.Setting(ctx, settingAPIPort, strconv.Itoa(defaultAPIPort))
	if err != nil {
		return out, err
	}
	if n, err := strconv.Atoi(p); err == nil {
		out.Port = n
	}
	o, err := s.db.Setting(ctx, settingAPIOrigins, "[]")
	if err != nil {
		return out, err
	}
	json.Unmarshal([]byte(o), &out.Origins) // a damaged list means no origins
	return out, nil
}

// SaveLocalAPISettings validates and saves the settings.
func (s *Service) SaveLocalAPISettings(ctx context.Context, in LocalAPISettings) (LocalAPISettings, error) {
	if in.Port < 1024 || in.Port > 65535 {
		return in, fmt.Errorf("assistant: the port must be between 1024 and 65535")
	}
	origins := []string{}
	for _, o := range in.Origins {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		norm, err := normOrigin(o)
		if err != nil {
			return in, err
		}
		origins = append(origins, norm)
	}
	in.Origins = origins
	b, _ := json.Marshal(origins)
	for k, v := range map[string]string{settingAPIEnabled: strconv.FormatBool(in.Enabled), settingAPIPort: strconv.Itoa(in.Port), settingAPIOrigins: string(b)} {
		if err := s.db.SetSetting(ctx, k, v); err != nil {
			return in, err
		}
	}
	return in, nil
}

// normOrigin checks that o is an origin (scheme://host[:port], nothing
// else) and returns it as browsers send it.
func normOrigin(o string) (string, error) {
	u, err := url.Parse(o)
	bad := fmt.Errorf("assistant: %q is not an origin: write it as scheme://host[:port], e.g. http://localhost:3000", o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "vscode-webview") || u.Host == "" ||
		strings.Contains(o, "*") || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", bad
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), nil
}

package assistant

import (
	"context"
	"fmt"
)

const settingTheme = "appearance.theme"

// Theme returns the saved theme: "system" (the default), "light" or "dark".
func (s *Service) Theme(ctx context.Context) (string, error) {
	return s.db.Setting(ctx, settingTheme, "system")
}

// SetTheme saves the theme.
func (s *Service) SetTheme(ctx context.Context, theme string) error {
	switch theme {
	case "system", "light", "dark":
		return s.db.SetSetting(ctx, settingTheme, theme)
	}
	return fmt.Errorf("assistant: unknown theme %q (want system, light or dark)", theme)
}

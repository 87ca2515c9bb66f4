package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ncruces/go-sqlite3"
)

// Bounds on chat settings and presets.
const (
	MaxSystemPromptBytes = 32 << 10
	MaxPresetName        = 100 // characters
	MaxPresets           = 200
	MaxTemperature       = 2.0
	MaxAnswerTokens      = 200_000
)

// ErrDuplicate means a preset with that name exists already.
var ErrDuplicate = errors.New("a preset with that name exists already")

// ChatSettings are what a chat asks of its model: a system prompt and
// sampling. The zero value asks for nothing: the model's own system prompt
// (local models have one) and the provider's defaults.
type ChatSettings struct {
	SystemPrompt string
	Temperature  *float64 // nil: the provider's default
	TopP         *float64 // nil: the provider's default
	MaxTokens    int      // 0: the provider's default
}

// Check reports the first setting out of bounds.
func (s ChatSettings) Check() error {
	switch {
	case len(s.SystemPrompt) > MaxSystemPromptBytes:
		return fmt.Errorf("the system prompt is longer than %d KiB", MaxSystemPromptBytes>>10)
	case !utf8.ValidString(s.SystemPrompt):
		return errors.New("the system prompt is not valid UTF-8")
	case s.Temperature != nil && !(*s.Temperature >= 0 && *s.Temperature <= MaxTemperature):
		return fmt.Errorf("temperature %g: want 0 to %g", *s.Temperature, MaxTemperature)
	case s.TopP != nil && !(*s.TopP > 0 && *s.TopP <= 1):
		return fmt.Errorf("top-p %g: want more than 0, at most 1", *s.TopP)
	case s.MaxTokens < 0 || s.MaxTokens > MaxAnswerTokens:
		return fmt.Errorf("max tokens %d: want 0 (the model's default) to %d", s.MaxTokens, MaxAnswerTokens)
	}
	return nil
}

// Normalize trims the system prompt and drops NaN settings.
func (s ChatSettings) Normalize() ChatSettings {
	s.SystemPrompt = strings.TrimSpace(s.SystemPrompt)
	if s.Temperature != nil && math.IsNaN(*s.Temperature) {
		s.Temperature = nil
	}
	if s.TopP != nil && math.IsNaN(*s.TopP) {
		s.TopP = nil
	}
	return s
}

// Preset is a named set of chat settings the user picks for a chat.
type Preset struct {
	ID        int64
	Name      string
	Settings  ChatSettings
	CreatedAt time.Time
	UpdatedAt time.Time
}

func nullFloat(p *float64) sql.NullFloat64 {
	if p == nil {
		return sql.NullFloat64{}
	}
	return sql.NullFloat64{Float64: *p, Valid: true}
}

func floatPtr(n sql.NullFloat64) *float64 {
	if !n.Valid {
		return nil
	}
	v := n.Float64
	return &v
}

// SetChatSettings stores a chat's system prompt and sampling settings.
func (db *DB) SetChatSettings(ctx context.Context, id int64, s ChatSettings) error {
	s = s.Normalize()
	if err := s.Check(); err != nil {
		return fmt.Errorf("store: chat settings: %w", err)
	}
	return db.execOne(ctx, "set chat settings", `UPDATE chats SET system_prompt = ?, temperature = ?, top_p = ?, max_tokens = ? WHERE id = ?`,
		s.SystemPrompt, nullFloat(s.Temperature), nullFloat(s.TopP), s.MaxTokens, id)
}

// CleanPresetName trims a preset name and checks it is one line of at most
// MaxPresetName characters.
func CleanPresetName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", errors.New("store: preset: the name is empty")
	case !utf8.ValidString(name) || strings.ContainsAny(name, "\n\r\t"):
		return "", errors.New("store: preset: the name must be one line of text")
	case utf8.RuneCountInString(name) > MaxPresetName:
		return "", fmt.Errorf("store: preset: the name is longer than %d characters", MaxPresetName)
	}
	return name, nil
}

func isUnique(err error) bool {
	var se *sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode() == sqlite3.CONSTRAINT_UNIQUE
}

// CreatePreset stores a new preset; names are unique and there are at
// most MaxPresets.
func (db *DB) CreatePreset(ctx context.Context, name string, s ChatSettings) (Preset, error) {
	name, err := CleanPresetName(name)
	if err != nil {
		return Preset{}, err
	}
	s = s.Normalize()
	if err := s.Check(); err != nil {
		return Preset{}, fmt.Errorf("store: preset: %w", err)
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return Preset{}, fmt.Errorf("store: create preset: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM presets`).Scan(&n); err != nil {
		return Preset{}, fmt.Errorf("store: create preset: %w", err)
	}
	if n >= MaxPresets {
		return Preset{}, fmt.Errorf("store: create preset: there are %d presets already, the most there can be", n)
	}
	t := now()
	res, err := tx.ExecContext(ctx, `INSERT INTO presets(name, system_prompt, temperature, top_p, max_tokens, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, name, s.SystemPrompt, nullFloat(s.Temperature), nullFloat(s.TopP), s.MaxTokens, t, t)
	if isUnique(err) {
		return Preset{}, fmt.Errorf("store: create preset %q: %w", name, ErrDuplicate)
	}
	if err != nil {
		return Preset{}, fmt.Errorf("store: create preset: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Preset{}, fmt.Errorf("store: create preset: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Preset{}, fmt.Errorf("store: create preset: %w", err)
	}
	return Preset{ID: id, Name: name, Settings: s, CreatedAt: fromMillis(t), UpdatedAt: fromMillis(t)}, nil
}

// UpdatePreset renames a preset and replaces its settings. Chats that
// used it keep the settings they were given.
func (db *DB) UpdatePreset(ctx context.Context, id int64, name string, s ChatSettings) error {
	name, err := CleanPresetName(name)
	if err != nil {
		return err
	}
	s = s.Normalize()
	if err := s.Check(); err != nil {
		return fmt.Errorf("store: preset: %w", err)
	}
	err = db.execOne(ctx, "update preset", `UPDATE presets SET name = ?, system_prompt = ?, temperature = ?, top_p = ?, max_tokens = ?, updated_at = ? WHERE id = ?`,
		name, s.SystemPrompt, nullFloat(s.Temperature), nullFloat(s.TopP), s.MaxTokens, now(), id)
	if isUnique(err) {
		return fmt.Errorf("store: update preset %q: %w", name, ErrDuplicate)
	}
	return err
}

// DeletePreset deletes a preset; chats that used it keep their settings.
func (db *DB) DeletePreset(ctx context.Context, id int64) error {
	return db.execOne(ctx, "delete preset", `DELETE FROM presets WHERE id = ?`, id)
}

const presetColumns = `id, name, system_prompt, temperature, top_p, max_tokens, created_at, updated_at`

func scanPreset(sc interface{ Scan(...any) error }) (Preset, error) {
	var p Preset
	var temp, topP sql.NullFloat64
	var created, updated int64
	if err := sc.Scan(&p.ID, &p.Name, &p.Settings.SystemPrompt, &temp, &topP, &p.Settings.MaxTokens, &created, &updated); err != nil {
		return Preset{}, err
	}
	p.Settings.Temperature, p.Settings.TopP = floatPtr(temp), floatPtr(topP)
	p.CreatedAt, p.UpdatedAt = fromMillis(created), fromMillis(updated)
	return p, nil
}

// Preset returns one preset.
func (db *DB) Preset(ctx context.Context, id int64) (Preset, error) {
	p, err := scanPreset(db.sql.QueryRowContext(ctx, `SELECT `+presetColumns+` FROM presets WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Preset{}, fmt.Errorf("store: preset %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Preset{}, fmt.Errorf("store: preset %d: %w", id, err)
	}
	return p, nil
}

// ListPresets returns every preset by name.
func (db *DB) ListPresets(ctx context.Context) ([]Preset, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+presetColumns+` FROM presets ORDER BY name COLLATE NOCASE, id`)
	if err != nil {
		return nil, fmt.Errorf("store: presets: %w", err)
	}
	defer rows.Close()
	out := []Preset{}
	for rows.Next() {
		p, err := scanPreset(rows)
		if err != nil {
			return nil, fmt.Errorf("store: presets: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: presets: %w", err)
	}
	return out, nil
}

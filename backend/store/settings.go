package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Setting returns the value stored under key, or def when there is none.
func (db *DB) Setting(ctx context.Context, key, def string) (string, error) {
	var v string
	err := db.sql.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return def, nil
	}
	if err != nil {
		return "", fmt.Errorf("store: setting %q: %w", key, err)
	}
	return v, nil
}

// SetSetting stores value under key.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	_, err := db.sql.ExecContext(ctx,
		`INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("store: set setting %q: %w", key, err)
	}
	return nil
}

// ErrNoSecret means no secret is stored under an account.
var ErrNoSecret = errors.New("store: no such secret")

// Secret returns the secret stored under account (passphrase mode keeps
// the keychain's entries here), or ErrNoSecret.
func (db *DB) Secret(ctx context.Context, account string) (string, error) {
	var v string
	err := db.sql.QueryRowContext(ctx, `SELECT value FROM secrets WHERE account = ?`, account).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNoSecret
	}
	if err != nil {
		return "", fmt.Errorf("store: secret %q: %w", account, err)
	}
	return v, nil
}

// SetSecret stores value under account.
func (db *DB) SetSecret(ctx context.Context, account, value string) error {
	_, err := db.sql.ExecContext(ctx,
		`INSERT INTO secrets(account, value) VALUES (?, ?) ON CONFLICT(account) DO UPDATE SET value = excluded.value`, account, value)
	if err != nil {
		return fmt.Errorf("store: set secret %q: %w", account, err)
	}
	return nil
}

// DeleteSecret removes account's secret; a missing one is not an error.
func (db *DB) DeleteSecret(ctx context.Context, account string) error {
	if _, err := db.sql.ExecContext(ctx, `DELETE FROM secrets WHERE account = ?`, account); err != nil {
		return fmt.Errorf("store: delete secret %q: %w", account, err)
	}
	return nil
}

// SecretAccounts lists the accounts that have a secret.
func (db *DB) SecretAccounts(ctx context.Context) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT account FROM secrets ORDER BY account`)
	if err != nil {
		return nil, fmt.Errorf("store: secrets: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, fmt.Errorf("store: secrets: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

package assistant

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

const settingRetention = "retention.days"

// RetentionDays returns how many days chats are kept after their last
// activity; 0 means forever (the default).
func (s *Service) RetentionDays(ctx context.Context) (int, error) {
	v, err := s.db.Setting(ctx, settingRetention, "0")
	if err != nil {
		return 0, err
	}
	n, _ := strconv.Atoi(v)
	return max(n, 0), nil
}

// SetRetentionDays sets it (0 turns auto-deletion off) and applies it now.
func (s *Service) SetRetentionDays(ctx context.Context, days int) (int64, error) {
	if days < 0 || days > 36500 {
		return 0, fmt.Errorf("assistant: keep chats for 0 (forever) to 36500 days")
	}
	if err := s.db.SetSetting(ctx, settingRetention, strconv.Itoa(days)); err != nil {
		return 0, err
	}
	return s.ApplyRetention(ctx, time.Now())
}

// ApplyRetention deletes chats older than the retention period at now;
// chats generating an answer are never deleted under it.
func (s *Service) ApplyRetention(ctx context.Context, now time.Time) (int64, error) {
	days, err := s.RetentionDays(ctx)
	if err != nil || days == 0 {
		return 0, err
	}
	n, err := s.db.DeleteChatsOlderThan(ctx, now.Add(-time.Duration(days)*24*time.Hour))
	if err == nil && n > 0 {
		s.log.Info("retention deleted old chats", "count", n, "days", days)
		s.chatsChanged()
	}
	return n, err
}

// RunRetention applies retention now and then daily until ctx ends.
func (s *Service) RunRetention(ctx context.Context) {
	s.ApplyRetention(ctx, time.Now())
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if _, err := s.ApplyRetention(ctx, now); err != nil {
				s.log.Warn("retention failed", "err", err)
			}
		}
	}
}

// EventChatsChanged tells the UI to reload the chat list.
const EventChatsChanged = "chats:changed"

func (s *Service) chatsChanged() {
	if s.events != nil {
		s.events.Emit(EventChatsChanged, nil)
	}
}

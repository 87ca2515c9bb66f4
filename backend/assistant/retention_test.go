package assistant

import (
	"context"
	"testing"
	"time"

	"sidecar/backend/llm"
)

func TestRetentionDeletesExactlyTheOldChats(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	s := newService(db, nil, &llm.Echo{})
	defer s.Close()
	now := time.Now()
	ages := map[string]time.Duration{"fresh": time.Hour, "edge-inside": 30*24*time.Hour - time.Minute, "old": 31 * 24 * time.Hour, "ancient": 400 * 24 * time.Hour}
	for title, age := range ages {
		c, _ := db.CreateChat(ctx, title, "")
		db.SQL().Exec(`UPDATE chats SET updated_at = ? WHERE id = ?`, now.Add(-age).UnixMilli(), c.ID)
	}
	if n, err := s.ApplyRetention(ctx, now); err != nil || n != 0 {
		t.Fatalf("retention off by default: deleted %d, %v", n, err)
	}
	if _, err := s.SetRetentionDays(ctx, -1); err == nil {
		t.Fatal("negative days accepted")
	}
	db.SetSetting(ctx, "retention.days", "30")
	n, err := s.ApplyRetention(ctx, now)
	if err != nil || n != 2 {
		t.Fatalf("deleted %d, %v; want the 2 older than 30 days", n, err)
	}
	chats, _ := s.ListChats(ctx)
	left := map[string]bool{}
	for _, c := range chats {
		left[c.Title] = true
	}
	if !left["fresh"] || !left["edge-inside"] || left["old"] || left["ancient"] {
		t.Fatalf("left: %v", left)
	}
	if d, _ := s.RetentionDays(ctx); d != 30 {
		t.Fatalf("days = %d", d)
	}
}

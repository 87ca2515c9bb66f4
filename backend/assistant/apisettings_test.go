package assistant

import (
	"context"
	"testing"

	"sidecar/backend/llm"
)

func TestLocalAPISettings(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	s := newService(db, nil, &llm.Echo{})
	got, err := s.LocalAPISettings(ctx)
	if err != nil || got.Enabled || got.Port != 8088 || len(got.Origins) != 0 {
		t.Fatalf("defaults = %+v %v", got, err)
	}
	for _, bad := range []LocalAPISettings{
		{Port: 80}, {Port: 70000},
		{Port: 9000, Origins: []string{"*"}},
		{Port: 9000, Origins: []string{"http://x.example/path"}},
		{Port: 9000, Origins: []string{"localhost:3000"}},
		{Port: 9000, Origins: []string{"https://*.example"}},
	} {
		if _, err := s.SaveLocalAPISettings(ctx, bad); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
	saved, err := s.SaveLocalAPISettings(ctx, LocalAPISettings{Enabled: true, Port: 9123, Origins: []string{" http://LocalHost:3000/ ", ""}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = s.LocalAPISettings(ctx)
	if !got.Enabled || got.Port != 9123 || len(got.Origins) != 1 || got.Origins[0] != "http://localhost:3000" || saved.Origins[0] != got.Origins[0] {
		t.Fatalf("saved %+v, read %+v", saved, got)
	}
}

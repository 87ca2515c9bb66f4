package session

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"sidecar/backend/catalog"
	"sidecar/backend/modelcat"
	"sidecar/backend/procmem"
	"sidecar/backend/store"
)

// Settings of the model catalogue: the URL the user set and the list last
// fetched from it (its text and when).
const (
	settingCatalogueURL  = "models.catalogue.url"
	settingCatalogueList = "models.catalogue.list"
	settingCatalogueAt   = "models.catalogue.fetchedAt"
)

// CatalogueEntry is one recommended model as the Models screen shows it.
type CatalogueEntry struct {
	Entry    modelcat.Entry `json:"entry"`
	FileName string         `json:"fileName"` // also the ID of its download
	Fit      modelcat.Fit   `json:"fit"`
	// InstalledID is the local model made from this entry's download, "" if none.
	InstalledID string `json:"installedId"`
}

// CatalogueView is the catalogue of recommended models.
type CatalogueView struct {
	Entries []CatalogueEntry `json:"entries"`
	// Source is "shipped" (the list built into Sidecar) or "url".
	Source      string `json:"source"`
	URL         string `json:"url"`       // the list's URL the user set ("" for none)
	FetchedAt   int64  `json:"fetchedAt"` // Unix ms of the last fetch, 0 for the shipped list
	TotalMemory int64  `json:"totalMemory"`
}

// catalogueList is the list in use: the one fetched and cached in the
// profile's settings, or the shipped one.
func catalogueList(ctx context.Context, db *store.DB) (modelcat.List, string, int64, error) {
	u, err := db.Setting(ctx, settingCatalogueURL, "")
	if err != nil {
		return modelcat.List{}, "", 0, err
	}
	raw, err := db.Setting(ctx, settingCatalogueList, "")
	if err != nil {
		return modelcat.List{}, "", 0, err
	}
	if raw != "" {
		// Stored lists were checked when fetched; one this build no longer
		// reads gives way to the shipped list.
		if l, err := modelcat.Parse([]byte(raw)); err == nil {
			at, _ := db.Setting(ctx, settingCatalogueAt, "0")
			n, _ := strconv.ParseInt(at, 10, 64)
			return l, u, n, nil
		}
	}
	return modelcat.Shipped(), u, 0, nil
}

// catalogueCheck checks a finished download that comes from an entry of
// the catalogue against that entry (see modelcat.Verify) before the
// model is added; other downloads pass.
func catalogueCheck(db *store.DB) catalog.DownloadCheck {
	return func(ctx context.Context, url, path string) error {
		l, _, _, err := catalogueList(ctx, db)
		if err != nil {
			return err
		}
		e, ok := l.ByURL(url)
		if !ok {
			if e, ok = modelcat.Shipped().ByURL(url); !ok {
				return nil
			}
		}
		return modelcat.Verify(path, e)
	}
}

func (s *Session) catalogueView(ctx context.Context, o *open) (CatalogueView, error) {
	l, u, at, err := catalogueList(ctx, o.prof.DB)
	if err != nil {
		return CatalogueView{}, err
	}
	local, err := o.cat.LocalModels(ctx)
	if err != nil {
		return CatalogueView{}, err
	}
	dir := filepath.Join(s.opt.Dir, ModelsFolder)
	byPath := map[string]string{}
	for _, m := range local {
		byPath[m.Path] = m.ID
	}
	v := CatalogueView{Source: "shipped", URL: u, FetchedAt: at, TotalMemory: procmem.TotalRAM(), Entries: []CatalogueEntry{}}
	if at > 0 {
		v.Source = "url"
	}
	for _, e := range l.Models {
		name := e.FileName()
		v.Entries = append(v.Entries, CatalogueEntry{Entry: e, FileName: name, Fit: modelcat.FitsMemory(e, v.TotalMemory),
			InstalledID: byPath[filepath.Join(dir, name)]})
	}
	return v, nil
}

// ModelCatalogue lists the recommended models, which fit this computer's
// memory, and which are already downloaded.
func (s *Session) ModelCatalogue(ctx context.Context) (CatalogueView, error) {
	return with(s, func(o *open) (CatalogueView, error) { return s.catalogueView(ctx, o) })
}

// RefreshModelCatalogue fetches the list at url, checks it and keeps it
// in the profile's settings in place of the shipped one. A list that
// cannot be fetched or is not valid is an error and changes nothing. An
// empty url goes back to the shipped list.
func (s *Session) RefreshModelCatalogue(ctx context.Context, url string) (CatalogueView, error) {
	return with(s, func(o *open) (CatalogueView, error) {
		db := o.prof.DB
		url = strings.TrimSpace(url)
		if url == "" {
			for _, k := range []string{settingCatalogueURL, settingCatalogueList, settingCatalogueAt} {
				if err := db.SetSetting(ctx, k, ""); err != nil {
					return CatalogueView{}, err
				}
			}
			return s.catalogueView(ctx, o)
		}
		_, raw, err := modelcat.Fetch(ctx, &http.Client{}, url)
		if err != nil {
			return CatalogueView{}, fmt.Errorf("%w (the current list is kept)", err)
		}
		for k, v := range map[string]string{settingCatalogueURL: url, settingCatalogueList: string(raw),
			settingCatalogueAt: strconv.FormatInt(time.Now().UnixMilli(), 10)} {
			if err := db.SetSetting(ctx, k, v); err != nil {
				return CatalogueView{}, err
			}
		}
		return s.catalogueView(ctx, o)
	})
}

// DownloadCatalogueModel starts (or resumes) downloading the catalogue's
// entry id; it is checked against the entry, then added, as
// DownloadLocalModel's are. It returns the download's ID.
func (s *Session) DownloadCatalogueModel(ctx context.Context, id string) (string, error) {
	return with(s, func(o *open) (string, error) {
		l, _, _, err := catalogueList(ctx, o.prof.DB)
		if err != nil {
			return "", err
		}
		e, ok := l.Find(id)
		if !ok {
			return "", fmt.Errorf("session: the catalogue has no model %q", id)
		}
		return o.cat.DownloadLocalModel(ctx, e.URL, e.SHA256)
	})
}

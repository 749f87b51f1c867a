package served

import (
	"context"
	"fmt"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/dcat"
)

// Items builds these records' udata items (the bodies a push sends, with
// quality and source), in order, reading the models the facade has not
// loaded from the store in one go.
func (s *State) Items(ctx context.Context, cfg *config.Config, v *View, recs []*Record) ([]*dcat.Item, error) {
	models, err := s.Models(ctx, recs)
	if err != nil {
		return nil, err
	}
	out := make([]*dcat.Item, len(recs))
	for i, r := range recs {
		it, err := dcat.BuildItem(MapInput(r, models[i], v.DataOf(r.CatalogID).Snap.Producers), MapOptions(cfg, r.CatalogID))
		if err != nil {
			return nil, fmt.Errorf("record %q of %q: %w", r.Entry.ID, r.CatalogID, err)
		}
		out[i] = it
	}
	return out, nil
}

// OrganizationItems returns the udata items of an organization's view, as
// its datasets.json serves them (services and maps left out): the desired
// state a push reconciles. partial is true when a source catalog's snapshot
// comes from a partial harvest, in which case nothing may be archived. An
// error wraps ErrNotReady when a source catalog has no good snapshot yet
// (nothing can be pushed), ErrNotFound for an unknown organization.
func OrganizationItems(ctx context.Context, st cache.Store, cfg *config.Config, orgID string) (items []dcat.Item, partial bool, err error) {
	s := New(st, 0)
	v, err := s.OrganizationView(ctx, cfg, orgID)
	if err != nil {
		return nil, false, fmt.Errorf("organization %q: %w", orgID, err)
	}
	for _, c := range v.Catalogs {
		if c.Snap.Status != "ok" {
			partial = true
		}
	}
	var recs []*Record
	for _, r := range v.Records {
		// Only datasets and series: services and maps are not datasets on
		// data.gouv.fr (the feed's rule, dcat.PublishedAsDataset).
		if !dcat.PublishedAsDataset(dcat.KindOf(r.Entry.Type, "")) || r.Entry.Conflict != "" {
			continue
		}
		recs = append(recs, r)
	}
	for start := 0; start < len(recs); start += modelChunk {
		chunk := recs[start:min(start+modelChunk, len(recs))]
		models, err := s.Models(ctx, chunk)
		if err != nil {
			return nil, false, fmt.Errorf("organization %q: %w", orgID, err)
		}
		for i, r := range chunk {
			in := MapInput(r, models[i], v.DataOf(r.CatalogID).Snap.Producers)
			it, err := dcat.BuildItem(in, MapOptions(cfg, r.CatalogID))
			if err != nil {
				return nil, false, fmt.Errorf("organization %q: record %q: %w", orgID, r.Entry.ID, err)
			}
			it.Quality, it.Source = nil, nil
			items = append(items, *it)
		}
	}
	return items, partial, nil
}

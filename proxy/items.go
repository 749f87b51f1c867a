package proxy

import (
	"context"
	"errors"
	"fmt"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/dcat"
)

// ErrNotReady says a source catalog of an organization has no good
// snapshot yet: nothing can be pushed.
var ErrNotReady = errors.New("not harvested yet")

// OrganizationItems returns the udata items of an organization's view, as
// its datasets.json serves them (services and maps left out): the desired
// state a push reconciles. partial is true when a source catalog's snapshot
// comes from a partial harvest, in which case nothing may be archived.
func OrganizationItems(ctx context.Context, st cache.Store, cfg *config.Config, orgID string) (items []dcat.Item, partial bool, err error) {
	s := newState(st, 0)
	v, err := s.organizationView(ctx, cfg, orgID)
	if err != nil {
		var he *HTTPError
		if errors.As(err, &he) && he.Code == 503 {
			return nil, false, fmt.Errorf("organization %q: %w: %s", orgID, ErrNotReady, he.Msg)
		}
		return nil, false, fmt.Errorf("organization %q: %w", orgID, err)
	}
	for _, c := range v.catalogs {
		if c.snap.Status != "ok" {
			partial = true
		}
	}
	for _, r := range v.records {
		// Only datasets and series: services and maps are not datasets on
		// data.gouv.fr (the feed's rule, dcat.PublishedAsDataset).
		if !dcat.PublishedAsDataset(dcat.KindOf(r.entry.Type, "")) || r.entry.Conflict != "" {
			continue
		}
		in := mapInput(r, v.dataOf(r.catalog).snap.Producers)
		it, err := dcat.BuildItem(in, mapOptions(cfg, r.catalog))
		if err != nil {
			return nil, false, fmt.Errorf("organization %q: record %q: %w", orgID, r.entry.ID, err)
		}
		it.Quality, it.Source = nil, nil
		items = append(items, *it)
	}
	return items, partial, nil
}

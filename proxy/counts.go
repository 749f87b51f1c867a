package proxy

import (
	"context"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/dcat"
	"github.com/passerelle/passerelle/served"
)

// viewCounts are the numbers a person compares across views: every record
// harvested (records) is either served in the feed as a dataset or series
// (datasets: what data.gouv.fr gets, in datasets.json and by push, decided
// by dcat.PublishedAsDataset), as a data service (services), as another
// resource (other: maps, applications…, dcat:Resource in the feed, which
// udata ignores), or left out of the feed (left_out: records sharing a
// resource identifier with another one, records the mapping could not
// render). records = datasets + services + other + left_out, and the feed's
// hydra:totalItems = datasets + services + other.
type viewCounts struct {
	Records  int `json:"records"`
	Datasets int `json:"datasets"`
	Services int `json:"services"`
	Other    int `json:"other"`
	LeftOut  int `json:"left_out"`
}

// recordKind is what the feed and datasets.json make of a record.
func recordKind(r *served.Record) string { return dcat.KindOf(r.Entry.Type, "") }

// countView counts a view's records the way its feed and datasets.json
// serve them.
func (s *Server) countView(ctx context.Context, cfg *config.Config, v *served.View) (viewCounts, map[*served.Record]bool, error) {
	recs, _, err := s.feedSelect(ctx, cfg, v, listParams{})
	if err != nil {
		return viewCounts{}, nil, err
	}
	n := viewCounts{Records: len(v.Records)}
	inFeed := make(map[*served.Record]bool, len(recs))
	for _, r := range recs {
		inFeed[r] = true
		switch k := recordKind(r); {
		case dcat.PublishedAsDataset(k):
			n.Datasets++
		case k == "service":
			n.Services++
		default:
			n.Other++
		}
	}
	n.LeftOut = n.Records - n.Datasets - n.Services - n.Other
	return n, inFeed, nil
}

// producerCount is one element of producers.json: the records filed under
// a producer and, among them, the datasets an organization taking that
// producer gets (served in the feed, services apart).
type producerCount struct {
	cache.Producer     // slug, name, count (kept for existing clients)
	Records        int `json:"records"` // = count
	Datasets       int `json:"datasets"`
	Services       int `json:"services"`
	Other          int `json:"other"`
	LeftOut        int `json:"left_out"`
}

// producerCounts lists a catalog view's producers, most records first.
func producerCounts(v *served.View, inFeed map[*served.Record]bool) []producerCount {
	base := cache.ProducerCounts(v.Catalogs[0].Snap)
	idx := make(map[string]int, len(base))
	out := make([]producerCount, len(base))
	for i, p := range base {
		out[i] = producerCount{Producer: p, Records: p.Count}
		idx[p.Slug] = i
	}
	for _, r := range v.Records {
		for _, slug := range r.Entry.Producers {
			i, ok := idx[slug]
			if !ok {
				continue
			}
			k := recordKind(r)
			switch {
			case !inFeed[r]:
				out[i].LeftOut++
			case dcat.PublishedAsDataset(k):
				out[i].Datasets++
			case k == "service":
				out[i].Services++
			default:
				out[i].Other++
			}
		}
	}
	return out
}

package cache

import (
	"sort"
)

// Producer is one producer of a snapshot: slug, display name and how many
// records name it.
type Producer struct {
	Slug  string `json:"slug"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// ProducerCounts lists a snapshot's producers, most records first, then by slug.
func ProducerCounts(snap *Snapshot) []Producer {
	counts := map[string]int{}
	for _, e := range snap.Entries {
		for _, p := range e.Producers {
			counts[p]++
		}
	}
	out := make([]Producer, 0, len(counts))
	for slug, n := range counts {
		name := snap.Producers[slug]
		if name == "" {
			name = slug
		}
		out = append(out, Producer{Slug: slug, Name: name, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Slug < out[j].Slug
	})
	return out
}

package harvest

import (
	"fmt"
	"sort"
	"strings"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
)

// maxRejectedNotes bounds the report's notes on rejected producer names.
const maxRejectedNotes = 20

// rejectedProducerNotes explains, in the report, the producer names the
// configuration rejects (template placeholders such as "-- Nom de
// l'organisation responsable --", names in [producers] ignore): how many
// records name each, and that those records count under _none or their
// other producers (issue 9 item 10). Most frequent first.
func rejectedProducerNotes(cfg *config.Config, entries []cache.Entry) []string {
	type rejected struct {
		name, why string
		n, none   int
	}
	byName := map[string]*rejected{}
	for _, e := range entries {
		none := len(e.Producers) == 1 && e.Producers[0] == NoProducer
		seen := map[string]bool{}
		for _, name := range e.ProducerNames {
			name = strings.TrimSpace(name)
			if name == "" || seen[name] {
				continue
			}
			seen[name] = true
			why := cfg.Producers.Rejected(name)
			if why == "" || why == "no letter or digit" {
				continue
			}
			r := byName[name]
			if r == nil {
				r = &rejected{name: name, why: why}
				byName[name] = r
			}
			r.n++
			if none {
				r.none++
			}
		}
	}
	list := make([]*rejected, 0, len(byName))
	for _, r := range byName {
		list = append(list, r)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].n != list[j].n {
			return list[i].n > list[j].n
		}
		return list[i].name < list[j].name
	})
	var notes []string
	for i, r := range list {
		if i == maxRejectedNotes {
			notes = append(notes, fmt.Sprintf("%d more rejected producer names not listed", len(list)-i))
			break
		}
		notes = append(notes, fmt.Sprintf("producer name %q rejected (%s) in %d records: %d of them count under %s, the others under their other producers (an alias in [producers] claims the name)",
			r.name, r.why, r.n, r.none, NoProducer))
	}
	return notes
}

package dcat

import (
	"testing"
)

// This file checks what reaches data.gouv.fr (issue 9): the same facts in
// the feed (as udata's harvester reads it) and in the udata item.

// TestContactNameOnce: a contact point never carries the same value as
// vcard:fn and vcard:organization-name, which data.gouv.fr shows "X (X)".
func TestContactNameOnce(t *testing.T) {
	check := func(name string, f *Fragment) int {
		n := 0
		for _, c := range objects(f, f.IRI(), nsDCAT+"contactPoint") {
			n++
			fns := objects(f, c.Value, nsVCard+"fn")
			for _, on := range objects(f, c.Value, nsVCard+"organization-name") {
				for _, fn := range fns {
					if fn.Value == on.Value {
						t.Errorf("%s: contact %s has %q as name and organisation name", name, c.Value, fn.Value)
					}
				}
			}
		}
		return n
	}
	f, err := Map(Input{Record: handRecord()}, handOptions)
	if err != nil {
		t.Fatal(err)
	}
	if check("hand record", f) == 0 {
		t.Fatal("hand record: no contact point")
	}
	recs, frags := mapCorpus(t)
	total := 0
	for i, f := range frags {
		total += check(recs[i].name, f)
	}
	if total < 25 {
		t.Errorf("%d contact points in the corpus, want ≥ 25", total)
	}
}

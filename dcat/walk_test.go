package dcat

import (
	"bytes"
	"net/url"
	"strconv"
	"testing"

	"github.com/knakk/rdf"
)

// TestUdataWalk walks the corpus catalog feed the way udata's dcat
// harvester does (udata.md §A.4–A.10): Turtle pages, hydra:next until
// absent; every dcat:Dataset/DatasetSeries node needs exactly one
// dct:identifier and a dct:title, identifiers are unique across the walk,
// distribution URLs pass udata's URL rules, a DataService serving a dataset
// finds that dataset's identifier on the same page. Pages are parsed with
// knakk/rdf's Turtle decoder, independent of our writer.
func TestUdataWalk(t *testing.T) {
	_, frags := mapCorpus(t)
	var feed []*Fragment
	for _, f := range OrderForPage(catalogOf(frags)) {
		if f.Kind() == "dataset" || f.Kind() == "series" { // an organization feed without services
			feed = append(feed, f)
		}
	}
	const size = 7
	base := testOptions.PublicURL + "/catalogs/corpus/catalog.ttl"
	next := base + "?page=1&page_size=" + strconv.Itoa(size)
	seen := map[string]bool{}
	items, pages := 0, 0
	for next != "" && pages < 100 {
		u, err := url.Parse(next)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := strconv.Atoi(u.Query().Get("page"))
		lo := (page - 1) * size
		hi := min(lo+size, len(feed))
		var buf bytes.Buffer
		p := &Page{Options: testOptions, Fragments: feed[lo:hi], Total: len(feed), Page: page, PageSize: size, BaseURL: base, Query: u.Query()}
		if err := WritePage(&buf, Turtle, p); err != nil {
			t.Fatal(err)
		}
		ts, err := rdf.NewTripleDecoder(&buf, rdf.Turtle).DecodeAll()
		if err != nil {
			t.Fatalf("page %d: knakk cannot parse our Turtle: %v", page, err)
		}
		pages++
		next = ""
		bySubj := map[string]map[string][]rdf.Object{}
		for _, tr := range ts {
			s := tr.Subj.String()
			if bySubj[s] == nil {
				bySubj[s] = map[string][]rdf.Object{}
			}
			bySubj[s][tr.Pred.String()] = append(bySubj[s][tr.Pred.String()], tr.Obj)
		}
		for s, props := range bySubj {
			types := map[string]bool{}
			for _, o := range props[nsRDF+"type"] {
				types[o.String()] = true
			}
			if types[nsHydra+"PartialCollectionView"] && len(props[nsHydra+"next"]) > 0 {
				next = props[nsHydra+"next"][0].String()
			}
			if !types[nsDCAT+"Dataset"] && !types[nsDCAT+"DatasetSeries"] {
				continue
			}
			items++
			ids := props[nsDCT+"identifier"]
			if len(ids) != 1 {
				t.Errorf("page %d: %s has %d dct:identifier", page, s, len(ids))
				continue
			}
			if len(props[nsDCT+"title"]) == 0 {
				t.Errorf("page %d: %s has no dct:title", page, s)
			}
			if id := ids[0].String(); seen[id] {
				t.Errorf("page %d: identifier %q already seen", page, id)
			} else {
				seen[id] = true
			}
			for _, d := range props[nsDCAT+"distribution"] {
				dp := bySubj[d.String()]
				u := dp[nsDCAT+"downloadURL"]
				if len(u) == 0 {
					u = dp[nsDCAT+"accessURL"]
				}
				for _, x := range u {
					if reason := checkURL(x.String()); reason != "" {
						t.Errorf("page %d: %s: resource URL %q: %s", page, s, x.String(), reason)
					}
				}
			}
		}
	}
	if items != len(feed) || len(seen) != len(feed) {
		t.Errorf("walk found %d items (%d identifiers) in %d pages, feed has %d", items, len(seen), pages, len(feed))
	}
	t.Logf("walked %d pages, %d datasets and series, all with one identifier and a title", pages, items)
}

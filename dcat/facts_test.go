package dcat

import (
	"strings"
	"testing"
)

// TestCorpusInvariants checks, on every corpus record, the cardinalities
// and IRI rules the mapping promises (geodcat-mapping.md §3, udata.md §G).
func TestCorpusInvariants(t *testing.T) {
	recs, frags := mapCorpus(t)
	maxOne := []string{nsDCT + "format", nsDCAT + "mediaType", nsDCT + "license", nsDCT + "rights", nsDCAT + "bbox", nsLOCN + "geometry", nsDCT + "modified", nsDCT + "accessRights", nsDCT + "publisher", nsDCAT + "startDate", nsDCAT + "endDate"}
	for i, f := range frags {
		name := recs[i].name
		count := map[[2]string]int{}
		for _, tr := range f.d.Triples {
			for _, term := range []Term{tr.S, tr.O} {
				if term.Kind != kindIRI {
					continue
				}
				v := term.Value
				switch {
				case strings.HasPrefix(v, "mailto:"), strings.HasPrefix(v, "tel:"):
					if !checkIRIChars(v) {
						t.Errorf("%s: bad IRI %q", name, v)
					}
				case checkIRI(v) != "":
					t.Errorf("%s: IRI %q: %s", name, v, checkIRI(v))
				}
			}
			if tr.O.Kind == kindLiteral && tr.O.Lang == "" && tr.O.Datatype == "" && strings.TrimSpace(tr.O.Value) == "" {
				t.Errorf("%s: empty literal for %s", name, tr.P.Value)
			}
			count[[2]string{tr.S.Value, tr.P.Value}]++
		}
		for k, n := range count {
			for _, p := range maxOne {
				if k[1] == p && n > 1 {
					t.Errorf("%s: %s has %d %s", name, k[0], n, compactIRI(p))
				}
			}
		}
		r := f.IRI()
		if n := count[[2]string{r, nsDCT + "identifier"}]; n != 1 {
			t.Errorf("%s: %d dct:identifier", name, n)
		}
		if f.Kind() != "service" && count[[2]string{r, nsDCT + "conformsTo"}] > 0 {
			t.Errorf("%s: dataset-level dct:conformsTo", name)
		}
		if count[[2]string{f.RecordIRI(), nsFOAF + "primaryTopic"}] != 1 {
			t.Errorf("%s: catalog record without foaf:primaryTopic", name)
		}
		for _, th := range objects(f, r, nsDCAT+"theme") {
			if th.Kind != kindIRI || len(objects(f, th.Value, nsSKOS+"prefLabel")) == 0 {
				t.Errorf("%s: theme %v without IRI or skos:prefLabel", name, th)
			}
		}
		for _, per := range objects(f, r, nsDCT+"temporal") {
			s, e := objects(f, per.Value, nsDCAT+"startDate"), objects(f, per.Value, nsDCAT+"endDate")
			if len(s) == 1 && len(e) == 1 && s[0].Datatype != e[0].Datatype {
				t.Errorf("%s: period ends typed %s and %s", name, s[0].Datatype, e[0].Datatype)
			}
		}
	}
}

// TestCorpusFacts checks hand-reviewed facts on named corpus records: the
// defects of the reference mapping listed in geodcat-mapping.md §1.
func TestCorpusFacts(t *testing.T) {
	recs, frags := mapCorpus(t)
	byName := map[string]*Fragment{}
	for i, f := range frags {
		byName[recs[i].name] = f
	}
	get := func(name string) *Fragment {
		f := byName[name]
		if f == nil {
			t.Fatalf("corpus record %s not mapped", name)
		}
		return f
	}
	all := func(f *Fragment) string {
		var b strings.Builder
		for _, tr := range f.d.Triples {
			b.WriteString(tr.S.Value + " " + tr.P.Value + " " + tr.O.Value + "\n")
		}
		return b.String()
	}

	// Géo-IDE: codeSpace with newline and indent joined with "/" left out
	// (it ends with "/"), giving the URL identifier data.gouv.fr already holds.
	geoide := get("gnui__geoide.iso19139.dataset")
	if geoide.Identifier() != "http://catalogue.geo-ide.developpement-durable.gouv.fr/e88b2e8c-8c0e-4296-8ceb-57c8f779432a" || geoide.IRI() != geoide.Identifier() {
		t.Errorf("Géo-IDE identifier %q, IRI %q", geoide.Identifier(), geoide.IRI())
	}
	for _, want := range []string{inspireTh + "am", licLOv2.URL, inspireCL + "LimitationsOnPublicAccess/noLimitations", euLanguage + "FRA"} {
		if !strings.Contains(all(geoide), want) {
			t.Errorf("Géo-IDE record lacks %s", want)
		}
	}
	// French plain-text INSPIRE themes resolved (28 of 41 blocks in the corpus are text).
	if th := objects(get("udata__geonetwork-iso19139-page-1-1"), get("udata__geonetwork-iso19139-page-1-1").IRI(), nsDCAT+"theme"); len(th) == 0 || th[0].Value != inspireTh+"lu" {
		t.Errorf("GeoNetwork page 1 record themes = %v, want INSPIRE lu first", th)
	}
	// "mailto:niet beschikbaar" dropped, language "eng; CAN" dropped.
	if strings.Contains(all(get("owslib__csw_iso_identifier")), "niet beschikbaar") && strings.Contains(all(get("owslib__csw_iso_identifier")), "mailto:niet") {
		t.Error("mailto with free text emitted")
	}
	if objs := objects(get("owslib__9250AA67_iso"), get("owslib__9250AA67_iso").RecordIRI(), nsDCT+"language"); len(objs) != 0 {
		t.Errorf("language %v from \"eng; CAN\"", objs)
	}
	// Free-text service type normalised, never pasted into an IRI.
	svc := get("gnui__geo2france.iso19139.service")
	if st := objects(svc, svc.IRI(), nsGeoDCATAP+"serviceType"); len(st) != 1 || st[0].Value != inspireCL+"SpatialDataServiceType/view" {
		t.Errorf("Géo2France service type = %v", st)
	}
	if st := objects(svc, svc.IRI(), nsDCAT+"endpointURL"); len(st) != 1 {
		t.Errorf("Géo2France service endpointURL = %v", st)
	}
	// The placeholder "URL of the Spatial Data Service access point" never becomes an IRI.
	if strings.Contains(strings.ToLower(all(get("inspiremif__Invocable_SDS_metadata_2.0_example"))), "url of the") {
		t.Error("placeholder URL emitted")
	}
	// A Windows path as fileIdentifier gives an escaped minted IRI.
	win := get("pycsw__file_id_with_driveletter_and_backslashes")
	if !strings.HasPrefix(win.RecordIRI(), "https://passerelle.example.org/catalogs/corpus/records/C:%5C") || checkIRI(win.RecordIRI()) != "" {
		t.Errorf("record IRI %q", win.RecordIRI())
	}
	// Two hierarchyLevel values: the first wins, no crash.
	if k := get("owslib__iso_xml_srv").Kind(); k != "dataset" && k != "service" {
		t.Errorf("two hierarchyLevels: kind %q", k)
	}
	// Series are dcat:DatasetSeries.
	if k := get("semic__multilingual-resource-description").Kind(); k != "series" {
		t.Errorf("series kind = %q", k)
	}
	// HVD: category and applicable legislation.
	hvd := get("semic__hvd_dataset_multilingual")
	if len(objects(hvd, hvd.IRI(), nsDCATAP+"hvdCategory")) == 0 || len(objects(hvd, hvd.IRI(), nsDCATAP+"applicableLegislation")) == 0 {
		t.Error("HVD record lacks hvdCategory or applicableLegislation")
	}
	// transferSize (MB) → byteSize.
	if !strings.Contains(all(get("semic__transfersize-bytesize")), nsDCAT+"byteSize") {
		t.Error("transferSize not mapped to dcat:byteSize")
	}
}

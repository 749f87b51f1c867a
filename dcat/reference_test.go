package dcat

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// intendedMissing lists the predicates the reference XSLT puts on the main
// resource and the Go mapper leaves out on purpose (see DEVIATIONS.md).
var intendedMissing = map[string]string{
	nsDCT + "conformsTo":            "never a dataset-level dct:conformsTo: conformity goes to prov:wasUsedBy (udata stores conformsTo as the data schema)",
	nsPROV + "qualifiedAttribution": "roles are mapped to their DCAT/GeoDCAT-AP properties; the generic attribution is not emitted",
	nsDCAT + "endpointDescription":  "on DataService records only when the endpoint is an OGC service (a GetCapabilities URL is built)",
	nsGeoDCATAP + "serviceProtocol": "services carry dct:conformsTo <http://www.opengeospatial.org/standards/…>, the form udata reads",
	nsDCT + "accessRights":          "emitted only when an INSPIRE LimitationsOnPublicAccess value is recognised",
	nsDCT + "rightsHolder":          "owner parties: mapped when the record has one in pointOfContact/citedResponsibleParty; the reference reads metadata contacts too",
	nsDCAT + "contactPoint":         "from pointOfContact parties only",
	nsGeoDCATAP + "user":            "role user: emitted when a party has it",
	nsGeoDCATAP + "custodian":       "role custodian: emitted when a party has it",
	nsDCAT + "landingPage":          "only the catalog's own record page or gmd:dataSetURI; other information links become foaf:page (geodcat-mapping.md §3.7)",
}

// xmlNode is a generic XML element.
type xmlNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []xmlNode  `xml:",any"`
}

var mainClasses = map[string]bool{nsDCAT + "Dataset": true, nsDCAT + "DatasetSeries": true, nsDCAT + "DataService": true}

// refPredicates reads an RDF/XML file and returns the predicates of its main
// resources: node elements typed Dataset, DatasetSeries or DataService
// (by element name or rdf:type child) that are not inside a
// dcat:accessService or any other property element.
func refPredicates(t *testing.T, path string) map[string]bool {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var root xmlNode
	if err := xml.Unmarshal(raw, &root); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	preds := map[string]bool{}
	for _, n := range root.Children { // top-level node elements only
		name := n.XMLName.Space + n.XMLName.Local
		isMain := mainClasses[name]
		for _, c := range n.Children {
			if c.XMLName.Space+c.XMLName.Local == nsRDF+"type" {
				for _, a := range c.Attrs {
					if a.Name.Local == "resource" && mainClasses[a.Value] {
						isMain = true
					}
				}
			}
		}
		if !isMain {
			continue
		}
		for _, c := range n.Children {
			preds[c.XMLName.Space+c.XMLName.Local] = true
		}
		if name != nsRDF+"Description" {
			preds[nsRDF+"type"] = true
		}
	}
	return preds
}

// ourPredicates returns the predicates of the fragment's main resource.
func ourPredicates(f *Fragment) map[string]bool {
	preds := map[string]bool{}
	for _, t := range f.d.Triples {
		if t.S.Value == f.IRI() {
			preds[t.P.Value] = true
		}
	}
	return preds
}

// TestReferenceComparison compares, property by property, the main
// resource of SEMIC's expected outputs with ours for the same records.
func TestReferenceComparison(t *testing.T) {
	refs, _ := filepath.Glob(testenvCorpusFile(t, "reference-dcat", "semic-expected__*.rdf"))
	if len(refs) == 0 {
		t.Fatal("no reference outputs")
	}
	recs := loadCorpus(t)
	compared := 0
	for _, ref := range refs {
		name := "semic__" + strings.TrimSuffix(strings.TrimPrefix(filepath.Base(ref), "semic-expected__"), ".rdf")
		var frag *Fragment
		for _, cr := range recs {
			if cr.name == name || strings.HasPrefix(cr.name, name+"-") {
				f, err := Map(Input{Record: cr.rec}, testOptions)
				if err != nil {
					t.Fatal(err)
				}
				frag = f
				break
			}
		}
		if frag == nil {
			t.Errorf("%s: no corpus record", name)
			continue
		}
		want, got := refPredicates(t, ref), ourPredicates(frag)
		var missing, added []string
		for p := range want {
			if !got[p] {
				if _, ok := intendedMissing[p]; !ok {
					t.Errorf("%s: reference predicate %s missing and not an intended deviation", name, p)
				}
				missing = append(missing, p)
			}
		}
		for p := range got {
			if !want[p] {
				added = append(added, p)
			}
		}
		sort.Strings(missing)
		sort.Strings(added)
		t.Logf("%s: missing %v; added %v", name, short(missing), short(added))
		compared++
	}
	t.Logf("compared %d reference outputs", compared)
}

func short(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = compactIRI(p)
	}
	return out
}

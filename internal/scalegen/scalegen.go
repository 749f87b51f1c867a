// Package scalegen makes any number of real-size ISO 19139 records from the
// French records of the shared corpus, for scale benchmarks
// (scripts/bench-scale.sh, harvest and served benchmarks). Record i is a
// corpus record whose fileIdentifier, resource identifier, title, first
// producer name and bounding boxes are varied with i; everything else (and
// so the size, 15–45 KB) stays as published. No network. Test support only.
package scalegen

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/passerelle/passerelle/iso"
)

// Sources are the corpus records (under corpus/records) the generator
// varies: French records of French catalogs, 15–45 KB each.
var Sources = []string{
	"gnui__geo2france.iso19139.plu.xml",
	"gnui__geo2france.iso19139.scot.xml",
	"gnui__geo2france.iso19139.service.xml",
	"gnui__geo2france.iso19139.service+eaux-usees.xml",
	"gnui__geo2france.iso19139.reuse+ongules.xml",
	"gnui__geo2france.iso19139.reuse+roilaye.xml",
	"gnui__geoide.iso19139.dataset.xml",
	"gnui__georhena.iso19139.reuse+solaire.xml",
	"owslib__csw_geobretagne_mdmetadata.xml",
	"semic__multilingual-resource-description.xml",
}

// Producers is how many distinct producer names the generator spreads
// records over (per source record).
const Producers = 40

type template struct {
	raw       []byte
	fileID    []byte
	ident     []byte // resource identifier when it does not contain fileID
	producer  []byte
	hasBBoxes bool
}

// Generator makes records. Safe for concurrent use once built.
type Generator struct {
	templates []template
}

// New reads the source records from corpusDir (…/shared/corpus).
func New(corpusDir string) (*Generator, error) {
	g := &Generator{}
	for _, name := range Sources {
		raw, err := os.ReadFile(filepath.Join(corpusDir, "records", name))
		if err != nil {
			return nil, fmt.Errorf("scalegen: read source: %w", err)
		}
		rec, err := iso.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("scalegen: parse %s: %w", name, err)
		}
		if rec.FileIdentifier == "" {
			continue
		}
		t := template{raw: raw, fileID: []byte(rec.FileIdentifier)}
		if len(rec.Identifiers) > 0 {
			if code := []byte(strings.TrimSpace(rec.Identifiers[0].Code)); len(code) > 0 && !bytes.Contains(code, t.fileID) && bytes.Contains(raw, code) {
				t.ident = code
			}
		}
		for _, n := range rec.ProducerNames() {
			if b := []byte(n); bytes.Contains(raw, b) {
				t.producer = b
				break
			}
		}
		t.hasBBoxes = len(rec.BoundingBoxes) > 0
		g.templates = append(g.templates, t)
	}
	if len(g.templates) == 0 {
		return nil, fmt.Errorf("scalegen: no usable source record in %s", corpusDir)
	}
	return g, nil
}

var titleRE = regexp.MustCompile(`<(?:[a-zA-Z0-9]+:)?title(?:\s[^>]*)?>\s*<(?:[a-zA-Z0-9]+:)?(?:CharacterString|Anchor)[^>]*>\s*`)

var bboxRE = regexp.MustCompile(`(<(?:[a-zA-Z0-9]+:)?(west|east|south|north)Bound(?:Longitude|Latitude)>\s*<(?:[a-zA-Z0-9]+:)?Decimal>)([^<]*)(<)`)

// Record returns record i (from 0): deterministic, distinct fileIdentifier
// and resource identifier for every i.
func (g *Generator) Record(i int) []byte {
	t := &g.templates[i%len(g.templates)]
	suffix := []byte(fmt.Sprintf("-s%07d", i))
	out := bytes.ReplaceAll(t.raw, t.fileID, append(append([]byte{}, t.fileID...), suffix...))
	if t.ident != nil {
		out = bytes.ReplaceAll(out, t.ident, append(append([]byte{}, t.ident...), suffix...))
	}
	// The first title (the resource's) gets a lot number in front.
	if from := bytes.Index(out, []byte(":identificationInfo")); from >= 0 {
		if loc := titleRE.FindIndex(out[from:]); loc != nil {
			at := from + loc[1]
			out = append(append(append([]byte{}, out[:at]...), fmt.Sprintf("Lot %d — ", i)...), out[at:]...)
		}
	}
	if t.producer != nil {
		out = bytes.ReplaceAll(out, t.producer, append(append([]byte{}, t.producer...), []byte(fmt.Sprintf(" %d", (i/len(g.templates))%Producers))...))
	}
	if t.hasBBoxes {
		// A box somewhere in metropolitan France, 0.05° to 2° wide.
		h := uint32(i)*2654435761 + 12345
		west := -5 + float64(h%1300)/100
		south := 42 + float64((h/1300)%800)/100
		size := 0.05 + float64((h/1040000)%195)/100
		vals := map[string]float64{"west": west, "east": west + size, "south": south, "north": south + size}
		out = bboxRE.ReplaceAllFunc(out, func(m []byte) []byte {
			sm := bboxRE.FindSubmatch(m)
			v := strconv.FormatFloat(vals[string(sm[2])], 'f', 4, 64)
			return append(append(append([]byte{}, sm[1]...), v...), sm[4]...)
		})
	}
	return out
}

package iso

import (
	"os"
	"testing"

	"github.com/passerelle/passerelle/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func parseCorpus(t *testing.T, elem ...string) *Record {
	t.Helper()
	raw, err := os.ReadFile(testenv.Corpus(t, elem...))
	require.NoError(t, err)
	r, err := Parse(raw)
	require.NoError(t, err)
	return r
}

// Facts checked by hand against the corpus files (read with an editor),
// independent of the goldens.

func TestFactsGeoIDE(t *testing.T) {
	r := parseCorpus(t, "records", "gnui__geoide.iso19139.dataset.xml")
	// codeSpace is written "http://catalogue.geo-ide.developpement-durable.gouv.fr\n    ".
	assert.Equal(t, "http://catalogue.geo-ide.developpement-durable.gouv.fr/e88b2e8c-8c0e-4296-8ceb-57c8f779432a", r.ResourceIdentifier())
	assert.Equal(t, "fr-120066022-jdd-763296bf-fc8d-46a2-ab4f-e2d607adf4fa", r.FileIdentifier)
	assert.Equal(t, "dataset", r.Type())
	assert.Equal(t, "2022-06-23", r.Modified())
	assert.Equal(t, []string{"DDT de la Haute-Vienne"}, r.ProducerNames())
	assert.Equal(t, "Zones de bruit (ZBR) des cartes de bruit stratégique (CBS) de type A pour l'indice associé Lden agrégées des infrastructures ferroviaires en Haute-Vienne", r.Title.Value)
	require.Len(t, r.ReferenceSystems, 1)
	assert.Equal(t, Identifier{Code: "2154", CodeSpace: "EPSG", Href: "http://www.opengis.net/def/crs/EPSG/0/2154", Anchor: true}, r.ReferenceSystems[0])
	require.Len(t, r.Resolutions, 1)
	assert.Equal(t, int64(25000), r.Resolutions[0].Denominator)
	assert.Len(t, r.OnlineResources, 7)
}

func TestFactsTranslations(t *testing.T) {
	r := parseCorpus(t, "records", "gnui__metadata-for-i18n.dataset.xml")
	// Locale ids FR/EN/DE/IT resolve to this record's language codes.
	assert.ElementsMatch(t, []string{"fre", "eng", "ger", "ita"}, keys(r.Title.Translations))
	var abri Text
	for _, g := range r.Keywords {
		for _, k := range g.Keywords {
			if k.Value == "abri" {
				abri = k
			}
		}
	}
	assert.Equal(t, map[string]string{"eng": "shelter", "fre": "abri", "ger": "Unterschlupf", "ita": "riparo"}, abri.Translations)

	r = parseCorpus(t, "broken", "owslib__iso_che.xml")
	assert.Equal(t, "CHE_MD_Metadata", r.RootName)
	assert.Equal(t, "data", r.IdentificationKind)
	assert.Equal(t, "Gewässerschutzkarte", r.Title.Value)
	require.Len(t, r.OnlineResources, 1, "che:PT_FreeURL linkage")
	assert.Equal(t, "http://www.zugmap.ch/?link=gewaesserschutzkarte", r.OnlineResources[0].URL)
	assert.Equal(t, []BoundingBox{{West: 8.396, East: 8.701, South: 47.082, North: 47.248}}, r.BoundingBoxes)
}

func TestFactsProducers(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		// owner ×2, then author and resourceProvider in document order, then the
		// metadata contact (a different spelling, hence a different slug).
		{"gnui__geo2france.iso19139.reuse+ongules.xml", []string{
			"Office France de la Biodiversité", "Fédération Nationale de la Chasse",
			"Réseau Ongulés sauvages OFB-FNC-FDC", "Fédération Départementale de la Chasse",
			"Office français de la biodiversité",
		}},
		// custodian before author; distributor and contact repeat known names.
		{"gnui__generic-dataset.iso19139.xml", []string{"Another Organization", "MyOrganization"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			assert.Equal(t, tc.want, parseCorpus(t, "records", tc.file).ProducerNames())
		})
	}
}

func TestFactsIdentifiersAndLicences(t *testing.T) {
	r := parseCorpus(t, "records", "semic__identifiers-anchor.xml")
	require.NotEmpty(t, r.Identifiers)
	assert.True(t, r.Identifiers[0].Anchor)
	assert.Equal(t, r.Identifiers[0].Code, r.ResourceIdentifier())

	r = parseCorpus(t, "records", "semic__distributorinfo-multiple.xml")
	assert.Equal(t, "http://www.my-organisation.eu/so/lu/land-use-map", r.ResourceIdentifier())
	require.Len(t, r.Constraints, 2)
	assert.Equal(t, "legal", r.Constraints[0].Kind)
	assert.Equal(t, []string{"otherRestrictions"}, r.Constraints[0].UseConstraints)
	assert.Equal(t, []Text{{
		Value: "No conditions apply to access and use",
		Href:  "http://inspire.ec.europa.eu/metadata-codelist/ConditionsApplyingToAccessAndUse/noConditionsApply",
	}}, r.Constraints[0].OtherConstraints)
	// Two distributors, each with its own transfer options.
	require.Len(t, r.Distributors, 2)
	require.Len(t, r.OnlineResources, 2)
	assert.Equal(t, 0, r.OnlineResources[0].Distributor)
	assert.Equal(t, 1, r.OnlineResources[1].Distributor)
	assert.Equal(t, []TemporalExtent{{Begin: "2019-04-29", EndIndeterminate: "now"}}, r.TemporalExtents)
}

func TestFactsTransferSizeAndBBox(t *testing.T) {
	r := parseCorpus(t, "records", "semic__transfersize-bytesize.xml")
	var sizes []float64
	for _, o := range r.OnlineResources {
		if o.TransferSizeMB != 0 {
			sizes = append(sizes, o.TransferSizeMB)
		}
	}
	assert.Equal(t, []float64{0.213701}, sizes)

	r = parseCorpus(t, "records", "semic__geo-bbox-precision.xml")
	require.Len(t, r.BoundingBoxes, 1)
	b := r.BoundingBoxes[0]
	// Written "-054.75", "-49.75000000001", "3.25000001", "08.00".
	assert.Equal(t, BoundingBox{West: -54.75, East: -49.75000000001, South: 3.25000001, North: 8}, b)
	assert.True(t, b.Valid())
}

func TestFactsService(t *testing.T) {
	r := parseCorpus(t, "records", "owslib__iso19139_srv.xml")
	assert.Equal(t, "service", r.Type())
	require.NotNil(t, r.Service)
	require.Len(t, r.Service.OperatesOn, 6)
	assert.Equal(t, OperatesOn{
		UUIDRef: "083f524b-7474-4e05-a937-1bac657f0344",
		Href:    "https://registry.gdi-de.org/id/de.by/083f524b-7474-4e05-a937-1bac657f0344",
		Title:   "ave:Flurstueck",
	}, r.Service.OperatesOn[0])

	r = parseCorpus(t, "records", "gnui__geo2france.iso19139.service.xml")
	require.NotNil(t, r.Service)
	assert.Equal(t, "OGC:WMS, WFS", r.Service.Type)

	r = parseCorpus(t, "records", "ckanspatial__gemini_12_Service_Valid.xml")
	require.NotNil(t, r.Service)
	assert.Equal(t, "view", r.Service.Type)
	assert.NotEmpty(t, r.BoundingBoxes, "srv:extent")
}

func TestFactsMI(t *testing.T) {
	r := parseCorpus(t, "records", "owslib__iso_mi.xml")
	assert.Equal(t, "gmi:MI_Metadata", r.RootName)
	assert.NotEmpty(t, r.Title.Value)
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

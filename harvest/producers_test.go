package harvest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPlaceholderProducersRejected: without any [producers] section, a
// record naming only "-- Nom de l'organisation responsable --" counts under
// _none, a template name beside a real one leaves the real one, an alias
// claims a template name, and the report says which names were rejected
// and why (issue 9 item 10).
func TestPlaceholderProducersRejected(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "records")
	require.NoError(t, os.Mkdir(dir, 0o755))
	f := open(t, root, `[server]
public_url = "http://127.0.0.1:8080"

[[catalog]]
id = "test"
title = "Test"
dir = "records"

[producers]
aliases = { "[SIG Rennes]" = "Rennes Métropole" }
`, "test")
	f.dir = dir
	f.write("a.xml", isoRecord("a", "Jeu A", "2024-01-01T00:00:00", "-- Nom de l'organisation responsable --"))
	f.write("b.xml", isoRecord("b", "Jeu B", "2024-01-01T00:00:00", "A RENSEIGNER"))
	f.write("c.xml", isoRecord("c", "Jeu C", "2024-01-01T00:00:00", "[SIG Rennes]"))
	f.write("d.xml", strings.Replace(isoRecord("d", "Jeu D", "2024-01-01T00:00:00", "Région Bretagne"),
		"<gmd:dateStamp>", `<gmd:contact><gmd:CI_ResponsibleParty>
    <gmd:organisationName><gco:CharacterString>xxx</gco:CharacterString></gmd:organisationName>
    <gmd:role><gmd:CI_RoleCode codeList="http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#CI_RoleCode" codeListValue="pointOfContact"/></gmd:role>
  </gmd:CI_ResponsibleParty></gmd:contact>
  <gmd:dateStamp>`, 1))
	rep := f.run(Options{})
	require.Equal(t, StatusOK, rep.Status, "%+v", rep.Errors)
	producers := map[string][]string{}
	for _, e := range f.snapshot().Entries {
		producers[e.ID] = e.Producers
	}
	assert.Equal(t, []string{NoProducer}, producers["a"])
	assert.Equal(t, []string{NoProducer}, producers["b"])
	assert.Equal(t, []string{"rennes-metropole"}, producers["c"], "an alias wins over the placeholder rule")
	assert.Equal(t, []string{"region-bretagne"}, producers["d"], "the template name beside a real one is dropped")
	notes := strings.Join(rep.Notes, "\n")
	assert.Contains(t, notes, `producer name "-- Nom de l'organisation responsable --" rejected (template placeholder (wrapped in --)) in 1 records: 1 of them count under _none`)
	assert.Contains(t, notes, `producer name "A RENSEIGNER" rejected (template placeholder (template phrase a renseigner))`)
	assert.Contains(t, notes, `producer name "xxx" rejected (template placeholder (only punctuation or x)) in 1 records: 0 of them count under _none`)
	assert.NotContains(t, notes, "SIG Rennes")
}

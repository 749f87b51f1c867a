package served

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"

	"github.com/passerelle/passerelle/iso"
)

// TestInternModelSharesStrings: two models with equal strings share their
// bytes after interning, and keep their values (maps included).
func TestInternModelSharesStrings(t *testing.T) {
	mk := func() *iso.Record {
		return &iso.Record{
			FileIdentifier: fmt.Sprint("id-1", len("id-1")),
			Title:          iso.Text{Value: fmt.Sprint("Titre", len("Titre")), Translations: map[string]string{fmt.Sprint("eng", len("eng")): fmt.Sprint("Title", len("Title"))}},
			Keywords:       []iso.KeywordGroup{{Keywords: []iso.Text{{Value: fmt.Sprint("eau", len("eau"))}}}},
			BoundingBoxes:  []iso.BoundingBox{{West: 1, East: 2, South: 3, North: 4}},
		}
	}
	a, b := mk(), mk()
	assert.NotEqual(t, addr(a.Title.Value), addr(b.Title.Value))
	internModel(a)
	internModel(b)
	assert.Equal(t, mk(), a, "values unchanged")
	assert.Equal(t, addr(a.Title.Value), addr(b.Title.Value))
	assert.Equal(t, addr(a.Keywords[0].Keywords[0].Value), addr(b.Keywords[0].Keywords[0].Value))
	assert.Equal(t, addr(a.Title.Translations["eng3"]), addr(b.Title.Translations["eng3"]))
}

func addr(s string) uintptr { return uintptr(unsafe.Pointer(unsafe.StringData(s))) }

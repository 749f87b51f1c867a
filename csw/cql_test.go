package csw

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCQL(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"apiso:OrganisationName = 'NTUA'", "OrganisationName = 'NTUA'"},
		{"csw:AnyText Like '%birds%'", "AnyText LIKE '%birds%'"},
		{"dc:title like 'it''s'", "Title LIKE 'it''s'"},
		{`"dc:title" = 'x'`, "Title = 'x'"},
		{"dc:title != 'x'", "Title <> 'x'"},
		{"Type = 'dataset' AND Title LIKE 'a%' OR Type = 'service'", "((Type = 'dataset' AND Title LIKE 'a%') OR Type = 'service')"},
		{"Type = 'dataset' AND (Title LIKE 'a%' OR Type = 'service')", "(Type = 'dataset' AND (Title LIKE 'a%' OR Type = 'service'))"},
		{"NOT NOT Type = 'x'", "NOT (NOT (Type = 'x'))"},
		{"Modified > 2024-01-01", "Modified > '2024-01-01'"},
		{"Modified BETWEEN '2020' AND '2021-06'", "Modified BETWEEN '2020' AND '2021-06'"},
		{"Title NOT BETWEEN 'a' AND 'b'", "NOT (Title BETWEEN 'a' AND 'b')"},
		{"Format IS NOT NULL", "NOT (Format IS NULL)"},
		{"BBOX(ows:BoundingBox, -5.5, 41, 10, 52.25)", "BBOX(BoundingBox, -5.5, 41, 10, 52.25)"},
		{"BBOX(ows:BoundingBox, 41, -5.5, 52.25, 10, 'urn:ogc:def:crs:EPSG::4326')", "BBOX(BoundingBox, -5.5, 41, 10, 52.25)"},
		{"  dc:subject   =   'eau'  ", "Subject = 'eau'"},
	}
	for _, tc := range tests {
		if tc.want == "" {
			continue
		}
		t.Run(tc.in, func(t *testing.T) {
			f, err := ParseCQL(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, f.String())
			// The canonical form parses back to itself.
			g, err := ParseCQL(f.String())
			require.NoError(t, err)
			assert.Equal(t, f.String(), g.String())
		})
	}
}

func TestParseCQLErrors(t *testing.T) {
	tests := []string{
		"",
		"   ",
		"dc:title",
		"dc:title =",
		"dc:title = 'unterminated",
		"dc:title = 'x' AND",
		"dc:title = 'x' 'y'",
		"(dc:title = 'x'",
		"dc:title = 'x')",
		"foo:title = 'x'",
		"unknown = 'x'",
		"dc:title LIKE x",
		"dc:title IS 'x'",
		"dc:title BETWEEN 'a' 'b'",
		"ows:BoundingBox = 'x'",
		"BBOX(ows:BoundingBox, 1, 2, 3)",
		"BBOX(dc:title, 1, 2, 3, 4)",
		"BBOX(ows:BoundingBox, 1, 2, 3, x)",
		"BBOX(ows:BoundingBox, 3, 2, 1, 4)",
		"BBOX(ows:BoundingBox, 1, 2, 3, 4, 'EPSG:2154')",
		"BBOX(ows:BoundingBox, 1, 2, 3, 4",
		"apiso:Modified > 'last week'",
		"dc:title ! 'x'",
		"dc:title = 'x' ; DROP TABLE",
		strings.Repeat("(", MaxFilterDepth+2) + "Type = 'x'" + strings.Repeat(")", MaxFilterDepth+2),
		strings.Repeat("NOT ", MaxFilterDepth+2) + "Type = 'x'",
		strings.TrimSuffix(strings.Repeat("Type = 'x' OR ", MaxFilterNodes+1), " OR "),
		strings.Repeat("x", MaxCQLBytes+1),
	}
	for _, in := range tests {
		name := in
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			_, err := ParseCQL(in)
			var ex *Exception
			require.ErrorAs(t, err, &ex)
			assert.Equal(t, ExceptionInvalidParameterValue, ex.Code)
			assert.Equal(t, "constraint", ex.Locator)
		})
	}
}

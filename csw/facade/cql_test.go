package facade

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
		{"BBOX(ows:BoundingBox, 100000, 6000000, 1200000, 7200000, 'EPSG:2154')", ""},
		{"INTERSECTS(ows:BoundingBox, POLYGON((1 2, 3 2, 3 4, 1 2)))", "INTERSECTS(BoundingBox, POLYGON((1 2, 3 2, 3 4, 1 2)))"},
		{"within(BoundingBox, POLYGON((1 2, 3 2, 3 4, 1 2)))", "WITHIN(BoundingBox, POLYGON((1 2, 3 2, 3 4, 1 2)))"},
		{"CONTAINS(ows:BoundingBox, POINT(2 48))", "CONTAINS(BoundingBox, POLYGON((2 48, 2 48, 2 48, 2 48, 2 48)))"},
		{"DISJOINT(ows:BoundingBox, POLYGON((1 2, 3 2, 3 4, 1 2)))", "DISJOINT(BoundingBox, POLYGON((1 2, 3 2, 3 4, 1 2)))"},
		{"apiso:CreationDate >= '2020-01-01' AND apiso:Denominator < 50000", "(CreationDate >= '2020-01-01' AND Denominator < '50000')"},
		{"dc:date LIKE '2024%'", "date LIKE '2024%'"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			f, err := ParseCQL(tc.in)
			require.NoError(t, err)
			if tc.want != "" {
				assert.Equal(t, tc.want, f.String())
			}
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
		"INTERSECTS(ows:BoundingBox, LINESTRING(1 2, 3 4))",
		"INTERSECTS(dc:title, POLYGON((1 2, 3 2, 3 4)))",
		"INTERSECTS(ows:BoundingBox, POLYGON((1 2, 3 2)))",
		"INTERSECTS(ows:BoundingBox, POLYGON((1 2, 3 2, 3 4)))",
		"INTERSECTS(ows:BoundingBox, POLYGON((1 2, 3 2, 3 4, 5 6)))",
		"INTERSECTS(ows:BoundingBox, POLYGON((1 2, 3 x, 3 4)))",
		"INTERSECTS(ows:BoundingBox, POINT(1 2, 3 4))",
		"apiso:Denominator < 'many'",
		"apiso:CreationDate > 'soon'",
		"dc:title IS 'x'",
		"dc:title BETWEEN 'a' 'b'",
		"ows:BoundingBox = 'x'",
		"BBOX(ows:BoundingBox, 1, 2, 3)",
		"BBOX(dc:title, 1, 2, 3, 4)",
		"BBOX(ows:BoundingBox, 1, 2, 3, x)",
		"BBOX(ows:BoundingBox, 3, 2, 1, 4)",
		"BBOX(ows:BoundingBox, 1, 2, 3, 4, 'EPSG:99999')",
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

package facade

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCRSInverse checks the projections against GDAL 3.6 (PROJ 9):
// `echo "E N" | gdaltransform -s_srs EPSG:code -t_srs EPSG:4326` printed
// the expected longitude and latitude (OSR_USE_NON_DEPRECATED=NO for 2192).
// GDAL applies datum shifts we leave out (ED50, NTF: about 100 m), hence a
// coarser tolerance for those.
func TestCRSInverse(t *testing.T) {
	tests := []struct {
		srs      string
		e, n     float64
		lon, lat float64
		tol      float64
	}{
		{"EPSG:2154", 652469, 6862035, 2.3521997195163, 48.8565976653841, 1e-6},
		{"urn:ogc:def:crs:EPSG::2154", 100000, 6000000, -4.09923562794255, 40.8604338756916, 1e-6},
		{"http://www.opengis.net/def/crs/EPSG/0/3857", 261845.7, 6250566.7, 2.35219994390975, 48.8566138922047, 1e-7},
		{"EPSG:32631", 448251, 5411935, 2.29448886597191, 48.8582208233898, 1e-6},
		{"EPSG:32630", 700000, 5300000, -0.327945221812739, 47.8222356200062, 1e-6},
		{"EPSG:32740", 340000, 7660000, 55.4590337337735, -21.1542891934097, 1e-6},
		{"EPSG:32620", 700000, 1800000, -61.1284178175783, 16.2725566935441, 1e-6},
		{"EPSG:25831", 448251, 5411935, 2.29448886596299, 48.8582208244922, 1e-6},
		{"EPSG:2975", 340000, 7660000, 55.45903373377, -21.1542891940606, 1e-6},
		{"EPSG:2972", 300000, 500000, -52.8026269460469, 4.5213183082414, 1e-6},
		{"EPSG:4471", 500000, 8580000, 45, -12.845045597655, 1e-6},
		{"EPSG:3948", 1651000, 8176000, 2.2091895439121, 56.7341003982555, 1e-6},
		{"EPSG:3943", 1700000, 2200000, 3, 43, 1e-6},
		{"EPSG:27572", 600000, 2430000, 2.33650540352806, 48.8683214186735, 0.003},
		{"urn:x-ogc:def:crs:EPSG:6.11:2192", -72310.84768270838, 2013215.2698528299, -6.17233277268788, 44.7908940460464, 0.003},
		{"urn:x-ogc:def:crs:EPSG:6.11:2192", 279667.74290441966, 2690819.5081175645, -2.22943112718834, 51.125097806304, 0.003},
	}
	for _, tc := range tests {
		t.Run(tc.srs, func(t *testing.T) {
			c, ok := parseCRS(tc.srs, true)
			require.True(t, ok)
			lon, lat := c.lonLat(tc.e, tc.n)
			assert.InDelta(t, tc.lon, lon, tc.tol, "longitude")
			assert.InDelta(t, tc.lat, lat, tc.tol, "latitude")
		})
	}
}

func TestCRSAxisOrder(t *testing.T) {
	tests := []struct {
		srs      string
		emptyLat bool
		ok       bool
		lon, lat float64 // of the position (10, 20) as written
	}{
		{"", true, true, 20, 10},
		{"", false, true, 10, 20},
		{"urn:ogc:def:crs:EPSG::4326", false, true, 20, 10},
		{"urn:x-ogc:def:crs:EPSG:6.11:4326", false, true, 20, 10},
		{"http://www.opengis.net/def/crs/EPSG/0/4326", false, true, 20, 10},
		{"EPSG:4326", true, true, 10, 20},
		{"http://www.opengis.net/gml/srs/epsg.xml#4326", true, true, 10, 20},
		{"urn:ogc:def:crs:OGC:1.3:CRS84", true, true, 10, 20},
		{"CRS:84", true, true, 10, 20},
		{"http://www.opengis.net/def/crs/OGC/1.3/CRS84", true, true, 10, 20},
		{"urn:ogc:def:crs:EPSG:6.6:4326", false, true, 20, 10},
		{"urn:ogc:def:crs:EPSG::2154", false, true, 0, 0},
		{"urn:ogc:def:crs:EPSG::4258", false, true, 20, 10},
		{"EPSG:99999", true, false, 0, 0},
		{"urn:ogc:def:crs:EPSG::nope", true, false, 0, 0},
		{"something", true, false, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.srs, func(t *testing.T) {
			c, ok := parseCRS(tc.srs, tc.emptyLat)
			require.Equal(t, tc.ok, ok)
			if ok && c.proj == nil {
				lon, lat := c.lonLat(10, 20)
				assert.Equal(t, [2]float64{tc.lon, tc.lat}, [2]float64{lon, lat})
			}
		})
	}
}

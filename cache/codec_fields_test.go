package cache

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fill sets every field of v (a pointer to a struct) to a non-zero value,
// recursively, so a round trip shows which fields a codec drops.
func fill(t *testing.T, v reflect.Value, seed int) {
	t.Helper()
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fill(t, v.Elem(), seed)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2024, 1, 2, 3, 4, 5, 6000+seed, time.UTC)))
			return
		}
		for i := range v.NumField() {
			fill(t, v.Field(i), seed+i+1)
		}
	case reflect.String:
		v.SetString("s" + string(rune('a'+seed%26)) + "é")
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(seed + 7))
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte{byte(seed), 1, 2})
			return
		}
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(t, s.Index(i), seed+i*3)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k := reflect.New(v.Type().Key()).Elem()
		fill(t, k, seed)
		e := reflect.New(v.Type().Elem()).Elem()
		fill(t, e, seed+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	default:
		t.Fatalf("fill: unhandled kind %s", v.Kind())
	}
}

// TestCodecCoversEveryField fails when a field is added to Snapshot, Entry
// or StoredRecord and the binary codec does not carry it.
func TestCodecCoversEveryField(t *testing.T) {
	var snap Snapshot
	fill(t, reflect.ValueOf(&snap), 0)
	got, err := decodeSnapshot(encodeSnapshot(&snap))
	require.NoError(t, err)
	require.Equal(t, &snap, got)

	var rec StoredRecord
	fill(t, reflect.ValueOf(&rec), 0)
	back, err := decodeRecord(rec.Hash, encodeRecord(&rec))
	require.NoError(t, err)
	require.Equal(t, rec, back)
}

package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"
)

// The raw* types receive the decoded TOML. Scalars accept a value of any
// TOML type and remember a wrong one, so that every type problem is reported
// with the others instead of stopping the decoder at the first; Set tells a
// key left out (the default applies) from one written.

type rawString struct {
	V   string
	Set bool
	Got string // TOML type found when it was not a string
}

func (s *rawString) UnmarshalTOML(v any) error {
	s.Set = true
	if x, ok := v.(string); ok {
		s.V = x
	} else {
		s.Got = tomlType(v)
	}
	return nil
}

type rawInt struct {
	V   int64
	Set bool
	Got string
}

func (n *rawInt) UnmarshalTOML(v any) error {
	n.Set = true
	if x, ok := v.(int64); ok {
		n.V = x
	} else {
		n.Got = tomlType(v)
	}
	return nil
}

type rawBool struct {
	V   bool
	Set bool
	Got string
}

func (b *rawBool) UnmarshalTOML(v any) error {
	b.Set = true
	if x, ok := v.(bool); ok {
		b.V = x
	} else {
		b.Got = tomlType(v)
	}
	return nil
}

// rawStrings is an array of strings.
type rawStrings struct {
	V   []string
	Set bool
	Got string
}

func (s *rawStrings) UnmarshalTOML(v any) error {
	s.Set = true
	arr, ok := v.([]any)
	if !ok {
		s.Got = tomlType(v)
		return nil
	}
	s.V = make([]string, 0, len(arr))
	for _, e := range arr {
		x, ok := e.(string)
		if !ok {
			s.Got = "array containing a " + tomlType(e)
			s.V = nil
			return nil
		}
		s.V = append(s.V, x)
	}
	return nil
}

// rawStringMap is a table whose keys are free and whose values are strings.
type rawStringMap struct {
	V    map[string]string
	Keys []string // sorted, for stable messages
	Set  bool
	Got  string
}

func (m *rawStringMap) UnmarshalTOML(v any) error {
	m.Set = true
	t, ok := v.(map[string]any)
	if !ok {
		m.Got = tomlType(v)
		return nil
	}
	m.V = make(map[string]string, len(t))
	for k, e := range t {
		x, ok := e.(string)
		if !ok {
			m.Got = fmt.Sprintf("table whose value %q is a %s", k, tomlType(e))
			m.V = nil
			m.Keys = nil
			return nil
		}
		m.V[k] = x
		m.Keys = append(m.Keys, k)
	}
	sort.Strings(m.Keys)
	return nil
}

func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case int64:
		return "integer"
	case float64:
		return "float"
	case bool:
		return "boolean"
	case time.Time:
		return "datetime"
	case []any, []map[string]any:
		return "array"
	case map[string]any:
		return "table"
	}
	return fmt.Sprintf("%T", v)
}

type rawFile struct {
	Server        rawServer         `toml:"server"`
	Harvest       rawHarvest        `toml:"harvest"`
	Catalogs      []rawCatalog      `toml:"catalog"`
	Organizations []rawOrganization `toml:"organization"`
	Producers     rawProducers      `toml:"producers"`
}

type rawServer struct {
	PublicURL rawString `toml:"public_url"`
}

type rawHarvest struct {
	MaxDuration    rawString `toml:"max_duration"`
	MaxConcurrent  rawInt    `toml:"max_concurrent"`
	MaxRecordBytes rawInt    `toml:"max_record_bytes"`
	MaxTextBytes   rawInt    `toml:"max_text_bytes"`
}

type rawCatalog struct {
	ID             rawString    `toml:"id"`
	Title          rawString    `toml:"title"`
	Description    rawString    `toml:"description"`
	Publisher      rawString    `toml:"publisher"`
	URL            rawString    `toml:"url"`
	Dir            rawString    `toml:"dir"`
	Every          rawString    `toml:"every"`
	PageSize       rawInt       `toml:"page_size"`
	Timeout        rawString    `toml:"timeout"`
	Constraint     rawString    `toml:"constraint"`
	NamespaceParam rawBool      `toml:"namespace_param"`
	CQLTextParam   rawBool      `toml:"cql_text_param"`
	BriefThenByID  rawBool      `toml:"brief_then_by_id"`
	Sort           rawBool      `toml:"sort"`
	Headers        rawStringMap `toml:"headers"`
	MaxRecords     rawInt       `toml:"max_records"`
	MaxDuration    rawString    `toml:"max_duration"`
}

type rawOrganization struct {
	ID         rawString   `toml:"id"`
	Title      rawString   `toml:"title"`
	DatagouvID rawString   `toml:"datagouv_id"`
	Mode       rawString   `toml:"mode"`
	Services   rawBool     `toml:"services"`
	AutoPush   rawBool     `toml:"auto_push"`
	Sources    []rawSource `toml:"source"`
}

type rawSource struct {
	Catalog   rawString  `toml:"catalog"`
	Producers rawStrings `toml:"producers"`
}

type rawProducers struct {
	Aliases rawStringMap `toml:"aliases"`
	Ignore  rawStrings   `toml:"ignore"`
}

var (
	rawStringType    = reflect.TypeFor[rawString]()
	rawStringsType   = reflect.TypeFor[rawStrings]()
	rawStringMapType = reflect.TypeFor[rawStringMap]()
)

// schema lists the keys a file may hold, as generic dotted paths, and the
// tables whose keys are free (headers, aliases). It is derived from the raw
// types so that it cannot drift from them.
type schema struct {
	known map[string]bool
	free  map[string]bool
	// children lists the known keys directly under a table ("" = top level).
	children map[string][]string
}

var fileSchema = buildSchema()

func buildSchema() *schema {
	s := &schema{known: map[string]bool{}, free: map[string]bool{}, children: map[string][]string{}}
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := range t.NumField() {
			f := t.Field(i)
			name := f.Tag.Get("toml")
			p := joinPath(prefix, name)
			s.known[p] = true
			s.children[prefix] = append(s.children[prefix], name)
			ft := f.Type
			if ft.Kind() == reflect.Slice {
				ft = ft.Elem()
			}
			switch {
			case ft == rawStringMapType:
				s.free[p] = true
			case ft.Kind() == reflect.Struct && ft.NumField() > 0 && ft.Field(0).Tag.Get("toml") != "":
				walk(ft, p)
			}
		}
	}
	walk(reflect.TypeFor[rawFile](), "")
	return s
}

// check reports whether the generic key path is allowed and, when it is not,
// a hint listing the keys allowed at its level.
func (s *schema) check(key []string) (ok bool, hint string) {
	p := strings.Join(key, ".")
	if s.known[p] {
		return true, ""
	}
	for i := len(key) - 1; i > 0; i-- {
		if s.free[strings.Join(key[:i], ".")] {
			return true, ""
		}
	}
	parent := strings.Join(key[:len(key)-1], ".")
	allowed := s.children[parent]
	last := key[len(key)-1]
	for _, a := range allowed {
		if strings.EqualFold(a, last) {
			return false, fmt.Sprintf("keys are case-sensitive: did you mean %q?", a)
		}
	}
	return false, "expected one of " + strings.Join(allowed, ", ")
}

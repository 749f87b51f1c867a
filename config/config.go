package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Defaults applied to keys left out of a [[catalog]] table.
const (
	DefaultEvery    = 6 * time.Hour
	DefaultPageSize = 50
	DefaultTimeout  = 60 * time.Second
	// DefaultMaxRecords ends a harvest (partial) once that many records
	// were fetched: an upstream announcing billions is not followed for
	// ever.
	DefaultMaxRecords = 2_000_000
)

// Defaults of the [harvest] table (README#Reliability).
const (
	// DefaultMaxDuration ends a harvest (partial) that runs longer.
	DefaultMaxDuration = 6 * time.Hour
	// DefaultMaxConcurrent bounds the harvests the scheduler runs at once.
	DefaultMaxConcurrent = 2
	// DefaultMaxRecordBytes and DefaultMaxTextBytes bound one upstream
	// record and one text node in it: such a record fails, the rest of its
	// page is harvested. No real record comes near them.
	DefaultMaxRecordBytes = 5_000_000
	DefaultMaxTextBytes   = 1_000_000
)

// Organization modes.
const (
	ModeHarvest = "harvest" // data.gouv.fr harvests our DCAT feed for the organization
	ModePush    = "push"    // passerelle pushes datasets through the data.gouv.fr API
)

// Wildcard, as the only entry of a source's producers, claims every producer
// of the catalog that no other organization claims.
const Wildcard = "*"

// Config is a loaded catalogs.toml. It is read-only once returned by Load or
// Parse.
type Config struct {
	Path          string // file name as given to Load or Parse
	Hash          string // hex SHA-256 of the file bytes
	Server        Server
	Harvest       Harvest
	Catalogs      []Catalog
	Organizations []Organization
	Producers     Producers

	lines *lineIndex // key lines, nil when the Config was not parsed
}

// Server holds the [server] table.
type Server struct {
	// PublicURL is the base of every IRI and link passerelle publishes: an
	// absolute http(s) URL without query or fragment, trailing "/" removed.
	PublicURL string
}

// Harvest holds the [harvest] table: limits of every harvest. A zero
// field stands for its default; read them through the methods.
type Harvest struct {
	// MaxDuration is the default of Catalog.MaxDuration.
	MaxDuration time.Duration
	// MaxConcurrent bounds the harvests the scheduler runs at once.
	MaxConcurrent int
	// MaxRecordBytes bounds one upstream record, MaxTextBytes one text node
	// (or attribute value) in it: such a record fails with a reason.
	MaxRecordBytes int
	MaxTextBytes   int
}

func orDefault[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// Concurrency is MaxConcurrent or its default.
func (h Harvest) Concurrency() int { return orDefault(h.MaxConcurrent, DefaultMaxConcurrent) }

// RecordBytes is MaxRecordBytes or its default.
func (h Harvest) RecordBytes() int { return orDefault(h.MaxRecordBytes, DefaultMaxRecordBytes) }

// TextBytes is MaxTextBytes or its default.
func (h Harvest) TextBytes() int { return orDefault(h.MaxTextBytes, DefaultMaxTextBytes) }

// RecordLimit is the catalog's max_records or its default.
func (cat *Catalog) RecordLimit() int { return orDefault(cat.MaxRecords, DefaultMaxRecords) }

// Deadline is how long a harvest of cat may run: its max_duration, else
// [harvest] max_duration, else DefaultMaxDuration.
func (c *Config) Deadline(cat *Catalog) time.Duration {
	return orDefault(cat.MaxDuration, orDefault(c.Harvest.MaxDuration, DefaultMaxDuration))
}

// Catalog is one [[catalog]] table: a CSW 2.0.2 endpoint (URL) or a folder of
// ISO 19139 files (Dir), exactly one of the two.
type Catalog struct {
	ID          string // slug, unique among catalogs, used in URLs
	Title       string
	Description string // defaults to "Catalogue <Title> moissonné par passerelle"
	Publisher   string // publisher of the catalog node in feeds, may be empty
	URL         string // CSW endpoint, absolute http(s)
	Dir         string // absolute after loading (relative paths are resolved against the file's directory)
	Every       time.Duration
	Timeout     time.Duration // per request
	PageSize    int
	Constraint  string // CQL text, may be empty
	// Compatibility switches (csw-servers.md §2.1).
	NamespaceParam bool // send namespace=xmlns(gmd=…) with typeNames
	CQLTextParam   bool // send constraintLanguage=CQL_TEXT
	BriefThenByID  bool // page in brief, then GetRecordById full per record
	Sort           bool // send SortBy identifier (default true)
	// Headers are extra request headers; secret values come from ${ENV}
	// references and are redacted by LogValue.
	Headers map[string]string
	// MaxRecords ends a harvest as partial once that many records were
	// fetched (see RecordLimit); MaxDuration once it ran that long (see
	// Config.Deadline). 0: the default.
	MaxRecords  int
	MaxDuration time.Duration
	Line        int // line of the [[catalog]] header, 0 when unknown
}

// Organization is one [[organization]] table: a data.gouv.fr organization
// and the producers of each catalog whose datasets it publishes.
type Organization struct {
	ID         string // slug, unique among organizations
	Title      string
	DatagouvID string // 24 lower-case hex digits
	Mode       string // ModeHarvest or ModePush
	Services   bool   // also publish service records
	// AutoPush (push mode only): after each ok harvest of a source catalog,
	// `passerelle serve` plans and applies the organization's push.
	AutoPush bool
	Sources  []Source
	Line     int // line of the [[organization]] header, 0 when unknown

	producers *Producers                     // alias resolution for Claims
	claims    map[string]map[string]struct{} // catalog → claimed producer slugs
	wildcard  map[string]bool                // catalogs sourced with ["*"]
}

// Source is one [[organization.source]] table.
type Source struct {
	Catalog   string   // id of a declared catalog
	Producers []string // producer names or slugs, or ["*"]
}

// Producers is the [producers] table: how producer names found in records
// are normalised.
type Producers struct {
	// Aliases maps a name (matched by slug) to the display name it stands for.
	Aliases map[string]string
	// Ignore lists names (matched by slug) that are not producers, such as
	// template placeholders.
	Ignore []string

	aliasBySlug map[string]string // slug of an alias key → target display name
	targetSlug  map[string]string // slug of an alias key → slug of its target
	ignored     map[string]struct{}
}

// Load reads and parses the configuration file at path; see Parse. A file
// that cannot be read gives an error that is not ErrInvalid.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	return Parse(path, data, filepath.Dir(path))
}

// Parse decodes, expands and validates the TOML text data. name is used for
// Config.Path and, by its base name, in messages; relative catalog dirs are
// resolved against baseDir. Every problem is returned at once, joined; each
// is an *Error matching ErrInvalid. ${ENV} references are read from the
// process environment.
func Parse(name string, data []byte, baseDir string) (*Config, error) {
	return parse(name, data, baseDir, os.LookupEnv)
}

// issue is a problem located by key path (see lineIndex), turned into an
// *Error once ids are known.
type issue struct {
	path string
	msg  string
	err  error
}

var tomlLineRe = regexp.MustCompile(`^toml: line (\d+)(?: \(last key "([^"]*)"\))?: `)

func parse(name string, data []byte, baseDir string, lookup func(string) (string, bool)) (*Config, error) {
	sum := sha256.Sum256(data)
	c := &Config{Path: name, Hash: hex.EncodeToString(sum[:])}
	if abs, err := filepath.Abs(baseDir); err == nil {
		baseDir = abs
	}
	file := filepath.Base(name)

	var raw rawFile
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&raw)
	if err != nil {
		return nil, errors.Join(decodeError(file, err))
	}
	c.lines = indexLines(data)

	var issues []issue
	issues = append(issues, unknownKeys(md, c.lines)...)
	issues = append(issues, secretLiterals(&raw)...)
	issues = append(issues, expandAll(reflect.ValueOf(&raw).Elem(), "", lookup)...)
	// A key already reported (secret literal, unset variable) is not
	// reported again by fill; nor one reported by fill (wrong type) by
	// validation, which only sees its default.
	reported := make(map[string]bool, len(issues))
	for _, is := range issues {
		reported[is.path] = true
	}
	for _, is := range c.fill(&raw, baseDir) {
		if !reported[is.path] {
			issues = append(issues, is)
		}
	}
	for _, is := range issues {
		reported[is.path] = true
	}
	c.prepare()
	for _, is := range c.validate() {
		if !reported[is.path] {
			issues = append(issues, is)
		}
	}
	if len(issues) > 0 {
		return nil, c.join(issues)
	}
	return c, nil
}

// decodeError turns a BurntSushi error (syntax or structure) into an *Error.
func decodeError(file string, err error) *Error {
	e := &Error{File: file, Err: err}
	var pe toml.ParseError
	if errors.As(err, &pe) {
		e.Line = pe.Position.Line
		e.Msg = "syntax error: " + pe.Message
		if pe.Usage != "" {
			e.Msg += " (" + strings.TrimSpace(strings.SplitN(pe.Usage, "\n", 2)[0]) + ")"
		}
		return e
	}
	msg := err.Error()
	if m := tomlLineRe.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Field = m[2]
		msg = msg[len(m[0]):]
	}
	e.Msg = goTypeNames.Replace(strings.TrimPrefix(msg, "toml: "))
	return e
}

// goTypeNames rewrites the Go types BurntSushi/toml names in structure
// errors as TOML terms.
var goTypeNames = strings.NewReplacer(
	"type []map[string]any", "type array of tables",
	"type map[string]any", "type table",
	"type []any", "type array",
	"type slice", "type array of tables ([[…]])",
	"type struct", "type table ([…])",
)

func article(noun string) string {
	if noun != "" && strings.IndexByte("aeiou", noun[0]) >= 0 {
		return "an " + noun
	}
	return "a " + noun
}

// unknownKeys reports keys the decoder did not use (md.Undecoded) and keys
// it matched only case-insensitively, at each place they occur.
func unknownKeys(md toml.MetaData, li *lineIndex) []issue {
	var issues []issue
	seen := map[string]bool{}
	bad := map[string]bool{}
	report := func(key toml.Key, hint string) {
		g := strings.Join(key, ".")
		for i := 1; i < len(key); i++ {
			if bad[strings.Join(key[:i], ".")] {
				return // inside an unknown table: reported there
			}
		}
		bad[g] = true
		if seen[g] {
			return
		}
		seen[g] = true
		msg := "unknown key"
		if hint != "" {
			msg += " (" + hint + ")"
		}
		occ := li.occ[g]
		if len(occ) == 0 {
			issues = append(issues, issue{path: g, msg: msg})
		}
		for _, p := range occ {
			issues = append(issues, issue{path: p, msg: msg})
		}
	}
	undecoded := map[string]bool{}
	for _, k := range md.Undecoded() {
		undecoded[strings.Join(k, ".")] = true
	}
	for _, k := range md.Keys() {
		ok, hint := fileSchema.check(k)
		if !ok || undecoded[strings.Join(k, ".")] {
			report(k, hint)
		}
	}
	return issues
}

// hasHeader reports whether headers has name, case-insensitively.
func hasHeader(headers map[string]string, name string) bool {
	for k := range headers {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

// sensitiveHeader reports whether a request header carries a secret.
func sensitiveHeader(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "authorization", "proxy-authorization", "cookie":
		return true
	}
	for _, w := range []string{"token", "secret", "key", "password", "auth"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// secretLiterals reports secrets written in the file instead of referenced
// with ${ENV}: values of sensitive headers, passwords in catalog URLs.
func secretLiterals(raw *rawFile) []issue {
	var issues []issue
	for i, cat := range raw.Catalogs {
		base := "catalog[" + strconv.Itoa(i) + "]"
		for _, k := range cat.Headers.Keys {
			if v := cat.Headers.V[k]; sensitiveHeader(k) && v != "" && !hasEnvRef(v) {
				issues = append(issues, issue{path: base + ".headers." + k,
					msg: `secret values must come from an environment variable, e.g. "Bearer ${TOKEN}"; never write them in the file`})
			}
		}
		if u, err := url.Parse(cat.URL.V); err == nil && u.User != nil {
			if _, has := u.User.Password(); has && !hasEnvRef(cat.URL.V) {
				issues = append(issues, issue{path: base + ".url",
					msg: "a password in the URL must come from an environment variable (${NAME}); never write it in the file"})
			}
		}
	}
	return issues
}

// expandAll expands ${ENV} references in every string value under v, whose
// key path is path.
func expandAll(v reflect.Value, path string, lookup func(string) (string, bool)) []issue {
	var issues []issue
	add := func(p string, msgs []string) {
		for _, m := range msgs {
			issues = append(issues, issue{path: p, msg: m})
		}
	}
	switch v.Type() {
	case rawStringType:
		s := v.Addr().Interface().(*rawString)
		var msgs []string
		s.V, msgs = expandEnv(s.V, lookup)
		add(path, msgs)
		return issues
	case rawStringsType:
		s := v.Addr().Interface().(*rawStrings)
		for i := range s.V {
			var msgs []string
			s.V[i], msgs = expandEnv(s.V[i], lookup)
			add(path, msgs)
		}
		return issues
	case rawStringMapType:
		m := v.Addr().Interface().(*rawStringMap)
		for _, k := range m.Keys {
			x, msgs := expandEnv(m.V[k], lookup)
			m.V[k] = x
			add(joinPath(path, k), msgs)
		}
		return issues
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if tag := v.Type().Field(i).Tag.Get("toml"); tag != "" {
				issues = append(issues, expandAll(v.Field(i), joinPath(path, tag), lookup)...)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			issues = append(issues, expandAll(v.Index(i), path+"["+strconv.Itoa(i)+"]", lookup)...)
		}
	}
	return issues
}

// filler copies raw values into the Config, applying defaults and reporting
// values of the wrong TOML type.
type filler struct{ issues []issue }

func (f *filler) typeErr(path, want, got string) {
	f.issues = append(f.issues, issue{path: path, msg: fmt.Sprintf("must be %s, got %s", want, article(got))})
}

func (f *filler) str(path string, r rawString, def string) string {
	if r.Got != "" {
		f.typeErr(path, "a string", r.Got)
		return def
	}
	if !r.Set {
		return def
	}
	return r.V
}

func (f *filler) boolean(path string, r rawBool, def bool) bool {
	if r.Got != "" {
		f.typeErr(path, "true or false", r.Got)
		return def
	}
	if !r.Set {
		return def
	}
	return r.V
}

func (f *filler) integer(path string, r rawInt, def int) int {
	if r.Got != "" {
		f.typeErr(path, "an integer", r.Got)
		return def
	}
	if !r.Set {
		return def
	}
	if r.V > 1<<31-1 || r.V < -1<<31 {
		f.issues = append(f.issues, issue{path: path, msg: fmt.Sprintf("%d is out of range", r.V)})
		return def
	}
	return int(r.V)
}

func (f *filler) duration(path string, r rawString, def time.Duration) time.Duration {
	if r.Got != "" {
		f.typeErr(path, `a duration string such as "6h"`, r.Got)
		return def
	}
	if !r.Set {
		return def
	}
	s := r.V
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		f.issues = append(f.issues, issue{path: path, err: err,
			msg: fmt.Sprintf(`must be a Go duration such as "6h", "90m" or "30s", got %q`, s)})
		return def
	}
	return d
}

func (f *filler) strings(path string, r rawStrings) []string {
	if r.Got != "" {
		f.typeErr(path, "an array of strings", r.Got)
		return nil
	}
	return r.V
}

func (f *filler) stringMap(path string, r rawStringMap) map[string]string {
	if r.Got != "" {
		f.typeErr(path, "a table of strings", r.Got)
		return nil
	}
	return r.V
}

// fill copies raw into c with defaults.
func (c *Config) fill(raw *rawFile, baseDir string) []issue {
	f := &filler{}
	c.Server.PublicURL = strings.TrimRight(strings.TrimSpace(f.str("server.public_url", raw.Server.PublicURL, "")), "/")

	c.Harvest = Harvest{ // 0: the default (see the Harvest methods)
		MaxDuration:    f.duration("harvest.max_duration", raw.Harvest.MaxDuration, 0),
		MaxConcurrent:  f.integer("harvest.max_concurrent", raw.Harvest.MaxConcurrent, 0),
		MaxRecordBytes: f.integer("harvest.max_record_bytes", raw.Harvest.MaxRecordBytes, 0),
		MaxTextBytes:   f.integer("harvest.max_text_bytes", raw.Harvest.MaxTextBytes, 0),
	}

	c.Catalogs = make([]Catalog, len(raw.Catalogs))
	for i, r := range raw.Catalogs {
		p := "catalog[" + strconv.Itoa(i) + "]."
		cat := &c.Catalogs[i]
		cat.ID = f.str(p+"id", r.ID, "")
		cat.Title = strings.TrimSpace(f.str(p+"title", r.Title, ""))
		cat.Description = strings.TrimSpace(f.str(p+"description", r.Description, ""))
		if cat.Description == "" && cat.Title != "" {
			cat.Description = "Catalogue " + cat.Title + " moissonné par passerelle"
		}
		cat.Publisher = strings.TrimSpace(f.str(p+"publisher", r.Publisher, ""))
		cat.URL = strings.TrimSpace(f.str(p+"url", r.URL, ""))
		cat.Dir = f.str(p+"dir", r.Dir, "")
		if cat.Dir != "" && !filepath.IsAbs(cat.Dir) {
			cat.Dir = filepath.Join(baseDir, cat.Dir)
		}
		cat.Every = f.duration(p+"every", r.Every, DefaultEvery)
		cat.PageSize = f.integer(p+"page_size", r.PageSize, DefaultPageSize)
		cat.Timeout = f.duration(p+"timeout", r.Timeout, DefaultTimeout)
		cat.Constraint = strings.TrimSpace(f.str(p+"constraint", r.Constraint, ""))
		cat.NamespaceParam = f.boolean(p+"namespace_param", r.NamespaceParam, false)
		cat.CQLTextParam = f.boolean(p+"cql_text_param", r.CQLTextParam, false)
		cat.BriefThenByID = f.boolean(p+"brief_then_by_id", r.BriefThenByID, false)
		cat.Sort = f.boolean(p+"sort", r.Sort, true)
		cat.Headers = f.stringMap(p+"headers", r.Headers)
		cat.MaxRecords = f.integer(p+"max_records", r.MaxRecords, 0)
		cat.MaxDuration = f.duration(p+"max_duration", r.MaxDuration, 0)
		// Credentials written in the URL go into an Authorization header:
		// the URL is shown (feeds, reports, logs), the header never.
		if clean, auth, ok := splitUserinfo(cat.URL); ok {
			cat.URL = clean
			if hasHeader(cat.Headers, "Authorization") {
				f.issues = append(f.issues, issue{path: p + "url",
					msg: "credentials in the URL and an Authorization header: keep one of them"})
			} else {
				if cat.Headers == nil {
					cat.Headers = map[string]string{}
				}
				cat.Headers["Authorization"] = auth
			}
		}
		cat.Line = c.lines.locate("catalog[" + strconv.Itoa(i) + "]")
	}

	c.Organizations = make([]Organization, len(raw.Organizations))
	for i, r := range raw.Organizations {
		p := "organization[" + strconv.Itoa(i) + "]."
		o := &c.Organizations[i]
		o.ID = f.str(p+"id", r.ID, "")
		o.Title = strings.TrimSpace(f.str(p+"title", r.Title, ""))
		o.DatagouvID = strings.ToLower(strings.TrimSpace(f.str(p+"datagouv_id", r.DatagouvID, "")))
		o.Mode = strings.TrimSpace(f.str(p+"mode", r.Mode, ""))
		o.Services = f.boolean(p+"services", r.Services, false)
		o.AutoPush = f.boolean(p+"auto_push", r.AutoPush, false)
		o.Sources = make([]Source, len(r.Sources))
		for j, rs := range r.Sources {
			sp := p + "source[" + strconv.Itoa(j) + "]."
			o.Sources[j] = Source{
				Catalog:   f.str(sp+"catalog", rs.Catalog, ""),
				Producers: f.strings(sp+"producers", rs.Producers),
			}
		}
		o.Line = c.lines.locate("organization[" + strconv.Itoa(i) + "]")
	}

	c.Producers.Aliases = f.stringMap("producers.aliases", raw.Producers.Aliases)
	c.Producers.Ignore = f.strings("producers.ignore", raw.Producers.Ignore)
	return f.issues
}

// join turns issues into *Errors sorted by line (unknown lines last) and
// joins them.
func (c *Config) join(issues []issue) error {
	file := filepath.Base(c.Path)
	errs := make([]*Error, 0, len(issues))
	for _, is := range issues {
		errs = append(errs, c.errorAt(file, is))
	}
	sort.SliceStable(errs, func(i, j int) bool {
		a, b := errs[i].Line, errs[j].Line
		if a == 0 || b == 0 {
			return a != 0 && b == 0
		}
		return a < b
	})
	joined := make([]error, len(errs))
	for i, e := range errs {
		joined[i] = e
	}
	return errors.Join(joined...)
}

// errorAt locates an issue: line, table, id, field.
func (c *Config) errorAt(file string, is issue) *Error {
	e := &Error{File: file, Msg: is.msg, Err: is.err, Line: c.lines.locate(is.path)}
	head, rest, _ := strings.Cut(is.path, ".")
	section, idx := head, -1
	if k := strings.IndexByte(head, '['); k > 0 && strings.HasSuffix(head, "]") {
		section = head[:k]
		if n, err := strconv.Atoi(head[k+1 : len(head)-1]); err == nil {
			idx = n
		}
	}
	switch {
	case section == "catalog" && idx >= 0:
		e.Section, e.Index = section, idx+1
		if idx < len(c.Catalogs) {
			e.ID = c.Catalogs[idx].ID
			if e.Line == 0 {
				e.Line = c.Catalogs[idx].Line
			}
		}
	case section == "organization" && idx >= 0:
		e.Section, e.Index = section, idx+1
		if idx < len(c.Organizations) {
			e.ID = c.Organizations[idx].ID
			if e.Line == 0 {
				e.Line = c.Organizations[idx].Line
			}
		}
	case fileSchema.known[section] && rest != "":
		e.Section = section
	default:
		rest = is.path
	}
	if e.ID != "" {
		e.Index = 0
	}
	e.Field = genericPath(rest)
	return e
}

// Catalog returns the catalog with the given id, nil if none.
func (c *Config) Catalog(id string) *Catalog {
	for i := range c.Catalogs {
		if c.Catalogs[i].ID == id {
			return &c.Catalogs[i]
		}
	}
	return nil
}

// Organization returns the organization with the given id, nil if none.
func (c *Config) Organization(id string) *Organization {
	for i := range c.Organizations {
		if c.Organizations[i].ID == id {
			return &c.Organizations[i]
		}
	}
	return nil
}

// LogValue implements slog.LogValuer: the catalog without its secrets
// (header values are replaced by "REDACTED" when sensitive, URL passwords
// by "xxxxx").
func (cat Catalog) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("id", cat.ID)}
	if cat.URL != "" {
		u := cat.URL
		if pu, err := url.Parse(cat.URL); err == nil {
			u = pu.Redacted()
		}
		attrs = append(attrs, slog.String("url", u))
	}
	if cat.Dir != "" {
		attrs = append(attrs, slog.String("dir", cat.Dir))
	}
	attrs = append(attrs, slog.Duration("every", cat.Every), slog.Int("page_size", cat.PageSize))
	if len(cat.Headers) > 0 {
		keys := make([]string, 0, len(cat.Headers))
		for k := range cat.Headers {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		hs := make([]any, 0, len(keys))
		for _, k := range keys {
			v := cat.Headers[k]
			if sensitiveHeader(k) {
				v = "REDACTED"
			}
			hs = append(hs, slog.String(k, v))
		}
		attrs = append(attrs, slog.Group("headers", hs...))
	}
	return slog.GroupValue(attrs...)
}

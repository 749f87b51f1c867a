package config

import (
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle/passerelle/iso"
)

// Limits checked by Validate.
const (
	MinEvery    = time.Minute
	MaxPageSize = 1000
)

var (
	slugRe       = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$`)
	datagouvIDRe = regexp.MustCompile(`^[0-9a-f]{24}$`)
)

// Validate checks the configuration and returns every problem at once,
// joined; each is an *Error matching ErrInvalid. Load and Parse call it;
// call it again after building or changing a Config by hand.
//
// Validate does not modify c: it may run while other goroutines read c.
func (c *Config) Validate() error {
	cp := *c
	cp.Organizations = slices.Clone(c.Organizations)
	cp.prepare()
	if issues := cp.validate(); len(issues) > 0 {
		return cp.join(issues)
	}
	return nil
}

func (c *Config) validate() []issue {
	v := &validator{c: c}
	v.server()
	v.harvest()
	v.catalogs()
	v.producers()
	v.organizations()
	return v.issues
}

type validator struct {
	c      *Config
	issues []issue
}

func (v *validator) add(path, format string, args ...any) {
	v.issues = append(v.issues, issue{path: path, msg: fmt.Sprintf(format, args...)})
}

// httpURL returns why s is not an absolute http(s) URL with a host, "" if it is.
func httpURL(s string) (*url.URL, string) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Sprintf("must be an absolute http(s) URL, got %q", redactURL(s))
	}
	return u, ""
}

// redactURL hides the password of a URL, which may come from ${ENV}.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err == nil && u.User != nil {
		return u.Redacted()
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		return "…" + s[i:] // what precedes "@" may be credentials
	}
	return s
}

func (v *validator) server() {
	const p = "server.public_url"
	s := v.c.Server.PublicURL
	if s == "" {
		v.add(p, `required: the base of every published IRI and link, e.g. "https://passerelle.example.org"`)
		return
	}
	u, why := httpURL(s)
	switch {
	case why != "":
		v.add(p, "%s", why)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		v.add(p, "must not have a query or fragment, got %q", redactURL(s))
	case u.User != nil:
		v.add(p, "must not hold user credentials, got %q", u.Redacted())
	}
}

// slugID checks an id: required, slug, unique in seen (id → index).
func (v *validator) slugID(kind, p, id string, i int, seen map[string]int) {
	switch {
	case id == "":
		v.add(p, "required: a slug such as %q", "geo2france")
	case !slugRe.MatchString(id):
		suggestion := iso.Slug(id)
		if suggestion != "" {
			v.add(p, "must be a slug (lower-case letters, digits and inner hyphens), got %q; try %q", id, suggestion)
		} else {
			v.add(p, "must be a slug (lower-case letters, digits and inner hyphens), got %q", id)
		}
	default:
		if j, dup := seen[id]; dup {
			v.add(p, "duplicate id: %s #%d (line %d) already uses %q", kind, j+1, v.c.lines.locate(kind+"["+strconv.Itoa(j)+"]"), id)
			return
		}
		seen[id] = i
	}
}

func (v *validator) catalogs() {
	if len(v.c.Catalogs) == 0 {
		v.add("catalog", "no [[catalog]] table: declare at least one catalog")
	}
	seen := map[string]int{}
	for i := range v.c.Catalogs {
		cat := &v.c.Catalogs[i]
		base := "catalog[" + strconv.Itoa(i) + "]"
		p := base + "."
		v.slugID("catalog", p+"id", cat.ID, i, seen)
		if cat.Title == "" {
			v.add(p+"title", "required")
		}
		switch {
		case cat.URL != "" && cat.Dir != "":
			v.add(base, "url and dir are both set: set exactly one of them")
		case cat.URL == "" && cat.Dir == "":
			v.add(base, "neither url nor dir is set: set exactly one of them (a CSW endpoint or a folder of ISO 19139 files)")
		case cat.URL != "":
			if _, why := httpURL(cat.URL); why != "" {
				v.add(p+"url", "%s", why)
			}
		default:
			st, err := os.Stat(cat.Dir)
			switch {
			case err != nil:
				v.add(p+"dir", "%q: no such directory", cat.Dir)
			case !st.IsDir():
				v.add(p+"dir", "%q is not a directory", cat.Dir)
			}
		}
		if cat.Every < MinEvery {
			v.add(p+"every", "must be at least %s, got %s", MinEvery, cat.Every)
		}
		if cat.Timeout <= 0 {
			v.add(p+"timeout", "must be positive, got %s", cat.Timeout)
		}
		if cat.PageSize < 1 || cat.PageSize > MaxPageSize {
			v.add(p+"page_size", "must be between 1 and %d, got %d", MaxPageSize, cat.PageSize)
		}
		if cat.MaxRecords < 0 {
			v.add(p+"max_records", "must be positive, got %d", cat.MaxRecords)
		}
		if cat.MaxDuration < 0 {
			v.add(p+"max_duration", "must be positive, got %s", cat.MaxDuration)
		}
		for _, k := range sortedKeys(cat.Headers) {
			val := cat.Headers[k]
			hp := p + "headers." + k
			if !validHeaderName(k) {
				v.add(hp, "%q is not a valid HTTP header name", k)
			}
			if strings.ContainsAny(val, "\r\n\x00") {
				v.add(hp, "value must not contain CR, LF or NUL")
			}
		}
	}
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

func (v *validator) producers() {
	p := &v.c.Producers
	keyBySlug := map[string]string{}
	for _, name := range p.Ignore {
		if iso.Slug(name) == "" {
			v.add("producers.ignore", "%q has no letter or digit: it cannot match any name", name)
		}
	}
	for _, k := range sortedKeys(p.Aliases) {
		target := p.Aliases[k]
		ap := "producers.aliases." + k
		ks, ts := iso.Slug(k), iso.Slug(target)
		switch {
		case ks == "":
			v.add(ap, "alias %q has no letter or digit: it cannot match any name", k)
			continue
		case ts == "":
			v.add(ap, "target %q has no letter or digit", target)
			continue
		}
		if other, dup := keyBySlug[ks]; dup && p.Aliases[other] != target {
			v.add(ap, "%q and %q are the same name once slugged (%s) but point to different targets", other, k, ks)
		}
		keyBySlug[ks] = k
		if p.isIgnored(ks) {
			v.add(ap, "alias %q is also in [producers] ignore", k)
		}
		if p.isIgnored(ts) {
			v.add(ap, "target %q is in [producers] ignore", target)
		}
	}
	for _, k := range sortedKeys(p.Aliases) {
		ks, ts := iso.Slug(k), iso.Slug(p.Aliases[k])
		if ks == "" || ts == "" || ts == ks {
			continue
		}
		if next, chained := p.aliasBySlug[ts]; chained && iso.Slug(next) != ts {
			v.add("producers.aliases."+k, "target %q is itself an alias of %q: point %q directly to %q", p.Aliases[k], next, k, next)
		}
	}
}

func (v *validator) organizations() {
	c := v.c
	seen := map[string]int{}
	catalogs := make(map[string]bool, len(c.Catalogs))
	for _, cat := range c.Catalogs {
		catalogs[cat.ID] = true
	}
	byDatagouv := map[string]string{}
	type claim struct{ org, name string }
	claimed := map[string]map[string]claim{} // catalog → producer slug → first claim
	wildcard := map[string]string{}          // catalog → organization
	for i := range c.Organizations {
		o := &c.Organizations[i]
		base := "organization[" + strconv.Itoa(i) + "]"
		p := base + "."
		v.slugID("organization", p+"id", o.ID, i, seen)
		orgName := o.ID
		if orgName == "" {
			orgName = "#" + strconv.Itoa(i+1)
		}
		if o.Title == "" {
			v.add(p+"title", "required")
		}
		switch {
		case o.DatagouvID == "":
			v.add(p+"datagouv_id", "required: the 24 hex digit id of the organization on data.gouv.fr")
		case !datagouvIDRe.MatchString(o.DatagouvID):
			v.add(p+"datagouv_id", "must be 24 hex digits (a data.gouv.fr organization id, not its slug), got %q", o.DatagouvID)
		default:
			if other, dup := byDatagouv[o.DatagouvID]; dup {
				v.add(p+"datagouv_id", "%s is already the id of organization %q", o.DatagouvID, other)
			} else {
				byDatagouv[o.DatagouvID] = orgName
			}
		}
		switch o.Mode {
		case ModeHarvest, ModePush:
		case "":
			v.add(p+"mode", "required: %q or %q", ModeHarvest, ModePush)
		default:
			v.add(p+"mode", "must be %q or %q, got %q", ModeHarvest, ModePush, o.Mode)
		}
		if o.AutoPush && o.Mode == ModeHarvest {
			v.add(p+"auto_push", "only for mode %q: a harvest-mode organization is read by data.gouv.fr's harvester", ModePush)
		}
		if len(o.Sources) == 0 {
			v.add(base, "no [[organization.source]]: declare at least one catalog and its producers")
		}
		sourced := map[string]bool{}
		for j, s := range o.Sources {
			sp := p + "source[" + strconv.Itoa(j) + "]."
			switch {
			case s.Catalog == "":
				v.add(sp+"catalog", "required: the id of a declared catalog")
			case !catalogs[s.Catalog]:
				v.add(sp+"catalog", "no catalog has id %q", s.Catalog)
			case sourced[s.Catalog]:
				v.add(sp+"catalog", "catalog %q is already sourced by this organization: merge the producer lists", s.Catalog)
			}
			sourced[s.Catalog] = true
			pp := sp + "producers"
			if len(s.Producers) == 0 {
				v.add(pp, `required: producer names or slugs, or ["*"] for every producer no other organization claims`)
				continue
			}
			hasWild := false
			for _, name := range s.Producers {
				if strings.TrimSpace(name) == Wildcard {
					hasWild = true
				}
			}
			if hasWild {
				if len(s.Producers) > 1 {
					v.add(pp, `"*" must be alone in the list: it already claims every producer no other organization claims`)
				}
				if other, dup := wildcard[s.Catalog]; dup && s.Catalog != "" {
					v.add(pp, `catalog %q already has organization %q with producers = ["*"]: only one organization may take the unclaimed producers`, s.Catalog, other)
				} else {
					wildcard[s.Catalog] = orgName
				}
				continue
			}
			inList := map[string]string{}
			for _, name := range s.Producers {
				slug, display, ok := c.Producers.Resolve(name)
				switch {
				case strings.TrimSpace(name) == "":
					v.add(pp, "empty producer name")
					continue
				case iso.Slug(name) == "":
					v.add(pp, "producer %q has no letter or digit", name)
					continue
				case !ok:
					if why := c.Producers.Rejected(name); strings.HasPrefix(why, "template placeholder") {
						v.add(pp, "producer %q is a %s: add an alias to claim it", name, why)
					} else {
						v.add(pp, "producer %q is in [producers] ignore", name)
					}
					continue
				}
				if first, dup := inList[slug]; dup {
					v.add(pp, "producer %q is listed twice (as %q and %q)", display, first, name)
					continue
				}
				inList[slug] = name
				if claimed[s.Catalog] == nil {
					claimed[s.Catalog] = map[string]claim{}
				}
				if prev, dup := claimed[s.Catalog][slug]; dup {
					v.add(pp, "producer %q (%s) of catalog %q is already claimed by organization %q (as %q): a producer belongs to one organization", display, slug, s.Catalog, prev.org, prev.name)
					continue
				}
				claimed[s.Catalog][slug] = claim{org: orgName, name: name}
			}
		}
	}
}

// Bounds of the [harvest] record limits.
const (
	MinRecordBytes = 64 << 10
	MinTextBytes   = 1 << 10
)

// harvest checks the [harvest] table; zero values stand for the defaults.
func (v *validator) harvest() {
	h := v.c.Harvest
	if h.MaxDuration < 0 {
		v.add("harvest.max_duration", "must be positive, got %s", h.MaxDuration)
	}
	if h.MaxConcurrent < 0 {
		v.add("harvest.max_concurrent", "must be at least 1, got %d", h.MaxConcurrent)
	}
	if h.MaxRecordBytes != 0 && h.MaxRecordBytes < MinRecordBytes {
		v.add("harvest.max_record_bytes", "must be at least %d, got %d", MinRecordBytes, h.MaxRecordBytes)
	}
	if h.MaxTextBytes != 0 && (h.MaxTextBytes < MinTextBytes || h.MaxTextBytes > h.RecordBytes()) {
		v.add("harvest.max_text_bytes", "must be between %d and max_record_bytes (%d), got %d", MinTextBytes, h.RecordBytes(), h.MaxTextBytes)
	}
}

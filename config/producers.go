package config

import (
	"sort"
	"strings"

	"github.com/passerelle/passerelle/iso"
)

// prepare builds the lookup tables behind Resolve, Claims and
// OrganizationFor.
func (c *Config) prepare() {
	p := &c.Producers
	p.aliasBySlug = make(map[string]string, len(p.Aliases))
	p.targetSlug = make(map[string]string, len(p.Aliases))
	for _, k := range sortedKeys(p.Aliases) {
		if s := iso.Slug(k); s != "" {
			if _, dup := p.aliasBySlug[s]; !dup {
				target := strings.TrimSpace(p.Aliases[k])
				p.aliasBySlug[s] = target
				p.targetSlug[s] = iso.Slug(target)
			}
		}
	}
	p.ignored = make(map[string]struct{}, len(p.Ignore))
	for _, name := range p.Ignore {
		if s := iso.Slug(name); s != "" {
			p.ignored[s] = struct{}{}
		}
	}
	for i := range c.Organizations {
		o := &c.Organizations[i]
		o.producers = p
		o.claims, o.wildcard = o.buildClaims()
	}
}

func (o *Organization) buildClaims() (map[string]map[string]struct{}, map[string]bool) {
	var p Producers
	if o.producers != nil {
		p = *o.producers
	}
	claims := map[string]map[string]struct{}{}
	wildcard := map[string]bool{}
	for _, s := range o.Sources {
		for _, name := range s.Producers {
			if strings.TrimSpace(name) == Wildcard {
				wildcard[s.Catalog] = true
				continue
			}
			slug, _, ok := p.Resolve(name)
			if !ok {
				continue
			}
			if claims[s.Catalog] == nil {
				claims[s.Catalog] = map[string]struct{}{}
			}
			claims[s.Catalog][slug] = struct{}{}
		}
	}
	return claims, wildcard
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (p *Producers) isIgnored(slug string) bool {
	if p.ignored != nil || len(p.Ignore) == 0 {
		_, ok := p.ignored[slug]
		return ok
	}
	for _, name := range p.Ignore {
		if iso.Slug(name) == slug {
			return true
		}
	}
	return false
}

// alias returns the target of the alias whose key has the given slug, and
// the target's slug.
func (p *Producers) alias(slug string) (target, targetSlug string, ok bool) {
	if p.aliasBySlug != nil || len(p.Aliases) == 0 {
		target, ok = p.aliasBySlug[slug]
		return target, p.targetSlug[slug], ok
	}
	for _, k := range sortedKeys(p.Aliases) {
		if iso.Slug(k) == slug {
			target = strings.TrimSpace(p.Aliases[k])
			return target, iso.Slug(target), true
		}
	}
	return "", "", false
}

// slugOf is iso.Slug with a fast path for text that is already a slug.
func slugOf(s string) string {
	if isSlug(s) {
		return s
	}
	return iso.Slug(s)
}

// isSlug reports whether s is already what iso.Slug would return for it.
func isSlug(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
		case c == '-' && s[i-1] != '-':
		default:
			return false
		}
	}
	return true
}

// Resolve normalises a producer name (or slug) found in a record: aliases
// are matched by the slug of name and give the display name; otherwise the
// display name is name itself (trimmed); slug is iso.Slug(display). ok is
// false when the name is empty, has no letter or digit, is ignored (before
// or after alias resolution), or is a template placeholder that no alias
// names (Placeholder).
func (p Producers) Resolve(name string) (slug, display string, ok bool) {
	slug, display, why := p.resolve(name)
	if why != "" {
		return "", "", false
	}
	return slug, display, true
}

// Rejected says why Resolve refuses a producer name, "" when it accepts
// it: "no letter or digit", "listed in [producers] ignore", or the
// placeholder rule that matched (see Placeholder).
func (p Producers) Rejected(name string) string {
	_, _, why := p.resolve(name)
	return why
}

// resolve is Resolve and Rejected: the slug and display name, or why the
// name is refused.
func (p Producers) resolve(name string) (slug, display, why string) {
	display = strings.TrimSpace(name)
	slug = slugOf(display)
	switch {
	case slug == "":
		return "", "", "no letter or digit"
	case p.isIgnored(slug):
		return "", "", "listed in [producers] ignore"
	}
	if target, targetSlug, aliased := p.alias(slug); aliased {
		// An alias wins over the placeholder rule: the name is known.
		if targetSlug == "" || p.isIgnored(targetSlug) {
			return "", "", "alias target listed in [producers] ignore"
		}
		return targetSlug, target, ""
	}
	if why := Placeholder(display); why != "" {
		return "", "", "template placeholder (" + why + ")"
	}
	return slug, display, ""
}

// placeholderPhrases are French template phrases of metadata editors, as
// slugs (accents and case folded): a producer name containing one of them
// as whole words is a placeholder left in the record (geogw.md §3.3: the
// gateway passerelle replaces rejected 28 such names by default).
var placeholderPhrases = []string{
	"nom-de-l-organisation", "nom-de-l-organisme", "a-completer", "a-renseigner", "non-renseigne", "inconnu",
}

// Placeholder says why a producer name is evidently a template
// placeholder, "" when it is not: wrapped in "--", "[ ]" or "< >"; made
// only of punctuation and "x" (xxx, x.x); or containing a French template
// phrase ("nom de l'organisation", "nom de l'organisme", "à compléter",
// "à renseigner", "non renseigné", "inconnu"), accents and case folded.
// Resolve rejects such names unless an alias names them; [producers]
// ignore adds names to reject.
func Placeholder(name string) string {
	n := strings.TrimSpace(name)
	if n == "" {
		return ""
	}
	switch {
	case len(n) >= 4 && strings.HasPrefix(n, "--") && strings.HasSuffix(n, "--"):
		return "wrapped in --"
	case len(n) >= 2 && n[0] == '[' && n[len(n)-1] == ']':
		return "wrapped in [ ]"
	case len(n) >= 2 && n[0] == '<' && n[len(n)-1] == '>':
		return "wrapped in < >"
	}
	slug := slugOf(n)
	if strings.Trim(slug, "x-") == "" {
		return "only punctuation or x"
	}
	padded := "-" + slug + "-"
	for _, ph := range placeholderPhrases {
		if strings.Contains(padded, "-"+ph+"-") {
			return "template phrase " + strings.ReplaceAll(ph, "-", " ")
		}
	}
	return ""
}

// Claims reports whether the organization names producerSlug (a producer
// slug or name, resolved through the aliases) among the producers of
// catalog. A ["*"] source claims nothing by name: use
// Config.OrganizationFor to apply it.
func (o *Organization) Claims(catalog, producerSlug string) bool {
	var p Producers
	if o.producers != nil {
		p = *o.producers
	}
	slug, _, ok := p.Resolve(producerSlug)
	return ok && o.claimsResolved(catalog, slug)
}

func (o *Organization) claimsResolved(catalog, slug string) bool {
	claims := o.claims
	if claims == nil {
		claims, _ = o.buildClaims()
	}
	_, ok := claims[catalog][slug]
	return ok
}

// TakesUnclaimed reports whether the organization sources catalog with
// producers = ["*"].
func (o *Organization) TakesUnclaimed(catalog string) bool {
	wildcard := o.wildcard
	if wildcard == nil {
		_, wildcard = o.buildClaims()
	}
	return wildcard[catalog]
}

// OrganizationFor returns the organization a record of catalog belongs to,
// given the record's producer slugs (or names) in role order: the
// organization claiming the first producer that one claims; else the
// organization sourcing the catalog with ["*"]; else nil.
func (c *Config) OrganizationFor(catalog string, producerSlugs []string) *Organization {
	for _, ps := range producerSlugs {
		slug, _, ok := c.Producers.Resolve(ps)
		if !ok {
			continue
		}
		for i := range c.Organizations {
			if o := &c.Organizations[i]; o.claimsResolved(catalog, slug) {
				return o
			}
		}
	}
	for i := range c.Organizations {
		if o := &c.Organizations[i]; o.TakesUnclaimed(catalog) {
			return o
		}
	}
	return nil
}

package proxy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/iso"
)

// onboardRequest is what the onboarding pages and
// GET /admin/onboarding/toml ask for.
type onboardRequest struct {
	DatagouvID string
	Name       string // organization title, from the account
	Catalog    string
	Producers  []string // slugs, or ["*"]
	Mode       string   // harvest (default) or push
}

// onboardBlock is a checked [[organization]] block.
type onboardBlock struct {
	req  onboardRequest
	id   string // the organization's slug in catalogs.toml
	text string
	base []byte // the file content the block was checked with
}

var datagouvIDRe = regexp.MustCompile(`^[0-9a-f]{24}$`)

// tomlString quotes s as a TOML basic string: JSON's escapes are TOML's,
// plus DEL, which TOML forbids unescaped and JSON leaves as is.
func tomlString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.ReplaceAll(strings.TrimSpace(b.String()), "\x7f", `\u007f`)
}

// buildBlock writes the [[organization]] block for a request and checks
// that the current file plus the block pass check-config.
func (a *admin) buildBlock(ctx context.Context, cfg *config.Config, q onboardRequest) (*onboardBlock, error) {
	if !datagouvIDRe.MatchString(q.DatagouvID) {
		return nil, badRequest("org: a data.gouv.fr organization id (24 hex digits) is required")
	}
	if q.Mode == "" {
		q.Mode = config.ModeHarvest
	}
	if q.Mode != config.ModeHarvest && q.Mode != config.ModePush {
		return nil, badRequest("mode: %q or %q", config.ModeHarvest, config.ModePush)
	}
	for _, o := range cfg.Organizations {
		if o.DatagouvID == q.DatagouvID {
			return nil, &HTTPError{Code: fiber.StatusConflict, Msg: fmt.Sprintf(
				"data.gouv.fr organization %s is already configured as organization %q (line %d): add a [[organization.source]] to it by hand", q.DatagouvID, o.ID, o.Line)}
		}
	}
	cat := cfg.Catalog(q.Catalog)
	if cat == nil {
		return nil, notFound("no catalog %q", q.Catalog)
	}
	if len(q.Producers) == 0 {
		return nil, badRequest("producer: choose at least one producer (or * for every unclaimed one)")
	}
	data, err := a.s.state.Catalog(ctx, q.Catalog)
	if err != nil {
		return nil, unavailable(q.Catalog, err)
	}
	var names []string
	if len(q.Producers) == 1 && q.Producers[0] == config.Wildcard {
		if hasWildcard(cfg, q.Catalog) {
			return nil, &HTTPError{Code: fiber.StatusConflict, Msg: fmt.Sprintf("catalog %q already has an organization taking every unclaimed producer", q.Catalog)}
		}
		names = []string{config.Wildcard}
	} else {
		seen := map[string]bool{}
		for _, slug := range q.Producers {
			if slug == config.Wildcard {
				return nil, badRequest("producer: * must be alone")
			}
			name, ok := data.Snap.Producers[slug]
			if !ok {
				return nil, badRequest("producer: catalog %q has no producer %q", q.Catalog, slug)
			}
			if o := cfg.OrganizationFor(q.Catalog, []string{slug}); o != nil && !hasWildcardFor(o, q.Catalog) {
				return nil, &HTTPError{Code: fiber.StatusConflict, Msg: fmt.Sprintf("producer %q is already claimed by organization %q", name, o.ID)}
			}
			if !seen[slug] {
				seen[slug] = true
				names = append(names, name)
			}
		}
	}
	if strings.TrimSpace(q.Name) == "" {
		q.Name = "Organisation " + q.DatagouvID
	}
	id := iso.Slug(q.Name)
	if id == "" {
		id = "org-" + q.DatagouvID[:8]
	}
	for base, n := id, 2; cfg.Organization(id) != nil; n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n[[organization]]\nid = %s\ntitle = %s\ndatagouv_id = %s\nmode = %s\n", tomlString(id), tomlString(q.Name), tomlString(q.DatagouvID), tomlString(q.Mode))
	fmt.Fprintf(&b, "  [[organization.source]]\n  catalog = %s\n  producers = [", tomlString(q.Catalog))
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(tomlString(n))
	}
	b.WriteString("]\n")
	blk := &onboardBlock{req: q, id: id, text: b.String()}

	// The block must pass check-config with the file as it is now.
	current, err := os.ReadFile(cfg.Path)
	if err != nil {
		return nil, internal(fmt.Errorf("read %s: %w", filepath.Base(cfg.Path), err))
	}
	blk.base = current
	if _, err := config.Parse(cfg.Path, joinBlock(current, blk.text), filepath.Dir(cfg.Path)); err != nil {
		return nil, &HTTPError{Code: fiber.StatusConflict, Msg: "the block does not pass check-config with the current catalogs.toml: " + err.Error(), Err: err}
	}
	return blk, nil
}

// hasWildcardFor reports whether o claims catalog with ["*"]: its
// producers are those no one else claims, which a new claim may take.
func hasWildcardFor(o *config.Organization, catalog string) bool {
	for _, s := range o.Sources {
		if s.Catalog == catalog && len(s.Producers) == 1 && s.Producers[0] == config.Wildcard {
			return true
		}
	}
	return false
}

func joinBlock(current []byte, block string) []byte {
	out := append([]byte(nil), current...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return append(out, block...)
}

var configWrite sync.Mutex

// appendToConfig appends a checked block to catalogs.toml atomically: the
// new content goes to a temporary file in the same folder, the previous
// file is kept as catalogs.toml.bak, then a rename puts the new one in
// place. The file must not have changed since the block was checked.
func (a *admin) appendToConfig(b *onboardBlock) error {
	configWrite.Lock()
	defer configWrite.Unlock()
	path := a.s.config().Path
	return appendFile(path, b.base, b.text)
}

func appendFile(path string, base []byte, text string) error {
	cur, err := os.ReadFile(path)
	if err != nil {
		return internal(fmt.Errorf("read %s: %w", filepath.Base(path), err))
	}
	if sha(cur) != sha(base) {
		return &HTTPError{Code: fiber.StatusConflict, Msg: "catalogs.toml changed since the block was checked: reload the page"}
	}
	st, err := os.Stat(path)
	if err != nil {
		return internal(err)
	}
	if err := writeAtomic(path+".bak", cur, st.Mode().Perm()); err != nil {
		return internal(err)
	}
	if err := writeAtomic(path, joinBlock(cur, text), st.Mode().Perm()); err != nil {
		return internal(err)
	}
	return nil
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// writeAtomic writes data to a temporary file beside path, syncs it and
// renames it over path.
func writeAtomic(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return nil
}

func readFileLimited(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Base(path), err)
	}
	return data, nil
}

func dirOf(path string) string { return filepath.Dir(path) }

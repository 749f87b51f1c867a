// Package passerelle_test holds the repository-wide rules: the one-way
// package dependencies of the README's architecture and a doc.go per package.
package passerelle_test

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/passerelle/passerelle"

type pkg struct {
	ImportPath string
	Dir        string
	Imports    []string
	GoFiles    []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var pkgs []pkg
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("decode go list: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// TestPackageRules enforces the dependency rules of the README:
// cmd → proxy → served → csw, dcat, cache → iso; cmd → push, harvest,
// served; config may import iso; only proxy imports Fiber, only cache
// go-redis, only push x/oauth2 (and cmd, wiring its token source); iso and
// dcat do no I/O; nothing imports proxy but cmd, and in cmd not the harvest
// and push commands (they use served); internal/ is test support and never
// imported by production packages.
//
// csw is three units: the protocol (csw) under the harvesting client
// (csw/client: harvest, cmd, and proxy's catalog probe) and the facade
// (csw/facade: proxy); the client and the facade never import each other.
func TestPackageRules(t *testing.T) {
	allowed := map[string][]string{ // module packages each may import
		"iso":        {},
		"config":     {"iso"},
		"cache":      {"iso"},
		"dcat":       {"iso"},
		"csw":        {},
		"csw/client": {"csw"},
		"csw/facade": {"csw", "iso"},
		"harvest":    {"iso", "config", "cache", "csw", "csw/client"},
		"served":     {"iso", "config", "cache", "csw/facade", "dcat"},
		"proxy":      {"iso", "config", "cache", "csw/client", "csw/facade", "dcat", "served"},
		"push":       {"iso", "config", "cache", "dcat"},
		"cmd":        {"iso", "config", "cache", "csw/client", "dcat", "harvest", "served", "proxy", "push"},
	}
	exclusive := map[string]string{
		"github.com/gofiber/fiber":  "proxy",
		"github.com/redis/go-redis": "cache",
		"golang.org/x/oauth2":       "push",
	}
	noIO := map[string]bool{"iso": true, "dcat": true}
	ioPkgs := []string{"net/http", "os", "os/exec", "database/sql"} // net alone parses addresses

	for _, p := range listPackages(t) {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		top := strings.Split(rel, "/")[0]
		unit := unitOf(rel, allowed)
		if rel == "" || top == "internal" {
			continue
		}
		if top == "cmd" {
			checkProxyOnlyInServe(t, p)
		}
		if _, err := os.Stat(filepath.Join(p.Dir, "doc.go")); err != nil && len(p.GoFiles) > 0 && !strings.Contains(rel, "/internal/") && !strings.Contains(rel, "/cmd/") && top != "cmd" {
			t.Errorf("%s has no doc.go saying what it owns", rel)
		}
		for _, imp := range p.Imports {
			for prefix, owner := range exclusive {
				// cmd wires push's token source (login, a static token).
				cmdMay := top == "cmd" && owner == "push"
				if strings.HasPrefix(imp, prefix) && top != owner && !cmdMay {
					t.Errorf("%s imports %s: only %s may", rel, imp, owner)
				}
			}
			if noIO[top] && !strings.Contains(rel, "/internal/") { // generators under internal/ read files
				for _, io := range ioPkgs {
					if imp == io {
						t.Errorf("%s imports %s: it must do no I/O", rel, imp)
					}
				}
			}
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			dep := unitOf(strings.TrimPrefix(imp, module+"/"), allowed)
			if dep == unit {
				continue
			}
			if dep == "internal" {
				t.Errorf("%s imports %s: internal/ is test support only", rel, imp)
				continue
			}
			ok := false
			for _, a := range allowed[unit] {
				ok = ok || a == dep
			}
			if !ok {
				t.Errorf("%s imports %s: not allowed by the dependency rules", rel, imp)
			}
		}
	}
}

// checkProxyOnlyInServe fails when the harvest or push command's file
// imports proxy: they work from served, without HTTP (serve and the admin
// pages it wires are proxy's).
func checkProxyOnlyInServe(t *testing.T, p pkg) {
	t.Helper()
	for _, f := range p.GoFiles {
		if f != "harvest.go" && f != "push.go" {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), filepath.Join(p.Dir, f), nil, parser.ImportsOnly)
		if err != nil {
			t.Fatalf("parse %s: %v", f, err)
		}
		for _, imp := range file.Imports {
			if strings.Trim(imp.Path.Value, `"`) == module+"/proxy" {
				t.Errorf("%s/%s imports proxy: the harvest and push commands use served", p.ImportPath, f)
			}
		}
	}
}

// unitOf is the unit of the dependency rules a package path (relative to
// the module) belongs to: a sub-package the rules name (csw/client), else
// its top-level directory.
func unitOf(rel string, allowed map[string][]string) string {
	parts := strings.SplitN(rel, "/", 3)
	if len(parts) >= 2 {
		if _, ok := allowed[parts[0]+"/"+parts[1]]; ok {
			return parts[0] + "/" + parts[1]
		}
	}
	return parts[0]
}

// Package testenv locates what tests need outside the module: the shared
// reference material (corpus, schemas, vocabularies, SHACL checker) and the
// Redis server. Test support only.
package testenv

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// ModuleRoot returns the directory holding go.mod.
func ModuleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// SharedDir returns PASSERELLE_SHARED, or ../shared beside the module root,
// and whether it exists.
func SharedDir() (string, bool) {
	dir := os.Getenv("PASSERELLE_SHARED")
	if dir == "" {
		dir = filepath.Join(ModuleRoot(), "..", "shared")
	}
	st, err := os.Stat(filepath.Join(dir, "corpus"))
	return dir, err == nil && st.IsDir()
}

// Shared returns the shared material directory. When it is absent (a clone
// elsewhere) the test is skipped, saying why — except under CI (CI set),
// where it fails: CI always has the material, so a missing one is a broken
// checkout, not a reason for the tests that need it to go silently green.
func Shared(t testing.TB) string {
	t.Helper()
	dir, ok := SharedDir()
	if !ok {
		if os.Getenv("CI") != "" {
			t.Fatalf("shared material not found at %s (set PASSERELLE_SHARED): CI must have it", dir)
		}
		t.Skipf("shared material not found at %s (set PASSERELLE_SHARED): skipping", dir)
	}
	return dir
}

// Corpus returns a path inside the shared corpus.
func Corpus(t testing.TB, elem ...string) string {
	t.Helper()
	return filepath.Join(append([]string{Shared(t), "corpus"}, elem...)...)
}

// RedisURL returns PASSERELLE_TEST_REDIS or the default
// redis://127.0.0.1:6379/15. Tests needing Redis skip only under -short;
// otherwise an unreachable server is a failure (make test starts one).
func RedisURL(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("Redis tests are skipped under -short")
	}
	if u := os.Getenv("PASSERELLE_TEST_REDIS"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/15"
}

// MissingTool reports a required external tool (serdi, xmllint, node,
// python3-owslib…) that is not installed: under CI (CI set) the test fails,
// since make test installs them; elsewhere it is skipped, saying so.
func MissingTool(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is missing: make test installs it (scripts/test-deps.sh)", what)
	}
	t.Skipf("%s is missing (make test installs it): skipping", what)
}

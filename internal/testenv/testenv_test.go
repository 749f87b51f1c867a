package testenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestSharedMissing runs this test binary again with PASSERELLE_SHARED
// pointing nowhere: under CI the child test fails, elsewhere it is skipped.
func TestSharedMissing(t *testing.T) {
	if os.Getenv("PASSERELLE_TESTENV_CHILD") != "" {
		Shared(t)
		return
	}
	for _, tc := range []struct {
		ci       string
		wantFail bool
		wantOut  string
	}{
		{"", false, "--- SKIP: TestSharedMissing"},
		{"true", true, "CI must have it"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSharedMissing$", "-test.v")
		cmd.Env = append(os.Environ(), "PASSERELLE_TESTENV_CHILD=1", "PASSERELLE_SHARED="+t.TempDir(), "CI="+tc.ci)
		out, err := cmd.CombinedOutput()
		if failed := err != nil; failed != tc.wantFail {
			t.Errorf("CI=%q: child failed = %v, want %v:\n%s", tc.ci, failed, tc.wantFail, out)
		}
		if !strings.Contains(string(out), tc.wantOut) {
			t.Errorf("CI=%q: output lacks %q:\n%s", tc.ci, tc.wantOut, out)
		}
	}
}

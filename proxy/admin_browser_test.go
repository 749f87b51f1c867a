package proxy

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/internal/testenv"
)

const chromiumPath = "/usr/bin/chromium"

// TestAdminInBrowser drives Debian's Chromium, headless, through the
// onboarding: sign in against the fake data.gouv.fr, the dashboard, an
// organization, a catalog, its producers and the [[organization]] block;
// it saves screenshots of the dashboard and of an organization page under
// the test's temporary folder (and into $PASSERELLE_SCREENSHOTS when set).
func TestAdminInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test is skipped under -short")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		testenv.MissingTool(t, "chromium ("+chromiumPath+")")
	}
	ae := newAdminEnv(t, nil)
	shots := t.TempDir()

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	// Only these flags: the allocator adds none of chromedp's defaults.
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	defer cancelT()

	type css = chromedp.CSS
	rennes := `tr.org[data-datagouv-id="` + dgRennes + `"]`
	// Sign in: /admin/ → /admin/login → data.gouv.fr (the fake consents)
	// → /admin/callback → /admin/.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(ae.base+"/admin/"),
		chromedp.WaitVisible(css(rennes)),
	))
	location, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	title, err := chromedp.Run(ctx, chromedp.Title())
	require.NoError(t, err)
	dashboard, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	// Organization → catalog → producers → block.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(css(rennes+" a.onboard")),
		chromedp.WaitVisible(css("a.choose-catalog")),
		chromedp.Click(css("a.choose-catalog")),
		chromedp.WaitVisible(css("#p-rennes-metropole")),
		chromedp.Click(css("#p-rennes-metropole")),
		chromedp.Click(css("#p-ville-de-rennes")),
		chromedp.Click(css("#make-block")),
		chromedp.WaitVisible(css("#block")),
	))
	block, err := chromedp.Run(ctx, chromedp.Text(css("#block")))
	require.NoError(t, err)
	blockPage, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	// An organization page.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(ae.base+"/admin/organizations/bretagne"),
		chromedp.WaitVisible(css("h1")),
	))
	orgPage, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)

	assert.Equal(t, ae.base+"/admin/", location, "signed in and back on the dashboard")
	assert.Equal(t, "Tableau de bord — passerelle", title)
	assert.Equal(t, `[[organization]]
id = "rennes-metropole"
title = "Rennes Métropole"
datagouv_id = "65a0de0000000000000000c1"
mode = "harvest"
  [[organization.source]]
  catalog = "demo"
  producers = ["Rennes Métropole", "Ville de Rennes"]`, strings.TrimSpace(block))

	for name, img := range map[string][]byte{"dashboard.png": dashboard, "organization.png": orgPage, "block.png": blockPage} {
		require.Greater(t, len(img), 10_000, name)
		require.True(t, bytes.HasPrefix(img, []byte("\x89PNG\r\n\x1a\n")), "%s is a PNG", name)
		require.NoError(t, os.WriteFile(filepath.Join(shots, name), img, 0o644))
		if dir := os.Getenv("PASSERELLE_SCREENSHOTS"); dir != "" {
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), img, 0o644))
		}
	}
	t.Logf("screenshots in %s", shots)
}

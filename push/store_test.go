package push

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/cache"
)

// The embedded store (the default cache) keeps intents and reports: an
// interrupted run resumed against it creates no duplicate.
func TestIntentsInEmbeddedStore(t *testing.T) {
	st, err := cache.OpenBolt(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })

	e := newEnv(t)
	items := makeItems(12)
	rehash(items)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	e.fake.OnCall(func(method, route string) {
		if method == "POST" && route == "/api/1/datasets/" {
			if n++; n == 5 {
				cancel()
			}
		}
	})
	rep, err := Apply(ctx, e.client, e.plan(t, items, false), ApplyOptions{Intents: st})
	require.NoError(t, err)
	assert.Equal(t, 1, rep.ExitCode())
	e.fake.OnCall(nil)

	rep = e.sync(t, items, ApplyOptions{Intents: st})
	assert.Equal(t, 0, rep.ExitCode(), rep.Results)
	e.assertState(t, items)
	assert.Len(t, e.fake.Datasets(e.org.DatagouvID), 12)
	raw, ok, err := st.Get(context.Background(), ReportKey("ddt99"))
	require.NoError(t, err)
	require.True(t, ok)
	assert.Contains(t, string(raw), `"organization":"ddt99"`)
}

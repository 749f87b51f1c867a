package push

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/internal/udatafake"
)

// recordSleeps replaces the client's sleep and records the waits.
func recordSleeps(c *Client) *[]time.Duration {
	var mu sync.Mutex
	var waits []time.Duration
	c.sleepFn = func(_ context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		waits = append(waits, d)
		return nil
	}
	return &waits
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name      string
		fault     udatafake.Fault
		call      func(e *testEnv) error
		calls     int // requests sent
		waits     []time.Duration
		wantErr   error
		uncertain bool
	}{
		{
			name:  "429 on POST honours Retry-After",
			fault: udatafake.Fault{Method: "POST", Route: "/api/1/datasets/", Kind: udatafake.Fault429, RetryAfter: "7", Times: 2},
			call: func(e *testEnv) error {
				_, err := e.client.CreateDataset(context.Background(), map[string]any{"title": "t", "description": "d", "organization": e.org.DatagouvID})
				return err
			},
			calls: 3, waits: []time.Duration{7 * time.Second, 7 * time.Second},
		},
		{
			name:  "500 on POST is not retried: outcome unknown",
			fault: udatafake.Fault{Method: "POST", Route: "/api/1/datasets/", Kind: udatafake.Fault500},
			call: func(e *testEnv) error {
				_, err := e.client.CreateDataset(context.Background(), map[string]any{"title": "t", "description": "d", "organization": e.org.DatagouvID})
				return err
			},
			calls: 1, wantErr: ErrTransient, uncertain: true,
		},
		{
			name:  "dropped connection on POST is not retried",
			fault: udatafake.Fault{Method: "POST", Route: "/api/1/datasets/", Kind: udatafake.FaultDrop},
			call: func(e *testEnv) error {
				_, err := e.client.CreateDataset(context.Background(), map[string]any{"title": "t", "description": "d", "organization": e.org.DatagouvID})
				return err
			},
			calls: 1, wantErr: ErrTransient, uncertain: true,
		},
		{
			name:  "500 on GET is retried with backoff",
			fault: udatafake.Fault{Method: "GET", Route: "/api/1/me/", Kind: udatafake.Fault500, Times: 2},
			call: func(e *testEnv) error {
				_, err := e.client.Me(context.Background())
				return err
			},
			calls: 3,
		},
		{
			name:  "dropped connection on GET is retried",
			fault: udatafake.Fault{Method: "GET", Route: "/api/1/me/", Kind: udatafake.FaultDrop},
			call: func(e *testEnv) error {
				_, err := e.client.Me(context.Background())
				return err
			},
			calls: 2,
		},
		{
			name:  "retries end",
			fault: udatafake.Fault{Method: "GET", Route: "/api/1/me/", Kind: udatafake.Fault500, Times: -1},
			call: func(e *testEnv) error {
				_, err := e.client.Me(context.Background())
				return err
			},
			calls: 6, wantErr: ErrTransient,
		},
		{
			name:  "Retry-After beyond MaxWait gives up",
			fault: udatafake.Fault{Method: "GET", Route: "/api/1/me/", Kind: udatafake.Fault429, RetryAfter: "3600"},
			call: func(e *testEnv) error {
				_, err := e.client.Me(context.Background())
				return err
			},
			calls: 1, wantErr: ErrTransient,
		},
		{
			name:  "read-only 423 is not retried",
			fault: udatafake.Fault{Method: "POST", Route: "/api/1/datasets/", Kind: udatafake.Fault423},
			call: func(e *testEnv) error {
				_, err := e.client.CreateDataset(context.Background(), map[string]any{"title": "t", "description": "d"})
				return err
			},
			calls: 1, wantErr: ErrReadOnly,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			waits := recordSleeps(e.client)
			e.fake.Inject(tt.fault)
			before := e.client.Calls()
			err := tt.call(e)
			assert.Equal(t, tt.calls, e.client.Calls()-before)
			if tt.wantErr == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tt.wantErr)
			}
			assert.Equal(t, tt.uncertain, errors.Is(err, ErrUncertain))
			if tt.waits != nil {
				assert.Equal(t, tt.waits, *waits)
			} else {
				assert.Len(t, *waits, max(tt.calls-1, 0))
			}
		})
	}
}

func TestErrorBodies(t *testing.T) {
	e := newEnv(t)
	_, err := e.client.CreateDataset(context.Background(), map[string]any{
		"description": "d", "organization": e.org.DatagouvID, "tags": []string{"ok-tag", "x"},
		"resources": []any{map[string]any{"title": "r", "url": "http://localhost/x", "filetype": "remote"}},
	})
	require.ErrorIs(t, err, ErrInvalid)
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, map[string]string{
		"title":           "This field is required.",
		"tags":            `Tag "x" must be between 3 and 96 characters long.`,
		"resources.0.url": "Invalid URL: local addresses are not allowed",
	}, ae.Fields)
	assert.Contains(t, err.Error(), "POST /api/1/datasets/: 400 Bad Request: resources.0.url: Invalid URL")

	_, err = e.client.UpdateDataset(context.Background(), "5f0000000000000000000000", map[string]any{"tags": []string{}})
	require.ErrorIs(t, err, ErrNotFound)
	_, err = e.client.CreateDataset(context.Background(), map[string]any{"title": "t", "description": "d", "frequency": "often"})
	require.ErrorIs(t, err, ErrInvalid)
	assert.Contains(t, err.Error(), "'often' is not a valid UpdateFrequency")
}

func TestDecodeAPIError(t *testing.T) {
	tests := []struct {
		name string
		body string
		msg  string
		flds map[string]string
	}{
		{"message", `{"message": "Dataset has been deleted"}`, "Dataset has been deleted", nil},
		{"fields", `{"errors": {"organization": ["Permission denied for this organization"]}}`, "", map[string]string{"organization": "Permission denied for this organization"}},
		{"flask-restx", `{"errors": {"page": "must be positive"}, "message": "Input payload validation failed"}`, "Input payload validation failed", map[string]string{"page": "must be positive"}},
		{"oauth", `{"error": "invalid_grant", "error_description": "Invalid code"}`, "invalid_grant: Invalid code", nil},
		{"html", `<html>Bad gateway</html>`, "<html>Bad gateway</html>", nil},
		{"empty", ``, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := decodeAPIError("GET", "/x", 400, []byte(tt.body))
			assert.Equal(t, tt.msg, e.Message)
			assert.Equal(t, tt.flds, e.Fields)
		})
	}
}

func FuzzDecodeAPIError(f *testing.F) {
	f.Add([]byte(`{"errors": {"resources": {"0": {"url": ["bad"]}}, "tags": ["a", 1, null]}, "message": 3}`))
	f.Add([]byte(`{"error": "x"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e := decodeAPIError("PUT", "/api/1/datasets/x/", 400, body)
		_ = e.Error()
	})
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"5", 5 * time.Second}, {"-1", 0}, {"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, retryAfter(tt.in, now), tt.in)
	}
}

func FuzzRetryAfter(f *testing.F) {
	f.Add("120")
	f.Add("Wed, 21 Oct 2015 07:28:00 GMT")
	f.Fuzz(func(t *testing.T, v string) {
		if d := retryAfter(v, time.Now()); d < 0 {
			t.Fatalf("negative wait %s for %q", d, v)
		}
	})
}

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLimiter(5, 1)
	l.now = func() time.Time { return now }
	var got []time.Duration
	for range 4 {
		got = append(got, l.reserve())
	}
	// 5/s, burst 1: the first goes at once, then one every 200 ms.
	assert.Equal(t, []time.Duration{0, 200 * time.Millisecond, 400 * time.Millisecond, 600 * time.Millisecond}, got)
	now = now.Add(2 * time.Second) // the queue drained, bucket refilled to its burst
	assert.Equal(t, time.Duration(0), l.reserve())
	assert.Equal(t, 200*time.Millisecond, l.reserve())
	assert.Nil(t, newLimiter(-1, 1), "negative rate: unlimited")
}

func TestClientSendsCredentials(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id": "u"}`))
	}))
	defer srv.Close()
	c, err := NewClient(Options{BaseURL: srv.URL, APIKey: "k", Rate: -1})
	require.NoError(t, err)
	_, err = c.Me(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "k", got.Get("X-API-KEY"))
	assert.Empty(t, got.Get("Authorization"))
	assert.Contains(t, got.Get("User-Agent"), "passerelle")

	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html>maintenance</html>"))
	}))
	defer html.Close()
	c, err = NewClient(Options{BaseURL: html.URL, Rate: -1})
	require.NoError(t, err)
	_, err = c.Me(context.Background())
	require.ErrorIs(t, err, ErrUpstream)
	assert.Equal(t, 1, c.Calls(), "not retried")

	_, err = NewClient(Options{BaseURL: "www.data.gouv.fr"})
	assert.Error(t, err)
}

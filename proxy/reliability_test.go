package proxy

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/cache"
)

// TestPageBoundsNeverOverflow: page numbers far past the end (whose
// (page-1)*page_size overflows) are a 404 or 400, never a panic.
func TestPageBoundsNeverOverflow(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir()})
	e.harvest("demo")
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/catalogs/demo/datasets.json?page=1000000000000000000", 404},
		{"/catalogs/demo/catalog.ttl?page=4611686018427387904&page_size=4", 404},
		{"/catalogs/demo/catalog.ttl?page=9223372036854775807&page_size=500", 404},
		{"/catalogs/demo/producers/region-bretagne/datasets.json?page=4611686018427387905&page_size=2", 404},
		{"/organizations/bretagne/catalog.rdf?page=2305843009213693953&page_size=8", 404},
		{"/organizations/bretagne/datasets.json?page=9223372036854775807", 404},
		{"/catalogs/demo/datasets.json?page=99999999999999999999", 400},
		{"/catalogs/demo/datasets.json?page=-9223372036854775808", 400},
		{"/catalogs/demo/csw?service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&resultType=results&startPosition=9223372036854775807&maxRecords=500", 200},
		{"/catalogs/demo/csw?service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&resultType=results&startPosition=20&maxRecords=9223372036854775807", 200},
		{"/catalogs/demo/csw?service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&resultType=results&startPosition=99999999999999999999", 400},
		{"/catalogs/demo/datasets.json?page=2&page_size=10", 200},
		{"/catalogs/demo/datasets.json?page=3&page_size=10", 404},
	} {
		resp, body := e.get(tc.path)
		assert.Equal(t, tc.status, resp.StatusCode, "%s: %s", tc.path, body)
	}
}

// panicStore panics when a catalog is looked up: a bug below a handler.
type panicStore struct{ cache.Store }

func (panicStore) Generation(context.Context, string) (int64, error) { panic("boom") }

// TestRecoverPanic: a panicking request is a logged 500 in the route's
// error format; the server keeps answering.
func TestRecoverPanic(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir()})
	var logs bytes.Buffer
	srv := New(Options{Store: panicStore{e.store}, Config: e.cfg, Recheck: 1, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	get := func(path string) (*http.Response, []byte) {
		resp, err := srv.App().Test(httptestRequest(http.MethodGet, path, nil), -1)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, body
	}
	resp, body := get("/catalogs/demo/datasets.json")
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Equal(t, "application/problem+json; charset=utf-8", resp.Header.Get("Content-Type"))
	var p problem
	require.NoError(t, json.Unmarshal(body, &p), string(body))
	assert.Equal(t, "internal error", p.Detail)
	assert.NotContains(t, string(body), "boom", "the panic value is logged, not sent")

	resp, body = get("/catalogs/demo/csw?service=CSW&request=GetCapabilities")
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Contains(t, string(body), "ows:ExceptionReport")

	resp, _ = get("/healthz")
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the server still answers")
	assert.Contains(t, logs.String(), "panic serving GET /catalogs/demo/datasets.json: boom")
	assert.Contains(t, logs.String(), `"level":"ERROR"`)
}

func httptestRequest(method, target string, body io.Reader) *http.Request {
	req, err := http.NewRequest(method, "http://example.org"+target, body)
	if err != nil {
		panic(err)
	}
	return req
}

// TestMethodsAndLongURI: unknown methods on existing paths are a 405 with
// Allow, unknown paths a 404, a long request target a 414.
func TestMethodsAndLongURI(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir()})
	e.harvest("demo")
	for _, tc := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{http.MethodDelete, "/catalogs.json", 405, "GET, HEAD"},
		{http.MethodPost, "/catalogs/demo/catalog.ttl", 405, "GET, HEAD"},
		{http.MethodPut, "/catalogs/demo/csw", 405, "GET, HEAD, POST"},
		{http.MethodPatch, "/organizations/bretagne/csw", 405, "GET, HEAD, POST"},
		{http.MethodDelete, "/catalogs/demo/datasets/some/id.ttl", 405, "GET, HEAD"},
		{http.MethodOptions, "/catalogs/demo/datasets.json", 204, "GET, HEAD"},
		{http.MethodDelete, "/nowhere", 404, ""},
		{http.MethodGet, "/catalogs/demo/catalog.ttl/extra", 404, ""},
		{http.MethodGet, "/catalogs/demo/datasets.json?x=" + strings.Repeat("a", MaxURIBytes), 414, ""},
	} {
		resp, body := e.do(tc.method, tc.path)
		assert.Equal(t, tc.status, resp.StatusCode, "%s %.80s: %s", tc.method, tc.path, body)
		assert.Equal(t, tc.allow, resp.Header.Get("Allow"), tc.path)
	}
	resp, body := e.do(http.MethodPut, "/catalogs/demo/csw")
	assert.Equal(t, 405, resp.StatusCode)
	assert.Contains(t, string(body), "ows:ExceptionReport", "CSW routes answer in their format")
}

// serveLoopback serves srv on a loopback port until the test ends.
func serveLoopback(t *testing.T, srv *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return ln.Addr().String()
}

// rawExchange sends raw bytes on a new connection and reads one answer.
func rawExchange(t *testing.T, addr string, send func(io.Writer) error) (*http.Response, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(30*time.Second)))
	go send(conn) //nolint:errcheck // the server may close before everything is sent
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, body
}

// TestBodyLimit: bodies over the facade's 1 MiB are refused by the HTTP
// server with 413, in the route's error format, whether announced by
// Content-Length or chunked; a long request line is a 414 even past the
// read buffer.
func TestBodyLimit(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir()})
	e.harvest("demo")
	addr := serveLoopback(t, e.srv)
	big := bytes.Repeat([]byte("x"), MaxBodyBytes+1)
	for _, tc := range []struct {
		name, path string
		chunked    bool
		want       string
	}{
		{"csw content-length", "/catalogs/demo/csw", false, "ows:ExceptionReport"},
		{"csw chunked", "/catalogs/demo/csw", true, "ows:ExceptionReport"},
		{"organization csw chunked", "/organizations/bretagne/csw", true, "ows:ExceptionReport"},
		{"json route", "/catalogs/demo/datasets.json", false, `"status":413`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := rawExchange(t, addr, func(w io.Writer) error {
				head := "POST " + tc.path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\n"
				if tc.chunked {
					if _, err := fmt.Fprintf(w, "%sTransfer-Encoding: chunked\r\n\r\n", head); err != nil {
						return err
					}
					for off := 0; off < len(big); off += 64 << 10 {
						chunk := big[off:min(off+64<<10, len(big))]
						if _, err := fmt.Fprintf(w, "%x\r\n%s\r\n", len(chunk), chunk); err != nil {
							return err
						}
					}
					_, err := io.WriteString(w, "0\r\n\r\n")
					return err
				}
				if _, err := fmt.Fprintf(w, "%sContent-Length: %d\r\n\r\n", head, len(big)); err != nil {
					return err
				}
				_, err := w.Write(big)
				return err
			})
			assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, string(body))
			assert.Contains(t, string(body), tc.want)
		})
	}
	t.Run("request line past the read buffer", func(t *testing.T) {
		resp, _ := rawExchange(t, addr, func(w io.Writer) error {
			_, err := fmt.Fprintf(w, "GET /catalogs/demo/datasets.json?x=%s HTTP/1.1\r\nHost: x\r\n\r\n", strings.Repeat("a", 2*readBufferBytes))
			return err
		})
		assert.Equal(t, http.StatusRequestURITooLong, resp.StatusCode)
	})
	t.Run("headers past the read buffer", func(t *testing.T) {
		resp, _ := rawExchange(t, addr, func(w io.Writer) error {
			_, err := fmt.Fprintf(w, "GET /catalogs/demo/datasets.json HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n", strings.Repeat("a", 2*readBufferBytes))
			return err
		})
		assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, resp.StatusCode)
	})
}

// TestConnectionCapPerIP: connections of one address beyond the cap are
// refused at once (429), the ones within it are served.
func TestConnectionCapPerIP(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir()})
	srv := New(Options{Store: e.store, Config: e.cfg, Recheck: 1, MaxConnsPerIP: 2})
	addr := serveLoopback(t, srv)
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		held = append(held, c)
	}
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	// The held connections are accepted: each answers a request.
	for _, c := range held {
		_, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		resp.Body.Close()
	}
	resp, _ := rawExchange(t, addr, func(w io.Writer) error {
		_, err := io.WriteString(w, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		return err
	})
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "a third connection from the same address")

	// A closed connection gives its slot back.
	require.NoError(t, held[0].Close())
	require.Eventually(t, func() bool {
		resp, _ := rawExchange(t, addr, func(w io.Writer) error {
			_, err := io.WriteString(w, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
			return err
		})
		return resp.StatusCode == http.StatusOK
	}, 10*time.Second, 10*time.Millisecond)
}

// TestUnavailableLoggedOnce: a client polling a catalog not harvested yet
// gets 503 each time, logged once (not at ERROR) until the catalog is
// served.
func TestUnavailableLoggedOnce(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir()})
	var logs syncBuffer
	e.srv = New(Options{Store: e.store, Config: e.cfg, Recheck: 1, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	for range 5 {
		resp, _ := e.get("/catalogs/demo/datasets.json")
		require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	}
	resp, _ := e.get("/catalogs/demo/csw?service=CSW&request=GetCapabilities")
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, 1, strings.Count(logs.String(), "catalog not harvested yet"), logs.String())
	assert.NotContains(t, logs.String(), `"level":"ERROR"`)

	e.harvest("demo")
	resp, _ = e.get("/catalogs/demo/datasets.json")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	_, loaded := e.srv.unready.Load("demo")
	assert.False(t, loaded, "served: a later 503 of the catalog is a new state, logged again")
}

// TestConnectionCapTotal: beyond MaxConns open connections, a new one is
// refused at once (fasthttp answers 503) instead of being queued.
func TestConnectionCapTotal(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir()})
	srv := New(Options{Store: e.store, Config: e.cfg, Recheck: 1, MaxConns: 1})
	addr := serveLoopback(t, srv)
	held, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer held.Close()
	_, err = io.WriteString(held, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(held), nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "the held connection is served (and kept alive)")

	resp, _ = rawExchange(t, addr, func(w io.Writer) error {
		_, err := io.WriteString(w, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		return err
	})
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
}

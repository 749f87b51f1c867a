package proxy

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// Request limits of the HTTP server (README#Reliability).
const (
	// MaxBodyBytes bounds a request body: the CSW facade's POST limit
	// (csw.DefaultMaxBodyBytes); no other route takes a body.
	MaxBodyBytes = 1 << 20
	// MaxURIBytes bounds the request target (path and query); longer
	// ones are answered 414.
	MaxURIBytes = 8 << 10
	// readBufferBytes bounds the request line and headers together
	// (fasthttp's ReadBufferSize): larger ones are answered 431, or 414
	// when the request line alone does not fit.
	readBufferBytes = 16 << 10
	// DefaultMaxConns bounds the connections served at once
	// (fasthttp's Concurrency); more are answered 503.
	DefaultMaxConns = 4096
	// DefaultMaxConnsPerIP bounds the connections of one client address.
	DefaultMaxConnsPerIP = 64
)

// recoverPanic turns a panic below it into a logged 500 for this request
// only (problem JSON, or an ExceptionReport on CSW routes): the process
// keeps serving.
func (s *Server) recoverPanic(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &HTTPError{Code: fiber.StatusInternalServerError, Msg: "internal error",
				Err: fmt.Errorf("panic serving %s %s: %v\n%s", c.Method(), c.Path(), r, debug.Stack())}
		}
	}()
	return c.Next()
}

// guard refuses what no route can answer before any work: a request
// target longer than MaxURIBytes (414).
func (s *Server) guard(c *fiber.Ctx) error {
	if len(c.Request().RequestURI()) > MaxURIBytes {
		return &HTTPError{Code: fiber.StatusRequestURITooLong,
			Msg: fmt.Sprintf("request target longer than %d bytes", MaxURIBytes)}
	}
	err := c.Next()
	if err == nil && c.Response().StatusCode() < 300 {
		if id := catalogOfPath(c.Path()); id != "" {
			s.unready.Delete(id) // served: its next 503 is a new state
		}
	}
	return err
}

// catalogOfPath returns the catalog id of a /catalogs/{id}/… path.
func catalogOfPath(p string) string {
	rest, ok := strings.CutPrefix(p, "/catalogs/")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	return id
}

// noRoute answers what no route matched: 405 with Allow when the path
// exists for other methods, 404 otherwise.
func (s *Server) noRoute(c *fiber.Ctx) error {
	if allow := s.allowed(c.Path()); allow != "" {
		c.Set(fiber.HeaderAllow, allow)
		if c.Method() == fiber.MethodOptions {
			return c.SendStatus(fiber.StatusNoContent)
		}
		return &HTTPError{Code: fiber.StatusMethodNotAllowed,
			Msg: fmt.Sprintf("method %s not allowed on %s: use %s", c.Method(), c.Path(), allow)}
	}
	return notFound("no route %s", c.Path())
}

// allowed lists the methods of the routes matching path ("" when none).
func (s *Server) allowed(path string) string {
	has := map[string]bool{}
	for _, r := range s.app.GetRoutes(true) {
		if r.Method == fiber.MethodGet || r.Method == fiber.MethodPost {
			if routeMatches(r.Path, path) {
				has[r.Method] = true
			}
		}
	}
	switch {
	case has[fiber.MethodGet] && has[fiber.MethodPost]:
		return "GET, HEAD, POST"
	case has[fiber.MethodGet]:
		return "GET, HEAD"
	case has[fiber.MethodPost]:
		return "POST"
	}
	return ""
}

// routeMatches matches a path against a route pattern of routes.go:
// ":name" matches one non-empty segment or, after a literal prefix in the
// segment ("catalog.:ext"), its non-empty rest; "*" matches the rest.
func routeMatches(pattern, path string) bool {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	for i, p := range ps {
		if p == "*" {
			return true
		}
		if i >= len(xs) {
			return false
		}
		x := xs[i]
		if k := strings.IndexByte(p, ':'); k >= 0 {
			if !strings.HasPrefix(x, p[:k]) || len(x) == k {
				return false
			}
			continue
		}
		if p != x {
			return false
		}
	}
	return len(ps) == len(xs)
}

// headerReceived runs once a request's header is read, before its body:
// it notes whether a chunked body targets a CSW route, so that a 413 for
// it is an ExceptionReport although fasthttp has reset the request by
// then (see cswRoute).
func (s *Server) headerReceived(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	if h.ContentLength() == -1 {
		path, _, _ := strings.Cut(string(h.RequestURI()), "?")
		s.chunkedCSW.Store(h, strings.HasSuffix(path, "/csw"))
	} else {
		s.chunkedCSW.Delete(h)
	}
	return fasthttp.RequestConfig{} // the server's limits
}

// cswRoute reports whether an error answer is for a CSW route (an OWS
// ExceptionReport) rather than problem JSON.
func (s *Server) cswRoute(c *fiber.Ctx) bool {
	if strings.HasSuffix(c.Path(), "/csw") {
		return true
	}
	v, ok := s.chunkedCSW.Load(&c.Context().Request.Header)
	return ok && v.(bool) && unparsed(c)
}

// unparsed reports whether fasthttp failed before the request header was
// read, or reset it: no Host (fasthttp's defaults answer the rest).
func unparsed(c *fiber.Ctx) bool { return len(c.Request().Header.Host()) == 0 }

// errURITooLong stands for a request line longer than the read buffer on
// its way through Fiber's server error handler (which makes a 400 of it).
var errURITooLong = errors.New("passerelle: request target longer than the read buffer")

// wrapServerErrors tells, for a header block longer than the read buffer,
// a request line too long (414) from headers too large (431, Fiber's
// answer). fasthttp's error quotes the first 200 bytes it read: the
// request line ended there when they hold its CRLF.
func wrapServerErrors(next func(*fasthttp.RequestCtx, error)) func(*fasthttp.RequestCtx, error) {
	return func(ctx *fasthttp.RequestCtx, err error) {
		var small *fasthttp.ErrSmallBuffer
		if errors.As(err, &small) {
			msg := err.Error()
			if i := strings.Index(msg, `"`); i >= 0 {
				head := msg[i:]
				if j := strings.Index(head, `"...`); j >= 0 {
					head = head[:j]
				}
				if !strings.Contains(head, `\r\n`) {
					err = errURITooLong
				}
			}
		}
		next(ctx, err)
	}
}

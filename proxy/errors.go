package proxy

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/csw/facade"
	"github.com/passerelle/passerelle/served"
)

// HTTPError is what handlers return: Code and Msg go to the client, Err
// only to the log.
type HTTPError struct {
	Code       int
	Msg        string
	Err        error
	RetryAfter int // seconds, for 503
	// unready names the catalog of a "not harvested yet" 503, logged once
	// per state change instead of at each request.
	unready string
}

func (e *HTTPError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%d %s: %v", e.Code, e.Msg, e.Err)
	}
	return fmt.Sprintf("%d %s", e.Code, e.Msg)
}

func (e *HTTPError) Unwrap() error { return e.Err }

func notFound(format string, a ...any) error {
	return &HTTPError{Code: fiber.StatusNotFound, Msg: fmt.Sprintf(format, a...)}
}

func badRequest(format string, a ...any) error {
	return &HTTPError{Code: fiber.StatusBadRequest, Msg: fmt.Sprintf(format, a...)}
}

// internal is a 500, or a 503 with a short Retry-After when the store is
// unreachable (Redis down): a client may retry, nothing is broken here.
func internal(err error) error {
	if errors.Is(err, cache.ErrUnavailable) {
		return &HTTPError{Code: fiber.StatusServiceUnavailable, Msg: "storage unavailable, retry later", Err: err, RetryAfter: 5}
	}
	return &HTTPError{Code: fiber.StatusInternalServerError, Msg: "internal error", Err: err}
}

// fromServed maps the served layer's domain errors to HTTP: not found is
// 404, not ready (a catalog never harvested successfully) 503 with
// Retry-After, never an empty 200; anything else is a 500.
func fromServed(err error) error {
	var se *served.Error
	if errors.As(err, &se) {
		switch {
		case errors.Is(se.Kind, served.ErrNotFound):
			return &HTTPError{Code: fiber.StatusNotFound, Msg: se.Msg, Err: se.Err}
		case errors.Is(se.Kind, served.ErrNotReady):
			return &HTTPError{Code: fiber.StatusServiceUnavailable, Msg: se.Msg, Err: se.Err, RetryAfter: 300, unready: se.Catalog}
		}
	}
	return internal(err)
}

// unavailable maps the error of loading a catalog: one never harvested
// successfully is 503 with Retry-After (never an empty 200), anything else
// a 500.
func unavailable(catalog string, err error) error {
	if errors.Is(err, served.ErrNotReady) {
		return &HTTPError{Code: fiber.StatusServiceUnavailable, RetryAfter: 300, Err: err, unready: catalog,
			Msg: fmt.Sprintf("catalog %q has not been harvested successfully yet: nothing to serve", catalog)}
	}
	return internal(err)
}

// problem is an RFC 7807 body.
type problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
}

// errorHandler renders every error returned by a handler.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	var he *HTTPError
	var fe *fiber.Error
	var ex *facade.Exception
	var ce *cswError
	c.Response().Header.Del(fiber.HeaderETag)
	c.Response().Header.Del(fiber.HeaderLastModified)
	if errors.As(err, &ce) {
		c.Set(fiber.HeaderContentType, facade.ContentTypeXML)
		c.Set(fiber.HeaderCacheControl, "no-store")
		if ce.status == fiber.StatusServiceUnavailable {
			c.Set(fiber.HeaderRetryAfter, cswRetryAfter)
		}
		return c.Status(ce.status).Send(ce.body)
	}
	switch {
	case errors.As(err, &he):
	case errors.As(err, &ex):
		he = &HTTPError{Code: ex.Status(), Msg: ex.Text, Err: err}
	case errors.As(err, &fe):
		he = &HTTPError{Code: fe.Code, Msg: fe.Message}
		if fe.Code == fiber.StatusBadRequest && fe.Message == errURITooLong.Error() {
			he = &HTTPError{Code: fiber.StatusRequestURITooLong, Msg: fmt.Sprintf("request target longer than %d bytes", MaxURIBytes)}
		}
	default:
		he = &HTTPError{Code: fiber.StatusInternalServerError, Msg: "internal error", Err: err}
	}
	switch {
	case he.unready != "":
		if _, logged := s.unready.LoadOrStore(he.unready, true); !logged {
			s.log.Warn("catalog not harvested yet: answering 503 until it is", "catalog", he.unready, "path", c.Path(), "err", he.Err)
		} else {
			s.log.Debug("request refused", "path", c.Path(), "status", he.Code, "err", he.Err)
		}
	case he.Code >= 500:
		s.log.Error("request failed", "method", c.Method(), "path", c.Path(), "status", he.Code, "err", err)
	case he.Err != nil:
		s.log.Debug("request refused", "path", c.Path(), "status", he.Code, "err", he.Err)
	}
	if he.RetryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(he.RetryAfter))
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	if s.cswRoute(c) {
		if ex == nil {
			ex = &facade.Exception{Code: "NoApplicableCode", Text: he.Msg}
		}
		c.Set(fiber.HeaderContentType, facade.ContentTypeXML)
		return c.Status(he.Code).Send(ex.XML())
	}
	body, _ := json.Marshal(problem{
		Type:     "about:blank",
		Title:    statusText(he.Code),
		Status:   he.Code,
		Detail:   he.Msg,
		Instance: c.OriginalURL(),
	})
	c.Set(fiber.HeaderContentType, "application/problem+json; charset=utf-8")
	return c.Status(he.Code).Send(body)
}

func statusText(code int) string {
	if t := utils.StatusMessage(code); t != "" {
		return t
	}
	return "Error"
}

package proxy

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/passerelle/passerelle/served"
)

// send answers with a body built from a view, honouring conditional
// requests: ETag = hash of (view generations, media type, query, encoding),
// Last-Modified = the view's newest snapshot time. Bodies are kept in the
// response cache under the same key, so a hot page is assembled once per
// generation.
func (s *Server) send(c *fiber.Ctx, v *served.View, contentType string, build func() ([]byte, error)) error {
	gz := strings.Contains(c.Get(fiber.HeaderAcceptEncoding), "gzip")
	key := v.GenerationKey() + "|" + c.Method() + "|" + c.Path() + "|" + contentType + "|" + string(c.Request().URI().QueryString())
	sum := sha256.Sum256([]byte(key + "|" + strconv.FormatBool(gz)))
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`

	c.Set(fiber.HeaderETag, etag)
	if !v.Created.IsZero() {
		c.Set(fiber.HeaderLastModified, v.Created.UTC().Format(http.TimeFormat))
		c.Set("X-Passerelle-Snapshot-Age", strconv.Itoa(int(time.Since(v.Oldest).Seconds())))
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	c.Vary(fiber.HeaderAccept, fiber.HeaderAcceptEncoding)
	if notModified(c, etag, v.Created) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	if hit, ok := s.cache.get(key); ok {
		c.Set(fiber.HeaderContentType, hit.contentType)
		return c.Status(hit.status).Send(hit.body)
	}
	body, err := build()
	if err != nil {
		return err
	}
	s.cache.put(&cached{key: key, body: body, contentType: contentType, status: fiber.StatusOK})
	c.Set(fiber.HeaderContentType, contentType)
	return c.Send(body)
}

func notModified(c *fiber.Ctx, etag string, modified time.Time) bool {
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || t == etag || strings.TrimPrefix(t, "W/") == etag {
				return true
			}
		}
		return false
	}
	if ims := c.Get(fiber.HeaderIfModifiedSince); ims != "" && !modified.IsZero() {
		if t, err := http.ParseTime(ims); err == nil && !modified.Truncate(time.Second).After(t) {
			return true
		}
	}
	return false
}

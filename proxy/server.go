package proxy

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/csw/facade"
	"github.com/passerelle/passerelle/served"
)

// Options configure a Server.
type Options struct {
	Store  cache.Store
	Config *config.Config
	Logger *slog.Logger
	// Recheck is how often a catalog's generation is read from the store
	// (default 1s): a harvest is visible at most this long after its commit.
	Recheck time.Duration
	// RequestTimeout bounds each request's work (default 30s).
	RequestTimeout time.Duration
	// CacheBytes bounds the in-process cache of assembled responses (default 64 MiB).
	CacheBytes int64
	// FragmentCacheBytes bounds the full DCAT fragments kept in memory
	// (default served.DefaultFragmentCacheBytes); the rest are read from the
	// store for the page being answered.
	FragmentCacheBytes int64
	Version            string
	// Admin configures the /admin/ pages (disabled by default).
	Admin AdminOptions
	// MaxConns bounds the connections served at once (DefaultMaxConns);
	// MaxConnsPerIP those of one client address (DefaultMaxConnsPerIP).
	MaxConns, MaxConnsPerIP int
	// BackgroundReload loads a catalog's new generation (and maps its
	// fragments) in the background, serving the current one until it is
	// ready: no request waits for a reload (serve sets it). Without it the
	// request that finds a new generation loads it, others serving the
	// current one meanwhile, and the next request sees it (tests).
	BackgroundReload bool
}

// Server serves feeds, JSON views and CSW facades from the cache.
type Server struct {
	app     *fiber.App
	cfg     atomic.Pointer[config.Config]
	state   *served.State
	log     *slog.Logger
	timeout time.Duration
	cache   *responseCache
	facade  *facade.Facade
	metrics *metrics
	admin   *admin
	reload  atomic.Pointer[reloadStatus]
	version string
	started time.Time
	// unready holds the catalogs whose "not harvested yet" 503 was
	// logged: logged once per state change, not per request.
	unready sync.Map
	// chunkedCSW remembers, per request header in flight, whether a
	// chunked request targets a CSW route: fasthttp resets the request
	// when its body exceeds the limit, before the error handler runs.
	chunkedCSW    sync.Map
	maxConnsPerIP int
}

// New builds a server; it does not listen.
func New(o Options) *Server {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Recheck == 0 {
		o.Recheck = time.Second
	}
	if o.RequestTimeout == 0 {
		o.RequestTimeout = 30 * time.Second
	}
	if o.CacheBytes == 0 {
		o.CacheBytes = 64 << 20
	}
	if o.MaxConns <= 0 {
		o.MaxConns = DefaultMaxConns
	}
	if o.MaxConnsPerIP <= 0 {
		o.MaxConnsPerIP = DefaultMaxConnsPerIP
	}
	s := &Server{
		state:   served.New(o.Store, o.Recheck),
		log:     o.Logger,
		timeout: o.RequestTimeout,
		cache:   newResponseCache(o.CacheBytes),
		version: o.Version,
		started: time.Now(),

		maxConnsPerIP: o.MaxConnsPerIP,
	}
	s.state.SetFragmentCacheBytes(o.FragmentCacheBytes)
	s.state.SetBackgroundReload(o.BackgroundReload)
	s.state.SetPrepare(func(ctx context.Context, data *served.Catalog) {
		s.state.PrepareHeads(ctx, s.config(), data)
	})
	s.facade = &facade.Facade{DefaultMaxRecords: 10, MaxRecords: facade.HardMaxRecords, DCAT: s.cswDCAT, Raw: s.cswRaw, Models: s.cswModels}
	s.cfg.Store(o.Config)
	s.reload.Store(&reloadStatus{loaded: time.Now()})
	s.app = fiber.New(fiber.Config{
		ErrorHandler:          s.errorHandler,
		DisableStartupMessage: true,
		BodyLimit:             MaxBodyBytes,
		ReadBufferSize:        readBufferBytes,
		Concurrency:           o.MaxConns,
		ReadTimeout:           10 * time.Second, // a slow body holds a connection no longer
		WriteTimeout:          2 * time.Minute,
		IdleTimeout:           2 * time.Minute,
		StrictRouting:         false,
		CaseSensitive:         true,
		UnescapePath:          false,
		AppName:               "passerelle",
	})
	s.app.Server().HeaderReceived = s.headerReceived
	s.app.Server().ErrorHandler = wrapServerErrors(s.app.Server().ErrorHandler)
	s.app.Use(s.recoverPanic)
	s.app.Use(s.guard)
	s.app.Use(s.withContext)
	s.metrics = newMetrics(s)
	s.admin = newAdmin(s, o.Admin)
	s.app.Use(s.metrics.middleware)
	s.app.Use(compress.New(compress.Config{Level: compress.LevelBestSpeed}))
	s.routes()
	return s
}

// SetConfig swaps the configuration (hot reload); requests in flight keep
// the one they started with.
func (s *Server) SetConfig(cfg *config.Config) {
	s.cfg.Store(cfg)
	s.unready.Clear()
	s.state.Reset()
	s.cache.clear()
}

// App exposes the Fiber app for tests (app.Test).
func (s *Server) App() *fiber.App { return s.app }

// Listen serves on addr until ctx ends, then shuts down gracefully.
func (s *Server) Listen(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx ends, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	errc := make(chan error, 1)
	ln = limitPerIP(ln, s.maxConnsPerIP)
	go func() { errc <- s.app.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return s.app.ShutdownWithContext(sctx)
	}
}

// withContext gives every request a context with a deadline.
func (s *Server) withContext(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

func (s *Server) config() *config.Config { return s.cfg.Load() }

// WarmUp loads the snapshot of the catalogs named (every catalog when none
// is) and maps their records, so the first feed requests are fast. It is
// meant to run in the background and stops with ctx.
func (s *Server) WarmUp(ctx context.Context, catalogs ...string) {
	s.state.WarmUp(ctx, s.config(), s.log, catalogs...)
}

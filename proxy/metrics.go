package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/passerelle/passerelle/config"
)

// metrics are the server's Prometheus metrics, in a registry of its own
// (several servers in one test process do not share counters).
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec   // route, status
	duration *prometheus.HistogramVec // route
	harvests *prometheus.CounterVec   // catalog, status
	pushes   *prometheus.CounterVec   // kind, result
}

func newMetrics(s *Server) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "passerelle_http_requests_total", Help: "HTTP answers by route and status.",
		}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "passerelle_http_request_duration_seconds", Help: "Time to answer, by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		harvests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "passerelle_harvests_total", Help: "Harvests run by this process, by catalog and status.",
		}, []string{"catalog", "status"}),
		pushes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "passerelle_push_actions_total", Help: "data.gouv.fr push actions by kind (create, update, archive, unarchive) and result (ok, failed).",
		}, []string{"kind", "result"}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.harvests, m.pushes,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "passerelle_response_cache_hits_total", Help: "Assembled responses served from the in-memory cache.",
		}, func() float64 { return float64(s.cache.hits.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "passerelle_response_cache_misses_total", Help: "Responses assembled because the in-memory cache did not hold them.",
		}, func() float64 { return float64(s.cache.misses.Load()) }),
		&snapshotCollector{s: s},
	)
	return m
}

// middleware counts each answer by route and status and times it.
func (m *metrics) middleware(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	route := c.Route().Path // copied below: Fiber reuses its strings
	status := c.Response().StatusCode()
	if err != nil { // rendered by the error handler after this middleware
		status = fiber.StatusInternalServerError
		var he *HTTPError
		var fe *fiber.Error
		switch {
		case errors.As(err, &he):
			status = he.Code
		case errors.As(err, &fe):
			status = fe.Code
		}
		if status == fiber.StatusNotFound && strings.HasPrefix(he.safeMsg(), "no route") {
			route = "unmatched"
		}
	}
	route = strings.Clone(route)
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
	return err
}

// ObserveHarvest counts a harvest this process ran (the scheduler calls it).
func (s *Server) ObserveHarvest(catalog, status string) {
	s.metrics.harvests.WithLabelValues(catalog, status).Inc()
}

// ObservePush counts push actions by kind and result.
func (s *Server) ObservePush(kind, result string, n int) {
	s.metrics.pushes.WithLabelValues(kind, result).Add(float64(n))
}

func (s *Server) handleMetrics(c *fiber.Ctx) error {
	h := adaptor.HTTPHandler(promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{ErrorLog: nil}))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return h(c)
}

// snapshotCollector reads, at each scrape, every catalog's served snapshot
// and last harvest report from the store.
type snapshotCollector struct{ s *Server }

var (
	descRecords  = prometheus.NewDesc("passerelle_snapshot_records", "Records in the catalog's served snapshot.", []string{"catalog"}, nil)
	descGen      = prometheus.NewDesc("passerelle_snapshot_generation", "Generation of the catalog's served snapshot.", []string{"catalog"}, nil)
	descAge      = prometheus.NewDesc("passerelle_snapshot_age_seconds", "Age of the catalog's served snapshot.", []string{"catalog"}, nil)
	descEvery    = prometheus.NewDesc("passerelle_catalog_every_seconds", "The catalog's harvest interval.", []string{"catalog"}, nil)
	descLastOK   = prometheus.NewDesc("passerelle_harvest_last_ok", "1 when the catalog's last harvest was ok, 0 otherwise.", []string{"catalog"}, nil)
	descLastDur  = prometheus.NewDesc("passerelle_harvest_last_duration_seconds", "Duration of the catalog's last harvest.", []string{"catalog"}, nil)
	descLastFail = prometheus.NewDesc("passerelle_harvest_last_failed_records", "Records that failed to parse in the last harvest.", []string{"catalog"}, nil)
)

func (sc *snapshotCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRecords, descGen, descAge, descEvery, descLastOK, descLastDur, descLastFail} {
		ch <- d
	}
}

func (sc *snapshotCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s := sc.s
	for _, cat := range s.config().Catalogs {
		ch <- prometheus.MustNewConstMetric(descEvery, prometheus.GaugeValue, cat.Every.Seconds(), cat.ID)
		if data, err := s.state.Catalog(ctx, cat.ID); err == nil {
			ch <- prometheus.MustNewConstMetric(descRecords, prometheus.GaugeValue, float64(len(data.Records)), cat.ID)
			ch <- prometheus.MustNewConstMetric(descGen, prometheus.GaugeValue, float64(data.Gen), cat.ID)
			ch <- prometheus.MustNewConstMetric(descAge, prometheus.GaugeValue, time.Since(data.Snap.Created).Seconds(), cat.ID)
		}
		if r := s.lastReportOf(ctx, cat.ID); r != nil {
			ok := 0.0
			if r.Status == "ok" {
				ok = 1
			}
			ch <- prometheus.MustNewConstMetric(descLastOK, prometheus.GaugeValue, ok, cat.ID)
			ch <- prometheus.MustNewConstMetric(descLastDur, prometheus.GaugeValue, float64(r.DurationMS)/1000, cat.ID)
			ch <- prometheus.MustNewConstMetric(descLastFail, prometheus.GaugeValue, float64(r.Failed), cat.ID)
		}
	}
}

// lastReportOf returns a catalog's newest report, nil if none.
func (s *Server) lastReportOf(ctx context.Context, id string) *reportSummary {
	reports, err := s.state.Store().Reports(ctx, id)
	if err != nil || len(reports) == 0 {
		return nil
	}
	var r reportSummary
	if json.Unmarshal([]byte(config.RedactURLs(string(reports[0]))), &r) != nil { // reports written before redaction existed
		return nil
	}
	return &r
}

package push

import (
	"context"
	"testing"
	"time"
)

// benchSync measures plan + apply of 200 new datasets, then a second run
// where nothing changed, at the given rate limit (< 0: none).
func benchSync(b *testing.B, rate float64) {
	items := makeItems(200)
	rehash(items)
	var calls, noopCalls, noopWrites int
	var first, second time.Duration
	for b.Loop() {
		b.StopTimer()
		e := newEnv(b)
		e.client.opts.Rate = rate
		e.client.lim = newLimiter(rate, 1)
		b.StartTimer()
		t0 := time.Now()
		before := e.client.Calls()
		p, err := Plan(context.Background(), e.client, e.org, items, false)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := Apply(context.Background(), e.client, p, ApplyOptions{Intents: newMemStore()})
		if err != nil || rep.ExitCode() != 0 {
			b.Fatalf("apply: %v %v", err, rep.Counts())
		}
		first += time.Since(t0)
		calls += e.client.Calls() - before

		t1 := time.Now()
		before = e.client.Calls()
		e.fake.ResetCounts()
		p, err = Plan(context.Background(), e.client, e.org, items, false)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Apply(context.Background(), e.client, p, ApplyOptions{}); err != nil {
			b.Fatal(err)
		}
		second += time.Since(t1)
		noopCalls += e.client.Calls() - before
		noopWrites += e.fake.Writes()
	}
	n := float64(b.N)
	b.ReportMetric(float64(calls)/n/200, "calls/dataset")
	b.ReportMetric(first.Seconds()/n, "s/first-run")
	b.ReportMetric(float64(noopCalls)/n, "calls/noop-run")
	b.ReportMetric(float64(noopWrites)/n, "writes/noop-run")
	b.ReportMetric(second.Seconds()/n, "s/noop-run")
}

// BenchmarkSync200 runs without rate limit: the client and fake's own cost.
func BenchmarkSync200(b *testing.B) { benchSync(b, -1) }

// BenchmarkSync200RateLimited runs at the default 5 requests/s, what a
// real push of 200 datasets costs at least (run with -benchtime=1x).
func BenchmarkSync200RateLimited(b *testing.B) { benchSync(b, 5) }

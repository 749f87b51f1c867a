package harvest

import (
	"context"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/passerelle/passerelle/internal/cswtest"
)

// BenchmarkHarvest harvests generated records from the test CSW server
// (pages of 50) into a fresh embedded store, then once more with nothing
// changed. It reports CPU time per record (user+sys of the whole process,
// the test server included), the peak heap the run added over what was in
// use before it (sampled every 5 ms: pages are streamed, so it must not grow
// with the catalog) and the process's peak RSS.
func BenchmarkHarvest(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		recs := cswtest.Generate(n)
		for _, tc := range []struct {
			name   string
			second bool
		}{{"first", false}, {"unchanged", true}} {
			b.Run(strconv.Itoa(n)+"/"+tc.name, func(b *testing.B) { benchHarvest(b, recs, tc.second) })
		}
	}
}

func benchHarvest(b *testing.B, recs [][]byte, second bool) {
	n := len(recs)
	{
		{
			var cpu time.Duration
			var heap uint64
			for range b.N {
				b.StopTimer()
				f := newCSWFixture(b, 50, 0)
				f.serve(recs, cswtest.Options{})
				if second {
					if rep := f.run(Options{}); rep.Status != StatusOK {
						b.Fatalf("first run: %s %+v", rep.Status, rep.Errors)
					}
				}
				runtime.GC()
				before := processCPU()
				stop := sampleHeap()
				b.StartTimer()
				rep, err := f.h.Run(context.Background(), f.cfg, f.cfg.Catalog("up"), Options{})
				b.StopTimer()
				heap = max(heap, stop())
				cpu += processCPU() - before
				if err != nil || rep.Status != StatusOK || rep.Records != n {
					b.Fatalf("harvest: %v %s %d %+v", err, rep.Status, rep.Records, rep.Errors)
				}
				f.store.Close()
			}
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*n), "cpu-µs/record")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "wall-µs/record")
			b.ReportMetric(float64(heap)/(1<<20), "peak-live-heap-added-MiB")
			b.ReportMetric(float64(heap)/float64(n), "peak-live-heap-added-B/record")
			b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
		}
	}
}

// sampleHeap samples the live heap (as marked by the last GC) every 5 ms
// until the returned function is called, which returns the peak minus the
// live heap at the start. Garbage awaiting collection is not counted.
func sampleHeap() func() uint64 {
	live := func() uint64 {
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		metrics.Read(s)
		return s[0].Value.Uint64()
	}
	base := live()
	done := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		var top uint64
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			if l := live(); l > base && l-base > top {
				top = l - base
			}
			select {
			case <-done:
				peak <- top
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		return <-peak
	}
}

// processCPU is the user+system CPU time of this process so far.
func processCPU() time.Duration {
	data, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}

// peakRSSMiB is VmHWM of this process, in MiB.
func peakRSSMiB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return kb / 1024
		}
	}
	return 0
}

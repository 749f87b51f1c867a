//go:build unix

package iso

import (
	"syscall"
	"time"
)

// processCPU returns the user+system CPU time of the process so far, so
// that benchmarks can report CPU per record independently of machine load.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}

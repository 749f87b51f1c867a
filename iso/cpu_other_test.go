//go:build !unix

package iso

import "time"

func processCPU() (time.Duration, bool) { return 0, false }

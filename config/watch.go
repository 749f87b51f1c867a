package config

import (
	"context"
	"os"
	"time"
)

// Watch polls the file at path every interval and, when its modification
// time or size changes, loads it again: a valid file is handed to apply, an
// invalid one to reject (the previous configuration stays in force). It
// returns when ctx ends.
func Watch(ctx context.Context, path string, interval time.Duration, apply func(*Config), reject func(error)) {
	stamp := func() (time.Time, int64) {
		st, err := os.Stat(path)
		if err != nil {
			return time.Time{}, -1
		}
		return st.ModTime(), st.Size()
	}
	mod, size := stamp()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		m, s := stamp()
		if m.Equal(mod) && s == size {
			continue
		}
		mod, size = m, s
		cfg, err := Load(path)
		if err != nil {
			reject(err)
			continue
		}
		apply(cfg)
	}
}

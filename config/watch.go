package config

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"time"
)

// Watch polls the file of the configuration in force every interval and,
// when its content differs from what that configuration was loaded from,
// loads it again: a valid file is handed to apply (and becomes the one
// compared with), an invalid one to reject (the previous configuration
// stays in force). Comparing with the loaded content, not with the file as
// first seen, means a change made between Load and Watch is not missed.
// The file is read only when its modification time or size changed and
// then stayed the same for one more interval: a file caught while an editor
// or a script is still writing it is not loaded half-written (and rejected)
// but once it has settled. It returns when ctx ends.
func Watch(ctx context.Context, current *Config, interval time.Duration, apply func(*Config), reject func(error)) {
	path, hash := current.Path, current.Hash
	var mod, pendMod time.Time
	size := int64(-2) // nothing seen yet: the first settled look reads the file
	pendSize := int64(-3)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		st, err := os.Stat(path)
		m, s := time.Time{}, int64(-1)
		if err == nil {
			m, s = st.ModTime(), st.Size()
		}
		if m.Equal(mod) && s == size {
			continue
		}
		if !m.Equal(pendMod) || s != pendSize {
			pendMod, pendSize = m, s // changed since the last look: wait until it settles
			continue
		}
		mod, size = m, s
		data, err := os.ReadFile(path)
		if err == nil {
			sum := sha256.Sum256(data)
			if hex.EncodeToString(sum[:]) == hash {
				continue // touched, not changed
			}
		}
		cfg, err := Load(path)
		if err != nil {
			reject(err)
			continue
		}
		hash = cfg.Hash
		apply(cfg)
	}
}

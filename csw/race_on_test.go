//go:build race

package csw_test

// raceEnabled: the race detector slows encoding/xml about tenfold.
const raceEnabled = true

//go:build race

package feed

// Under the race detector sync.Pool drops a random share of what is put
// back, so allocation counts vary from run to run.
func init() { raceEnabled = true }

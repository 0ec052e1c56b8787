package catalogtest

import (
	"bytes"
	"testing"

	"feed/events"
)

func TestGeneratedCatalogsAreValid(t *testing.T) {
	for _, n := range []int{1, 10, 1000} {
		cat, err := events.Parse("generated.toml", Generate(n))
		if err != nil {
			t.Fatalf("%d events: %v", n, err)
		}
		if len(cat.Events) != n {
			t.Fatalf("%d events, want %d", len(cat.Events), n)
		}
	}
	if !bytes.Equal(Generate(50), Generate(50)) {
		t.Fatal("the generator is not deterministic")
	}
}

package feed

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestResolveLinks(t *testing.T) {
	tmp, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	mkdir := func(rel string) {
		if err := os.MkdirAll(filepath.Join(tmp, rel), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	link := func(to, rel string) {
		if err := os.Symlink(to, filepath.Join(tmp, rel)); err != nil {
			t.Fatal(err)
		}
	}
	mkdir("etc/..v1")
	if err := os.WriteFile(filepath.Join(tmp, "etc/..v1/catalog.toml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	link("..v1", "etc/..data")
	link("..data/catalog.toml", "etc/catalog.toml")
	mkdir("other")
	link(filepath.Join(tmp, "etc/catalog.toml"), "other/abs.toml")
	link("../etc/..data/./catalog.toml", "other/rel.toml")
	link("missing.toml", "other/dangling.toml")

	abs := func(rels ...string) []string {
		var out []string
		for _, r := range rels {
			out = append(out, filepath.Join(tmp, r))
		}
		return out
	}
	for _, c := range []struct {
		path        string
		names, dirs []string
	}{
		{"etc/..v1/catalog.toml", abs("etc/..v1/catalog.toml"), abs("etc/..v1")},
		{"etc/catalog.toml", abs("etc/catalog.toml", "etc/..data", "etc/..v1/catalog.toml"), abs("etc", "etc/..v1")},
		{"other/abs.toml", abs("other/abs.toml", "etc/catalog.toml", "etc/..data", "etc/..v1/catalog.toml"), abs("other", "etc", "etc/..v1")},
		{"other/rel.toml", abs("other/rel.toml", "etc/..data", "etc/..v1/catalog.toml"), abs("other", "etc", "etc/..v1")},
		{"other/dangling.toml", abs("other/dangling.toml", "other/missing.toml"), abs("other")},
		{"nowhere/catalog.toml", abs("nowhere/catalog.toml"), abs("nowhere")},
	} {
		chain, err := resolveLinks(filepath.Join(tmp, c.path))
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		if !slices.Equal(chain.names, c.names) || chain.target != c.names[len(c.names)-1] || !slices.Equal(chain.dirs(), c.dirs) {
			t.Errorf("%s: names %q, target %q, dirs %q; want names %q, dirs %q", c.path, chain.names, chain.target, chain.dirs(), c.names, c.dirs)
		}
	}
}

// TestResolveLinksLimit follows as many links as Linux does, and no more.
func TestResolveLinksLimit(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "0"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= maxLinks+1; i++ {
		if err := os.Symlink(fmt.Sprint(i-1), filepath.Join(dir, fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	chain, err := resolveLinks(filepath.Join(dir, fmt.Sprint(maxLinks)))
	if err != nil || len(chain.names) != maxLinks+1 || filepath.Base(chain.target) != "0" {
		t.Fatalf("%d links: %d names, target %q, %v", maxLinks, len(chain.names), chain.target, err)
	}
	if _, err := resolveLinks(filepath.Join(dir, fmt.Sprint(maxLinks+1))); err == nil || !strings.Contains(err.Error(), "more than 40 symbolic links") {
		t.Fatalf("%d links: %v", maxLinks+1, err)
	}
	if err := os.Symlink("loop", filepath.Join(dir, "loop")); err != nil {
		t.Fatal(err)
	}
	if _, err := resolveLinks(filepath.Join(dir, "loop")); err == nil {
		t.Fatal("a link to itself resolved")
	}
}

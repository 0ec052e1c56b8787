package export

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func TestExportPaths(t *testing.T) {
	for url, want := range map[string]string{
		"/":                          "index.html",
		"/calendar.ics":              "calendar.ics",
		"/calendar.ics?kind=day-off": "_q/calendar.ics/kind=day-off.ics",
		"/events/a.json?lang=en":     "_q/events/a.json/lang=en.json",
		"/?lang=zh":                  "_q/index.html/lang=zh.html",
	} {
		ct := map[string]string{".ics": "text/calendar; charset=utf-8", ".json": "application/calendar+json", "html": "text/html; charset=utf-8"}
		var contentType string
		for suffix, c := range ct {
			if strings.HasSuffix(want, suffix) {
				contentType = c
			}
		}
		if got, err := exportPath(url, contentType); err != nil || got != want {
			t.Errorf("exportPath(%q) = %q, %v; want %q", url, got, err, want)
		}
	}
	for _, url := range []string{"/calendar.ics?a=../../x", "/.feed-export-manifest", "/.git/config.html", "/a%0Ab.ics", "/a%5Cb.ics", "/x.ics?.hidden"} {
		if name, err := exportPath(url, "text/calendar"); err == nil {
			t.Errorf("exportPath(%q) = %q, want an error", url, name)
		}
	}
	for _, url := range []string{"/..", "?lang=en", "/a/.."} {
		if name, err := exportPath(url, "text/html"); name != "index.html" && !strings.HasPrefix(name, "_q/index.html/") {
			t.Errorf("exportPath(%q) = %q, %v; want the page", url, name, err)
		}
	}
}

// fakeSite is a service for an export to fetch, answering as the feed
// service does: the content's headers, gzip when asked for except for
// images, and 404 for any other URL. Its page links to a variant with a
// query and to an image that the export's URLs do not list.
type fakeSite struct {
	pages map[string]fakePage // by path and query
	urls  []string            // the URLs to export
}

type fakePage struct{ contentType, body string }

// newFakeSite makes a site of a feed of the events, each with its own
// files.
func newFakeSite(events ...string) *fakeSite {
	s := &fakeSite{pages: map[string]fakePage{}}
	add := func(url, contentType, body string, listed bool) {
		s.pages[url] = fakePage{contentType, body}
		if listed {
			s.urls = append(s.urls, url)
		}
	}
	const ics, json = "text/calendar; charset=utf-8", "application/calendar+json"
	page := `<a href="/calendar.ics?kind=day-off&amp;lang=en">days off</a> <img src="/icon.png"> <a href="//elsewhere.example/x.ics">elsewhere</a>`
	add("/calendar.ics", ics, "BEGIN:VCALENDAR\r\n"+strings.Join(events, "\r\n")+"\r\nEND:VCALENDAR\r\n", true)
	add("/calendar.json", json, `["vcalendar", "`+strings.Join(events, `", "`)+`"]`, true)
	for _, ev := range events {
		add("/events/"+ev+".ics", ics, "BEGIN:VCALENDAR\r\n"+ev+"\r\nEND:VCALENDAR\r\n", true)
		add("/events/"+ev+".json", json, `["vcalendar", "`+ev+`"]`, true)
		page += ` <a href="/events/` + ev + `.ics">` + ev + `</a>`
	}
	add("/", "text/html; charset=utf-8", page, true)
	add("/calendar.ics?kind=day-off&lang=en", ics, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", false)
	add("/icon.png", "image/png", "\x89PNG\r\n\x1a\n", false)
	return s
}

func (s *fakeSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, ok := s.pages[r.URL.RequestURI()]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", p.contentType)
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Request-Id", r.URL.Path) // of one response: no static host repeats it
	if strings.HasPrefix(p.contentType, "image/") {
		_, _ = io.WriteString(w, p.body)
		return
	}
	w.Header().Set("Vary", "Accept-Encoding")
	// A body that gzip would not shrink is served as it is, as the service
	// does.
	if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") || strings.HasPrefix(p.body, "tiny") {
		_, _ = io.WriteString(w, p.body)
		return
	}
	w.Header().Set("Content-Encoding", "gzip")
	zw := gzip.NewWriter(w)
	_, _ = io.WriteString(zw, p.body)
	_ = zw.Close()
}

// The two sites that the tests export, one after the other: labour-day is
// the first's only, spring-festival the second's.
var (
	firstSite  = newFakeSite("labour-day", "national-day")
	secondSite = newFakeSite("national-day", "spring-festival")
)

// exportSite exports site into dir.
func exportSite(site *fakeSite, dir string, opts Options) ([]File, error) {
	return Write(site, site.urls, dir, opts)
}

// TestWrite exports the first site: every listed URL and every link of its
// page to the site itself, each file the served bytes with a gzip copy but
// for the image, the content's headers and not the response's, and the
// static hosts' files; a rerun changes nothing.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	files, err := exportSite(firstSite, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"/":                                  "index.html",
		"/calendar.ics":                      "calendar.ics",
		"/calendar.json":                     "calendar.json",
		"/events/labour-day.ics":             "events/labour-day.ics",
		"/events/labour-day.json":            "events/labour-day.json",
		"/events/national-day.ics":           "events/national-day.ics",
		"/events/national-day.json":          "events/national-day.json",
		"/calendar.ics?kind=day-off&lang=en": "_q/calendar.ics/kind=day-off&lang=en.ics",
		"/icon.png":                          "icon.png",
	}
	got := map[string]string{}
	for _, f := range files {
		got[f.URL] = f.File
		if f.Header.Get("Cache-Control") != "public, max-age=3600" || f.Header.Get("X-Request-Id") != "" {
			t.Errorf("%s: headers %v", f.URL, f.Header)
		}
		if f.ContentType() != firstSite.pages[f.URL].contentType || !f.Changed {
			t.Errorf("%s: content type %q, changed %v", f.URL, f.ContentType(), f.Changed)
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("exported %v, want %v", got, want)
	}
	written := tree(t, dir)
	for url, name := range want {
		body := firstSite.pages[url].body
		if written[name] != body {
			t.Errorf("%s: %q, served %q", name, written[name], body)
		}
		gz, hasGz := written[name+".gz"]
		if image := strings.HasSuffix(name, ".png"); hasGz == image {
			t.Errorf("%s: a .gz copy %v", name, hasGz)
			continue
		}
		if hasGz {
			zr, err := gzip.NewReader(strings.NewReader(gz))
			if err != nil {
				t.Fatal(err)
			}
			if unzipped, err := io.ReadAll(zr); err != nil || string(unzipped) != body {
				t.Errorf("%s.gz: %q, %v", name, unzipped, err)
			}
		}
	}
	conf := written["nginx.conf"]
	for _, line := range []string{"location = \"/icon.png\" {\n    types { }\n    default_type \"image/png\";\n    add_header Cache-Control \"public, max-age=3600\" always;\n    add_header X-Content-Type-Options \"nosniff\" always;\n}", "location = \"/\" {\n    try_files /index.html =404;"} {
		if !strings.Contains(conf, line) {
			t.Errorf("nginx.conf lacks %q:\n%s", line, conf)
		}
	}
	headers := written["_headers"]
	if !strings.Contains(headers, "\n/calendar.ics\n  Content-Type: text/calendar; charset=utf-8\n  Cache-Control: public, max-age=3600\n  Vary: Accept-Encoding\n") || strings.Contains(headers, "kind=day-off") {
		t.Errorf("_headers:\n%s", headers)
	}

	again, err := exportSite(firstSite, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range again {
		if f.Changed {
			t.Errorf("%s was rewritten by a rerun on the same site", f.File)
		}
	}
	if after := tree(t, dir); !maps.Equal(after, written) {
		t.Error("a rerun on the same site changed the directory")
	}
}

// tree reads every file and symbolic link under dir, by slash-separated
// relative name: a file's content, or a link's "-> target".
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.Type()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(p)
			out[filepath.ToSlash(rel)] = "-> " + target
			return err
		}
		data, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkFiles expects every one of files under dir, unchanged.
func checkFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	got := tree(t, dir)
	for name, want := range files {
		if content, ok := got[name]; !ok {
			t.Errorf("%s was deleted", name)
		} else if content != want {
			t.Errorf("%s was overwritten", name)
		}
	}
}

// foreignFiles are a site's own files, which an export must never delete.
var foreignFiles = map[string]string{
	"about.html":    "<p>about us</p>",
	"config.json":   `{"secret": true}`,
	"logo.png":      "\x89PNG not really",
	"personal.ics":  "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
	"sub/data.json": "[1, 2, 3]",
}

// TestExportWithoutGzip: a URL served uncompressed to a client that asks
// for gzip is exported without a .gz file, and the rest as always.
func TestExportWithoutGzip(t *testing.T) {
	site := newFakeSite("labour-day")
	site.pages["/days/2024-01-01.json"] = fakePage{"application/json", "tiny"}
	site.urls = append(site.urls, "/days/2024-01-01.json")
	dir := t.TempDir()
	if _, err := exportSite(site, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "days", "2024-01-01.json")); err != nil || string(b) != "tiny" {
		t.Errorf("days/2024-01-01.json: %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "days", "2024-01-01.json.gz")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("days/2024-01-01.json.gz: %v, want none", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "calendar.ics.gz")); err != nil {
		t.Errorf("calendar.ics.gz: %v", err)
	}
}

func TestExportKeepsForeignFiles(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, foreignFiles)
	before := tree(t, dir)

	_, err := exportSite(firstSite, dir, Options{})
	if !errors.Is(err, ErrForeignDir) || !strings.Contains(err.Error(), dir+" holds about.html, config.json, logo.png and 2 more, and no "+ManifestName) {
		t.Fatalf("export into a directory of foreign files: %v", err)
	}
	if after := tree(t, dir); !maps.Equal(before, after) {
		t.Fatalf("a refused export changed the directory: %d files before, %d after", len(before), len(after))
	}

	for run := range 2 { // the first run with the option, the second on the manifest
		if _, err := exportSite(firstSite, dir, Options{IntoExisting: run == 0}); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		checkFiles(t, dir, foreignFiles)
	}
	manifest, err := readManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range manifest {
		if _, foreign := foreignFiles[name]; foreign {
			t.Errorf("the manifest claims %s", name)
		}
	}
	if !slices.Contains(manifest, "calendar.ics") || !slices.Contains(manifest, "events/labour-day.ics.gz") {
		t.Errorf("the manifest lacks exported files: %v", manifest)
	}
}

// TestExportPrunesOnlyWhatItWrote exports one site, then another with
// other events: the second export deletes the first one's files that it no
// longer writes, and nothing else, however exported the other names look.
func TestExportPrunesOnlyWhatItWrote(t *testing.T) {
	dir := t.TempDir()
	if _, err := exportSite(firstSite, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	first, err := readManifest(dir)
	if err != nil {
		t.Error(err)
	}
	lookalikes := map[string]string{
		"events/personal.ics":           "mine",
		"events/personal.ics.gz":        "mine",
		"_q/calendar.ics/kind=mine.ics": "mine",
		"old/index.html":                "mine",
	}
	writeFiles(t, dir, foreignFiles)
	writeFiles(t, dir, lookalikes)

	files, err := exportSite(secondSite, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkFiles(t, dir, foreignFiles)
	checkFiles(t, dir, lookalikes)
	second, err := readManifest(dir)
	if err != nil {
		t.Error(err)
	}
	got := tree(t, dir)
	for _, name := range first {
		_, exists := got[name]
		if kept := slices.Contains(second, name); exists != kept {
			t.Errorf("%s, which the first export wrote: exists %v, written by the second %v", name, exists, kept)
		}
	}
	for _, name := range second {
		if _, ok := got[name]; !ok {
			t.Errorf("the manifest lists %s, which does not exist", name)
		}
	}
	if _, ok := got["events/labour-day.ics"]; ok {
		t.Error("an event of the first site only was kept")
	}
	for _, f := range files {
		if !slices.Contains(second, f.File) {
			t.Errorf("the manifest lacks %s", f.File)
		}
	}
}

func TestExportRefusesDirectories(t *testing.T) {
	if err := refuseDir("/"); !errors.Is(err, ErrRefusedDir) || err.Error() != "refusing to export into /: it is the root directory" {
		t.Errorf("the root: %v", err)
	}

	base := t.TempDir()
	home := filepath.Join(base, "home", "user")
	module := filepath.Join(base, "src", "feed")
	writeFiles(t, base, map[string]string{
		"home/user/notes.txt":  "mine",
		"src/feed/go.mod":      "module feed\n\ngo 1.24\n",
		"src/feed/export.go":   "package feed\n",
		"src/feed/cmd/x/x.txt": "mine",
		"loose/main.go":        "package main\n",
		"fresh/.keep":          "",
	})
	_ = os.Remove(filepath.Join(base, "fresh", ".keep"))
	if err := os.Symlink(module, filepath.Join(base, "link")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	t.Chdir(filepath.Join(module, "cmd", "x"))

	for _, tc := range []struct{ dir, why string }{
		{home, "it is the home directory"},
		{filepath.Join(base, "home"), "it holds the home directory " + home},
		{module, "it holds the Go module at " + module},
		{filepath.Join(base, "link"), "it holds the Go module at " + module},
		{"../..", "it holds the Go module at " + module},
		{filepath.Join(base, "src"), "it holds the Go module at " + module},
		{base, "it holds the home directory " + home},
		{filepath.Join(base, "loose"), "it holds Go sources (main.go)"},
	} {
		before := tree(t, base)
		_, err := exportSite(firstSite, tc.dir, Options{IntoExisting: true})
		if !errors.Is(err, ErrRefusedDir) || !strings.HasPrefix(err.Error(), "refusing to export into ") || !strings.HasSuffix(err.Error(), ": "+tc.why) {
			t.Errorf("export into %s: %v, want refused because %s", tc.dir, err, tc.why)
		}
		if after := tree(t, base); !maps.Equal(before, after) {
			t.Errorf("the refused export into %s wrote files", tc.dir)
		}
	}
	// A new directory inside the module is fine: an out/ of the checkout.
	if _, err := exportSite(firstSite, filepath.Join(module, "out", "site"), Options{}); err != nil {
		t.Errorf("export into a new directory in the module: %v", err)
	}
	// A service account whose home is / may still export.
	t.Setenv("HOME", "/")
	if _, err := exportSite(firstSite, filepath.Join(base, "fresh"), Options{}); err != nil {
		t.Errorf("export with HOME=/: %v", err)
	}
}

// holdLock takes the export lock of dir as another export would.
func holdLock(t *testing.T, dir string) (release func()) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, exportLockName), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	return func() { f.Close() }
}

func TestExportLock(t *testing.T) {
	dir := t.TempDir()
	if _, err := exportSite(firstSite, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	release := holdLock(t, dir)
	want := "another export is writing " + dir + "; try again when it has finished"
	if _, err := exportSite(secondSite, dir, Options{}); !errors.Is(err, ErrBusy) || err.Error() != want {
		t.Errorf("export while another holds the lock: %v, want %q", err, want)
	}
	release()
	if _, err := exportSite(firstSite, dir, Options{}); err != nil {
		t.Errorf("export after the lock was released: %v", err)
	}

	// The first export into a directory has written some files but no
	// manifest yet: a second export says that it is busy, not that the
	// files are foreign.
	first := t.TempDir()
	release = holdLock(t, first)
	defer release()
	writeFiles(t, first, map[string]string{"calendar.ics": "half"})
	if _, err := exportSite(firstSite, first, Options{}); !errors.Is(err, ErrBusy) {
		t.Errorf("export beside an unfinished first export: %v", err)
	}
}

// TestConcurrentExports starts two exports into one directory at once,
// round after round: one may fail with ErrBusy, none with another
// error, and the directory ends as one export alone leaves it, with no
// temporary file behind.
func TestConcurrentExports(t *testing.T) {
	reference := t.TempDir()
	if _, err := exportSite(firstSite, reference, Options{}); err != nil {
		t.Fatal(err)
	}
	want := tree(t, reference)
	busy := 0
	for round := range 8 {
		dir := filepath.Join(t.TempDir(), "site")
		if round%2 == 1 { // half the rounds over an earlier export
			if _, err := exportSite(secondSite, dir, Options{}); err != nil {
				t.Fatal(err)
			}
		}
		start := make(chan struct{})
		errs := make(chan error, 2)
		for range 2 {
			go func() {
				<-start
				_, err := exportSite(firstSite, dir, Options{})
				errs <- err
			}()
		}
		close(start)
		succeeded := 0
		for range 2 {
			switch err := <-errs; {
			case err == nil:
				succeeded++
			case errors.Is(err, ErrBusy) && strings.HasPrefix(err.Error(), "another export is writing "+dir):
				busy++
			default:
				t.Errorf("round %d: %v", round, err)
			}
		}
		if succeeded == 0 {
			t.Errorf("round %d: both exports failed", round)
		}
		got := tree(t, dir)
		for name, content := range want {
			if got[name] != content {
				t.Errorf("round %d: %s differs from a lone export's", round, name)
			}
		}
		for name := range got {
			if _, ok := want[name]; !ok {
				t.Errorf("round %d: %s is left over", round, name)
			}
		}
	}
	t.Logf("%d of 16 exports found the directory busy", busy)
}

// TestExportHostileManifest edits the manifest of an export to name files
// outside the directory, directly or through symbolic links: no export
// deletes them, nor any file of the directory that the manifest does not
// list.
func TestExportHostileManifest(t *testing.T) {
	base := t.TempDir()
	victims := map[string]string{"outside/victim.ics": "victim", "outside/sub/victim.ics": "victim"}
	writeFiles(t, base, victims)
	outside := filepath.Join(base, "outside")
	dir := filepath.Join(base, "site")
	if _, err := exportSite(firstSite, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string]string{"inside.ics": "mine"})
	for _, link := range []struct{ name, target string }{
		{"link", outside}, {"abs.ics", filepath.Join(outside, "victim.ics")}, {"rel.ics", "../outside/victim.ics"},
		{"events/up", ".."}, {"loop", "loop"},
	} {
		if err := os.Symlink(link.target, filepath.Join(dir, link.name)); err != nil {
			t.Fatal(err)
		}
	}
	setManifest := func(entries ...string) {
		t.Helper()
		data := manifestHeader + "\n" + strings.Join(entries, "\n") + "\n"
		if err := os.WriteFile(filepath.Join(dir, ManifestName), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, entry := range []string{
		"../outside/victim.ics", filepath.Join(outside, "victim.ics"), "events/../../outside/victim.ics",
		"./inside.ics", "events//x.ics", "events/", ".feed-export.lock", ".git/config", `..\outside\victim.ics`,
		"inside.ics\r", strings.Repeat("x/", maxExportName/2) + "x.ics",
	} {
		setManifest("calendar.ics", entry)
		_, err := exportSite(secondSite, dir, Options{})
		if err == nil || !strings.Contains(err.Error(), ManifestName+":3: ") {
			t.Errorf("manifest entry %q: %v, want the entry refused", entry, err)
		}
	}
	// Names that a manifest may hold, but that lead through or to a link.
	setManifest("link/victim.ics", "link/sub/victim.ics", "abs.ics", "rel.ics", "events/up/outside/victim.ics", "loop/x.ics", "calendar.ics")
	if _, err := exportSite(secondSite, dir, Options{}); err != nil {
		t.Fatalf("export beside links: %v", err)
	}
	checkFiles(t, base, victims)
	checkFiles(t, dir, map[string]string{"inside.ics": "mine", "abs.ics": "-> " + filepath.Join(outside, "victim.ics"), "rel.ics": "-> ../outside/victim.ics"})
	if _, err := os.Lstat(filepath.Join(dir, "link")); err != nil {
		t.Error("the link was removed")
	}
}

func TestManifestLimits(t *testing.T) {
	dir := t.TempDir()
	// Lines of 17 bytes, the last one longer to fill the limit exactly.
	var b strings.Builder
	b.WriteString(manifestHeader + "\n")
	rest := maxManifestBytes - b.Len()
	n := rest / 17
	for i := range n - 1 {
		fmt.Fprintf(&b, "f/%010d.ics\n", i)
	}
	fmt.Fprintf(&b, "f/%0*d.ics\n", 10+rest-17*(n-1)-17, n)
	if b.Len() != maxManifestBytes {
		t.Fatalf("built %d bytes", b.Len())
	}
	path := filepath.Join(dir, ManifestName)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if files, err := readManifest(dir); err != nil || len(files) != n {
		t.Fatalf("a manifest of exactly %d bytes: %d files, %v", maxManifestBytes, len(files), err)
	}
	if err := os.WriteFile(path, []byte(b.String()+"x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readManifest(dir); err == nil || !strings.Contains(err.Error(), "is larger than") {
		t.Fatalf("a manifest one byte over the limit: %v", err)
	}

	long := strings.Repeat("x", maxExportName-len(".ics")) + ".ics"
	if files, err := parseManifest("m", []byte(manifestHeader+"\n"+long+"\n")); err != nil || len(files) != 1 {
		t.Errorf("a name of %d bytes: %v", maxExportName, err)
	}
	if _, err := parseManifest("m", []byte(manifestHeader+"\nx"+long+"\n")); err == nil {
		t.Errorf("a name of %d bytes was accepted", maxExportName+1)
	}
	for _, data := range []string{"", "calendar.ics\n", "# some other file\ncalendar.ics\n"} {
		if _, err := parseManifest("m", []byte(data)); err == nil || !strings.Contains(err.Error(), "m:1: not a feed export manifest") {
			t.Errorf("manifest %q: %v", data, err)
		}
	}
}

// FuzzExportPaths: whatever the URL, and whatever a manifest holds, the
// file names an export writes or deletes stay inside its directory.
func FuzzExportPaths(f *testing.F) {
	for _, seed := range []struct{ url, manifest string }{
		{"/", "calendar.ics\nevents/a.ics.gz"},
		{"/calendar.ics?kind=day-off", "_q/calendar.ics/kind=day-off.ics"},
		{"/..", "../x.ics"},
		{"?a", "/etc/passwd"},
		{"/a/../../b.ics", "a/../../b.ics"},
		{"/%2e%2e/x.ics", ".git/config"},
		{"/a%0Ab.ics", "a\\..\\b"},
		{"//host/x.ics", "a//b"},
		{"/x.ics?..", "./x"},
	} {
		f.Add(seed.url, manifestHeader+"\n"+seed.manifest+"\n")
	}
	dir := filepath.Join(f.TempDir(), "export")
	f.Fuzz(func(t *testing.T, url, manifest string) {
		var names []string
		for _, ct := range []string{"text/calendar", "text/html", "image/png"} {
			if name, err := exportPath(url, ct); err == nil {
				names = append(names, name, name+".gz")
			}
		}
		if files, err := parseManifest("m", []byte(manifest)); err == nil {
			names = append(names, files...)
		}
		for _, name := range names {
			p := filepath.Join(dir, name)
			if !filepath.IsLocal(name) || !strings.HasPrefix(p, dir+string(filepath.Separator)) || strings.ContainsAny(name, "\\\n\r\x00") {
				t.Fatalf("%q leads out of the export directory", name)
			}
			for part := range strings.SplitSeq(name, "/") {
				if part == "" || part == "." || part == ".." || part == ManifestName || part == exportLockName {
					t.Fatalf("%q holds the part %q", name, part)
				}
			}
		}
	})
}

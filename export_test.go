package feed

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func exportDefault(t *testing.T, dir string) (*Server, []ExportedFile) {
	t.Helper()
	snap, err := Build(defaultCatalog(t), testBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(snap, discardLogger())
	files, err := Export(srv, snap, dir, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return srv, files
}

func TestExportIsStable(t *testing.T) {
	dir := t.TempDir()
	_, files := exportDefault(t, dir)
	if len(files) < len(LinkedVariants())+2*16 {
		t.Fatalf("exported only %d URLs", len(files))
	}
	stamp := time.Now().Add(-time.Hour)
	_ = filepath.Walk(dir, func(p string, _ os.FileInfo, _ error) error { return os.Chtimes(p, stamp, stamp) })
	_, again := exportDefault(t, dir)
	for _, f := range again {
		if f.Changed {
			t.Errorf("%s was rewritten by a rerun on the same data", f.File)
		}
	}
	_ = filepath.Walk(dir, func(p string, info os.FileInfo, _ error) error {
		if !info.IsDir() && !info.ModTime().Equal(stamp) {
			t.Errorf("%s was touched by a rerun", p)
		}
		return nil
	})
	// Files that the export did not write stay, even where their names
	// look like exported ones.
	stray, other := filepath.Join(dir, "events", "gone.ics"), filepath.Join(dir, "README.txt")
	_ = os.WriteFile(stray, []byte("x"), 0o644)
	_ = os.WriteFile(other, []byte("x"), 0o644)
	exportDefault(t, dir)
	for _, name := range []string{stray, other} {
		if _, err := os.Stat(name); err != nil {
			t.Errorf("export removed %s, which it did not write", name)
		}
	}
}

// TestExportServedByNginx serves an export with nginx and the configuration
// written beside it, and compares every exported URL with the live
// service: the same bytes, content type and headers, gzip, and 304 answers
// to If-None-Match.
func TestExportServedByNginx(t *testing.T) {
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		if _, statErr := os.Stat("/usr/sbin/nginx"); statErr == nil {
			nginx = "/usr/sbin/nginx"
		} else if os.Getenv("FEED_REQUIRE_CLIENTS") != "" {
			t.Fatal("nginx is not installed; run make test")
		} else {
			t.Skip("nginx is not installed; make test installs it")
		}
	}
	dir := t.TempDir()
	srv, files := exportDefault(t, filepath.Join(dir, "site"))
	base := startNginx(t, nginx, dir)

	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	do := func(url string, header ...string) *http.Response {
		req, _ := http.NewRequest("GET", url, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	for _, f := range files {
		live := httptest.NewRecorder()
		srv.ServeHTTP(live, httptest.NewRequest("GET", f.URL, nil))
		resp := do(base + f.URL)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Equal(body, live.Body.Bytes()) {
			t.Errorf("%s: nginx answered %d with %d bytes; the service %d bytes", f.URL, resp.StatusCode, len(body), live.Body.Len())
			continue
		}
		for _, k := range staticHeaders {
			if got, want := resp.Header.Get(k), live.Header().Get(k); got != want {
				t.Errorf("%s: %s %q from nginx, %q from the service", f.URL, k, got, want)
			}
		}
		etag := resp.Header.Get("ETag")
		if etag == "" || resp.Header.Get("Last-Modified") == "" {
			t.Errorf("%s: no validators from nginx", f.URL)
			continue
		}
		if r := do(base+f.URL, "If-None-Match", etag); r.StatusCode != 304 {
			t.Errorf("%s: If-None-Match answered %d", f.URL, r.StatusCode)
		}
		if compressible(f.ContentType()) {
			r := do(base+f.URL, "Accept-Encoding", "gzip")
			zr, err := gzip.NewReader(r.Body)
			if err != nil || r.Header.Get("Content-Encoding") != "gzip" {
				t.Errorf("%s: no gzip from nginx: %v", f.URL, err)
				continue
			}
			unzipped, _ := io.ReadAll(zr)
			r.Body.Close()
			if !bytes.Equal(unzipped, live.Body.Bytes()) {
				t.Errorf("%s: the .gz copy differs", f.URL)
			}
		}
	}
	if r := do(base + "/calendar.ics?kind=nothing"); r.StatusCode != 404 {
		t.Errorf("an unexported query answered %d", r.StatusCode)
	}
	if r := do(base + "/events/"); r.StatusCode == 200 {
		t.Error("nginx lists a directory")
	}
}

func startNginx(t *testing.T, nginx, dir string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // the workers must read a root-owned temporary directory
	}
	conf := fmt.Sprintf(`%s
daemon off;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log;
events {}
http {
    access_log off;
    client_body_temp_path %[2]s/tmp;
    proxy_temp_path %[2]s/tmp;
    fastcgi_temp_path %[2]s/tmp;
    uwsgi_temp_path %[2]s/tmp;
    scgi_temp_path %[2]s/tmp;
    server {
        listen %[3]s;
        root %[2]s/site;
        include %[2]s/site/nginx.conf;
    }
}
`, user, dir, addr)
	confPath := filepath.Join(dir, "nginx-test.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = os.MkdirAll(filepath.Join(dir, "tmp"), 0o755)
	cmd := exec.Command(nginx, "-p", dir, "-c", confPath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// SIGTERM, not a kill: nginx's master stops its worker only when asked.
	t.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() })
	deadline := time.Now().Add(5 * time.Second)
	for {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "http://" + addr
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx did not start: %s %s", stderr.String(), log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

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

// exportCatalog exports the catalog file path (the default catalog when
// path is empty) into dir.
func exportCatalog(t *testing.T, path, dir string, opts ExportOptions) ([]ExportedFile, error) {
	t.Helper()
	exportServers.Lock()
	s, ok := exportServers.m[path]
	if !ok {
		cat := defaultCatalog(t)
		if path != "" {
			cat = loadCatalog(t, path)
		}
		snap, err := Build(cat, testBaseURL)
		if err != nil {
			t.Fatal(err)
		}
		s = exportServer{NewServer(snap, discardLogger()), snap}
		exportServers.m[path] = s
	}
	exportServers.Unlock()
	return Export(s.srv, s.snap, dir, opts)
}

// exportServers keeps the servers of the catalogs that the export tests
// export, built once.
var exportServers = struct {
	sync.Mutex
	m map[string]exportServer
}{m: map[string]exportServer{}}

type exportServer struct {
	srv  *Server
	snap *Snapshot
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

func TestExportKeepsForeignFiles(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, foreignFiles)
	before := tree(t, dir)

	_, err := exportCatalog(t, "", dir, ExportOptions{})
	if !errors.Is(err, ErrForeignDir) || !strings.Contains(err.Error(), dir+" holds about.html, config.json, logo.png and 2 more, and no "+ManifestName) {
		t.Fatalf("export into a directory of foreign files: %v", err)
	}
	if after := tree(t, dir); !maps.Equal(before, after) {
		t.Fatalf("a refused export changed the directory: %d files before, %d after", len(before), len(after))
	}

	for run := range 2 { // the first run with the option, the second on the manifest
		if _, err := exportCatalog(t, "", dir, ExportOptions{IntoExisting: run == 0}); err != nil {
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
	if !slices.Contains(manifest, "calendar.ics") || !slices.Contains(manifest, "events/international-workers-day.ics.gz") {
		t.Errorf("the manifest lacks exported files: %v", manifest)
	}
}

// TestExportPrunesOnlyWhatItWrote exports one catalog, then another with
// other events: the second export deletes the first one's files that it no
// longer writes, and nothing else, however exported the other names look.
func TestExportPrunesOnlyWhatItWrote(t *testing.T) {
	dir := t.TempDir()
	if _, err := exportCatalog(t, "", dir, ExportOptions{}); err != nil {
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

	files, err := exportCatalog(t, "testdata/full.toml", dir, ExportOptions{})
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
	if _, ok := got["events/international-workers-day.ics"]; ok {
		t.Error("an event of the first catalog only was kept")
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
		_, err := exportCatalog(t, "", tc.dir, ExportOptions{IntoExisting: true})
		if !errors.Is(err, ErrRefusedDir) || !strings.HasPrefix(err.Error(), "refusing to export into ") || !strings.HasSuffix(err.Error(), ": "+tc.why) {
			t.Errorf("export into %s: %v, want refused because %s", tc.dir, err, tc.why)
		}
		if after := tree(t, base); !maps.Equal(before, after) {
			t.Errorf("the refused export into %s wrote files", tc.dir)
		}
	}
	// A new directory inside the module is fine: an out/ of the checkout.
	if _, err := exportCatalog(t, "", filepath.Join(module, "out", "site"), ExportOptions{}); err != nil {
		t.Errorf("export into a new directory in the module: %v", err)
	}
	// A service account whose home is / may still export.
	t.Setenv("HOME", "/")
	if _, err := exportCatalog(t, "", filepath.Join(base, "fresh"), ExportOptions{}); err != nil {
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
	if _, err := exportCatalog(t, "", dir, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	release := holdLock(t, dir)
	want := "another export is writing " + dir + "; try again when it has finished"
	if _, err := exportCatalog(t, "testdata/full.toml", dir, ExportOptions{}); !errors.Is(err, ErrExportBusy) || err.Error() != want {
		t.Errorf("export while another holds the lock: %v, want %q", err, want)
	}
	release()
	if _, err := exportCatalog(t, "", dir, ExportOptions{}); err != nil {
		t.Errorf("export after the lock was released: %v", err)
	}

	// The first export into a directory has written some files but no
	// manifest yet: a second export says that it is busy, not that the
	// files are foreign.
	first := t.TempDir()
	release = holdLock(t, first)
	defer release()
	writeFiles(t, first, map[string]string{"calendar.ics": "half"})
	if _, err := exportCatalog(t, "", first, ExportOptions{}); !errors.Is(err, ErrExportBusy) {
		t.Errorf("export beside an unfinished first export: %v", err)
	}
}

// TestConcurrentExports starts two exports into one directory at once,
// round after round: one may fail with ErrExportBusy, none with another
// error, and the directory ends as one export alone leaves it, with no
// temporary file behind.
func TestConcurrentExports(t *testing.T) {
	reference := t.TempDir()
	if _, err := exportCatalog(t, "", reference, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	want := tree(t, reference)
	busy := 0
	for round := range 8 {
		dir := filepath.Join(t.TempDir(), "site")
		if round%2 == 1 { // half the rounds over an earlier export
			if _, err := exportCatalog(t, "testdata/full.toml", dir, ExportOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		start := make(chan struct{})
		errs := make(chan error, 2)
		for range 2 {
			go func() {
				<-start
				_, err := exportCatalog(t, "", dir, ExportOptions{})
				errs <- err
			}()
		}
		close(start)
		succeeded := 0
		for range 2 {
			switch err := <-errs; {
			case err == nil:
				succeeded++
			case errors.Is(err, ErrExportBusy) && strings.HasPrefix(err.Error(), "another export is writing "+dir):
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
	if _, err := exportCatalog(t, "", dir, ExportOptions{}); err != nil {
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
		_, err := exportCatalog(t, "testdata/full.toml", dir, ExportOptions{})
		if err == nil || !strings.Contains(err.Error(), ManifestName+":3: ") {
			t.Errorf("manifest entry %q: %v, want the entry refused", entry, err)
		}
	}
	// Names that a manifest may hold, but that lead through or to a link.
	setManifest("link/victim.ics", "link/sub/victim.ics", "abs.ics", "rel.ics", "events/up/outside/victim.ics", "loop/x.ics", "calendar.ics")
	if _, err := exportCatalog(t, "testdata/full.toml", dir, ExportOptions{}); err != nil {
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

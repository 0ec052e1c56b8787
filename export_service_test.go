package feed

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"feed/internal/export"
)

// The export itself is tested in internal/export with a fake service; these
// tests export the real one.

func exportDefault(t *testing.T, dir string) (*Server, []export.File) {
	t.Helper()
	snap, err := Build(defaultCatalog(t), testBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(snap, discardLogger())
	files, err := export.Write(srv, snap.ExportURLs(), dir, export.Options{})
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
		for _, k := range export.StaticHeaders() {
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
		if !strings.HasPrefix(f.ContentType(), "image/") { // every file but images has a .gz copy
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

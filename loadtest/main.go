// Command loadtest runs the service's load and fault scenarios against a
// freshly built binary on loopback, and prints their figures:
//
//	sustained  steady load on the feed, a variant, a 304 and the page: zero errors, memory flat
//	slowloris  many clients trickling headers: normal clients are still served promptly
//	sigterm    SIGTERM during downloads: every download completes, exit 0 within the timeout
//	reload     the catalog replaced by a broken one under load: no failed request, the ETag kept
//	slowwrite  the catalog written in place in two parts a second apart under load: the first part,
//	           itself a valid catalog, is never served; the whole file is, once closed
//	twowriters slowwrite with a second writer opening and closing the file (touch) during the pause:
//	           the first part is still never served
//	restore    a broken file, then the last good bytes put back: /healthz degraded, then ok again
//	export     export into a directory with foreign files, twice, and two exports at once: the foreign files survive
//	renders    distinct pages and variants of 10,000 events: peak RSS within its bound, small requests fast
//	rendersjson  renders with 120 clients asking distinct jCal feeds
//	propfind   PROPFIND bodies built to amplify the answer, from 16 clients: refused or bounded, RSS small
//	notice     a stand-in gov.cn lists the 2026 notice under load: served within seconds, no failed
//	           request, every poll sees the whole feed before or after it; a tampered notice is held
//
// Every scenario is bounded in time and stops by itself; all traffic goes to
// 127.0.0.1. Run it with `go run ./loadtest` (or `make loadtest`); -quick
// shortens every phase.
package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"feed/events"
	"feed/internal/catalogtest"
)

func main() {
	quick := flag.Bool("quick", false, "shorten every phase, for a smoke run")
	only := flag.String("run", "", "run only the scenarios whose names contain this")
	flag.Parse()
	if err := run(*quick, *only); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

type scenario struct {
	name string
	fn   func(env *env) (result, error)
}

type result struct {
	requests, errors int64
	p50, p99         time.Duration
	peakRSS          int64 // KiB
	note             string
	failures         []string
}

type env struct {
	bin, dir string
	scale    float64 // 1 for full runs, less for -quick
}

func (e *env) dur(d time.Duration) time.Duration { return time.Duration(float64(d) * e.scale) }

func run(quick bool, only string) error {
	dir, err := os.MkdirTemp("", "feed-loadtest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	e := &env{bin: filepath.Join(dir, "feed"), dir: dir, scale: 1}
	if quick {
		e.scale = 0.25
	}
	build := exec.Command("go", "build", "-o", e.bin, "./cmd/feed")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	scenarios := []scenario{
		{"sustained", sustained},
		{"slowloris", slowloris},
		{"sigterm", sigterm},
		{"reload", reload},
		{"slowwrite", slowWrite},
		{"twowriters", twoWriters},
		{"restore", restore},
		{"export", exportScenario},
		{"renders", renders},
		{"rendersjson", rendersJSON},
		{"propfind", propfindFlood},
		{"notice", noticeScenario},
	}
	fmt.Printf("%-10s %10s %7s %9s %9s %9s  %s\n", "scenario", "requests", "errors", "p50", "p99", "peak RSS", "result")
	failed := 0
	for _, sc := range scenarios {
		if !strings.Contains(sc.name, only) {
			continue
		}
		res, err := sc.fn(e)
		verdict := "PASS"
		if err != nil {
			res.failures = append(res.failures, err.Error())
		}
		if len(res.failures) > 0 {
			verdict = "FAIL: " + strings.Join(res.failures, "; ")
			failed++
		}
		fmt.Printf("%-10s %10d %7d %9s %9s %7d MB  %s\n", sc.name, res.requests, res.errors,
			res.p50.Round(time.Microsecond), res.p99.Round(time.Microsecond), res.peakRSS/1024, verdict)
		if res.note != "" {
			fmt.Printf("%-10s %s\n", "", res.note)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d scenario(s) failed", failed)
	}
	fmt.Println("all scenarios passed")
	return nil
}

// service is a running feed binary.
type service struct {
	cmd    *exec.Cmd
	base   string
	exited chan error
	stderr *bytes.Buffer
}

func startService(e *env, args ...string) (*service, error) {
	// The service asks gov.cn for notices unless told not to; a scenario
	// that wants it points it at a stand-in with flags after these.
	cmd := exec.Command(e.bin, append([]string{"-addr", "127.0.0.1:0", "-notices", "off"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s := &service{cmd: cmd, exited: make(chan error, 1), stderr: &bytes.Buffer{}}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.exited <- cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		s.kill()
		return nil, fmt.Errorf("the service did not start: %v\n%s", err, s.stderr)
	}
	go io.Copy(io.Discard, stdout)
	s.base = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(line), "Subscribe to "), "/calendar.ics")
	return s, nil
}

func (s *service) kill() {
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// rss samples the process's resident memory until ctx ends.
func (s *service) rss(ctx context.Context) func() []int64 {
	var mu sync.Mutex
	var samples []int64
	go func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if kb := readStatus(s.cmd.Process.Pid, "VmRSS:"); kb > 0 {
				mu.Lock()
				samples = append(samples, kb)
				mu.Unlock()
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() []int64 {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(samples)
	}
}

func readStatus(pid int, field string) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}

// load runs workers that request targets in turn until ctx ends, and
// records every latency and every failure.
type load struct {
	requests, errors atomic.Int64
	mu               sync.Mutex
	latencies        []time.Duration
	firstErrors      []string
}

type target struct {
	method string // GET when empty
	url    string
	header http.Header
	body   string
	status int
	// orOK accepts 200 too: a revalidation gets the new feed once the
	// catalog has changed.
	orOK bool
}

func (l *load) run(ctx context.Context, workers int, targets []target) {
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 4}}
			var local []time.Duration
			for i := w; ctx.Err() == nil; i++ {
				tg := targets[i%len(targets)]
				method := cmp.Or(tg.method, http.MethodGet)
				req, _ := http.NewRequest(method, tg.url, strings.NewReader(tg.body))
				for k, v := range tg.header {
					req.Header[k] = v
				}
				start := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != tg.status && !(tg.orOK && resp.StatusCode == 200) {
						err = fmt.Errorf("%s: status %d, want %d", tg.url, resp.StatusCode, tg.status)
					}
				}
				if ctx.Err() != nil && err != nil {
					break // cut off by the end of the phase, not a failure
				}
				l.requests.Add(1)
				if err != nil {
					l.errors.Add(1)
					l.mu.Lock()
					if len(l.firstErrors) < 3 {
						l.firstErrors = append(l.firstErrors, err.Error())
					}
					l.mu.Unlock()
					continue
				}
				local = append(local, time.Since(start))
			}
			l.mu.Lock()
			l.latencies = append(l.latencies, local...)
			l.mu.Unlock()
		}()
	}
	wg.Wait()
}

func (l *load) percentile(p float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.latencies) == 0 {
		return 0
	}
	slices.Sort(l.latencies)
	return l.latencies[int(p*float64(len(l.latencies)-1))]
}

func (l *load) result() result {
	r := result{requests: l.requests.Load(), errors: l.errors.Load(), p50: l.percentile(0.5), p99: l.percentile(0.99)}
	if r.errors > 0 {
		r.failures = append(r.failures, fmt.Sprintf("%d errors, first: %s", r.errors, strings.Join(l.firstErrors, " | ")))
	}
	return r
}

func etagOf(url string) (string, error) {
	resp, err := http.Head(url)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	return resp.Header.Get("ETag"), nil
}

// feedTargets are what subscribers poll: the feed, a variant, a
// revalidation answered 304, and the page when the service has one.
func feedTargets(base string) ([]target, error) {
	etag, err := etagOf(base + "/calendar.ics")
	if err != nil {
		return nil, err
	}
	targets := []target{
		{url: base + "/calendar.ics", status: 200},
		{url: base + "/calendar.ics?kind=day-off&lang=zh", status: 200},
		{url: base + "/calendar.ics", header: http.Header{"If-None-Match": {etag}}, status: 304},
		{url: base + "/calendar.ics", header: http.Header{"Accept-Encoding": {"gzip"}}, status: 200},
	}
	if resp, err := http.Get(base + "/"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			targets = append(targets, target{url: base + "/", status: 200})
		}
	}
	return targets, nil
}

// sustained polls the feeds for a while: no request may fail, and the
// resident memory of the second half may not exceed that of the first by
// more than a few megabytes.
func sustained(e *env) (result, error) {
	svc, err := startService(e)
	if err != nil {
		return result{}, err
	}
	defer svc.kill()
	targets, err := feedTargets(svc.base)
	if err != nil {
		return result{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), e.dur(20*time.Second))
	defer cancel()
	samples := svc.rss(ctx)
	var l load
	l.run(ctx, 16, targets)
	res := l.result()
	rss := samples()
	res.peakRSS = slices.Max(rss)
	half := len(rss) / 2
	first, second := slices.Max(rss[:half]), slices.Max(rss[half:])
	res.note = fmt.Sprintf("%d URLs, 16 clients for %s; peak RSS %d KiB in the first half, %d KiB in the second",
		len(targets), e.dur(20*time.Second), first, second)
	if second > first+4096 {
		res.failures = append(res.failures, fmt.Sprintf("memory grew from %d to %d KiB", first, second))
	}
	return res, nil
}

// slowloris holds many connections open that send their headers a byte at a
// time, while normal clients poll: the normal clients must all be served,
// quickly, and the server must drop the trickling ones after its header
// timeout.
func slowloris(e *env) (result, error) {
	svc, err := startService(e)
	if err != nil {
		return result{}, err
	}
	defer svc.kill()
	targets, err := feedTargets(svc.base)
	if err != nil {
		return result{}, err
	}
	host := strings.TrimPrefix(svc.base, "http://")
	const slow = 500
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	var dropped atomic.Int64
	var wg sync.WaitGroup
	for range slow {
		conn, err := net.Dial("tcp", host)
		if err != nil {
			return result{}, fmt.Errorf("open slow connection: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			_, _ = conn.Write([]byte("GET /calendar.ics HTTP/1.1\r\nHost: x\r\nX-Slow: "))
			for ctx.Err() == nil {
				if _, err := conn.Write([]byte("a")); err != nil {
					dropped.Add(1)
					return
				}
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
			}
		}()
	}
	samples := svc.rss(ctx)
	var l load
	l.run(ctx, 4, targets)
	wg.Wait()
	res := l.result()
	res.peakRSS = slices.Max(samples())
	closed, err := headerLimitClosures(svc.base)
	if err != nil {
		return result{}, err
	}
	res.note = fmt.Sprintf("%d connections trickling a header byte a second for 8s; the server dropped %d of them (header timeout 5s), and counted %d at /metrics", slow, dropped.Load(), closed)
	if closed < dropped.Load() {
		res.failures = append(res.failures, fmt.Sprintf("/metrics counts %d connections closed at the header limit, fewer than the %d dropped", closed, dropped.Load()))
	}
	if res.p99 > 100*time.Millisecond {
		res.failures = append(res.failures, fmt.Sprintf("normal clients slowed to p99 %s", res.p99))
	}
	if dropped.Load() < slow*9/10 {
		res.failures = append(res.failures, fmt.Sprintf("only %d of %d trickling connections were dropped", dropped.Load(), slow))
	}
	return res, nil
}

var headerClosures = regexp.MustCompile(`(?m)^feed_connections_closed_total\{limit="header"\} (\d+)$`)

// headerLimitClosures reads from /metrics how many connections the service
// closed at its header limit.
func headerLimitClosures(base string) (int64, error) {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return 0, fmt.Errorf("scrape /metrics: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, fmt.Errorf("scrape /metrics: %w", err)
	}
	m := headerClosures.FindSubmatch(body)
	if m == nil {
		return 0, fmt.Errorf("/metrics has no feed_connections_closed_total{limit=\"header\"}")
	}
	return strconv.ParseInt(string(m[1]), 10, 64)
}

// sigterm starts slow downloads of a large feed, sends SIGTERM while they
// run, and expects every download to complete in full and the process to
// exit 0 within its shutdown timeout.
func sigterm(e *env) (result, error) {
	catalog := filepath.Join(e.dir, "large.toml")
	if err := os.WriteFile(catalog, catalogtest.Generate(10000), 0o644); err != nil {
		return result{}, err
	}
	svc, err := startService(e, "-catalog", catalog)
	if err != nil {
		return result{}, err
	}
	defer func() {
		if svc.cmd.ProcessState == nil {
			svc.kill()
		}
	}()
	resp, err := http.Get(svc.base + "/calendar.ics")
	if err != nil {
		return result{}, err
	}
	want, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	const downloads = 8
	var res result
	var wg sync.WaitGroup
	var mu sync.Mutex
	started := make(chan struct{}, downloads)
	for range downloads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{DisableCompression: true, ReadBufferSize: 4096}}
			start := time.Now()
			resp, err := client.Get(svc.base + "/calendar.ics")
			var body []byte
			if err == nil {
				started <- struct{}{}
				// Read at about 600 KB/s: a download takes a few seconds.
				buf := make([]byte, 16<<10)
				for {
					n, rerr := resp.Body.Read(buf)
					body = append(body, buf[:n]...)
					if rerr != nil {
						if rerr != io.EOF {
							err = rerr
						}
						break
					}
					time.Sleep(25 * time.Millisecond)
				}
				resp.Body.Close()
			}
			mu.Lock()
			defer mu.Unlock()
			res.requests++
			if err == nil && !bytes.Equal(body, want) {
				err = fmt.Errorf("download ended after %d of %d bytes", len(body), len(want))
			}
			if err != nil {
				res.errors++
				res.failures = append(res.failures, err.Error())
			} else if d := time.Since(start); d > res.p99 {
				res.p99 = d
			}
		}()
	}
	for range downloads {
		<-started
	}
	time.Sleep(300 * time.Millisecond)
	res.peakRSS = readStatus(svc.cmd.Process.Pid, "VmHWM:")
	sent := time.Now()
	if err := svc.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return res, err
	}
	var exitErr error
	select {
	case exitErr = <-svc.exited:
	case <-time.After(15 * time.Second):
		res.failures = append(res.failures, "the process did not exit within 15s")
		svc.kill()
	}
	exitAfter := time.Since(sent)
	wg.Wait()
	res.p50 = res.p99
	res.note = fmt.Sprintf("%d slow downloads of the %d-byte feed of 10,000 events; SIGTERM sent with all in flight; exit after %s, status %v",
		downloads, len(want), exitAfter.Round(time.Millisecond), exitErr)
	if exitErr != nil {
		res.failures = append(res.failures, fmt.Sprintf("exit status %v", exitErr))
	}
	if exitAfter > 10*time.Second {
		res.failures = append(res.failures, "exit took longer than the shutdown timeout")
	}
	if !strings.Contains(svc.stderr.String(), "shutting down") {
		res.failures = append(res.failures, "no graceful shutdown in the log")
	}
	return res, nil
}

// catalogUnderLoad is the service serving a copy of the default catalog
// that a scenario edits, while 8 clients poll its feeds.
type catalogUnderLoad struct {
	svc     *service
	catalog string // the file the service watches
	good    []byte // the default catalog's bytes
	before  string // the feed's ETag at the start
	ctx     context.Context
	// finish stops the clients and returns their result with the
	// service's peak RSS.
	finish func() result
	cancel context.CancelFunc
}

// close stops the clients, if finish has not, and the service.
func (u *catalogUnderLoad) close() {
	u.cancel()
	u.svc.kill()
}

// startCatalogUnderLoad copies the default catalog, starts the service on
// it with args, and starts the clients. A 304 target also accepts a 200,
// since the catalog changes under it. The caller closes u.
func startCatalogUnderLoad(e *env, args ...string) (*catalogUnderLoad, error) {
	u := &catalogUnderLoad{catalog: filepath.Join(e.dir, "catalog.toml")}
	var err error
	if u.good, err = os.ReadFile(filepath.Join("events", "catalog.toml")); err != nil {
		return nil, err
	}
	if err := replaceFile(u.catalog, u.good); err != nil {
		return nil, err
	}
	if u.svc, err = startService(e, append([]string{"-catalog", u.catalog}, args...)...); err != nil {
		return nil, err
	}
	targets, err := feedTargets(u.svc.base)
	if err != nil {
		u.svc.kill()
		return nil, err
	}
	for i := range targets {
		targets[i].orOK = targets[i].status == 304
	}
	u.before, _ = etagOf(u.svc.base + "/calendar.ics")
	ctx, cancel := context.WithCancel(context.Background())
	u.ctx, u.cancel = ctx, cancel
	samples := u.svc.rss(ctx)
	var l load
	done := make(chan struct{})
	go func() { l.run(ctx, 8, targets); close(done) }()
	u.finish = func() result {
		cancel()
		<-done
		res := l.result()
		res.peakRSS = slices.Max(samples())
		return res
	}
	return u, nil
}

// reload replaces the catalog with a broken file under load, then with a
// valid edit: no request fails, the broken file never changes the ETag, the
// valid edit does.
func reload(e *env) (result, error) {
	u, err := startCatalogUnderLoad(e)
	if err != nil {
		return result{}, err
	}
	defer u.close()
	svc, catalog, good, before := u.svc, u.catalog, u.good, u.before

	var res result
	phase := e.dur(4 * time.Second)
	time.Sleep(phase)
	broken := bytes.Replace(good, []byte("end = 2022-04-29"), []byte("end = 2022-04-20"), 1)
	if err := replaceFile(catalog, broken); err != nil {
		return res, err
	}
	time.Sleep(phase)
	during, _ := etagOf(svc.base + "/calendar.ics")
	edited := bytes.Replace(good, []byte(`name.zh = "首届大国工匠创新交流大会"`), []byte(`name.zh = "首届大国工匠创新交流大会（深圳）"`), 1)
	if err := replaceFile(catalog, edited); err != nil {
		return res, err
	}
	time.Sleep(phase)
	after, _ := etagOf(svc.base + "/calendar.ics")
	res = u.finish()
	res.note = fmt.Sprintf("ETag %s, then %s with the broken file, then %s after a valid edit", before, during, after)
	if during != before {
		res.failures = append(res.failures, "the broken catalog changed the ETag")
	}
	if after == before {
		res.failures = append(res.failures, "the valid edit was not served")
	}
	if !strings.Contains(svc.stderr.String(), "catalog rejected") {
		res.failures = append(res.failures, "the rejection was not logged")
	}
	return res, nil
}

func replaceFile(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// servedSample is what a poller saw at one moment: the feed's ETag and the
// number of events /healthz reports.
type servedSample struct {
	etag   string
	events int
	status string
}

// poll samples the feed and /healthz until ctx ends, and returns how often
// it saw each sample.
func poll(ctx context.Context, base string) map[servedSample]int {
	seen := map[servedSample]int{}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableCompression: true}}
	for ctx.Err() == nil {
		resp, err := client.Get(base + "/calendar.ics")
		if err != nil {
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		var h struct {
			Status string `json:"status"`
			Events int    `json:"events"`
		}
		if err := getJSON(client, base+"/healthz", &h); err != nil {
			continue
		}
		seen[servedSample{resp.Header.Get("ETag"), h.Events, h.Status}]++
	}
	return seen
}

func getJSON(client *http.Client, url string, v any) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v)
}

// waitForServed polls until cond holds of the feed's ETag and /healthz, for
// at most five seconds, and returns how long that took.
func waitForServed(base string, cond func(etag, status string) bool) (time.Duration, error) {
	start := time.Now()
	for time.Since(start) < 5*time.Second {
		etag, err := etagOf(base + "/calendar.ics")
		var h struct {
			Status string `json:"status"`
		}
		if err == nil {
			err = getJSON(http.DefaultClient, base+"/healthz", &h)
		}
		if err == nil && cond(etag, h.Status) {
			return time.Since(start), nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	return 0, fmt.Errorf("not seen within 5s")
}

// halfCatalog cuts data before one of its events, as near its middle as
// the cut leaves a valid catalog: the file a reader sees while a writer
// that has written that far pauses.
func halfCatalog(data []byte) ([]byte, int, error) {
	for cut := len(data) / 2; cut > 0; cut-- {
		if !bytes.HasPrefix(data[cut:], []byte("\n[[event]]")) {
			continue
		}
		if cat, err := events.Parse("half.toml", data[:cut+1]); err == nil {
			return data[:cut+1], len(cat.Events), nil
		}
	}
	return nil, 0, fmt.Errorf("no cut leaves a valid catalog")
}

// slowWrite writes an edited catalog in place, as cp and most editors do,
// in two parts a second apart, under load. The first part is a valid
// catalog of fewer events: no request may see it, and the whole file must
// be served once the writer closes it.
func slowWrite(e *env) (result, error) { return writeInTwoParts(e, nil) }

// twoWriters is slowWrite with a second writer that opens the file for
// writing and closes it during the pause, as touch does: its close must not
// end the first writer's write.
func twoWriters(e *env) (result, error) {
	return writeInTwoParts(e, func(catalog string) error {
		f, err := os.OpenFile(catalog, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		now := time.Now()
		if err := os.Chtimes(catalog, now, now); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
}

// writeInTwoParts writes the catalog in place in two parts a pause apart;
// meanwhile, when set, runs during the pause.
func writeInTwoParts(e *env, meanwhile func(catalog string) error) (result, error) {
	// The poller reads the number of events from /healthz's details.
	u, err := startCatalogUnderLoad(e, "-health-details", "loopback")
	if err != nil {
		return result{}, err
	}
	defer u.close()
	svc, catalog, before := u.svc, u.catalog, u.before
	edited := bytes.Replace(u.good, []byte(`name.zh = "首届大国工匠创新交流大会"`), []byte(`name.zh = "首届大国工匠创新交流大会（深圳）"`), 1)
	half, halfEvents, err := halfCatalog(edited)
	if err != nil {
		return result{}, err
	}
	var seen map[servedSample]int
	polled := make(chan struct{})
	go func() { seen = poll(u.ctx, svc.base); close(polled) }()

	var failures []string // kept apart from res, which the load's result replaces
	phase := e.dur(2 * time.Second)
	time.Sleep(phase)
	const pause = time.Second
	f, err := os.OpenFile(catalog, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return result{}, err
	}
	_, err = f.Write(half)
	if err == nil {
		time.Sleep(pause / 2)
		if meanwhile != nil {
			err = meanwhile(catalog)
		}
		time.Sleep(pause / 2)
	}
	if err == nil {
		_, err = f.Write(edited[len(half):])
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return result{}, fmt.Errorf("write the catalog: %w", err)
	}
	took, err := waitForServed(svc.base, func(etag, _ string) bool { return etag != before })
	if err != nil {
		failures = append(failures, "the whole file was "+err.Error())
	}
	time.Sleep(phase)
	after, _ := etagOf(svc.base + "/calendar.ics")
	res := u.finish()
	<-polled
	res.failures = append(res.failures, failures...)
	var partial, polls int
	for s, n := range seen {
		polls += n
		if s.etag != before && s.etag != after || s.events == halfEvents || s.status != "ok" {
			partial += n
		}
	}
	res.note = fmt.Sprintf("%d of %d bytes (%d events, a valid catalog) written, %s pause, the rest; "+
		"%d polls of the feed and /healthz saw %d other than the old or the whole new feed; the whole file served %s after its close",
		len(half), len(edited), halfEvents, pause, polls, partial, took.Round(time.Millisecond))
	if partial > 0 {
		res.failures = append(res.failures, fmt.Sprintf("%d polls saw the half-written catalog", partial))
	}
	if after == before {
		res.failures = append(res.failures, "the edit was not served")
	}
	return res, nil
}

// restore breaks the catalog under load, then puts back the very bytes
// being served, as a restore from a backup does: /healthz must report the
// failure, then its end, and the ETag must never change.
func restore(e *env) (result, error) {
	u, err := startCatalogUnderLoad(e)
	if err != nil {
		return result{}, err
	}
	defer u.close()
	svc, catalog, good, before := u.svc, u.catalog, u.good, u.before

	var failures []string // kept apart from res, which the load's result replaces
	phase := e.dur(2 * time.Second)
	time.Sleep(phase)
	broken := bytes.Replace(good, []byte("end = 2022-04-29"), []byte("end = 2022-04-20"), 1)
	// Both written in place, as cp writes.
	if err := os.WriteFile(catalog, broken, 0o644); err != nil {
		return result{}, err
	}
	degraded, err := waitForServed(svc.base, func(etag, status string) bool { return status == "degraded" })
	if err != nil {
		failures = append(failures, "the broken file was "+err.Error())
	}
	time.Sleep(phase)
	if err := os.WriteFile(catalog, good, 0o644); err != nil {
		return result{}, err
	}
	ok, err := waitForServed(svc.base, func(etag, status string) bool { return status == "ok" })
	if err != nil {
		failures = append(failures, "the restore was "+err.Error())
	}
	time.Sleep(phase)
	after, _ := etagOf(svc.base + "/calendar.ics")
	res := u.finish()
	res.failures = append(res.failures, failures...)
	res.note = fmt.Sprintf("/healthz degraded %s after the broken file was written, ok %s after the good bytes were put back; ETag %s before, %s after",
		degraded.Round(time.Millisecond), ok.Round(time.Millisecond), before, after)
	if after != before {
		res.failures = append(res.failures, "the ETag changed")
	}
	return res, nil
}

// exportScenario runs the binary's export into a directory seeded with a
// site's own files: refused without -into-existing, then written beside
// them; a second export of another catalog prunes the first one's files
// and none of the site's, not even those named like exported files. Then
// two exports start at once into one directory, a few times: one may find
// the directory busy, neither may fail otherwise, and the directory ends
// complete.
func exportScenario(e *env) (result, error) {
	var res result
	var mu sync.Mutex // the concurrent exports record their times together
	var times []time.Duration
	export := func(dir string, args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, e.bin, append([]string{"export", "-o", dir, "-base-url", "https://feed.example.org"}, args...)...)
		start := time.Now()
		out, err := cmd.CombinedOutput()
		mu.Lock()
		defer mu.Unlock()
		times = append(times, time.Since(start))
		res.requests++
		return string(out), err
	}
	fail := func(format string, args ...any) {
		res.errors++
		res.failures = append(res.failures, fmt.Sprintf(format, args...))
	}
	dir := filepath.Join(e.dir, "export")
	foreign := map[string]string{
		"about.html": "<p>about</p>", "config.json": "{}", "logo.png": "png", "personal.ics": "ics", "sub/data.json": "[]",
	}
	if err := seedFiles(dir, foreign); err != nil {
		return res, err
	}
	intact := func(when string) {
		for name, want := range foreign {
			if got, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(got) != want {
				fail("%s: %s was deleted or changed", when, name)
			}
		}
	}
	out, err := export(dir)
	if err == nil || !strings.Contains(out, "refusing to export into a directory that no export wrote") {
		fail("export into a foreign directory: %v %s", err, strings.TrimSpace(out))
	}
	if _, err := os.Stat(filepath.Join(dir, "calendar.ics")); err == nil {
		fail("the refused export wrote calendar.ics")
	}
	if out, err := export(dir, "-into-existing"); err != nil {
		fail("export -into-existing: %v %s", err, strings.TrimSpace(out))
	}
	intact("after the first export")
	// Files of the site's own, named as an export names its files.
	foreign["events/personal.ics"], foreign["_q/calendar.ics/kind=mine.ics"] = "mine", "mine"
	if err := seedFiles(dir, foreign); err != nil {
		return res, err
	}
	if out, err := export(dir, "-catalog", filepath.Join("testdata", "full.toml")); err != nil {
		fail("second export: %v %s", err, strings.TrimSpace(out))
	}
	intact("after the second export")
	if _, err := os.Stat(filepath.Join(dir, "events", "international-workers-day.ics")); err == nil {
		fail("the second export kept an event that only the first exported")
	}

	busy := 0
	const rounds = 3
	for round := range rounds {
		dir := filepath.Join(e.dir, fmt.Sprintf("export-concurrent-%d", round))
		outs, errs := make([]string, 2), make([]error, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() { outs[i], errs[i] = export(dir) })
		}
		wg.Wait()
		succeeded := 0
		for i, err := range errs {
			switch {
			case err == nil:
				succeeded++
			case strings.Contains(outs[i], "another export is writing "+dir):
				busy++
			default:
				fail("concurrent export: %v %s", err, strings.TrimSpace(outs[i]))
			}
		}
		if succeeded == 0 {
			fail("round %d: both concurrent exports failed", round)
		}
		manifest, err := os.ReadFile(filepath.Join(dir, ".feed-export-manifest"))
		if err != nil {
			fail("round %d: no manifest: %v", round, err)
		}
		for _, name := range strings.Split(strings.TrimSpace(string(manifest)), "\n")[1:] {
			if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
				fail("round %d: %s is listed but missing", round, name)
			}
		}
	}
	slices.Sort(times)
	res.p50, res.p99 = times[len(times)/2], times[len(times)-1]
	res.note = fmt.Sprintf("%d foreign files checked after each of two exports; %d of %d concurrent exports found the directory busy", len(foreign), busy, 2*rounds)
	return res, nil
}

func seedFiles(dir string, files map[string]string) error {
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Bounds of the renders scenario. The service's resident memory is its
// prepared snapshot (the RSS once loaded), plus the 64 MB cache of
// resources rendered on request, plus at most GOMAXPROCS renders at once;
// the Go collector lets the heap reach about twice what is live. The peak
// must stay under rendersRSSFactor times the RSS once loaded; without the
// render limit it reached five times (320 MB to 1.67 GB).
const (
	rendersClients   = 48
	rendersRSSFactor = 2.5
	rendersProbeP50  = 50 * time.Millisecond
)

// renders asks for distinct missing resources from many clients at once:
// the page under a different Host each time (the page's links are per
// origin when there is no -base-url) and the feed with a different alarm
// each time, against a catalog of 10,000 events, while one client times a
// small pre-rendered request. Every answer must be 200, or 503 with
// Retry-After when the render queue is full; the process's peak RSS
// (VmHWM) must stay within its bound, and the small request fast.
func renders(e *env) (result, error) {
	return floodRenders(e, rendersClients, func(base string, w int, n int64) *http.Request {
		if w%2 == 0 {
			req, _ := http.NewRequest("GET", base+"/", nil)
			req.Host = fmt.Sprintf("client-%d.example", n)
			return req
		}
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/calendar.ics?alarm=%dm", base, n%5000+1), nil)
		return req
	})
}

// rendersJSONClients is how many clients the rendersjson scenario runs.
const rendersJSONClients = 120

// rendersJSON is renders with every client asking a distinct jCal feed,
// the largest render there is (9.6 MB for 10,000 events).
func rendersJSON(e *env) (result, error) {
	return floodRenders(e, rendersJSONClients, func(base string, _ int, n int64) *http.Request {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/calendar.json?alarm=%dm", base, n%5000+1), nil)
		return req
	})
}

// floodRenders runs clients that each send the request that next gives
// (with the worker's number and a sequence number) until the phase ends.
func floodRenders(e *env, clients int, next func(base string, w int, n int64) *http.Request) (result, error) {
	catalog := filepath.Join(e.dir, "large.toml")
	if err := os.WriteFile(catalog, catalogtest.Generate(10000), 0o644); err != nil {
		return result{}, err
	}
	svc, err := startService(e, "-catalog", catalog)
	if err != nil {
		return result{}, err
	}
	defer svc.kill()
	small := svc.base + "/events/event-1.ics"
	if resp, err := http.Get(small); err != nil {
		return result{}, err
	} else {
		resp.Body.Close()
	}
	loaded := readStatus(svc.cmd.Process.Pid, "VmRSS:")

	ctx, cancel := context.WithTimeout(context.Background(), e.dur(20*time.Second))
	defer cancel()
	var (
		served, busy, other atomic.Int64
		mu                  sync.Mutex
		firstOther          string
		wg                  sync.WaitGroup
		seq                 atomic.Int64
	)
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 25 * time.Second, Transport: &http.Transport{DisableCompression: true}}
			for ctx.Err() == nil {
				req := next(svc.base, w, seq.Add(1)).WithContext(ctx)
				resp, err := client.Do(req)
				status := 0
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					status = resp.StatusCode
				}
				if ctx.Err() != nil {
					return // cut off by the end of the phase
				}
				switch {
				case err == nil && status == 200:
					served.Add(1)
				case err == nil && status == 503 && resp.Header.Get("Retry-After") != "":
					busy.Add(1)
				default:
					other.Add(1)
					mu.Lock()
					if firstOther == "" {
						firstOther = fmt.Sprintf("%s: status %d, %v", req.URL, status, err)
					}
					mu.Unlock()
				}
			}
		}()
	}
	var probe load
	probe.run(ctx, 1, []target{{url: small, status: 200}})
	wg.Wait()

	res := probe.result()
	res.requests += served.Load() + busy.Load() + other.Load()
	res.errors += other.Load()
	res.peakRSS = readStatus(svc.cmd.Process.Pid, "VmHWM:")
	bound := int64(rendersRSSFactor * float64(loaded))
	res.note = fmt.Sprintf("%d clients for %s: %d renders served, %d answered 503 (queue full); RSS %d MB once loaded, peak %d MB (bound %.1f×: %d MB); small request p50 %s",
		clients, e.dur(20*time.Second), served.Load(), busy.Load(), loaded/1024, res.peakRSS/1024, rendersRSSFactor, bound/1024, res.p50.Round(time.Microsecond))
	if other.Load() > 0 {
		res.failures = append(res.failures, fmt.Sprintf("%d answers neither 200 nor 503 with Retry-After, first: %s", other.Load(), firstOther))
	}
	if served.Load() == 0 {
		res.failures = append(res.failures, "no render was served")
	}
	if res.peakRSS > bound {
		res.failures = append(res.failures, fmt.Sprintf("peak RSS %d MB above %.1f× the RSS once loaded (%d MB)", res.peakRSS/1024, rendersRSSFactor, loaded/1024))
	}
	if res.p50 > rendersProbeP50 {
		res.failures = append(res.failures, fmt.Sprintf("the small request slowed to p50 %s (bound %s)", res.p50, rendersProbeP50))
	}
	return res, nil
}

// amplifiedPropfind is a body that once drew a 203 MB answer: a namespace of
// 64,700 bytes and 64 properties in it; widestPropfind the widest request
// still answered, 64 properties each in a namespace of 256 bytes.
func amplifiedPropfind() string {
	var props strings.Builder
	for i := range 64 {
		fmt.Fprintf(&props, "<x:p%d/>", i)
	}
	return `<D:propfind xmlns:D="DAV:" xmlns:x="urn:` + strings.Repeat("a", 64700) + `"><D:prop>` + props.String() + "</D:prop></D:propfind>\n"
}

func widestPropfind() string {
	var decls, props strings.Builder
	for i := range 64 {
		ns := fmt.Sprintf("urn:%02d:", i)
		fmt.Fprintf(&decls, ` xmlns:x%d="%s"`, i, ns+strings.Repeat("n", 256-len(ns)))
		fmt.Fprintf(&props, "<x%d:p%d%s/>", i, i, strings.Repeat("q", 28))
	}
	return `<D:propfind xmlns:D="DAV:"` + decls.String() + `><D:prop>` + props.String() + "</D:prop></D:propfind>"
}

// propfindFlood sends PROPFINDs built to amplify the answer from 16 clients,
// beside subscribers polling the feed: each is refused (400) or answered
// within its bound, no request fails, and the resident memory stays small.
func propfindFlood(e *env) (result, error) {
	svc, err := startService(e)
	if err != nil {
		return result{}, err
	}
	defer svc.kill()
	depth1 := http.Header{"Depth": {"1"}, "Content-Type": {"application/xml"}}
	targets := []target{
		{method: "PROPFIND", url: svc.base + "/", header: depth1, body: amplifiedPropfind(), status: http.StatusBadRequest},
		{method: "PROPFIND", url: svc.base + "/", header: depth1, body: widestPropfind(), status: http.StatusMultiStatus},
		{url: svc.base + "/calendar.ics", status: 200},
	}
	ctx, cancel := context.WithTimeout(context.Background(), e.dur(20*time.Second))
	defer cancel()
	samples := svc.rss(ctx)
	var l load
	l.run(ctx, 16, targets)
	res := l.result()
	res.peakRSS = slices.Max(samples())
	const bound = 100 << 10 // KiB
	res.note = fmt.Sprintf("16 clients for %s: the 65 KB amplifying body (400), the widest allowed (207), the feed; peak RSS %d KiB (bound %d)",
		e.dur(20*time.Second), res.peakRSS, bound)
	if res.peakRSS > bound {
		res.failures = append(res.failures, fmt.Sprintf("peak RSS %d KiB", res.peakRSS))
	}
	select {
	case err := <-svc.exited:
		svc.exited <- err
		res.failures = append(res.failures, fmt.Sprintf("the service exited: %v\n%s", err, svc.stderr))
	default:
	}
	return res, nil
}

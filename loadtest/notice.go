package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"feed/internal/govcntest"
)

// noticeScenario serves a catalog without 2026's arrangement under load,
// with the service asking a stand-in gov.cn every second; the stand-in
// lists the 2026 notice (and a tampered 2027 one) after a while. The
// notice must be served within seconds, with no failed request, and every
// poll must see the feed before the notice or after it, never anything
// between: an ETag with the event count of the other side.
func noticeScenario(e *env) (result, error) {
	var res result
	text, err := os.ReadFile(filepath.Join("internal", "notice", "testdata", "2026.txt"))
	if err != nil {
		return res, err
	}
	good, err := os.ReadFile(filepath.Join("events", "catalog.toml"))
	if err != nil {
		return res, err
	}
	tables := strings.Split(string(good), "\n[[event]]\n")
	kept := tables[:1]
	for _, t := range tables[1:] {
		if !(strings.HasPrefix(t, `id = "cn-`) && strings.Contains(t, "-2026-")) {
			kept = append(kept, t)
		}
	}
	catalog := filepath.Join(e.dir, "catalog-without-2026.toml")
	if err := replaceFile(catalog, []byte(strings.Join(kept, "\n[[event]]\n"))); err != nil {
		return res, err
	}
	gov := govcntest.New()
	defer gov.Close()
	published := time.Date(2025, 11, 4, 16, 31, 5, 0, time.FixedZone("CST", 8*3600))
	path := "/zhengce/zhengceku/202511/content_7047091.htm"
	gov.Page(path, govcntest.NoticePage(string(text), published))
	tampered := strings.ReplaceAll(string(text), "2026年", "2027年")
	gov.Page("/zhengce/zhengceku/202611/content_1.htm", govcntest.NoticePage(tampered, published.AddDate(1, 0, 0)))

	svc, err := startService(e, "-catalog", catalog, "-health-details", "loopback", "-notices", filepath.Join(e.dir, "notices"),
		"-notice-source", gov.Source(), "-notice-interval", "1s")
	if err != nil {
		return res, err
	}
	defer svc.kill()
	targets, err := feedTargets(svc.base)
	if err != nil {
		return res, err
	}
	for i := range targets {
		targets[i].orOK = targets[i].status == 304
	}
	before, _ := etagOf(svc.base + "/calendar.ics")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	samples := svc.rss(ctx)
	var l load
	loaded := make(chan struct{})
	go func() { l.run(ctx, 8, targets); close(loaded) }()
	polled := make(chan map[servedSample]int, 1)
	go func() { polled <- poll(ctx, svc.base) }()
	bodies := make(chan map[string]map[[sha256.Size]byte]int, 1)
	go func() { bodies <- pollBodies(ctx, svc.base+"/calendar.ics?holiday=all") }()

	phase := e.dur(4 * time.Second)
	time.Sleep(phase)
	gov.List(2026,
		govcntest.Item{Title: "<em>2026</em>年部分节假日安排来了", Path: "/news.htm", PubTime: "2025.11.04", PubOrg: "新华社"},
		govcntest.Item{Title: "国务院办公厅关于<em>2026</em>年部分节假日安排的通知解读", Path: "/jiedu.htm", PubTime: "2025.11.04", PubOrg: "国务院办公厅"},
		govcntest.Item{Title: "国务院办公厅关于<em>2026</em>年部分节假日安排的通知", Path: path, PubTime: "2025.11.04", PubOrg: "国务院办公厅"})
	gov.List(2027, govcntest.Item{Title: "国务院办公厅关于2027年部分节假日安排的通知", Path: "/zhengce/zhengceku/202611/content_1.htm", PubTime: "2026.11.04", PubOrg: "国务院办公厅"})
	// From the listing: the wait starts at once.
	took, waitErr := waitForServed(svc.base, func(etag, _ string) bool { return etag != before })
	time.Sleep(phase)
	after, _ := etagOf(svc.base + "/calendar.ics")
	var health struct {
		Status  string `json:"status"`
		Notices struct {
			Held []struct {
				Year   int    `json:"year"`
				Reason string `json:"reason"`
			} `json:"held"`
		} `json:"notices"`
	}
	healthErr := getJSON(http.DefaultClient, svc.base+"/healthz", &health)
	cancel()
	<-loaded
	seen := <-polled
	whole := <-bodies
	res = l.result()
	res.peakRSS = slices.Max(samples())

	// Every answer is the whole feed before the notice or the whole feed
	// after it: one body per ETag, and /healthz's count of events one of
	// two. (A poll reads the feed and /healthz one after the other, so the
	// two may straddle the swap.)
	var etags []string
	var counts []int
	for s := range seen {
		if !slices.Contains(etags, s.etag) {
			etags = append(etags, s.etag)
		}
		if !slices.Contains(counts, s.events) {
			counts = append(counts, s.events)
		}
	}
	answers := 0
	for etag, sums := range whole {
		for _, n := range sums {
			answers += n
		}
		if len(sums) != 1 {
			res.failures = append(res.failures, fmt.Sprintf("ETag %s came with %d different bodies", etag, len(sums)))
		}
	}
	res.note = fmt.Sprintf("the 2026 notice served %s after it was listed (ETag %s → %s); %d polls of /healthz and %d full feeds saw %d ETags, %d event counts",
		took.Round(time.Millisecond), before, after, sum(seen), answers, len(etags), len(counts))
	switch {
	case waitErr != nil:
		res.failures = append(res.failures, "the notice was not served: "+waitErr.Error())
	case len(etags) != 2 || len(counts) != 2 || len(whole) != 2:
		res.failures = append(res.failures, fmt.Sprintf("polls saw a state between the two feeds: ETags %v, event counts %v, %d feed ETags", etags, counts, len(whole)))
	}
	if healthErr != nil || health.Status != "ok" || len(health.Notices.Held) != 1 || health.Notices.Held[0].Year != 2027 {
		res.failures = append(res.failures, fmt.Sprintf("/healthz: %v, status %q, held %+v", healthErr, health.Status, health.Notices.Held))
	}
	if !bytes.Contains(svc.stderr.Bytes(), []byte("notice held")) {
		res.failures = append(res.failures, "the held notice was not logged")
	}
	return res, nil
}

func sum(m map[servedSample]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// pollBodies fetches url until ctx ends and counts its bodies' SHA-256 by
// ETag.
func pollBodies(ctx context.Context, url string) map[string]map[[sha256.Size]byte]int {
	seen := map[string]map[[sha256.Size]byte]int{}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableCompression: true}}
	for ctx.Err() == nil {
		resp, err := client.Get(url)
		if err != nil {
			continue
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			continue
		}
		etag := resp.Header.Get("ETag")
		if seen[etag] == nil {
			seen[etag] = map[[sha256.Size]byte]int{}
		}
		seen[etag][sha256.Sum256(body)]++
	}
	return seen
}

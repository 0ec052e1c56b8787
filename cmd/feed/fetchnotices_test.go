package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"feed/internal/govcntest"
	"feed/internal/notice"
	"feed/internal/noticefetch"
)

// The 2026 notice as the stand-in serves it: published on 4 November 2025,
// linked by the search at the policy library's address.
var (
	published2026 = time.Date(2025, 11, 4, 16, 31, 5, 0, time.FixedZone("CST", 8*3600))
	path2026      = "/zhengce/zhengceku/202511/content_7047091.htm"
	path2027      = "/zhengce/zhengceku/202611/content_8000001.htm"
)

type noticeHealth struct {
	Status   string   `json:"status"`
	ETag     string   `json:"etag"`
	Warnings []string `json:"warnings"`
	Notices  *struct {
		LastPoll    time.Time           `json:"last_poll"`
		LastSuccess time.Time           `json:"last_success"`
		NextPoll    time.Time           `json:"next_poll"`
		LastError   string              `json:"last_error"`
		Applied     []noticefetch.Entry `json:"applied"`
		Held        []noticefetch.Entry `json:"held"`
		InCatalog   []noticefetch.Entry `json:"in_catalog"`
		Warnings    []string            `json:"warnings"`
	} `json:"notices"`
}

func getNoticeHealth(t *testing.T, base string) noticeHealth {
	t.Helper()
	resp, body := get(t, base+"/healthz")
	var h noticeHealth
	if err := json.Unmarshal(body, &h); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %d %v: %s", resp.StatusCode, err, body)
	}
	return h
}

// govCN is a stand-in gov.cn listing the real 2026 notice among an
// interpretation and a news item, and a tampered 2027 notice (2026's text
// with the year changed, so that no weekday is right).
func govCN(t *testing.T) *govcntest.Server {
	t.Helper()
	s := govcntest.New()
	t.Cleanup(s.Close)
	text, err := os.ReadFile(filepath.Join(noticeDir, "2026.txt"))
	if err != nil {
		t.Fatal(err)
	}
	s.Page(path2026, govcntest.NoticePage(string(text), published2026))
	s.List(2026,
		govcntest.Item{Title: "<em>2026</em>年部分节假日安排来了", Path: "/zhengce/jiedu/1.htm", PubTime: "2025.11.04", PubOrg: "新华社"},
		govcntest.Item{Title: "国务院办公厅关于<em>2026</em>年部分节假日安排的通知解读", Path: "/zhengce/jiedu/2.htm", PubTime: "2025.11.04", PubOrg: "国务院办公厅"},
		govcntest.Item{Title: "国务院办公厅关于<em>2026</em>年部分节假日安排的通知", Path: path2026, PubTime: "2025.11.04", PubOrg: "国务院办公厅"},
	)
	tampered := strings.ReplaceAll(string(text), "2026年", "2027年")
	s.Page(path2027, govcntest.NoticePage(tampered, published2026.AddDate(1, 0, 0)))
	s.List(2027, govcntest.Item{Title: "国务院办公厅关于2027年部分节假日安排的通知", Path: path2027, PubTime: "2026.11.04", PubOrg: "国务院办公厅"})
	return s
}

// byHandCatalog is the catalog without 2026's arrangement with the 2026
// notice imported by hand with feed notice, as an operator would.
func byHandCatalog(t *testing.T, partial, address string) string {
	t.Helper()
	page := filepath.Join(t.TempDir(), "notice.html")
	text, _ := os.ReadFile(filepath.Join(noticeDir, "2026.txt"))
	if err := os.WriteFile(page, govcntest.NoticePage(string(text), published2026), 0o644); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := importNotice([]string{"-url", address, "-modified", published2026.UTC().Format(time.RFC3339), page}, nil, &out, io.Discard, noticeClock); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(partial)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "catalog.toml")
	if err := os.WriteFile(path, append(data, out.String()...), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const everyHoliday = "/calendar.ics?holiday=all"

// TestServeFetchesTheNotice: a service whose catalog lacks 2026's notice,
// pointed at the stand-in, serves 2026's published days within seconds,
// byte for byte as the catalog with the notice imported by hand; the
// tampered 2027 notice is held and named in /healthz, whose status stays
// ok; a restart without network serves the same; a second instance that
// fetched later serves the same bytes and ETag.
func TestServeFetchesTheNotice(t *testing.T) {
	gov := govCN(t)
	partial := withoutEvents(t, func(id string) bool { return strings.HasPrefix(id, "cn-") && strings.Contains(id, "-2026-") })
	dir := filepath.Join(t.TempDir(), "notices")
	args := []string{"-addr", "127.0.0.1:0", "-catalog", partial, "-notice-source", gov.Source(), "-notice-interval", "1s"}
	feed := start(t, args, map[string]string{"FEED_NOTICES": dir})
	base := strings.TrimSuffix(feed, "/calendar.ics")
	var h noticeHealth
	waitForNotice(t, "the 2026 notice to be applied", func() bool {
		h = getNoticeHealth(t, base)
		return h.Notices != nil && len(h.Notices.Applied) == 1 && !h.Notices.NextPoll.IsZero()
	})
	if a := h.Notices.Applied[0]; a.Year != 2026 || a.URL != gov.URL+path2026 || !a.Published.Equal(published2026) {
		t.Errorf("applied %+v", a)
	}
	waitForNotice(t, "the 2027 notice to be held", func() bool {
		h = getNoticeHealth(t, base)
		return len(h.Notices.Held) == 1
	})
	if held := h.Notices.Held[0]; held.Year != 2027 || held.URL != gov.URL+path2027 || !strings.Contains(held.Reason, "is a") {
		t.Errorf("held %+v", held)
	}
	if h.Status != "ok" || !strings.Contains(strings.Join(h.Warnings, "\n"), gov.URL+path2027) {
		t.Errorf("status %q, warnings %q", h.Status, h.Warnings)
	}
	if h.Notices.LastPoll.IsZero() || h.Notices.LastSuccess.IsZero() || h.Notices.NextPoll.IsZero() {
		t.Errorf("poll times missing: %+v", h.Notices)
	}

	byHand := start(t, []string{"-addr", "127.0.0.1:0", "-catalog", byHandCatalog(t, partial, gov.URL+path2026)}, nil)
	resp, fetched := get(t, base+everyHoliday)
	wantResp, want := get(t, strings.TrimSuffix(byHand, "/calendar.ics")+everyHoliday)
	if string(fetched) != string(want) || resp.Header.Get("ETag") != wantResp.Header.Get("ETag") {
		t.Errorf("the feed with the fetched notice differs from the one with the notice imported by hand")
	}
	if !strings.Contains(string(fetched), "UID:cn-labour-day-2026-days-off@") || strings.Contains(string(fetched), "UID:cn-labour-day-2026-statutory@") {
		t.Error("2026's days off are not served in place of its statutory days")
	}
	_, page := get(t, base+"/?lang=en")
	if !strings.Contains(string(page), "2026: from the notice of 4 November 2025, fetched from gov.cn") || !strings.Contains(string(page), "2027–2030: the statutory days until each year") {
		t.Error("the page does not say where 2026's days come from")
	}
	_, metrics := get(t, base+"/metrics")
	for _, m := range []string{`feed_notice_polls_total{outcome="applied"} 1`, "feed_notices_held 1", "feed_notice_last_success_timestamp_seconds "} {
		if !strings.Contains(string(metrics), m) {
			t.Errorf("/metrics lacks %s", m)
		}
	}

	// Another instance, started later with its own folder: the same bytes
	// and ETag, so that a client moved between them gets 304.
	other := start(t, append(args[:len(args):len(args)], "-notices", filepath.Join(t.TempDir(), "other")), nil)
	otherBase := strings.TrimSuffix(other, "/calendar.ics")
	waitForNotice(t, "the second instance to apply the notice", func() bool {
		h := getNoticeHealth(t, otherBase)
		return h.Notices != nil && len(h.Notices.Applied) == 1
	})
	otherResp, otherBody := get(t, otherBase+everyHoliday)
	if string(otherBody) != string(fetched) || otherResp.Header.Get("ETag") != resp.Header.Get("ETag") {
		t.Errorf("two instances that fetched at different times serve different feeds:\n%s", firstDifference(string(fetched), string(otherBody)))
	}
	req, _ := http.NewRequest(http.MethodGet, otherBase+everyHoliday, nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != http.StatusNotModified {
		t.Errorf("revalidating with the first instance's ETag: %v %v", r.StatusCode, err)
	}

	// A restart without network: the stored notice is served at once.
	gov.Close()
	restarted := start(t, args[:len(args):len(args)], map[string]string{"FEED_NOTICES": dir})
	_, again := get(t, strings.TrimSuffix(restarted, "/calendar.ics")+everyHoliday)
	if string(again) != string(fetched) {
		t.Error("a restart without network does not serve the stored notice")
	}

	// A static export from the kept notices has the bytes a service with
	// the same base URL serves.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	public := start(t, append(args[:len(args):len(args)], "-addr", addr, "-base-url", "http://"+addr), map[string]string{"FEED_NOTICES": dir})
	_, served := get(t, public)
	site := filepath.Join(t.TempDir(), "site")
	if err := run(context.Background(), []string{"feed", "export", "-o", site, "-catalog", partial, "-base-url", "http://" + addr, "-notices", dir},
		func(string) string { return "" }, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	exported, err := os.ReadFile(filepath.Join(site, "calendar.ics"))
	if err != nil {
		t.Fatal(err)
	}
	if string(exported) != string(served) || !strings.Contains(string(served), "UID:cn-labour-day-2026-days-off@") {
		t.Errorf("the export with the kept notices differs from the service: %s", firstDifference(string(served), string(exported)))
	}
}

// TestNoticesOff: -notices off asks nothing.
func TestNoticesOff(t *testing.T) {
	gov := govCN(t)
	feed := start(t, []string{"-addr", "127.0.0.1:0", "-notices", "off", "-notice-source", gov.Source(), "-notice-interval", "1s"}, nil)
	time.Sleep(1500 * time.Millisecond)
	if n := gov.Requests(); n != 0 {
		t.Errorf("%d requests with -notices off", n)
	}
	if h := getNoticeHealth(t, strings.TrimSuffix(feed, "/calendar.ics")); h.Notices != nil {
		t.Errorf("/healthz reports notices with -notices off: %+v", h.Notices)
	}
}

// TestUnwritableNoticesFolder: the notice is served from memory, and
// /healthz warns.
func TestUnwritableNoticesFolder(t *testing.T) {
	gov := govCN(t)
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	partial := withoutEvents(t, func(id string) bool { return strings.HasPrefix(id, "cn-") && strings.Contains(id, "-2026-") })
	feed := start(t, []string{"-addr", "127.0.0.1:0", "-catalog", partial, "-notices", filepath.Join(blocker, "notices"),
		"-notice-source", gov.Source(), "-notice-interval", "1s"}, map[string]string{"FEED_NOTICES": "set by the flag"})
	base := strings.TrimSuffix(feed, "/calendar.ics")
	waitForNotice(t, "the notice to be applied from memory", func() bool {
		h := getNoticeHealth(t, base)
		return h.Notices != nil && len(h.Notices.Applied) == 1 && strings.Contains(strings.Join(h.Warnings, "\n"), "notices folder cannot be written")
	})
}

// TestNoticeFetchCommand: feed notice fetch prints what feed notice prints
// for the same page, and fails as it does on a tampered one.
func TestNoticeFetchCommand(t *testing.T) {
	gov := govCN(t)
	env := func(k string) string { return map[string]string{"FEED_NOTICE_SOURCE": gov.Source()}[k] }
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var fetched strings.Builder
	if err := runAt(ctx, noticeClock, []string{"feed", "notice", "fetch", "-year", "2026"}, env, &fetched, io.Discard); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(t.TempDir(), "notice.html")
	text, _ := os.ReadFile(filepath.Join(noticeDir, "2026.txt"))
	if err := os.WriteFile(page, govcntest.NoticePage(string(text), published2026), 0o644); err != nil {
		t.Fatal(err)
	}
	var byHand strings.Builder
	if err := importNotice([]string{"-url", gov.URL + path2026, "-modified", published2026.UTC().Format(time.RFC3339), page}, nil, &byHand, io.Discard, noticeClock); err != nil {
		t.Fatal(err)
	}
	if fetched.String() != byHand.String() {
		t.Errorf("feed notice fetch printed:\n%s\nfeed notice printed:\n%s", fetched.String(), byHand.String())
	}
	var out strings.Builder
	err := runAt(ctx, noticeClock, []string{"feed", "notice", "fetch"}, env, &out, io.Discard)
	if err == nil || out.Len() != 0 || !strings.Contains(err.Error(), "is a") {
		t.Errorf("the tampered 2027 notice (the default year): %v, printed %q", err, out.String())
	}
	err = runAt(ctx, noticeClock, []string{"feed", "notice", "fetch", "-year", "2028"}, env, &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprint(notice.ExpectedTitle(2028))) {
		t.Errorf("a year not published: %v", err)
	}
}

// firstDifference is the first line where two feeds differ.
func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\r\n"), strings.Split(b, "\r\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d: %q / %q", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("%d lines / %d lines", len(al), len(bl))
}

// TestNoticeFaults: whatever the search or the page does, the feed being
// served does not change, /healthz says why, the polls back off, and the
// service goes on.
func TestNoticeFaults(t *testing.T) {
	for _, tc := range []struct {
		name   string
		search http.HandlerFunc
		page   http.HandlerFunc
		reason string
	}{
		{"500s", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", http.StatusInternalServerError) }, nil, "500"},
		{"invalid JSON", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"code":200,"searchVO":{"listVO":[`))
		}, nil, "JSON"},
		{"another code", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"code":-1,"msg":"系统繁忙"}`))
		}, nil, "code -1"},
		{"a 40 MB page", nil, func(w http.ResponseWriter, r *http.Request) {
			chunk := []byte(strings.Repeat("<p>一</p>", 4096))
			for written := 0; written < 40<<20; written += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, "too large"},
		{"a page gone", nil, func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, "404"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each waits for its polls
			gov := govCN(t)
			if tc.search != nil {
				gov.SearchHandler(tc.search)
			}
			if tc.page != nil {
				gov.Handle(path2026, tc.page)
			}
			partial := withoutEvents(t, func(id string) bool { return strings.HasPrefix(id, "cn-") && strings.Contains(id, "-2026-") })
			feed := start(t, []string{"-addr", "127.0.0.1:0", "-catalog", partial, "-notice-source", gov.Source(), "-notice-interval", "1s", "-health-details", "loopback"},
				map[string]string{"FEED_NOTICES": filepath.Join(t.TempDir(), "notices")})
			base := strings.TrimSuffix(feed, "/calendar.ics")
			before := getNoticeHealth(t, base).ETag
			resp, _ := get(t, base+everyHoliday)
			etag := resp.Header.Get("ETag")
			var h noticeHealth
			waitForNotice(t, "the failure to be reported", func() bool {
				h = getNoticeHealth(t, base)
				return h.Notices != nil && strings.Contains(h.Notices.LastError, tc.reason)
			})
			// Polls one second apart would be four in 3.5 s; backing off
			// (1 s, 2 s, 4 s) makes them three at most.
			searches := gov.Searches()
			time.Sleep(3500 * time.Millisecond)
			if n := gov.Searches() - searches; n > 2 {
				t.Errorf("%d searches in 3.5 s after a failure: no back-off", n)
			}
			h = getNoticeHealth(t, base)
			resp, _ = get(t, base+everyHoliday)
			if h.Status != "ok" || h.ETag != before || resp.Header.Get("ETag") != etag || len(h.Notices.Applied) != 0 {
				t.Errorf("the feed changed: status %q, applied %v", h.Status, h.Notices.Applied)
			}
		})
	}
}

// waitForNotice polls until cond holds, for at most 20 seconds: a poll, a
// proof and a build of the whole catalog, under the race detector on a
// busy machine, take more than waitFor's five.
func waitForNotice(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestNoticeOnTheThirdPoll: the search finds nothing twice, then lists the
// notice; it is served within one interval of that poll, and equal, event
// for event, to the catalog with the notice imported by hand.
func TestNoticeOnTheThirdPoll(t *testing.T) {
	gov := govCN(t)
	var mu sync.Mutex
	polls := 0
	var third time.Time
	gov.SearchHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("q") == "假期 2026" {
			mu.Lock()
			polls++
			if polls == 3 {
				third = time.Now()
			}
			n := polls
			mu.Unlock()
			if n < 3 {
				_, _ = w.Write([]byte(`{"code":1001,"msg":"未找到相关结果"}`))
				return
			}
		}
		gov.Answer(w, r)
	}))
	partial := withoutEvents(t, func(id string) bool { return strings.HasPrefix(id, "cn-") && strings.Contains(id, "-2026-") })
	feed := start(t, []string{"-addr", "127.0.0.1:0", "-catalog", partial, "-notice-source", gov.Source(), "-notice-interval", "1s"},
		map[string]string{"FEED_NOTICES": filepath.Join(t.TempDir(), "notices")})
	base := strings.TrimSuffix(feed, "/calendar.ics")
	resp, _ := get(t, base+everyHoliday)
	before := resp.Header.Get("ETag")
	var served time.Time
	waitForNotice(t, "the notice to be served", func() bool {
		resp, _ := get(t, base+everyHoliday)
		served = time.Now()
		return resp.Header.Get("ETag") != before
	})
	mu.Lock()
	n, at := polls, third
	mu.Unlock()
	// The poll that found it applies it before the next one starts: a
	// slow build (the race detector) delays both alike.
	if n < 3 || at.IsZero() || n > 4 {
		t.Fatalf("served after %d polls, want the third", n)
	}
	t.Logf("served %v after the poll that found it", served.Sub(at).Round(time.Millisecond))
	byHand := start(t, []string{"-addr", "127.0.0.1:0", "-catalog", byHandCatalog(t, partial, gov.URL+path2026)}, nil)
	_, fetched := get(t, base+everyHoliday)
	_, want := get(t, strings.TrimSuffix(byHand, "/calendar.ics")+everyHoliday)
	if string(fetched) != string(want) {
		t.Errorf("the feed differs from the hand import's: %s", firstDifference(string(want), string(fetched)))
	}
}

// TestNoticeFlagErrors: a bad notice flag stops the service before it
// listens, naming the flag.
func TestNoticeFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"-notice-interval", "0s"}, nil, "-notice-interval"},
		{[]string{"-notice-interval", "soon"}, nil, "-notice-interval"},
		{nil, map[string]string{"FEED_NOTICE_INTERVAL": "500ms"}, "-notice-interval"},
		{[]string{"-notice-source", "ftp://sousuo.www.gov.cn/"}, nil, "-notice-source"},
		{nil, map[string]string{"FEED_NOTICE_SOURCE": "sousuo.www.gov.cn"}, "-notice-source"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := run(ctx, append([]string{"feed", "-addr", "127.0.0.1:0"}, tc.args...), func(k string) string { return tc.env[k] }, io.Discard, io.Discard)
		cancel()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: %v, want an error naming %s", tc.args, tc.env, err, tc.want)
		}
	}
}

func TestDefaultNoticeDir(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_STATE_HOME": "/var/lib/state", "HOME": "/home/feed"}, "/var/lib/state/feed/notices"},
		{map[string]string{"HOME": "/home/feed"}, "/home/feed/.local/state/feed/notices"},
		{map[string]string{"XDG_STATE_HOME": "relative", "HOME": "/home/feed"}, "/home/feed/.local/state/feed/notices"},
		{nil, ""},
	} {
		if got := defaultNoticeDir(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.env, got, tc.want)
		}
	}
}

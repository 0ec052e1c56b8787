package noticefetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"feed/events"
	"feed/internal/govcntest"
	"feed/internal/notice"
)

// published is each notice's publication day, as the search gives it.
var published = map[int]string{2022: "2021.10.25", 2023: "2022.12.08", 2024: "2023.10.25", 2025: "2024.11.12", 2026: "2025.11.04"}

func noticeText(t *testing.T, year int) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "notice", "testdata", fmt.Sprintf("%d.txt", year)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func publishedAt(year int) time.Time {
	t, _ := time.ParseInLocation("2006.01.02", published[year], chinaTime)
	return t.Add(16 * time.Hour) // the afternoon, as the page's meta tag says
}

func standIn(t *testing.T) *govcntest.Server {
	t.Helper()
	s := govcntest.New()
	t.Cleanup(s.Close)
	return s
}

// noticePath is where the stand-in serves a year's notice: the policy
// library's copy, as the search links it.
func noticePath(year int) string {
	return fmt.Sprintf("/zhengce/zhengceku/%d11/content_%d.htm", year-1, 7000000+year)
}

// listWithOthers lists year's notice (its title highlighted, on the
// second page of results) after an interpretation, news items and another
// office's document, and serves its page.
func listWithOthers(t *testing.T, s *govcntest.Server, year int, page []byte) {
	t.Helper()
	title := notice.ExpectedTitle(year)
	s.Page(noticePath(year), page)
	s.List(year,
		govcntest.Item{Title: fmt.Sprintf("<em>%d</em>年节假日安排来了！一图读懂", year), Path: "/zhengce/jiedu/1.htm", PubTime: published[year], PubOrg: Issuer},
		govcntest.Item{Title: fmt.Sprintf("国务院办公厅关于%d年部分节假日安排的通知解读", year), Path: "/zhengce/jiedu/2.htm", PubTime: published[year], PubOrg: Issuer},
		govcntest.Item{Title: "国务院办公厅关于延长2020年春节<em>假期</em>的通知", Path: "/zhengce/content/2020-01/27/content_5472352.htm", PubTime: "2020.01.27", PubOrg: Issuer},
		govcntest.Item{Title: title, Path: "/other-office.htm", PubTime: published[year], PubOrg: "人力资源社会保障部"},
		govcntest.Item{Title: " " + title + " ", Path: "/news.htm", PubTime: published[year], PubOrg: "新华社"},
		govcntest.Item{Title: strings.Replace(title, fmt.Sprint(year), fmt.Sprintf("<em>%d</em>", year), 1), Path: noticePath(year), PubTime: published[year], PubOrg: Issuer, PCode: "国办发明电〔2025〕7号"},
	)
}

func client(s *govcntest.Server) *Client {
	return &Client{Source: s.Source(), HTTP: s.Client(), Timeout: 2 * time.Second}
}

// testNow is when the tests read the notices.
var testNow = time.Date(2026, 12, 3, 5, 0, 0, 0, time.UTC)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestSearchTakesOnlyTheNotice(t *testing.T) {
	s := standIn(t)
	listWithOthers(t, s, 2026, govcntest.NoticePage(noticeText(t, 2026), publishedAt(2026)))
	items, extras, err := client(s).Search(context.Background(), 2026)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].URL != s.URL+noticePath(2026) {
		t.Fatalf("items = %+v, want the notice only", items)
	}
	if len(extras) != 0 {
		t.Errorf("extra notices %+v among an interpretation, news and another office's document", extras)
	}
	if s.Searches() != 2 {
		t.Errorf("%d search requests, want 2 (the notice is on the second page of results)", s.Searches())
	}
	if !s.SawAgent(UserAgent) {
		t.Errorf("the requests did not name the software in their User-Agent")
	}
	none, _, err := client(s).Search(context.Background(), 2027)
	if err != nil || len(none) != 0 {
		t.Errorf("a year with nothing found (code 1001): %v, %v", none, err)
	}
}

// TestProveEveryYear proves the pages of 2022–2026 and expects the events a
// hand import of the same text gives, with the publication time as their
// revision.
func TestProveEveryYear(t *testing.T) {
	for year := 2022; year <= 2026; year++ {
		text := noticeText(t, year)
		page := govcntest.NoticePage(text, publishedAt(year))
		item := SearchItem{Title: notice.ExpectedTitle(year), URL: "https://www.gov.cn" + noticePath(year), PubTime: published[year], PubOrg: Issuer}
		p, err := Prove(newFetched(year, item, page, time.Date(2026, 12, 3, 5, 0, 0, 0, time.UTC)), testNow)
		if err != nil {
			t.Fatalf("%d: %v", year, err)
		}
		if !p.Published.Equal(publishedAt(year)) {
			t.Errorf("%d: published %v, want the page's %v", year, p.Published, publishedAt(year))
		}
		byHand, err := notice.Parse(strings.NewReader(text), notice.Options{URL: item.URL})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := p.Events(), byHand.Events(publishedAt(year)); !reflect.DeepEqual(got, want) {
			t.Errorf("%d: the fetched notice's events differ from the hand import's", year)
		}
	}
}

// tampered are notices that must be held, with a word of the reason.
var tampered = []struct {
	name, from, to, reason string
}{
	{"a wrong weekday", "5月1日（周五）至5日（周二）", "5月1日（周六）至5日（周二）", "is a Friday"},
	{"a break without its statutory day", "5月1日（周五）至5日（周二）放假调休，共5天", "5月2日（周六）至5日（周二）放假调休，共4天", "statutory days"},
	{"a wrong count of days", "5月1日（周五）至5日（周二）放假调休，共5天", "5月1日（周五）至5日（周二）放假调休，共6天", "共6天 does not match"},
	{"a holiday left out", "三、清明节：4月4日（周六）至6日（周一）放假，共3天。\n", "", "no paragraph for 清明节"},
}

func TestTamperedNoticesAreHeld(t *testing.T) {
	text := noticeText(t, 2026)
	item := SearchItem{Title: notice.ExpectedTitle(2026), URL: "https://www.gov.cn" + noticePath(2026), PubTime: published[2026], PubOrg: Issuer}
	for _, tc := range tampered {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(text, tc.from, tc.to, 1)
			if bad == text {
				t.Fatal("the tampering changed nothing")
			}
			_, err := Prove(newFetched(2026, item, govcntest.NoticePage(bad, publishedAt(2026)), time.Now()), testNow)
			if err == nil || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("Prove = %v, want a reason with %q", err, tc.reason)
			}
		})
	}
	t.Run("an empty UCAP-CONTENT", func(t *testing.T) {
		page := govcntest.NoticePage(text, publishedAt(2026))
		start := bytes.Index(page, []byte(`<div id="UCAP-CONTENT"`))
		end := bytes.Index(page, []byte("</div>\n<div class=\"related\""))
		empty := append(append(bytes.Clone(page[:start]), `<div id="UCAP-CONTENT" class="pages_content">`...), page[end:]...)
		if _, err := Prove(newFetched(2026, item, empty, time.Now()), testNow); err == nil {
			t.Fatal("a page without its text was proven")
		}
	})
	t.Run("another document", func(t *testing.T) {
		page := govcntest.NoticePage(noticeText(t, 2025), publishedAt(2025))
		_, err := Prove(newFetched(2026, item, page, time.Now()), testNow)
		if err == nil || !strings.Contains(err.Error(), "title") {
			t.Fatalf("Prove = %v, want the title named", err)
		}
	})
	t.Run("a publication date it cannot have", func(t *testing.T) {
		for _, pub := range []time.Time{publishedAt(2026).AddDate(-2, 0, 0), testNow.AddDate(0, 0, 2)} {
			page := govcntest.NoticePage(text, pub)
			if _, err := Prove(newFetched(2026, item, page, time.Now()), testNow); err == nil || !strings.Contains(err.Error(), "publication time") {
				t.Errorf("published %s: %v", pub, err)
			}
		}
	})
	t.Run("no publication date", func(t *testing.T) {
		undated := item
		undated.PubTime = ""
		if _, err := Prove(newFetched(2026, undated, []byte(text), time.Now()), testNow); err == nil || !strings.Contains(err.Error(), "publication") {
			t.Fatalf("Prove = %v, want the missing date named", err)
		}
	})
}

// TestHeldReasonIsTheImporters: the reason a page is held for is the one
// feed notice gives for the same page.
func TestHeldReasonIsTheImporters(t *testing.T) {
	bad := strings.Replace(noticeText(t, 2026), "5月9日（周六）上班", "5月9日（周日）上班", 1)
	page := govcntest.NoticePage(bad, publishedAt(2026))
	item := SearchItem{Title: notice.ExpectedTitle(2026), URL: "https://www.gov.cn" + noticePath(2026), PubTime: published[2026]}
	_, held := Prove(newFetched(2026, item, page, time.Now()), testNow)
	_, byHand := notice.Parse(bytes.NewReader(page), notice.Options{URL: item.URL})
	if held == nil || byHand == nil || held.Error() != byHand.Error() {
		t.Fatalf("held for %v; feed notice says %v", held, byHand)
	}
}

func TestAnswerLimits(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s := standIn(t)
	c := client(s)
	c.Timeout = 500 * time.Millisecond
	s.Handle("/huge.htm", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("<p>一</p>"), 1<<12)
		for written := 0; written < 40<<20; written += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	s.Handle("/endless.htm", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for {
			if _, err := w.Write([]byte("<p>")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}))
	if _, err := c.Page(ctx, s.URL+"/huge.htm"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("a 40 MB page: %v, want ErrTooLarge", err)
	}
	start := time.Now()
	if _, err := c.Page(ctx, s.URL+"/endless.htm"); err == nil {
		t.Error("a page that never ends was read")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("a page that never ends took %v to give up on", took)
	}
	if _, err := c.Page(ctx, "https://example.org/notice.htm"); err == nil {
		t.Error("a page off gov.cn and off the search's host was fetched")
	}
	s.Handle("/away.htm", http.RedirectHandler("http://example.invalid/notice.htm", http.StatusFound))
	s.Handle("/moved.htm", http.RedirectHandler("/endless.htm", http.StatusFound))
	own := &Client{Source: s.Source(), Timeout: 500 * time.Millisecond}
	if _, err := own.Page(ctx, s.URL+"/away.htm"); err == nil || !strings.Contains(err.Error(), "neither on gov.cn") {
		t.Errorf("a redirect off gov.cn: %v", err)
	}
	if _, err := own.Page(ctx, s.URL+"/moved.htm"); err == nil || strings.Contains(err.Error(), "neither on gov.cn") {
		t.Errorf("a redirect on the same host: %v, want it followed (to the page that never ends)", err)
	}
	s.SearchHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}))
	_, _, err := c.Search(ctx, 2026)
	if RetryAfter(err) != 2*time.Minute {
		t.Errorf("a 503 with Retry-After: 120: %v, retry after %v", err, RetryAfter(err))
	}
	s.SearchHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"code":200,"searchVO":`)) }))
	if _, _, err := c.Search(ctx, 2026); err == nil || !strings.Contains(err.Error(), "JSON") {
		t.Errorf("invalid JSON: %v", err)
	}
	s.SearchHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(bytes.Repeat([]byte(" "), MaxSearchBytes+1))
	}))
	if _, _, err := c.Search(ctx, 2026); !errors.Is(err, ErrTooLarge) {
		t.Errorf("an answer past the limit: %v", err)
	}
}

func TestReadSearchAnswer(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		items      int
		fails      bool
	}{
		{"nothing found", `{"code":1001,"msg":"未找到相关结果"}`, 0, false},
		{"found", `{"code":200,"msg":"成功","searchVO":{"totalpage":1,"listVO":[{"title":"国务院办公厅关于<em>2026</em>年部分节假日安排的通知","url":"https://www.gov.cn/a.htm","pubtimeStr":"2025.11.04","puborg":"国务院办公厅"}]}}`, 1, false},
		{"found in catMap", `{"code":200,"searchVO":{"catMap":{"gongwen":{"totalpage":"1","listVO":[{"title":"x","url":"u"}]}}}}`, 1, false},
		{"another code", `{"code":500,"msg":"error"}`, 0, true},
		{"no code", `{"searchVO":{}}`, 0, true},
		{"code 200 without searchVO", `{"code":200}`, 0, true},
		{"a page count that is not one", `{"code":200,"searchVO":{"totalpage":-1,"listVO":[]}}`, 0, true},
		{"not JSON", `<html>`, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ReadSearchAnswer([]byte(tc.body))
			if (err != nil) != tc.fails || len(a.Items) != tc.items {
				t.Fatalf("ReadSearchAnswer = %+v, %v", a, err)
			}
		})
	}
	for _, n := range []int{maxItems, maxItems + 1} {
		items := strings.TrimSuffix(strings.Repeat(`{"title":"t","url":"u"},`, n), ",")
		a, err := ReadSearchAnswer([]byte(`{"code":200,"searchVO":{"totalpage":1,"listVO":[` + items + `]}}`))
		if (err != nil) != (n > maxItems) || (err == nil && len(a.Items) != n) {
			t.Errorf("an answer of %d items: %d read, %v", n, len(a.Items), err)
		}
	}
	it := SearchItem{Title: "国务院办公厅关于<em>2026</em>年部分<em>节假日</em>安排的通知", PubOrg: Issuer}
	if !it.IsNotice(2026) || it.IsNotice(2027) {
		t.Error("highlighting is not taken off the title")
	}
}

func TestStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "notices")
	store := Store{Dir: dir}
	item := SearchItem{Title: notice.ExpectedTitle(2026), URL: "https://www.gov.cn" + noticePath(2026), PubTime: published[2026]}
	f := newFetched(2026, item, govcntest.NoticePage(noticeText(t, 2026), publishedAt(2026)), time.Date(2026, 12, 3, 5, 0, 0, 0, time.UTC))
	if err := store.Save(f); err != nil {
		t.Fatal(err)
	}
	if err := store.Save(f); err != nil {
		t.Fatal(err)
	}
	loaded, errs := store.Load()
	if len(errs) != 0 || len(loaded) != 1 || !reflect.DeepEqual(loaded[0], f) {
		t.Fatalf("loaded %d notices, errors %v; want the one saved, as it was", len(loaded), errs)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files in the folder, want 1 (no temporary file left)", len(entries))
	}
	path := filepath.Join(dir, entries[0].Name())
	data, _ := os.ReadFile(path)
	if err := os.WriteFile(path, bytes.Replace(data, []byte("5月9日"), []byte("5月8日"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if loaded, errs := store.Load(); len(loaded) != 0 || len(errs) != 1 || !strings.Contains(errs[0].Error(), "SHA-256") {
		t.Errorf("a changed file: loaded %d, errors %v", len(loaded), errs)
	}
	if err := store.Save(f); err != nil {
		t.Fatal(err)
	}
	if loaded, errs := store.Load(); len(loaded) != 1 || len(errs) != 0 {
		t.Errorf("saving again did not repair the changed file: loaded %d, errors %v", len(loaded), errs)
	}
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := (Store{Dir: filepath.Join(blocker, "notices")}).Save(f); err == nil {
		t.Error("saving into a folder that cannot be made did not fail")
	}
}

// TestAmendment: a later notice for the same year that moves a day gives
// the same ids with their sequence raised, cancels what it no longer has,
// and keeps the revision of what it leaves as it was.
func TestAmendment(t *testing.T) {
	text := noticeText(t, 2026)
	item := SearchItem{Title: notice.ExpectedTitle(2026), URL: "https://www.gov.cn" + noticePath(2026), PubTime: published[2026]}
	first, err := Prove(newFetched(2026, item, govcntest.NoticePage(text, publishedAt(2026)), time.Now()), testNow)
	if err != nil {
		t.Fatal(err)
	}
	amended := strings.Replace(text, "5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。", "5月1日（周五）至4日（周一）放假调休，共4天。", 1)
	item.URL = "https://www.gov.cn/zhengce/content/202603/content_1.htm"
	later := publishedAt(2026).AddDate(0, 4, 0)
	second, err := Prove(newFetched(2026, item, govcntest.NoticePage(amended, later), time.Now()), testNow)
	if err != nil {
		t.Fatal(err)
	}
	evs := YearEvents([]Proven{first, second})
	byID := map[string]events.Event{}
	for _, ev := range evs {
		byID[ev.ID] = ev
	}
	if ev := byID["cn-labour-day-2026-days-off"]; ev.Revision.Sequence != 1 || ev.When.Last.Day != 4 || !ev.Revision.Modified.Equal(later.UTC()) {
		t.Errorf("the moved break: %+v", ev)
	}
	if ev := byID["cn-labour-day-2026-workday-05-09"]; ev.Status != events.StatusCancelled || ev.Revision.Sequence != 1 {
		t.Errorf("the make-up day no longer given: %+v", ev)
	}
	if ev := byID["cn-new-year-2026-days-off"]; ev.Revision.Sequence != 0 || !ev.Revision.Modified.Equal(publishedAt(2026).UTC()) {
		t.Errorf("a break left as it was: %+v", ev.Revision)
	}
	// Served: the catalog takes the corrections as they are.
	book := NewBook()
	book.Add(second)
	book.Add(first)
	cat, err := book.Compose("catalog.toml", catalogWithout(t, 2026))
	if err != nil {
		t.Fatal(err)
	}
	if entries, _ := book.Entries(cat); len(entries) != 1 || entries[0].State != StateApplied || entries[0].URL != second.URL {
		t.Fatalf("entries %+v", entries)
	}
	if ev, ok := cat.Event("cn-labour-day-2026-workday-05-09"); !ok || ev.Status != events.StatusCancelled || ev.Revision.Sequence != 1 {
		t.Errorf("served: %+v", ev)
	}
}

// catalogWithout is the default catalog's text without the events of year.
func catalogWithout(t *testing.T, year int) []byte {
	t.Helper()
	tables := strings.Split(string(events.DefaultSource()), "\n[[event]]\n")
	kept := tables[:1]
	for _, table := range tables[1:] {
		if !strings.Contains(table, fmt.Sprintf(`-%d-`, year)) || !strings.HasPrefix(table, `id = "cn-`) {
			kept = append(kept, table)
		}
	}
	return []byte(strings.Join(kept, "\n[[event]]\n"))
}

// TestPollerAppliesOnTheThirdPoll: the notice is listed from the third poll
// on; it is then proven, kept, and composed into a catalog that lacks its
// year, equal event for event to that catalog with the notice imported by
// hand.
func TestPollerAppliesOnTheThirdPoll(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s := standIn(t)
	page := govcntest.NoticePage(noticeText(t, 2026), publishedAt(2026))
	book := NewBook()
	applied := 0
	p := &Poller{Client: client(s), Store: &Store{Dir: t.TempDir()}, Book: book, Log: quietLog(), Interval: time.Second,
		Now: func() time.Time { return time.Date(2025, 11, 20, 3, 0, 0, 0, time.UTC) }}
	p.Connect(func(string) error { applied++; return nil }, nil, nil)
	for poll := 1; poll <= 3; poll++ {
		if poll == 3 {
			listWithOthers(t, s, 2026, page)
		}
		outcome, err := p.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := OutcomeUnchanged
		if poll == 3 {
			want = OutcomeApplied
		}
		if outcome != want || (applied > 0) != (poll == 3) {
			t.Fatalf("poll %d: %s, applied %d times", poll, outcome, applied)
		}
	}
	if outcome, _ := p.Poll(ctx); outcome != OutcomeUnchanged || applied != 1 {
		t.Errorf("a fourth poll: %s, applied %d times; want nothing new", outcome, applied)
	}
	data := catalogWithout(t, 2026)
	cat, err := book.Compose("catalog.toml", data)
	if err != nil {
		t.Fatal(err)
	}
	var byHand bytes.Buffer
	n, err := notice.Parse(bytes.NewReader(page), notice.Options{URL: s.URL + noticePath(2026)})
	if err != nil {
		t.Fatal(err)
	}
	if err := notice.WriteTOML(&byHand, "", n.Events(publishedAt(2026))); err != nil {
		t.Fatal(err)
	}
	want, err := events.Parse("catalog.toml", append(bytes.Clone(data), byHand.Bytes()...))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cat.Events, want.Events) {
		t.Errorf("the composed catalog differs from the hand import's (%d and %d events)", len(cat.Events), len(want.Events))
	}
	for _, ev := range cat.Events {
		if ev.Kind == events.KindStatutory && ev.When.Last.Year == 2026 {
			t.Errorf("2026's statutory days did not give way: %s", ev.ID)
		}
	}
	st := p.Status(cat)
	if len(st.Applied) != 1 || st.Applied[0].Year != 2026 || len(st.Held) != 0 || st.LastSuccess.IsZero() {
		t.Errorf("status %+v", st)
	}
	// A restart without network: the stored notice is read and proven.
	s.Close()
	again := &Poller{Store: p.Store, Book: NewBook(), Log: quietLog()}
	again.LoadSaved()
	fetched, _ := book.Latest(2026)
	if latest, ok := again.Book.Latest(2026); !ok || latest.SHA256 != fetched.SHA256 || !latest.Published.Equal(fetched.Published) || latest.URL != fetched.URL {
		t.Errorf("the stored notice was not loaded as fetched: %v", ok)
	}
}

// TestCatalogWins: a catalog that holds the year keeps it; where it differs
// from the notice, a warning says so.
func TestCatalogWins(t *testing.T) {
	book := NewBook()
	item := SearchItem{Title: notice.ExpectedTitle(2026), URL: "https://www.gov.cn" + noticePath(2026), PubTime: published[2026]}
	p, err := Prove(newFetched(2026, item, govcntest.NoticePage(noticeText(t, 2026), publishedAt(2026)), time.Now()), testNow)
	if err != nil {
		t.Fatal(err)
	}
	book.Add(p)
	// The default catalog has 2026 as the notice has it: no warning.
	cat, err := book.Compose("catalog.toml", events.DefaultSource())
	if err != nil {
		t.Fatal(err)
	}
	def, _ := events.Default()
	if !reflect.DeepEqual(cat.Events, def.Events) {
		t.Error("the fetched notice changed a year the catalog holds")
	}
	if entries, warns := book.Entries(cat); len(entries) != 1 || entries[0].State != StateCatalog || len(warns) != 0 {
		t.Errorf("entries %+v, warnings %q", entries, warns)
	}
	// A catalog that lost a make-up day of 2026 keeps it lost, and is
	// warned about.
	tables := strings.Split(string(events.DefaultSource()), "\n[[event]]\n")
	kept := tables[:1]
	for _, table := range tables[1:] {
		if !strings.HasPrefix(table, `id = "cn-labour-day-2026-workday-05-09"`) {
			kept = append(kept, table)
		}
	}
	lacking, err := events.Parse("catalog.toml", []byte(strings.Join(kept, "\n[[event]]\n")))
	if err != nil {
		t.Fatal(err)
	}
	cat, err = book.Compose("catalog.toml", []byte(strings.Join(kept, "\n[[event]]\n")))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cat.Events, lacking.Events) {
		t.Error("the fetched notice changed a year the catalog holds")
	}
	if _, warns := book.Entries(cat); len(warns) != 1 || !strings.Contains(warns[0], "cn-labour-day-2026-workday-05-09") {
		t.Errorf("warnings %q", warns)
	}
}

// TestPollerHoldsAndBacksOff: a tampered notice is held with its reason and
// nothing is applied; failures double the wait, Retry-After lengthens it.
func TestPollerHoldsAndBacksOff(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s := standIn(t)
	bad := strings.Replace(noticeText(t, 2026), "10月1日（周四）", "10月1日（周五）", 1)
	listWithOthers(t, s, 2026, govcntest.NoticePage(bad, publishedAt(2026)))
	var logged bytes.Buffer
	p := &Poller{Client: client(s), Book: NewBook(), Log: slog.New(slog.NewTextHandler(&logged, nil)), Interval: time.Second,
		Now: func() time.Time { return time.Date(2025, 11, 20, 3, 0, 0, 0, time.UTC) }}
	p.Connect(func(string) error { t.Error("a held notice was applied"); return nil }, nil, nil)
	for range 2 {
		if outcome, err := p.Poll(ctx); outcome != OutcomeHeld || err != nil {
			t.Fatalf("poll: %s, %v", outcome, err)
		}
	}
	st := p.Status(nil)
	if len(st.Held) != 1 || st.Held[0].Year != 2026 || st.Held[0].URL != s.URL+noticePath(2026) || !strings.Contains(st.Held[0].Reason, "is a Thursday") {
		t.Fatalf("held %+v", st.Held)
	}
	if n := strings.Count(logged.String(), "level=ERROR"); n != 1 {
		t.Errorf("%d ERROR lines for one held notice over two polls, want 1:\n%s", n, logged.String())
	}
	failing := errors.New("search failed")
	for i, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		if got := p.nextDelay(failing); got != want {
			t.Errorf("after %d failures: wait %v, want %v", i+1, got, want)
		}
	}
	if got := p.nextDelay(&HTTPError{Status: 503, RetryAfter: time.Minute}); got != time.Minute {
		t.Errorf("with Retry-After: wait %v", got)
	}
	if got := p.nextDelay(nil); got != time.Second {
		t.Errorf("after a success: wait %v", got)
	}
}

// TestExtraNoticeIsHeld: another notice of the General Office on the
// year's holidays (an extension, an extra day off) is held for the
// operator, not read and not applied.
func TestExtraNoticeIsHeld(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s := standIn(t)
	s.List(2026, govcntest.Item{Title: "国务院办公厅关于延长<em>2026</em>年春节假期的通知", Path: "/zhengce/content/202601/content_1.htm", PubTime: "2026.01.27", PubOrg: Issuer})
	p := &Poller{Client: client(s), Book: NewBook(), Log: quietLog(), Now: func() time.Time { return testNow }}
	p.Connect(func(string) error { t.Error("an extra notice was applied"); return nil }, nil, nil)
	if outcome, err := p.Poll(ctx); outcome != OutcomeHeld || err != nil {
		t.Fatalf("poll: %s, %v", outcome, err)
	}
	if held := p.Status(nil).Held; len(held) != 1 || !strings.Contains(held[0].Reason, "not the yearly arrangement") {
		t.Errorf("held %+v", held)
	}
	if s.Requests() != s.Searches() {
		t.Errorf("the extra notice's page was fetched")
	}
}

func TestSchedule(t *testing.T) {
	at := func(month time.Month, day int) time.Time { return time.Date(2026, month, day, 12, 0, 0, 0, chinaTime) }
	for _, tc := range []struct {
		now      time.Time
		arranged bool
		want     time.Duration
	}{
		{at(time.October, 14), false, OffSeasonInterval},
		{at(time.October, 15), false, SeasonInterval},
		{at(time.December, 3), false, SeasonInterval},
		{at(time.December, 3), true, OffSeasonInterval},
		{at(time.March, 1), false, OffSeasonInterval},
	} {
		p := &Poller{Now: func() time.Time { return tc.now }}
		p.Connect(nil, nil, func(year int) bool { return tc.arranged && year == 2027 })
		if got := p.nextDelay(nil); got != tc.want {
			t.Errorf("%s, next year arranged %v: %v, want %v", tc.now.Format("2 January"), tc.arranged, got, tc.want)
		}
	}
}

func FuzzSearchAnswer(f *testing.F) {
	f.Add([]byte(`{"code":1001,"msg":"未找到相关结果"}`))
	f.Add([]byte(`{"code":200,"msg":"成功","searchVO":{"totalpage":2,"listVO":[{"title":"国务院办公厅关于<em>2026</em>年部分节假日安排的通知","url":"https://www.gov.cn/a.htm","pubtimeStr":"2025.11.04","puborg":"国务院办公厅","pcode":"国办发明电〔2025〕7号"}]}}`))
	f.Add([]byte(`{"code":200,"searchVO":{"catMap":{"gongwen":{"totalpage":"3","listVO":[{"title":"<em>x</em>","url":"u"}]}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ReadSearchAnswer(data)
		if err != nil {
			return
		}
		if a.Code != codeFound && a.Code != codeNothing {
			t.Fatalf("code %d accepted", a.Code)
		}
		if len(a.Items) > maxItems || a.TotalPages < 0 {
			t.Fatalf("%d items, %d pages", len(a.Items), a.TotalPages)
		}
		for _, it := range a.Items {
			if strings.Contains(it.PlainTitle(), "<em>") {
				t.Fatalf("highlighting left in %q", it.PlainTitle())
			}
		}
	})
}

// TestLimitsExactly: an answer of exactly its limit is read, one byte more
// is not; the store reads at most maxStoredFiles files.
func TestLimitsExactly(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s := standIn(t)
	c := client(s)
	nothing := []byte(`{"code":1001,"msg":"未找到相关结果"}`)
	for _, tc := range []struct {
		size  int
		fails bool
	}{{MaxSearchBytes, false}, {MaxSearchBytes + 1, true}} {
		body := append(bytes.Clone(nothing), bytes.Repeat([]byte(" "), tc.size-len(nothing))...)
		s.SearchHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(body) }))
		if _, _, err := c.Search(ctx, 2026); (err != nil) != tc.fails {
			t.Errorf("a search answer of %d bytes: %v", tc.size, err)
		}
	}
	for _, tc := range []struct {
		size  int
		fails bool
	}{{notice.MaxSize, false}, {notice.MaxSize + 1, true}} {
		page := bytes.Repeat([]byte("a"), tc.size)
		s.Page("/page.htm", page)
		if got, err := c.Page(ctx, s.URL+"/page.htm"); (err != nil) != tc.fails || (err == nil && len(got) != tc.size) {
			t.Errorf("a page of %d bytes: %d read, %v", tc.size, len(got), err)
		}
	}
	dir := t.TempDir()
	for i := range maxStoredFiles + 1 {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%04d.json", i)), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, errs := (Store{Dir: dir}).Load()
	if len(errs) != maxStoredFiles+1 || !strings.Contains(errs[len(errs)-1].Error(), "the rest are not read") {
		t.Errorf("%d errors reading %d files; the last: %v", len(errs), maxStoredFiles+1, errs[len(errs)-1])
	}
}

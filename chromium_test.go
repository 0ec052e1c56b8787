package feed

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	goical "github.com/emersion/go-ical"
)

// chromiumPath finds Debian's Chromium, or skips the test (fails it when
// FEED_REQUIRE_CLIENTS is set, as the README's test command does).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("FEED_REQUIRE_CLIENTS") != "" {
		t.Fatal("Chromium is not installed; run make test")
	}
	t.Skip("Chromium is not installed; make test installs it")
	return ""
}

// TestPageInChromium loads the subscribe page from the running handler in
// headless Chromium: every subscribe link points at the right feed, every
// link to the service answers with what it promises, an event's .ics
// downloads and parses, the language switch works, and screenshots of both
// languages and of a phone-sized window are saved (to FEED_SCREENSHOT_DIR
// when it is set).
func TestPageInChromium(t *testing.T) {
	exe := chromiumPath(t)
	snap, err := Build(defaultCatalog(t), "")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(NewServer(snap, discardLogger()))
	defer ts.Close()
	host := strings.TrimPrefix(ts.URL, "http://")

	downloads := t.TempDir()
	ctx := newChromium(t, exe)

	var hrefs []string
	var lang, heading string
	if err := chromedp.Run(ctx,
		browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllowAndName).WithDownloadPath(downloads).WithEventsEnabled(true),
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible("h1", chromedp.ByQuery),
		chromedp.AttributeValue("html", "lang", &lang, nil, chromedp.ByQuery),
		chromedp.Text("main h2", &heading, chromedp.ByQuery),
		chromedp.Evaluate(`Array.from(document.querySelectorAll("a[href]")).map(a => a.href)`, &hrefs),
	); err != nil {
		t.Fatalf("load the page: %v", err)
	}
	if lang != "en" || heading != "Add these dates to your calendar" {
		t.Fatalf("page language %q, heading %q", lang, heading)
	}
	saveScreenshot(t, ctx, "page-en.png")

	checkPageLinks(t, hrefs, ts.URL, host)

	// The card of every holiday, and past years folded away: a person sees
	// no past event until they open its year.
	var cardTitle, cardURL string
	var pastShown, pastYears int
	if err := chromedp.Run(ctx,
		chromedp.Text("#feed-holidays h3", &cardTitle, chromedp.ByQuery),
		chromedp.Text("#feed-holidays .url", &cardURL, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("details.year.past").length`, &pastYears),
		chromedp.Evaluate(`Array.from(document.querySelectorAll(".event.past")).filter(e => e.checkVisibility()).length`, &pastShown),
	); err != nil {
		t.Fatalf("read the page: %v", err)
	}
	if cardTitle != "China's public holidays" || cardURL != ts.URL+"/calendars/China_public_holidays_in_English.ics" {
		t.Errorf("holiday card %q %q", cardTitle, cardURL)
	}
	// Each card wears its calendar's colour: the border and the dot before
	// its title are the X-APPLE-CALENDAR-COLOR of the feed it offers.
	var cards []struct{ ID, URL, Border, Dot string }
	if err := chromedp.Run(ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll(".card")).map(c => ({
		ID: c.id, URL: c.querySelector(".url").textContent,
		Border: getComputedStyle(c).borderTopColor,
		Dot: getComputedStyle(c.querySelector("h3"), "::before").backgroundColor}))`, &cards)); err != nil {
		t.Fatalf("read the cards' colours: %v", err)
	}
	if len(cards) != 7 || cards[0].ID != "feed-conference" || cards[1].ID != "feed-labour-day" || cards[2].ID != "feed-other-holidays" {
		t.Errorf("cards %+v, want the three discovery calendars first, then four more", cards)
	}
	seenColor := map[string]string{}
	srv := NewServer(snap, discardLogger())
	for _, c := range cards {
		res := get(t, srv, strings.TrimPrefix(c.URL, ts.URL))
		cal, err := goical.NewDecoder(res.Body).Decode()
		if err != nil {
			t.Fatalf("%s: %v", c.URL, err)
		}
		hex, _ := cal.Props.Text("X-APPLE-CALENDAR-COLOR")
		n, _ := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
		want := fmt.Sprintf("rgb(%d, %d, %d)", n>>16, n>>8&0xff, n&0xff)
		if c.Border != want || c.Dot != want {
			t.Errorf("%s: border %s, dot %s; its feed is %s (%s)", c.ID, c.Border, c.Dot, hex, want)
		}
		if prev, dup := seenColor[c.Border]; dup {
			t.Errorf("%s and %s are both %s", prev, c.ID, c.Border)
		}
		seenColor[c.Border] = c.ID
	}
	if pastYears < 5 || pastShown != 0 {
		t.Errorf("%d past years, %d past events shown before a year is opened", pastYears, pastShown)
	}

	// The conference card lists the series, newest first; a click on an
	// edition shows its entry, even in a folded past year.
	var series []string
	var editionShown bool
	if err := chromedp.Run(ctx,
		chromedp.Evaluate(`Array.from(document.querySelectorAll("#feed-conference .series a")).map(a => a.getAttribute("href"))`, &series),
		chromedp.Click(`#feed-conference .series a[href="#event-craftsmen-conference-2023"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#event-craftsmen-conference-2023`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("#event-craftsmen-conference-2023").checkVisibility()`, &editionShown),
	); err != nil {
		t.Fatalf("follow the series: %v", err)
	}
	if want := []string{"#event-craftsmen-conference-2025", "#event-craftsmen-conference-2023", "#event-craftsmen-conference-2022"}; strings.Join(series, " ") != strings.Join(want, " ") || !editionShown {
		t.Errorf("the conference card links %v (want %v); the 2023 edition shown after a click: %v", series, want, editionShown)
	}

	// Download one event's calendar as a person would, by clicking.
	done := make(chan string, 1)
	chromedp.ListenTarget(ctx, func(ev any) {
		if p, ok := ev.(*browser.EventDownloadProgress); ok && p.State == browser.DownloadProgressStateCompleted {
			select {
			case done <- p.GUID:
			default:
			}
		}
	})
	if err := chromedp.Run(ctx,
		chromedp.Click(`#past-2022 > summary`, chromedp.ByQuery),
		chromedp.WaitVisible(`#event-craftsmen-conference-2022-opening`, chromedp.ByQuery),
		chromedp.Click(`#event-craftsmen-conference-2022-opening a[download]`, chromedp.ByQuery)); err != nil {
		t.Fatalf("click the download: %v", err)
	}
	select {
	case guid := <-done:
		f, err := os.Open(filepath.Join(downloads, guid))
		if err != nil {
			t.Fatal(err)
		}
		cal, err := goical.NewDecoder(f).Decode()
		f.Close()
		if err != nil {
			t.Fatalf("the downloaded .ics does not parse: %v", err)
		}
		if uid, _ := cal.Events()[0].Props.Text(goical.PropUID); uid != "craftsmen-conference-2022-opening@craftsmen-feed.invalid" {
			t.Errorf("downloaded %s", uid)
		}
	case <-ctx.Done():
		t.Fatal("the download did not complete")
	}

	// Switch the language.
	if err := chromedp.Run(ctx,
		chromedp.Click("a.lang", chromedp.ByQuery),
		chromedp.WaitVisible(`html[lang="zh-Hans"]`, chromedp.ByQuery),
		chromedp.Text("main h2", &heading, chromedp.ByQuery),
	); err != nil {
		t.Fatalf("switch language: %v", err)
	}
	if heading != "把这些日程加入你的日历" {
		t.Errorf("after switching, the heading is %q", heading)
	}
	saveScreenshot(t, ctx, "page-zh.png")

	if err := chromedp.Run(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)), chromedp.Navigate(ts.URL+"/?lang=en"), chromedp.WaitVisible("h1", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	var overflow bool
	if err := chromedp.Run(ctx, chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth`, &overflow)); err != nil {
		t.Fatal(err)
	}
	if overflow {
		t.Error("the page is wider than a phone's screen")
	}
	saveScreenshot(t, ctx, "page-phone.png")
}

// newChromium starts headless Chromium for the test, with a window of a
// desktop's size, and stops it when the test ends; everything it does must
// be done within 90 seconds.
func newChromium(t *testing.T, exe string) context.Context {
	t.Helper()
	// Chromium may still be writing its profile as it exits, so the profile
	// is removed without the checks that t.TempDir makes.
	profile, err := os.MkdirTemp("", "feed-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(profile) })
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "en-US"), chromedp.UserDataDir(profile), chromedp.WindowSize(1280, 900))
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithDebugf(func(f string, a ...any) {
		if os.Getenv("CDP_DEBUG") != "" {
			t.Logf(f, a...)
		}
	}))
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	// Cleanups run last-added first: the timeout, the tab, then the browser.
	t.Cleanup(cancelAlloc)
	t.Cleanup(cancel)
	t.Cleanup(cancelTimeout)
	return ctx
}

// axeScript is Deque's axe-core, installed by scripts/test-deps.
const axeScript = "clients/axe/node_modules/axe-core/axe.min.js"

// TestPageAccessibility runs axe-core's WCAG 2.0 and 2.1 A and AA rules on
// the subscribe page in Chromium, in both languages, at a desktop's and a
// phone's width, with every past year unfolded so that the past events'
// colours are checked too.
func TestPageAccessibility(t *testing.T) {
	exe := chromiumPath(t)
	axe, err := os.ReadFile(axeScript)
	if err != nil {
		if os.Getenv("FEED_REQUIRE_CLIENTS") != "" {
			t.Fatalf("axe-core is not installed (%v); run scripts/test-deps", err)
		}
		t.Skipf("axe-core is not installed (%v); scripts/test-deps installs it", err)
	}
	snap, err := Build(defaultCatalog(t), "")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(NewServer(snap, discardLogger()))
	defer ts.Close()
	ctx := newChromium(t, exe)
	// The page allows no script; axe is the test's, not the page's.
	if err := chromedp.Run(ctx, page.SetBypassCSP(true)); err != nil {
		t.Fatal(err)
	}
	type violation struct {
		ID, Impact, Help string
		Nodes            []string
	}
	for _, size := range []struct {
		name          string
		width, height int64
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		for _, lang := range []string{"en", "zh"} {
			var violations []violation
			var unfolded int
			if err := chromedp.Run(ctx,
				chromedp.EmulateViewport(size.width, size.height),
				chromedp.Navigate(ts.URL+"/?lang="+lang),
				chromedp.WaitVisible("h1", chromedp.ByQuery),
				chromedp.Evaluate(`document.querySelectorAll("details").forEach(d => d.open = true); document.querySelectorAll("details[open]").length`, &unfolded),
				chromedp.Evaluate(string(axe), nil),
				chromedp.Evaluate(`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}).then(r => r.violations.map(v => ({
					id: v.id, impact: v.impact, help: v.help,
					nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + ": " + n.failureSummary)})))`,
					&violations, func(p *cdpruntime.EvaluateParams) *cdpruntime.EvaluateParams { return p.WithAwaitPromise(true) }),
			); err != nil {
				t.Fatalf("%s %s: run axe: %v", size.name, lang, err)
			}
			if unfolded == 0 {
				t.Errorf("%s %s: no past year to unfold", size.name, lang)
			}
			for _, v := range violations {
				t.Errorf("%s %s: %s (%s): %s\n%s", size.name, lang, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n"))
			}
		}
	}
}

func checkPageLinks(t *testing.T, hrefs []string, base, host string) {
	t.Helper()
	var webcal, google, outlook, own int
	for _, href := range hrefs {
		u, err := url.Parse(href)
		if err != nil {
			t.Errorf("unparsable link %q", href)
			continue
		}
		switch {
		case u.Scheme == "webcal":
			webcal++
			if u.Host != host || !strings.HasPrefix(u.Path, CalendarsDir) || u.RawQuery != "" {
				t.Errorf("webcal link %s", href)
			}
		case u.Host == "calendar.google.com":
			if cid := u.Query().Get("cid"); cid != "" {
				google++
				if !strings.HasPrefix(cid, "webcal://"+host+CalendarsDir) {
					t.Errorf("Google subscribe link to %s", cid)
				}
			} else if u.Query().Get("action") != "TEMPLATE" || u.Query().Get("dates") == "" || u.Query().Get("text") == "" {
				t.Errorf("Google add-event link %s", href)
			}
		case u.Host == "outlook.live.com":
			outlook++
			if !strings.HasPrefix(u.Query().Get("url"), base+CalendarsDir) {
				t.Errorf("Outlook.com link to %s", u.Query().Get("url"))
			}
		case strings.HasPrefix(href, base):
			own++
			resp, err := http.Get(href)
			if err != nil {
				t.Errorf("%s: %v", href, err)
				continue
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			want := "text/html; charset=utf-8"
			switch {
			case strings.HasSuffix(u.Path, ".ics"):
				want = calendarContentType
			case strings.HasPrefix(u.Path, daysPrefix) || u.Path == DaysIndexPath: // the day-status API
				want = jsonContentType
			case strings.HasSuffix(u.Path, ".json"):
				want = jcalContentType
			}
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != want {
				t.Errorf("%s: %d %s, want 200 %s", href, resp.StatusCode, resp.Header.Get("Content-Type"), want)
			}
		}
	}
	if webcal != 2*len(pageFeeds) || google != 2*len(pageFeeds) || outlook != 2*len(pageFeeds) || own < 4+69 {
		t.Errorf("links: %d webcal, %d Google subscribe, %d Outlook.com, %d to the service", webcal, google, outlook, own)
	}
}

func saveScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dirs := []string{t.TempDir()}
	if d := os.Getenv("FEED_SCREENSHOT_DIR"); d != "" {
		dirs = append(dirs, d)
	}
	for _, dir := range dirs {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

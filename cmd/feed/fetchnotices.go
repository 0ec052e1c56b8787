package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"sync"
	"time"

	"feed"
	"feed/events"
	"feed/internal/noticefetch"
)

// noticeConfig is how the service finds the State Council's notices by
// itself: where it keeps them, where it asks, and how often.
type noticeConfig struct {
	off      bool
	dir      string // empty to keep them in memory only
	source   string
	interval time.Duration // 0 for the schedule
}

type noticeFlagValues struct{ dir, source, interval *string }

// addNoticeFlags are the serve command's flags for the notices.
func addNoticeFlags(fs *flag.FlagSet, getenv func(string) string) noticeFlagValues {
	return noticeFlagValues{
		dir: fs.String("notices", getenv("FEED_NOTICES"), "folder that keeps the holiday notices the service fetches from gov.cn, or off to never ask "+
			"(default: feed/notices in $XDG_STATE_HOME, or in ~/.local/state) (env FEED_NOTICES)"),
		source: fs.String("notice-source", envOr(getenv, "FEED_NOTICE_SOURCE", noticefetch.DefaultSource),
			"the search the notices are found with; the service adds its query (env FEED_NOTICE_SOURCE)"),
		interval: fs.String("notice-interval", getenv("FEED_NOTICE_INTERVAL"),
			"ask the search at this interval instead of hourly from 15 October until next year's notice is in and daily otherwise (env FEED_NOTICE_INTERVAL)"),
	}
}

// config checks the notice flags.
func (v noticeFlagValues) config(getenv func(string) string) (noticeConfig, error) {
	cfg := noticeConfig{dir: *v.dir, source: *v.source}
	if cfg.dir == "off" {
		return noticeConfig{off: true}, nil
	}
	if cfg.dir == "" {
		cfg.dir = defaultNoticeDir(getenv)
	}
	if u, err := url.Parse(cfg.source); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return noticeConfig{}, fmt.Errorf("-notice-source %q: use an http or https URL", cfg.source)
	}
	if *v.interval != "" {
		d, err := time.ParseDuration(*v.interval)
		if err != nil || d < time.Second {
			return noticeConfig{}, fmt.Errorf("-notice-interval %q: use a duration of at least 1s, such as 1h", *v.interval)
		}
		cfg.interval = d
	}
	return cfg, nil
}

// defaultNoticeDir is feed/notices in the user's state folder:
// $XDG_STATE_HOME, or ~/.local/state; empty when neither is known.
func defaultNoticeDir(getenv func(string) string) string {
	if d := getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "feed", "notices")
	}
	if h := getenv("HOME"); filepath.IsAbs(h) {
		return filepath.Join(h, ".local", "state", "feed", "notices")
	}
	return ""
}

// noticeService is the notice poller and its book, or nothing with
// -notices off.
type noticeService struct {
	cfg    noticeConfig
	log    *slog.Logger
	book   *noticefetch.Book // nil with -notices off
	poller *noticefetch.Poller
}

// newNoticeService reads the stored notices, before anything is asked of
// the network.
func newNoticeService(cfg noticeConfig, log *slog.Logger, now func() time.Time) *noticeService {
	ns := &noticeService{cfg: cfg, log: log}
	if cfg.off {
		return ns
	}
	ns.book = noticefetch.NewBook()
	ns.poller = &noticefetch.Poller{
		Client:   &noticefetch.Client{Source: cfg.source},
		Book:     ns.book,
		Log:      log,
		Now:      now,
		Interval: cfg.interval,
	}
	if cfg.dir != "" {
		ns.poller.Store = &noticefetch.Store{Dir: cfg.dir}
	} else {
		log.Warn("no state folder ($XDG_STATE_HOME or $HOME) for the notices: fetched notices are kept in memory only; set -notices DIR")
	}
	ns.poller.LoadSaved()
	return ns
}

// start polls the search until ctx ends; rebuild serves the catalog again
// with the book.
func (ns *noticeService) start(ctx context.Context, server *feed.Server, rebuild func(trigger string) error) (stop func()) {
	if ns.poller == nil {
		return func() {}
	}
	server.WatchNotices(ns.poller.Status)
	ns.poller.Connect(rebuild, server.NoticePolled, func(year int) bool {
		return noticefetch.HoldsYear(server.Snapshot().Catalog, year)
	})
	every := "hourly from 15 October until next year's notice is in, daily otherwise"
	if ns.cfg.interval > 0 {
		every = ns.cfg.interval.String()
	}
	ns.log.Info("asking for the State Council's holiday notices", "source", ns.cfg.source, "dir", ns.cfg.dir, "every", every)
	pollCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		ns.poller.Run(pollCtx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// loadServedCatalog is loadCatalog for the service: each build adds the
// notices of the book (nil for none) to the catalog's data.
func loadServedCatalog(path, base string, book *noticefetch.Book) (loadedCatalog, error) {
	if book == nil {
		return loadCatalog(path, base)
	}
	build := func(file string, data []byte) (*feed.Snapshot, error) {
		cat, err := book.Compose(file, data)
		if err != nil {
			return nil, err
		}
		snap, err := feed.Build(cat, base)
		if err != nil {
			return nil, err
		}
		entries, _ := book.Entries(cat)
		for _, e := range entries {
			if e.State == noticefetch.StateApplied {
				if snap.FetchedNotices == nil {
					snap.FetchedNotices = make(map[int]time.Time)
				}
				snap.FetchedNotices[e.Year] = e.Published
			}
		}
		return snap, nil
	}
	return loadCatalogWith(path, build)
}

// embeddedRebuild builds the embedded catalog again, with what its build
// adds, and serves it: the embedded catalog's Reloader.Rebuild.
func embeddedRebuild(server *feed.Server, cat loadedCatalog) func(trigger string) error {
	var mu sync.Mutex
	return func(string) error {
		mu.Lock()
		defer mu.Unlock()
		snap, err := cat.build(events.DefaultFile, cat.data)
		if err != nil {
			return err
		}
		server.Swap(snap)
		return nil
	}
}

// loadWithStoredNotices is load with the notices kept in dir (none when
// dir is empty) composed in as the service composes them, from the folder
// alone: a static export then has the bytes the service serves.
func loadWithStoredNotices(catalogPath, baseURL, dir string, log *slog.Logger) (*feed.Snapshot, error) {
	if dir == "" {
		return load(catalogPath, baseURL)
	}
	base, err := feed.NormalizeBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	book := noticefetch.NewBook()
	(&noticefetch.Poller{Store: &noticefetch.Store{Dir: dir}, Book: book, Log: log}).LoadSaved()
	cat, err := loadServedCatalog(catalogPath, base, book)
	if err != nil {
		return nil, err
	}
	return cat.snap, nil
}

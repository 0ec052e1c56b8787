// Package govcntest is a stand-in for gov.cn in tests: its search interface
// (search-gov/data) answering JSON in the shape the site gives, and notice
// pages in the site's layout since 2023, served by httptest on loopback.
// No test reaches the internet.
package govcntest

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// SearchPath is the search's path, as on sousuo.www.gov.cn.
const SearchPath = "/search-gov/data"

// Item is one result the search lists for a year.
type Item struct {
	Title   string // may carry <em>…</em>, as the search highlights the query
	Path    string // the page's path on the stand-in, or an absolute URL
	PubTime string // 2025.11.04
	PubOrg  string // 国务院办公厅
	PCode   string
}

// Server is the stand-in.
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	items    map[int][]Item
	pages    map[string]http.Handler
	search   http.Handler // replaces the search when set
	searches atomic.Int64
	requests atomic.Int64
	agents   sync.Map // User-Agent → true
}

// New starts a stand-in with nothing listed; Close it when done.
func New() *Server {
	s := &Server{items: make(map[int][]Item), pages: make(map[string]http.Handler)}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Source is the search's address, for -notice-source.
func (s *Server) Source() string { return s.URL + SearchPath }

// Searches is the number of search requests answered so far.
func (s *Server) Searches() int { return int(s.searches.Load()) }

// Requests is the number of requests of any kind so far.
func (s *Server) Requests() int { return int(s.requests.Load()) }

// SawAgent reports whether a request came with this User-Agent.
func (s *Server) SawAgent(ua string) bool { _, ok := s.agents.Load(ua); return ok }

// List makes the search list items for year, in this order (newest first,
// as sort=pubtime gives them), replacing what it listed.
func (s *Server) List(year int, items ...Item) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[year] = items
}

// Answer is the search's own answer, for a SearchHandler that changes it
// only at times.
func (s *Server) Answer(w http.ResponseWriter, r *http.Request) { s.answer(w, r) }

// Page serves body at path as an HTML page.
func (s *Server) Page(path string, body []byte) {
	s.Handle(path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(body)
	}))
}

// Handle serves path with h: a fault, a page that never ends.
func (s *Server) Handle(path string, h http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[path] = h
}

// SearchHandler replaces the search with h (nil puts it back).
func (s *Server) SearchHandler(h http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.search = h
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	s.agents.Store(r.Header.Get("User-Agent"), true)
	s.mu.Lock()
	search, page := s.search, s.pages[r.URL.Path]
	s.mu.Unlock()
	switch {
	case r.URL.Path == SearchPath:
		s.searches.Add(1)
		if search != nil {
			search.ServeHTTP(w, r)
			return
		}
		s.answer(w, r)
	case page != nil:
		page.ServeHTTP(w, r)
	default:
		http.NotFound(w, r)
	}
}

// answer lists the items of the year in the query "假期 YYYY", n to a page.
func (s *Server) answer(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	year, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(q.Get("q"), "假期")))
	p, _ := strconv.Atoi(q.Get("p"))
	n, _ := strconv.Atoi(q.Get("n"))
	if p < 1 {
		p = 1
	}
	if n < 1 {
		n = 5
	}
	s.mu.Lock()
	items := s.items[year]
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	if len(items) == 0 {
		_, _ = w.Write([]byte(`{"code":1001,"msg":"未找到相关结果","searchVO":null}`))
		return
	}
	type listItem struct {
		ID         string `json:"id"`
		Title      string `json:"title"`
		URL        string `json:"url"`
		PubtimeStr string `json:"pubtimeStr"`
		Pubtime    int64  `json:"pubtime"`
		Puborg     string `json:"puborg"`
		Pcode      string `json:"pcode"`
		Summary    string `json:"summary"`
		Childtype  string `json:"childtype"`
	}
	total := (len(items) + n - 1) / n
	var list []listItem
	for i := (p - 1) * n; i < len(items) && i < p*n; i++ {
		it := items[i]
		u := it.Path
		if strings.HasPrefix(u, "/") {
			u = s.URL + u
		}
		var pub int64
		if t, err := time.Parse("2006.01.02", it.PubTime); err == nil {
			pub = t.UnixMilli()
		}
		list = append(list, listItem{ID: strconv.Itoa(7047091 + i), Title: it.Title, URL: u, PubtimeStr: it.PubTime, Pubtime: pub,
			Puborg: it.PubOrg, Pcode: it.PCode, Summary: "经国务院批准，现将…", Childtype: "通知"})
	}
	body, _ := json.Marshal(map[string]any{
		"code": 200,
		"msg":  "成功",
		"searchVO": map[string]any{
			"totalpage": total,
			"listVO":    list,
			"catMap":    map[string]any{},
		},
	})
	_, _ = w.Write(body)
}

// NoticePage lays out a notice's text (as in internal/notice/testdata: an
// address line, the title, the paragraphs) as a gov.cn page of the layout
// used since 2023: the title in <title> with the site's suffix, meta tags
// with the first publication time, a header table, the text in
// <div id="UCAP-CONTENT" class="pages_content">, one <p> per paragraph,
// and links to other notices after it.
func NoticePage(text string, published time.Time) []byte {
	var title string
	var paras []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "" || strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://"):
		case title == "" && strings.HasPrefix(l, "国务院办公厅关于"):
			title = l
		default:
			paras = append(paras, l)
		}
	}
	var b strings.Builder
	cst := published.In(time.FixedZone("CST", 8*3600))
	fmt.Fprintf(&b, `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>%s_国务院文件_中国政府网</title>
<meta name="firstpublishedtime" content="%s">
<meta name="lastmodifiedtime" content="%s">
<meta name="description" content="%s">
<script type="text/javascript">var share = "<p>一、元旦：not a paragraph</p>";</script>
</head>
<body>
<div class="header"><a href="/">首页</a> &gt; <a href="/zhengce/">政策</a></div>
<table class="bd1"><tr><td><b>标　　题：</b></td><td>%s</td></tr>
<tr><td><b>发文机关：</b></td><td>国务院办公厅</td><td><b>发布日期：</b></td><td>%s</td></tr></table>
<div id="UCAP-CONTENT" class="pages_content">
`, html.EscapeString(title), cst.Format("2006-01-02-15:04:05"), cst.Format("2006-01-02-15:04:05"),
		html.EscapeString(title), html.EscapeString(title), cst.Format("2006年01月02日"))
	fmt.Fprintf(&b, "<p style=\"text-align: center;\">%s</p>\n", html.EscapeString(title))
	for _, p := range paras {
		fmt.Fprintf(&b, "<p>　　%s</p>\n", html.EscapeString(p))
	}
	b.WriteString(`</div>
<div class="related"><ul><li><a href="/zhengce/content/202411/content_6986382.htm">国务院办公厅关于2025年部分节假日安排的通知</a></li></ul></div>
</body>
</html>
`)
	return []byte(b.String())
}

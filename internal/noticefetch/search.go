// Package noticefetch finds the State Council's yearly holiday notice on
// gov.cn by itself, reads it with package notice, proves it before anything
// is served, and keeps what it fetched, with its provenance, in a folder.
//
// It asks the site's search (the interface the public holiday-data projects
// use) for the notice of a year, takes only the item whose title is exactly
// the yearly arrangement's, fetches the page it links and reads it. Every
// answer is bounded in size and time; errors back off. A page that cannot be
// proven is held, never applied: the caller shows it to the operator.
package noticefetch

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"feed/internal/notice"
)

// DefaultSource is the address of gov.cn's search interface; the client adds
// its own query parameters.
const DefaultSource = "https://sousuo.www.gov.cn/search-gov/data"

// Issuer is the office that issues the yearly notice: an item from any other
// is never a notice.
const Issuer = "国务院办公厅"

// The search answer's codes: 200 lists items, 1001 says nothing was found;
// any other is an error.
const (
	codeFound   = 200
	codeNothing = 1001
)

// MaxSearchBytes bounds one answer of the search: a page of five items is a
// few kilobytes.
const MaxSearchBytes = 1 << 20

// maxItems bounds the items read from one answer.
const maxItems = 100

// SearchAnswer is one page of the search's answer.
type SearchAnswer struct {
	Code       int
	Msg        string
	TotalPages int
	Items      []SearchItem
}

// SearchItem is one result: a notice, an interpretation, a news item or
// another office's document.
type SearchItem struct {
	Title   string // as the search gives it, with its <em> highlighting
	URL     string
	PubTime string // 2025.11.04
	PubOrg  string
	PCode   string // the document number, such as 国办发明电〔2025〕7号
}

// PlainTitle is the item's title without the search's highlighting and
// surrounding space.
func (it SearchItem) PlainTitle() string {
	t := it.Title
	for {
		next := t
		for _, tag := range []string{"<em>", "</em>", "<EM>", "</EM>"} {
			next = strings.ReplaceAll(next, tag, "")
		}
		if next == t {
			return strings.TrimSpace(t)
		}
		t = next
	}
}

// IsNotice reports whether the item is year's yearly arrangement: its title,
// without highlighting, is exactly notice.ExpectedTitle(year), and it comes from
// the General Office (an item that names no office is taken from the query,
// which asks for the General Office's documents only).
func (it SearchItem) IsNotice(year int) bool {
	return it.PlainTitle() == notice.ExpectedTitle(year) && (it.PubOrg == "" || strings.TrimSpace(it.PubOrg) == Issuer)
}

// generalOfficeNotice is the title of any notice of the General Office.
var generalOfficeNotice = regexp.MustCompile(`^国务院办公厅关于.{1,60}的通知$`)

// IsExtraNotice reports whether the item is another notice of the General
// Office about year's holidays, not the yearly arrangement: an extension
// (国务院办公厅关于延长2020年春节假期的通知), an extra day off. Such a notice
// changes days but cannot be read as an arrangement: it is for the
// operator. Interpretations (…的通知解读) and news are not notices.
func (it SearchItem) IsExtraNotice(year int) bool {
	t := it.PlainTitle()
	return !it.IsNotice(year) && generalOfficeNotice.MatchString(t) && strings.Contains(t, strconv.Itoa(year)) &&
		(it.PubOrg == "" || strings.TrimSpace(it.PubOrg) == Issuer)
}

// Published is the item's publication day (pubtimeStr, "2025.11.04") as
// midnight in China, and false when it has none that reads.
func (it SearchItem) Published() (time.Time, bool) {
	for _, layout := range []string{"2006.01.02", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(it.PubTime), chinaTime); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// chinaTime is the zone the notices' dates and the schedule's days are in.
var chinaTime = time.FixedZone("CST", 8*3600)

type rawItem struct {
	Title   string `json:"title"`
	URL     string `json:"url"`
	PubTime string `json:"pubtimeStr"`
	PubOrg  string `json:"puborg"`
	PCode   string `json:"pcode"`
}

type rawList struct {
	TotalPage any       `json:"totalpage"`
	ListVO    []rawItem `json:"listVO"`
	CatMap    struct {
		Gongwen struct {
			TotalPage any       `json:"totalpage"`
			ListVO    []rawItem `json:"listVO"`
		} `json:"gongwen"`
	} `json:"catMap"`
}

// ReadSearchAnswer reads one answer of the search. An answer of another
// shape than expected is an error, so that a change of the interface is
// seen rather than read as "nothing found".
func ReadSearchAnswer(data []byte) (SearchAnswer, error) {
	if len(data) > MaxSearchBytes {
		return SearchAnswer{}, fmt.Errorf("the search answer is larger than %d bytes", MaxSearchBytes)
	}
	var raw struct {
		Code     *int     `json:"code"`
		Msg      string   `json:"msg"`
		SearchVO *rawList `json:"searchVO"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return SearchAnswer{}, fmt.Errorf("the search answer is not the expected JSON: %w", err)
	}
	if raw.Code == nil {
		return SearchAnswer{}, errors.New("the search answer has no code: the interface may have changed")
	}
	a := SearchAnswer{Code: *raw.Code, Msg: raw.Msg}
	switch a.Code {
	case codeNothing:
		return a, nil
	case codeFound:
	default:
		return a, fmt.Errorf("the search answered code %d (%q)", a.Code, clip(a.Msg, 200))
	}
	if raw.SearchVO == nil {
		return a, errors.New("the search answer has code 200 but no searchVO: the interface may have changed")
	}
	items, total := raw.SearchVO.ListVO, raw.SearchVO.TotalPage
	if len(items) == 0 && len(raw.SearchVO.CatMap.Gongwen.ListVO) > 0 {
		items, total = raw.SearchVO.CatMap.Gongwen.ListVO, raw.SearchVO.CatMap.Gongwen.TotalPage
	}
	if len(items) > maxItems {
		return a, fmt.Errorf("the search answer lists %d items, more than %d", len(items), maxItems)
	}
	pages, err := pageCount(total)
	if err != nil {
		return a, err
	}
	a.TotalPages = pages
	for _, it := range items {
		a.Items = append(a.Items, SearchItem(it))
	}
	return a, nil
}

// pageCount reads totalpage, a number or a string of digits, or absent.
func pageCount(v any) (int, error) {
	switch t := v.(type) {
	case nil:
		return 1, nil
	case float64:
		if t < 0 || t > 1e6 || t != float64(int(t)) {
			return 0, fmt.Errorf("the search answer's totalpage %v is not a page count", t)
		}
		return int(t), nil
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(t))
		if err != nil || n < 0 || n > 1e6 {
			return 0, fmt.Errorf("the search answer's totalpage %q is not a page count", clip(t, 40))
		}
		return n, nil
	}
	return 0, fmt.Errorf("the search answer's totalpage is a %T, not a number", v)
}

// clip shortens s for a message.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

package noticefetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"feed/internal/notice"
)

// UserAgent names the software to the site it asks, with where to read
// about it.
const UserAgent = "feed-holiday-notices/1 (an iCalendar feed of China's public holidays; asks the gov.cn search at most hourly)"

// AnswerTimeout bounds one answer, from the request to its last byte: a page
// that never ends is cut off then.
const AnswerTimeout = 30 * time.Second

// maxResultPages bounds the pages of results read for one year: the search
// sorts by publication time, and a year's notice is among its first items.
const maxResultPages = 5

// Client asks the search and fetches notice pages, politely: one search per
// year, answers bounded in size and time, a User-Agent that names it.
type Client struct {
	// Source is the search's address; the client adds its query.
	Source string
	// HTTP makes the requests; nil for one that follows at most
	// maxRedirects redirects, each to gov.cn or the source's host.
	HTTP *http.Client
	// Timeout bounds each answer; 0 for AnswerTimeout.
	Timeout time.Duration
}

// HTTPError is an answer with a status other than 200.
type HTTPError struct {
	URL        string
	Status     int
	RetryAfter time.Duration // from the Retry-After header, 0 without one
}

func (e *HTTPError) Error() string {
	s := fmt.Sprintf("%s answered %d %s", e.URL, e.Status, http.StatusText(e.Status))
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return s
}

// RetryAfter is the wait the site asked for in err, 0 for none.
func RetryAfter(err error) time.Duration {
	var h *HTTPError
	if errors.As(err, &h) {
		return h.RetryAfter
	}
	return 0
}

// ErrTooLarge is an answer past its size limit.
var ErrTooLarge = errors.New("answer too large")

// maxRedirects bounds the redirects followed for one answer.
const maxRedirects = 3

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) > maxRedirects {
			return fmt.Errorf("more than %d redirects", maxRedirects)
		}
		// A redirect may only lead where the search may send the client.
		return c.checkPageAddress(req.URL.String())
	}}
}

func (c *Client) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return AnswerTimeout
}

// get fetches address, reading at most limit bytes of its body within the
// client's timeout.
func (c *Client) get(ctx context.Context, address string, limit int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, address, nil)
	if err != nil {
		return nil, fmt.Errorf("request %s: %w", address, err)
	}
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Accept", "application/json, text/html;q=0.9")
	resp, err := c.httpClient().Do(req)
	if err != nil {
		// url.Error repeats the address with its whole query.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("fetch %s: %w", redact(address), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, &HTTPError{URL: redact(address), Status: resp.StatusCode, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%s: %w: %d bytes, the limit is %d", redact(address), ErrTooLarge, resp.ContentLength, limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", redact(address), err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%s: %w: more than %d bytes", redact(address), ErrTooLarge, limit)
	}
	return body, nil
}

// maxRetryAfter bounds the wait a Retry-After header can ask for.
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads a Retry-After value: seconds, or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		d = time.Duration(min(s, int(maxRetryAfter/time.Second))) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return max(0, min(d, maxRetryAfter))
}

// redact is an address for messages: without its query, which holds nothing
// an operator needs and makes the log line long.
func redact(address string) string {
	if i := strings.IndexByte(address, '?'); i >= 0 {
		return address[:i]
	}
	return address
}

// searchURL is the search's address for one page of year's query, with the
// parameters the public holiday-data projects use.
func (c *Client) searchURL(year, page int) (string, error) {
	u, err := url.Parse(c.Source)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("the notice source %q is not an http or https URL", c.Source)
	}
	q := u.Query()
	q.Set("t", "zhengcelibrary_gw")
	q.Set("p", strconv.Itoa(page))
	q.Set("n", "5")
	q.Set("q", fmt.Sprintf("假期 %d", year))
	q.Set("pcodeJiguan", "国办发明电")
	q.Set("puborg", Issuer)
	q.Set("filetype", "通知")
	q.Set("sort", "pubtime")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Search asks the search for year's notice and returns the items that are
// that notice (notice.ExpectedTitle, from the General Office) and the
// General Office's other notices about the year's holidays, reading up to
// maxResultPages pages of results. Nothing found is no items and no error.
func (c *Client) Search(ctx context.Context, year int) (found, extras []SearchItem, err error) {
	for page := 1; page <= maxResultPages; page++ {
		address, err := c.searchURL(year, page)
		if err != nil {
			return nil, nil, err
		}
		body, err := c.get(ctx, address, MaxSearchBytes)
		if err != nil {
			return nil, nil, fmt.Errorf("search for %d: %w", year, err)
		}
		answer, err := ReadSearchAnswer(body)
		if err != nil {
			return nil, nil, fmt.Errorf("search for %d, page %d: %w", year, page, err)
		}
		for _, it := range answer.Items {
			switch {
			case it.IsNotice(year) && !containsURL(found, it.URL):
				found = append(found, it)
			case it.IsExtraNotice(year) && !containsURL(extras, it.URL):
				extras = append(extras, it)
			}
		}
		if answer.Code == codeNothing || page >= answer.TotalPages || len(answer.Items) == 0 {
			break
		}
	}
	return found, extras, nil
}

func containsURL(items []SearchItem, u string) bool {
	for _, it := range items {
		if it.URL == u {
			return true
		}
	}
	return false
}

// Page fetches a notice page, at most notice.MaxSize bytes, from an address
// on gov.cn or on the search's own host (a mirror, a stand-in).
func (c *Client) Page(ctx context.Context, address string) ([]byte, error) {
	if err := c.checkPageAddress(address); err != nil {
		return nil, err
	}
	return c.get(ctx, address, notice.MaxSize)
}

// checkPageAddress accepts an absolute http(s) address on gov.cn, or on the
// host of the source: the search's answer decides what is fetched, and it
// may only send the client to the notice's own site.
func (c *Client) checkPageAddress(address string) error {
	u, err := url.Parse(address)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("the search gave the address %q, which is not an absolute http or https URL", clip(address, 200))
	}
	src, _ := url.Parse(c.Source)
	host := strings.ToLower(u.Hostname())
	if host == "gov.cn" || strings.HasSuffix(host, ".gov.cn") || (src != nil && strings.EqualFold(u.Host, src.Host)) {
		return nil
	}
	return fmt.Errorf("the search gave the address %q, which is neither on gov.cn nor on the search's host", clip(address, 200))
}

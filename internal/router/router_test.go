package router

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/gorilla/mux"
)

// named is a route's handler that writes its name and the variable's value.
type named string

func (n named) ServeRoute(w http.ResponseWriter, _ *http.Request, value string) {
	_, _ = w.Write([]byte(string(n) + " " + value))
}

// testRouter has the feed's own templates, and some that the fast path
// must leave to mux: a variable without a class, a class with non-ASCII
// letters.
func testRouter() *Router {
	r := New()
	for _, template := range []string{
		"/calendar.ics", "/calendar.json", "/events/{id:[a-z0-9-]+}.ics", "/events/{id:[a-z0-9-]+}.json",
		"/", "/healthz", "/metrics",
		"/n/{n:[0-9]+}/", "/any/{name}", "/letters/{word:[a-zé]+}",
	} {
		r.Handle(template, named(template))
	}
	return r
}

// TestFastRoutesAgreeWithMux: the routes that the Router finds without
// mux's regular expressions are the routes mux itself matches, with the
// same variables, and a path they refuse is one mux refuses too.
func TestFastRoutesAgreeWithMux(t *testing.T) {
	d := testRouter()
	if len(d.literal) != 5 || len(d.singleVar) != 3 {
		t.Fatalf("%d literal and %d single-variable routes", len(d.literal), len(d.singleVar))
	}
	paths := []string{
		"/events/international-workers-day.ics", "/events/international-workers-day.json", "/events/a.ics",
		"/events/.ics", "/events/UPPER.ics", "/events/a/b.ics", "/events/a.ics.json", "/events/é.ics",
		"/events/a_b.json", "/events/a.ics/", "/events/a.icsx", "/events/", "/eventsa.ics", "/nowhere",
		"/n/12/", "/n/12", "/n//", "/n/1a/", "/any/thing", "/any/", "/any/a/b", "/letters/abc", "/letters/é",
	}
	fast := make(map[*route]bool)
	for path, rt := range d.literal {
		paths = append(paths, path)
		fast[rt] = true
	}
	for _, p := range d.singleVar {
		fast[p.route] = true
	}
	for _, path := range paths {
		req := httptest.NewRequest("GET", "/", nil)
		req.URL.Path = path
		var want mux.RouteMatch
		d.mux.Match(req, &want)
		wantRoute, _ := want.Handler.(*route) // nil when mux matches nothing
		var got *route
		var vars map[string]string
		if rt := d.literal[path]; rt != nil {
			got = rt
		} else {
			for i := range d.singleVar {
				if value, ok := d.singleVar[i].match(path); ok {
					got, vars = d.singleVar[i].route, map[string]string{d.singleVar[i].name: value}
					break
				}
			}
		}
		switch {
		case got == nil && fast[wantRoute]:
			t.Errorf("%s: refused by the fast routes, matched by mux to %v", path, wantRoute.handler)
		case got != nil && got != wantRoute:
			t.Errorf("%s: fast route %v, mux %v", path, got.handler, want.Handler)
		case got != nil && len(vars)+len(want.Vars) > 0 && !maps.Equal(vars, want.Vars):
			t.Errorf("%s: variables %v, mux %v", path, vars, want.Vars)
		}
	}
}

// TestServeHTTP: each request reaches its route with the variable's value,
// whether the fast path or mux finds it; an unclean path is offered to
// NonPathTarget and then redirected with its query; a path no route
// matches goes to NotFound.
func TestServeHTTP(t *testing.T) {
	r := testRouter()
	r.NotFound = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	})
	r.NonPathTarget = func(w http.ResponseWriter, req *http.Request) bool {
		if req.RequestURI != "*" {
			return false
		}
		w.WriteHeader(http.StatusNoContent)
		return true
	}
	for _, tc := range []struct {
		target string
		status int
		body   string // the answer of a route; the Location of a redirect
	}{
		{"/calendar.ics", http.StatusOK, "/calendar.ics "},
		{"/events/a-1.json?x=1", http.StatusOK, "/events/{id:[a-z0-9-]+}.json a-1"},
		{"/any/thing", http.StatusOK, "/any/{name} thing"},
		{"/letters/é", http.StatusOK, "/letters/{word:[a-zé]+} é"},
		{"/events/A.ics", http.StatusTeapot, ""},
		{"/events//a.ics?x=1", http.StatusMovedPermanently, "/events/a.ics?x=1"},
		{"/a/../healthz", http.StatusMovedPermanently, "/healthz"},
		{"*", http.StatusNoContent, ""},
	} {
		req := httptest.NewRequest("GET", "/", nil)
		req.RequestURI = tc.target
		var err error
		if req.URL, err = url.ParseRequestURI(tc.target); err != nil {
			t.Fatal(err)
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		body := w.Body.String()
		if w.Code == http.StatusMovedPermanently {
			body = w.Header().Get("Location")
		}
		if w.Code != tc.status || body != tc.body {
			t.Errorf("%s: %d %q, want %d %q", tc.target, w.Code, body, tc.status, tc.body)
		}
	}
}

// TestHandleRefusesTwoVariables: a Handler receives one value, so a
// template cannot have two variables.
func TestHandleRefusesTwoVariables(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a template with two variables was accepted")
		}
	}()
	New().Handle("/{a}/{b}", named("two"))
}

// FuzzCleanPath: the quick test of a clean path agrees with the cleaning
// that mux does, so that no path skips the redirect mux would give it.
func FuzzCleanPath(f *testing.F) {
	for _, seed := range []string{"", "/", "//", "/calendar.ics", "/events/", "/events//x.ics", "/./a", "/a/.", "/a/..",
		"/a/../b", "a", "/.hidden", "/a..b/", "/...", "/a/./"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if got, want := isCleanPath(p), muxCleanPath(p) == p; got != want {
			t.Fatalf("isCleanPath(%q) = %v, but mux cleans it to %q", p, got, muxCleanPath(p))
		}
	})
}

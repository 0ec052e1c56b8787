// Package router finds the route of a request path. gorilla/mux defines the
// routes and stays the authority on what matches, but the common paths are
// found without it.
package router

import (
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/gorilla/mux"
)

// Handler answers a request whose path matched its route. value is the
// value of the template's variable, or "" for a template without one; a
// template has at most one.
type Handler interface {
	ServeRoute(w http.ResponseWriter, r *http.Request, value string)
}

// Router routes with gorilla/mux's matching, but calls the route itself
// instead of going through mux.Router.ServeHTTP, which copies the request
// twice per call to put the route and its variables in the context: five
// of the eight allocations of a feed request. It also spares the common
// requests mux's regular expressions, which mux runs for every template in
// turn and once more to extract variables: more than half of an event
// request's time. A path that is a literal template, as the feed's own URL
// is, takes its route from a map; a path that fits a template with one
// variable made of a character class, as an event's URL does, is checked
// byte by byte. Any other path, and any that those checks refuse, goes to
// mux.
//
// Set NotFound and NonPathTarget before the Router serves.
type Router struct {
	// NotFound answers a path that no route matches.
	NotFound http.Handler
	// NonPathTarget, when set, is offered each request whose path is not
	// clean before the Router redirects it to the clean path; it reports
	// whether it answered the request. A target that is not a path, such
	// as "*" or CONNECT's host:port, would otherwise be redirected.
	NonPathTarget func(w http.ResponseWriter, r *http.Request) bool

	mux       *mux.Router
	literal   map[string]*route // the routes whose template has no variable, by path
	singleVar []singleVarRoute
}

// New returns a Router without routes, whose NotFound answers 404.
func New() *Router {
	return &Router{
		NotFound: http.NotFoundHandler(),
		mux:      mux.NewRouter(),
		literal:  make(map[string]*route),
	}
}

// Handle answers the paths that match the mux template with h, for every
// method: h answers the methods it does not serve. It panics if the
// template has more than one variable.
func (rtr *Router) Handle(template string, h Handler) {
	if strings.Count(template, "{") > 1 {
		panic("route " + template + ": a template has at most one variable")
	}
	rt := &route{handler: h}
	rtr.mux.Handle(template, rt)
	if !strings.Contains(template, "{") {
		rtr.literal[template] = rt
	} else if p, ok := newSingleVarRoute(template, rt); ok {
		rtr.singleVar = append(rtr.singleVar, p)
	}
}

// ServeHTTP answers the request with the route its path matches. A path
// that is not clean is redirected to its clean form, as mux does.
func (rtr *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if clean := cleanPath(r.URL.Path); clean != r.URL.Path {
		if rtr.NonPathTarget != nil && rtr.NonPathTarget(w, r) {
			return
		}
		// As mux does: one canonical URL per resource. The Location keeps
		// only the path and query: a request in absolute form names a
		// host, and a redirect to it would send the client anywhere.
		u := url.URL{Path: clean, RawQuery: r.URL.RawQuery}
		http.Redirect(w, r, u.String(), http.StatusMovedPermanently)
		return
	}
	if rt := rtr.literal[r.URL.Path]; rt != nil {
		rt.handler.ServeRoute(w, r, "")
		return
	}
	for i := range rtr.singleVar {
		p := &rtr.singleVar[i]
		if value, ok := p.match(r.URL.Path); ok {
			p.route.handler.ServeRoute(w, r, value)
			return
		}
	}
	var match mux.RouteMatch
	if rtr.mux.Match(r, &match) {
		if rt, ok := match.Handler.(*route); ok {
			rt.handler.ServeRoute(w, r, onlyVar(match.Vars))
			return
		}
	}
	rtr.NotFound.ServeHTTP(w, r)
}

// route is what the Router registers with mux for a Handler, so that a
// match names it.
type route struct {
	handler Handler
}

// ServeHTTP serves the route when it is reached through mux's own
// ServeHTTP.
func (rt *route) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt.handler.ServeRoute(w, r, onlyVar(mux.Vars(r)))
}

// onlyVar is the value of the one variable mux matched, if any.
func onlyVar(vars map[string]string) string {
	for _, v := range vars {
		return v
	}
	return ""
}

// singleVarRoute matches a mux template of the form
// prefix{name:[class]+}suffix without a regular expression.
type singleVarRoute struct {
	prefix, name, suffix string
	allowed              [256]bool // the bytes the class matches
	route                *route
}

var singleVarTemplate = regexp.MustCompile(`^([^{}]*)\{([a-z]+):(\[[^\]]+\])\+\}([^{}]*)$`)

// newSingleVarRoute reads a template that singleVarRoute can match exactly:
// a class of ASCII bytes only, so that a byte-wise test of the path agrees
// with the regular expression mux compiles from it.
func newSingleVarRoute(template string, rt *route) (singleVarRoute, bool) {
	m := singleVarTemplate.FindStringSubmatch(template)
	if m == nil {
		return singleVarRoute{}, false
	}
	class, err := regexp.Compile(`^` + m[3] + `$`)
	if err != nil {
		return singleVarRoute{}, false
	}
	p := singleVarRoute{prefix: m[1], name: m[2], suffix: m[4], route: rt}
	for b := range 256 {
		p.allowed[b] = class.MatchString(string(rune(b)))
		if b >= utf8.RuneSelf && p.allowed[b] {
			return singleVarRoute{}, false
		}
	}
	return p, true
}

func (p *singleVarRoute) match(path string) (string, bool) {
	if len(path) <= len(p.prefix)+len(p.suffix) || !strings.HasPrefix(path, p.prefix) || !strings.HasSuffix(path, p.suffix) {
		return "", false
	}
	value := path[len(p.prefix) : len(path)-len(p.suffix)]
	for i := range len(value) {
		if !p.allowed[value[i]] {
			return "", false
		}
	}
	return value, true
}

// cleanPath is the path mux redirects p to: path.Clean's, keeping a
// trailing slash.
func cleanPath(p string) string {
	if isCleanPath(p) {
		return p
	}
	return muxCleanPath(p)
}

// muxCleanPath is gorilla/mux's cleanPath.
func muxCleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	clean := path.Clean(p)
	if p[len(p)-1] == '/' && clean != "/" {
		clean += "/"
	}
	return clean
}

// isCleanPath reports whether cleanPath would leave p as it is: an
// absolute path without empty, "." or ".." segments. Nearly every request
// passes, and path.Clean rebuilds the path to find that out: a few hundred
// instructions per request.
func isCleanPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	// Only what follows a slash can make a path unclean.
	for i := 0; i < len(p); i++ {
		if p[i] != '/' {
			continue
		}
		next := p[i+1:]
		if next == "" {
			return true // a trailing slash is kept
		}
		switch next[0] {
		case '/':
			return false
		case '.':
			segment, _, _ := strings.Cut(next, "/")
			if segment == "." || segment == ".." {
				return false
			}
		}
	}
	return true
}

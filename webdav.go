package feed

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"

	"feed/internal/resource"
	"feed/internal/webdav"
)

// Calendar clients such as Thunderbird discover a subscription with
// WebDAV's PROPFIND before they subscribe: it tells them the calendar's
// name, colour and that it is read-only, none of which they read from the
// feed itself when they set it up. The service answers just enough of
// WebDAV for that, and refuses every method that would write.

// davWriteMethods are the methods that would change a resource: a feed is
// published from the catalog and accepts none of them.
var davWriteMethods = []string{"PUT", "DELETE", "POST", "PATCH", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK"}

// readOnly is the privilege set of every resource: read, nothing else.
var readOnly = webdav.Value{
	Elements: []xml.Name{{Space: webdav.NamespaceDAV, Local: "read"}},
	Wrap:     xml.Name{Space: webdav.NamespaceDAV, Local: "privilege"},
}

// davRequest reads a PROPFIND's Depth and body, answering the errors of
// RFC 4918 itself: 400 for a malformed Depth or body, 413 for an oversized
// body, 403 propfind-finite-depth for infinity (a missing Depth means it).
func davRequest(w http.ResponseWriter, r *http.Request) (webdav.Propfind, webdav.Depth, bool) {
	depth, err := webdav.ParseDepth(resource.RequestHeader(r, "Depth"))
	if err != nil {
		httpError(w, http.StatusBadRequest, err.Error())
		return webdav.Propfind{}, 0, false
	}
	if depth == webdav.DepthInfinity {
		webdav.WriteError(w, http.StatusForbidden, "propfind-finite-depth",
			"Depth infinity (or no Depth header) is not supported; send Depth: 0 or Depth: 1")
		return webdav.Propfind{}, 0, false
	}
	pf, err := webdav.ParsePropfind(r.Body)
	if err != nil {
		httpError(w, webdav.StatusOf(err), err.Error())
		return webdav.Propfind{}, 0, false
	}
	return pf, depth, true
}

// propfindCalendar answers PROPFIND on a feed URL: one resource, whatever
// the depth, as a feed has no members.
func (s *Server) propfindCalendar(w http.ResponseWriter, r *http.Request, _ string) {
	pf, _, ok := davRequest(w, r)
	if !ok {
		return
	}
	v, err := ParseFeedVariant(r.URL.RawQuery)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	snap := s.snap.Load()
	// The size and ETag are the rendered feed's: a render that a departed
	// client no longer waits for is given up, as for GET.
	res, err := snap.calendar(r.Context(), v, FormatICS)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	href := snap.davHref(CalendarPath, v.Query())
	_ = webdav.WriteMultistatus(w, pf, []webdav.Resource{snap.calendarDAV(r, href, v, res)}) // an error is a departed client
}

// propfindNamedCalendar answers PROPFIND on a linked feed's named address.
func (s *Server) propfindNamedCalendar(v Variant) routeHandler {
	return func(w http.ResponseWriter, r *http.Request, _ string) {
		pf, _, ok := davRequest(w, r)
		if !ok {
			return
		}
		snap := s.snap.Load()
		href := snap.davHref(calendarAddress(v), "")
		_ = webdav.WriteMultistatus(w, pf, []webdav.Resource{snap.calendarDAV(r, href, v, snap.linked[v.Query()])})
	}
}

// propfindEvent answers PROPFIND on an event's own calendar file.
func (s *Server) propfindEvent(w http.ResponseWriter, r *http.Request, id string) {
	pf, _, ok := davRequest(w, r)
	if !ok {
		return
	}
	v, err := ParseEventVariant(r.URL.RawQuery)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	snap := s.snap.Load()
	res, found, err := snap.event(r.Context(), id, v, FormatICS)
	switch {
	case !found:
		httpError(w, http.StatusNotFound, `no event with id "`+id+`"; the whole feed is at `+CalendarPath)
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	ev, _ := snap.Catalog.Event(id)
	dav := davResource(r, snap.davHref(EventPath(ev.ID), v.Query()), localized(ev.Name, v.lang(), " · "), eventColor(ev), res)
	_ = webdav.WriteMultistatus(w, pf, []webdav.Resource{dav})
}

// propfindSite answers PROPFIND on the page's address as on a collection
// whose members are the discovery calendars in the request's language, so
// that a person who gives a client the site's address picks from a few
// named, read-only calendars that together hold every event once: a client
// such as Thunderbird ticks every member it lists. The other feeds are on
// the page.
func (s *Server) propfindSite(w http.ResponseWriter, r *http.Request, _ string) {
	pf, depth, ok := davRequest(w, r)
	if !ok {
		return
	}
	snap := s.snap.Load()
	lang := discoveryLang(r)
	site := webdav.Resource{Href: snap.davHref("/", ""), Props: map[xml.Name]webdav.Value{
		webdav.ResourceType:            {Elements: []xml.Name{{Space: webdav.NamespaceDAV, Local: "collection"}}},
		webdav.DisplayName:             {Text: localized(snap.Catalog.Name, lang, " · ")},
		webdav.GetContentType:          {Text: "text/html; charset=utf-8"},
		webdav.CurrentUserPrivilegeSet: readOnly,
	}}
	resources := []webdav.Resource{site}
	if depth == webdav.DepthOne {
		for _, f := range discoverySets {
			v := f.variant(lang)
			resources = append(resources, snap.calendarDAV(r, snap.davHref(calendarAddress(v), ""), v, snap.linked[v.Query()]))
		}
	}
	w.Header().Add("Vary", "Accept-Language")
	_ = webdav.WriteMultistatus(w, pf, resources)
}

// calendarDAV is a feed's properties at href: its name as X-WR-CALNAME
// gives it, its colour, and the ETag and Last-Modified of the answer to a
// GET with the request's headers.
func (snap *Snapshot) calendarDAV(r *http.Request, href string, v Variant, res *resource.Resource) webdav.Resource {
	return davResource(r, href, calendarName(snap.Catalog, v), colorOf(v), res)
}

func davResource(r *http.Request, href, name string, color calendarColor, res *resource.Resource) webdav.Resource {
	rep, _ := res.Negotiate(r)
	props := map[xml.Name]webdav.Value{
		webdav.GetContentType:          {Text: "text/calendar"}, // compared whole by Thunderbird: no charset
		webdav.ResourceType:            {},
		webdav.DisplayName:             {Text: name},
		webdav.CalendarColor:           {Text: color.Hex}, // #RRGGBB, as Thunderbird and Apple read it
		webdav.CurrentUserPrivilegeSet: readOnly,
		webdav.GetETag:                 {Text: rep.ETag()},
		webdav.GetContentLength:        {Text: strconv.Itoa(len(rep.Body()))},
	}
	if lm := res.LastModified(); lm != "" {
		props[webdav.GetLastModified] = webdav.Value{Text: lm}
	}
	return webdav.Resource{Href: href, Props: props}
}

// davHref is a resource's path as the client reaches it: under the base
// URL's path, when the service is published below a proxy's prefix.
func (snap *Snapshot) davHref(path, query string) string {
	prefix := ""
	if u, err := url.Parse(snap.BaseURL); err == nil && snap.BaseURL != "" {
		prefix = u.EscapedPath()
	}
	return withQuery(prefix+path, query)
}

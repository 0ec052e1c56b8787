package feed

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	goical "github.com/emersion/go-ical"
	gowebdav "github.com/emersion/go-webdav"
)

// Thunderbird's discovery requests, as CalICSProvider.sys.mjs builds them
// (CalDavPropfindRequest with CalDavTagsToXmlns, Thunderbird 153): Depth 0
// on the address a person typed, then Depth 1 when it is a collection.
const (
	thunderbirdDepth0 = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<D:propfind xmlns:D='DAV:' xmlns:A='http://apple.com/ns/ical/'><D:prop><D:getcontenttype/><D:resourcetype/><D:displayname/><A:calendar-color/></D:prop></D:propfind>`
	thunderbirdDepth1 = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<D:propfind xmlns:D='DAV:' xmlns:A='http://apple.com/ns/ical/'><D:prop><D:getcontenttype/><D:current-user-privilege-set/><D:displayname/><A:calendar-color/></D:prop></D:propfind>`
)

func propfind(t *testing.T, srv http.Handler, target, depth, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("PROPFIND", target, strings.NewReader(body))
	if depth != "" {
		req.Header.Set("Depth", depth)
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

// multistatusXML is the 207 body as encoding/xml reads it, independently of
// the writer.
type multistatusXML struct {
	XMLName   xml.Name `xml:"DAV: multistatus"`
	Responses []struct {
		Href      string `xml:"DAV: href"`
		Propstats []struct {
			Status string `xml:"DAV: status"`
			Prop   struct {
				ContentType  *string `xml:"DAV: getcontenttype"`
				DisplayName  *string `xml:"DAV: displayname"`
				Color        *string `xml:"http://apple.com/ns/ical/ calendar-color"`
				ETag         *string `xml:"DAV: getetag"`
				LastModified *string `xml:"DAV: getlastmodified"`
				ResourceType *struct {
					Collection *struct{} `xml:"DAV: collection"`
				} `xml:"DAV: resourcetype"`
				Privileges *struct {
					Privilege []struct {
						Read  *struct{} `xml:"DAV: read"`
						Write *struct{} `xml:"DAV: write"`
						All   *struct{} `xml:"DAV: all"`
					} `xml:"DAV: privilege"`
				} `xml:"DAV: current-user-privilege-set"`
				Unknown []xml.Name `xml:",any"`
			} `xml:"DAV: prop"`
		} `xml:"DAV: propstat"`
	} `xml:"DAV: response"`
}

func parseMultistatus(t *testing.T, rec *httptest.ResponseRecorder) multistatusXML {
	t.Helper()
	if rec.Code != http.StatusMultiStatus {
		t.Fatalf("status %d, want 207; body %q", rec.Code, truncate(rec.Body.String()))
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/xml; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	var ms multistatusXML
	if err := xml.Unmarshal(rec.Body.Bytes(), &ms); err != nil {
		t.Fatalf("encoding/xml cannot read the 207 body: %v\n%s", err, rec.Body)
	}
	if err := checkNamespaces(rec.Body.Bytes()); err != nil {
		t.Fatalf("the 207 body is not namespace-well-formed: %v\n%s", err, truncate(rec.Body.String()))
	}
	return ms
}

// checkNamespaces reads doc as XML and checks what encoding/xml lets pass
// and Namespaces in XML 1.0 (third edition) forbids: an element or
// attribute whose prefix is not declared in scope, a name with more than
// one colon, a prefix declared as the empty string (§2.2: "xmlns:X=""" is
// an error in XML 1.0), the reserved prefixes and namespaces bound to
// anything else (§3), and an attribute given twice.
func checkNamespaces(doc []byte) error {
	const xmlNS, xmlnsNS = "http://www.w3.org/XML/1998/namespace", "http://www.w3.org/2000/xmlns/"
	dec := xml.NewDecoder(bytes.NewReader(doc))
	dec.Strict = true
	scopes := []map[string]string{{"xml": xmlNS}}
	declared := func(prefix string) bool {
		for i := len(scopes) - 1; i >= 0; i-- {
			if _, ok := scopes[i][prefix]; ok {
				return true
			}
		}
		return false
	}
	checkName := func(n xml.Name) error {
		if strings.Contains(n.Local, ":") || n.Local == "" {
			return fmt.Errorf("name %q:%q is not a qualified name", n.Space, n.Local)
		}
		return nil
	}
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			scope := map[string]string{}
			seen := map[xml.Name]bool{}
			for _, a := range t.Attr {
				if seen[a.Name] {
					return fmt.Errorf("<%s:%s>: attribute %s:%s given twice", t.Name.Space, t.Name.Local, a.Name.Space, a.Name.Local)
				}
				seen[a.Name] = true
				if err := checkName(a.Name); err != nil {
					return err
				}
				switch {
				case a.Name.Space == "xmlns":
					switch {
					case a.Value == "":
						return fmt.Errorf("xmlns:%s=\"\": a prefix cannot be undeclared", a.Name.Local)
					case a.Name.Local == "xmlns", a.Value == xmlnsNS:
						return fmt.Errorf("xmlns:%s=%q: the xmlns prefix and namespace are reserved", a.Name.Local, a.Value)
					case (a.Name.Local == "xml") != (a.Value == xmlNS):
						return fmt.Errorf("xmlns:%s=%q: the xml prefix belongs to its namespace alone", a.Name.Local, a.Value)
					}
					scope[a.Name.Local] = a.Value
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					if a.Value == xmlNS || a.Value == xmlnsNS {
						return fmt.Errorf("xmlns=%q: a reserved namespace", a.Value)
					}
				}
			}
			scopes = append(scopes, scope)
			if err := checkName(t.Name); err != nil {
				return err
			}
			if t.Name.Space != "" && !declared(t.Name.Space) {
				return fmt.Errorf("<%s:%s>: the prefix is not declared", t.Name.Space, t.Name.Local)
			}
			for _, a := range t.Attr {
				if a.Name.Space != "" && a.Name.Space != "xmlns" && !declared(a.Name.Space) {
					return fmt.Errorf("attribute %s:%s: the prefix is not declared", a.Name.Space, a.Name.Local)
				}
			}
		case xml.EndElement:
			scopes = scopes[:len(scopes)-1]
		}
	}
}

// TestCheckNamespaces: the checker that every 207 goes through refuses what
// Namespaces in XML forbids, so that passing it means something.
func TestCheckNamespaces(t *testing.T) {
	for doc, ok := range map[string]bool{
		`<D:a xmlns:D="DAV:"><D:b/><c/></D:a>`:                                 true,
		`<D:a xmlns:D="DAV:"><X:quota xmlns:X=""/></D:a>`:                      false,
		`<D:a xmlns:D="DAV:"><X:quota/></D:a>`:                                 false,
		`<D:a xmlns:D="DAV:"><X:b xmlns:X="urn:x"/><X:c/></D:a>`:               false,
		`<D:a xmlns:D="DAV:" xmlns:x="http://www.w3.org/XML/1998/namespace"/>`: false,
		`<D:a xmlns:D="http://www.w3.org/2000/xmlns/"/>`:                       false,
		`<D:a xmlns:D="DAV:"><:b/></D:a>`:                                      false,
		`<a xmlns=""><b xml:lang="en"/></a>`:                                   true,
	} {
		if err := checkNamespaces([]byte(doc)); (err == nil) != ok {
			t.Errorf("%s: %v, want ok %v", doc, err, ok)
		}
	}
}

// TestPropfindGolden keeps the answers to Thunderbird's two requests,
// reviewed once, against drift.
func TestPropfindGolden(t *testing.T) {
	srv, _ := newTestServer(t)
	for _, tc := range []struct{ file, target, depth, body, acceptLanguage string }{
		{"propfind-calendar.xml", "/calendar.ics", "0", thunderbirdDepth0, ""},
		{"propfind-site.xml", "/", "1", thunderbirdDepth1, ""},
		{"propfind-site-zh.xml", "/", "1", thunderbirdDepth1, "zh-CN,zh;q=0.9,en;q=0.8"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			req := httptest.NewRequest("PROPFIND", tc.target, strings.NewReader(tc.body))
			req.Header.Set("Depth", tc.depth)
			if tc.acceptLanguage != "" {
				req.Header.Set("Accept-Language", tc.acceptLanguage)
			}
			got := httptest.NewRecorder()
			srv.ServeHTTP(got, req)
			parseMultistatus(t, got)
			// One response per line, to review and diff.
			body := bytes.ReplaceAll(got.Body.Bytes(), []byte("<D:response>"), []byte("\n<D:response>"))
			path := filepath.Join("testdata", tc.file)
			if *update {
				if err := os.WriteFile(path, body, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(want, body) {
				t.Errorf("%s differs; run go test -update and review the diff\n%s", path, firstDifference(want, body))
			}
		})
	}
}

// TestThunderbirdDiscovery follows Thunderbird's steps: Depth 0 on a feed
// finds a calendar by its content type and names it; Depth 0 on the site
// finds a collection, and Depth 1 lists the discovery calendars (checked in
// TestDiscoveryPartition), read-only, named as their feeds are.
func TestThunderbirdDiscovery(t *testing.T) {
	srv, _ := newTestServer(t)

	feed := parseMultistatus(t, propfind(t, srv, "/calendar.ics?kind=day-off&lang=zh", "0", thunderbirdDepth0))
	if len(feed.Responses) != 1 {
		t.Fatalf("%d responses, want 1", len(feed.Responses))
	}
	props := feed.Responses[0].Propstats[0].Prop
	if *props.ContentType != "text/calendar" || *props.DisplayName != "劳动节放假" || *props.Color != "#FF4500" || props.ResourceType == nil || props.ResourceType.Collection != nil {
		t.Errorf("feed props: type %q name %q color %q resourcetype %+v", *props.ContentType, *props.DisplayName, *props.Color, props.ResourceType)
	}

	site := parseMultistatus(t, propfind(t, srv, "/", "0", thunderbirdDepth0))
	if rt := site.Responses[0].Propstats[0].Prop.ResourceType; rt == nil || rt.Collection == nil {
		t.Fatalf("the site is not a collection: %+v", site.Responses[0])
	}

	list := parseMultistatus(t, propfind(t, srv, "/", "1", thunderbirdDepth1))
	for _, resp := range list.Responses[1:] {
		p := resp.Propstats[0].Prop
		if p.ContentType == nil || *p.ContentType != "text/calendar" {
			t.Errorf("%s: content type %v", resp.Href, p.ContentType)
			continue
		}
		if p.Privileges == nil || len(p.Privileges.Privilege) != 1 || p.Privileges.Privilege[0].Read == nil {
			t.Errorf("%s: privileges %+v, want read only", resp.Href, p.Privileges)
		}
		// The name and colour are the feed's own.
		get := get(t, srv, resp.Href)
		cal, err := goical.NewDecoder(get.Body).Decode()
		if err != nil {
			t.Fatalf("%s: %v", resp.Href, err)
		}
		if calName, _ := cal.Props.Text("X-WR-CALNAME"); calName != *p.DisplayName {
			t.Errorf("%s: displayname %q, X-WR-CALNAME %q", resp.Href, *p.DisplayName, calName)
		}
		if apple, _ := cal.Props.Text("X-APPLE-CALENDAR-COLOR"); apple != *p.Color {
			t.Errorf("%s: calendar-color %q, X-APPLE-CALENDAR-COLOR %q", resp.Href, *p.Color, apple)
		}
	}
}

// TestPropfindValidatorsMatchGet checks getetag and getlastmodified
// against the GET answer, with a WebDAV client that shares no code with
// the service (emersion/go-webdav), over a real connection.
func TestPropfindValidatorsMatchGet(t *testing.T) {
	srv, _ := newTestServer(t)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	client, err := gowebdav.NewClient(ts.Client(), ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	files, err := client.ReadDir(context.Background(), "/", false)
	if err != nil {
		t.Fatalf("go-webdav ReadDir: %v", err)
	}
	if len(files) != 1+3 || !files[0].IsDir {
		t.Fatalf("go-webdav read %d entries (first a directory: %v), want the site and 3 feeds", len(files), len(files) > 0 && files[0].IsDir)
	}
	// Each feed is listed at its named address, with an ETag of its own.
	etags := map[string]bool{}
	for _, f := range files[1:] {
		if f.IsDir || f.MIMEType != "text/calendar" || !strings.HasPrefix(f.Path, CalendarsDir) || etags[f.ETag] {
			t.Errorf("go-webdav read %+v, want a feed of its own", f)
		}
		etags[f.ETag] = true
	}
	fi, err := client.Stat(context.Background(), "/calendar.ics")
	if err != nil {
		t.Fatalf("go-webdav Stat: %v", err)
	}
	// Both sides negotiate the encoding the same way: go-webdav's client,
	// like Go's, asks for gzip.
	get, _ := http.NewRequest("GET", ts.URL+"/calendar.ics", nil)
	get.Header.Set("Accept-Encoding", "gzip")
	resp, err := ts.Client().Transport.RoundTrip(get)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if fi.ETag != resp.Header.Get("ETag") && `"`+fi.ETag+`"` != resp.Header.Get("ETag") {
		t.Errorf("getetag %q, GET ETag %q", fi.ETag, resp.Header.Get("ETag"))
	}
	if fi.ModTime.UTC().Format(http.TimeFormat) != resp.Header.Get("Last-Modified") {
		t.Errorf("getlastmodified %v, GET Last-Modified %q", fi.ModTime, resp.Header.Get("Last-Modified"))
	}
	if fi.MIMEType != "text/calendar" || fi.Size != resp.ContentLength {
		t.Errorf("type %q size %d, GET %d", fi.MIMEType, fi.Size, resp.ContentLength)
	}
}

const smallPropfind = `<propfind xmlns="DAV:"><prop><displayname/></prop></propfind>`

func TestPropfindRequests(t *testing.T) {
	srv, _ := newTestServer(t)
	for _, tc := range []struct {
		name, target, depth, body string
		wantStatus                int
		bodyHas                   string
	}{
		{"empty body is allprop", "/calendar.ics", "0", "", 207, "<D:getetag>"},
		{"allprop", "/calendar.ics", "1", `<propfind xmlns="DAV:"><allprop/></propfind>`, 207, "<D:current-user-privilege-set>"},
		{"propname", "/calendar.ics", "0", `<propfind xmlns="DAV:"><propname/></propfind>`, 207, "<D:displayname/>"},
		{"unknown property is 404 in its propstat", "/calendar.ics", "0",
			`<D:propfind xmlns:D="DAV:" xmlns:Z="urn:z"><D:prop><D:displayname/><Z:quota-of-x/></D:prop></D:propfind>`, 207, ""},
		{"event", "/events/international-workers-day.ics", "0", thunderbirdDepth0, 207, "<D:displayname>International Workers&#39; Day · 国际劳动节</D:displayname>"},
		{"unknown event", "/events/no-such-event.ics", "0", thunderbirdDepth0, 404, "no event"},
		{"bad variant", "/calendar.ics?kind=holiday", "0", thunderbirdDepth0, 400, `parameter "kind"`},
		{"depth infinity", "/calendar.ics", "infinity", thunderbirdDepth0, 403, "propfind-finite-depth"},
		{"no depth means infinity", "/", "", thunderbirdDepth0, 403, "propfind-finite-depth"},
		{"bad depth", "/calendar.ics", "2", thunderbirdDepth0, 400, "Depth"},
		{"not XML", "/calendar.ics", "0", "BEGIN:VCALENDAR", 400, "not a DAV:propfind"},
		{"other root", "/calendar.ics", "0", `<D:propertyupdate xmlns:D="DAV:"/>`, 400, "not a DAV:propfind"},
		{"prop and allprop", "/calendar.ics", "0", `<propfind xmlns="DAV:"><allprop/><prop><displayname/></prop></propfind>`, 400, "exactly one"},
		{"deep nesting", "/calendar.ics", "0", `<propfind xmlns="DAV:">` + strings.Repeat("<x>", 20) + strings.Repeat("</x>", 20) + `</propfind>`, 400, "nested"},
		{"at the size limit", "/calendar.ics", "0", smallPropfind + strings.Repeat(" ", 64<<10-len(smallPropfind)), 207, "<D:displayname>"},
		{"over the size limit", "/calendar.ics", "0", smallPropfind + strings.Repeat(" ", 64<<10-len(smallPropfind)+1), 413, "64 KiB"},
		{"not on the metrics", "/metrics", "0", thunderbirdDepth0, 405, "PROPFIND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := propfind(t, srv, tc.target, tc.depth, tc.body)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d; body %q", rec.Code, tc.wantStatus, truncate(rec.Body.String()))
			}
			if !strings.Contains(rec.Body.String(), tc.bodyHas) {
				t.Errorf("body %q lacks %q", truncate(rec.Body.String()), tc.bodyHas)
			}
			if rec.Code == 207 {
				parseMultistatus(t, rec)
			}
		})
	}

	// An asked-for property the resource lacks comes back under 404, the
	// others under 200.
	ms := parseMultistatus(t, propfind(t, srv, "/calendar.ics", "0",
		`<D:propfind xmlns:D="DAV:" xmlns:Z="urn:z"><D:prop><D:displayname/><Z:quota/></D:prop></D:propfind>`))
	st := ms.Responses[0].Propstats
	if len(st) != 2 || !strings.Contains(st[0].Status, "200") || !strings.Contains(st[1].Status, "404") ||
		len(st[1].Prop.Unknown) != 1 || st[1].Prop.Unknown[0] != (xml.Name{Space: "urn:z", Local: "quota"}) {
		t.Errorf("propstats %+v, want displayname under 200 and urn:z quota under 404", st)
	}
}

// TestReadOnly: the methods that would write answer 405 with a reason and
// the Allow list; OPTIONS says DAV class 1 and PROPFIND.
func TestReadOnly(t *testing.T) {
	srv, _ := newTestServer(t)
	for _, method := range []string{"PUT", "DELETE", "PROPPATCH", "MKCOL", "LOCK", "UNLOCK", "COPY", "MOVE"} {
		for _, target := range []string{"/calendar.ics", "/events/international-workers-day.ics", "/"} {
			req := httptest.NewRequest(method, target, strings.NewReader("BEGIN:VCALENDAR"))
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusMethodNotAllowed || !strings.Contains(rec.Body.String(), "read-only") ||
				rec.Header().Get("Allow") != "GET, HEAD, PROPFIND, OPTIONS" {
				t.Errorf("%s %s: %d %q Allow %q", method, target, rec.Code, truncate(rec.Body.String()), rec.Header().Get("Allow"))
			}
		}
	}
	req := httptest.NewRequest("OPTIONS", "/calendar.ics", nil)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Header().Get("DAV") != "1" || !strings.Contains(rec.Header().Get("Allow"), "PROPFIND") {
		t.Errorf("OPTIONS: DAV %q Allow %q", rec.Header().Get("DAV"), rec.Header().Get("Allow"))
	}
}

var davStatusLine = regexp.MustCompile(`^HTTP/1\.1 (200 OK|404 Not Found)$`)

// FuzzPropfind sends any body and Depth: never a 5xx, and every 207 is XML
// that encoding/xml reads, with well-formed status lines.
func FuzzPropfind(f *testing.F) {
	for _, body := range []string{thunderbirdDepth0, thunderbirdDepth1, "", `<propfind xmlns="DAV:"><propname/></propfind>`,
		`<D:propfind xmlns:D="DAV:" xmlns:Z="urn:z"><D:prop><Z:a/></D:prop></D:propfind>`, "<", "<?xml?><a/>",
		`<D:propfind xmlns:D="DAV:"><D:prop><foo xmlns=""/><D:displayname/></D:prop></D:propfind>`,
		amplifiedPropfind(), widestPropfind()} {
		f.Add(body, "0", "/calendar.ics")
		f.Add(body, "1", "/")
	}
	srv, _ := newTestServer(f)
	f.Fuzz(func(t *testing.T, body, depth, target string) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \r\n#") {
			return
		}
		req, err := http.NewRequest("PROPFIND", "http://feed.test"+target, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Depth", depth)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%d for body %q depth %q target %q", rec.Code, body, depth, target)
		}
		if rec.Code == 207 {
			ms := parseMultistatus(t, rec)
			for _, resp := range ms.Responses {
				for _, st := range resp.Propstats {
					if !davStatusLine.MatchString(st.Status) {
						t.Fatalf("status line %q", st.Status)
					}
				}
			}
		}
	})
}

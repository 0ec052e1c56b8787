// Package webdav reads PROPFIND requests and writes 207 Multi-Status
// answers (RFC 4918): just enough WebDAV for calendar clients that discover
// a published feed's name, colour and permissions before subscribing. It
// knows nothing of calendars: the caller decides which properties a
// resource has.
package webdav

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Namespaces of the properties that calendar clients ask for.
const (
	NamespaceDAV   = "DAV:"
	NamespaceApple = "http://apple.com/ns/ical/"
)

// Properties that calendar clients ask for.
var (
	GetContentType          = xml.Name{Space: NamespaceDAV, Local: "getcontenttype"}
	ResourceType            = xml.Name{Space: NamespaceDAV, Local: "resourcetype"}
	DisplayName             = xml.Name{Space: NamespaceDAV, Local: "displayname"}
	GetETag                 = xml.Name{Space: NamespaceDAV, Local: "getetag"}
	GetLastModified         = xml.Name{Space: NamespaceDAV, Local: "getlastmodified"}
	GetContentLength        = xml.Name{Space: NamespaceDAV, Local: "getcontentlength"}
	CurrentUserPrivilegeSet = xml.Name{Space: NamespaceDAV, Local: "current-user-privilege-set"}
	CalendarColor           = xml.Name{Space: NamespaceApple, Local: "calendar-color"}
)

// MaxBodyBytes bounds a PROPFIND body. Clients ask for a handful of
// properties in a few hundred bytes; a larger body is refused with 413.
const MaxBodyBytes = 64 << 10

// maxProps bounds how many properties one request may name, maxDepth how
// deeply its XML may nest, maxNameBytes the length of a property's name and
// of its namespace, and maxNamesBytes the names asked for together: the
// answer repeats each name once per resource, so it stays within a small
// multiple of what discovery answers anyway, and the parser's work stays
// small whatever the body. Clients ask for names of a few dozen bytes in a
// handful of namespaces (DAV:, urn:ietf:params:xml:ns:caldav,
// http://apple.com/ns/ical/, http://calendarserver.org/ns/).
const (
	maxProps      = 64
	maxDepth      = 16
	maxNameBytes  = 256
	maxNamesBytes = 2 << 10
)

// The namespaces that XML reserves for itself: no property is in them, and
// no prefix but its own may be declared for them (Namespaces in XML §3).
const (
	namespaceXML   = "http://www.w3.org/XML/1998/namespace"
	namespaceXMLNS = "http://www.w3.org/2000/xmlns/"
)

// Errors that ParsePropfind returns; StatusOf maps them to an HTTP status.
var (
	ErrBodyTooLarge = errors.New("the PROPFIND body is larger than 64 KiB")
	ErrMalformed    = errors.New("the PROPFIND body is not a DAV:propfind document")
)

// Propfind is what a PROPFIND request asks for: every property (allprop,
// also what an empty body means), the names of the properties (propname),
// or the listed properties.
type Propfind struct {
	AllProp  bool
	PropName bool
	Props    []xml.Name
}

// ParsePropfind reads a PROPFIND body. An empty body asks for every
// property (RFC 4918 §9.1).
func ParsePropfind(body io.Reader) (Propfind, error) {
	data, err := io.ReadAll(io.LimitReader(body, MaxBodyBytes+1))
	if err != nil {
		return Propfind{}, fmt.Errorf("read PROPFIND body: %w", err)
	}
	if len(data) > MaxBodyBytes {
		return Propfind{}, ErrBodyTooLarge
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return Propfind{AllProp: true}, nil
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	var pf Propfind
	var stack []xml.Name
	sawRoot := false
	namesBytes := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Propfind{}, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxDepth {
				return Propfind{}, fmt.Errorf("%w: nested more than %d deep", ErrMalformed, maxDepth)
			}
			switch {
			case len(stack) == 0:
				if sawRoot || t.Name != (xml.Name{Space: NamespaceDAV, Local: "propfind"}) {
					return Propfind{}, fmt.Errorf("%w: the root element is %s", ErrMalformed, t.Name.Local)
				}
				sawRoot = true
			case len(stack) == 1 && t.Name.Space == NamespaceDAV:
				switch t.Name.Local {
				case "allprop":
					pf.AllProp = true
				case "propname":
					pf.PropName = true
				}
			case len(stack) == 2 && stack[1] == (xml.Name{Space: NamespaceDAV, Local: "prop"}):
				if len(pf.Props) == maxProps {
					return Propfind{}, fmt.Errorf("%w: more than %d properties", ErrMalformed, maxProps)
				}
				if slices.Contains(pf.Props, t.Name) {
					break
				}
				if err := checkName(t.Name); err != nil {
					return Propfind{}, err
				}
				namesBytes += len(t.Name.Local)
				if namesBytes > maxNamesBytes {
					return Propfind{}, fmt.Errorf("%w: the properties' names are longer than %d bytes together", ErrMalformed, maxNamesBytes)
				}
				pf.Props = append(pf.Props, t.Name)
			}
			stack = append(stack, t.Name)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 && len(bytes.TrimSpace(t)) > 0 {
				return Propfind{}, fmt.Errorf("%w: text outside the root element", ErrMalformed)
			}
		}
	}
	if !sawRoot {
		return Propfind{}, fmt.Errorf("%w: no root element", ErrMalformed)
	}
	if n := count(pf.AllProp, pf.PropName, len(pf.Props) > 0); n != 1 {
		return Propfind{}, fmt.Errorf("%w: give exactly one of allprop, propname and prop", ErrMalformed)
	}
	return pf, nil
}

// checkName refuses a property name that the answer could not repeat
// cheaply or write as well-formed XML with namespaces.
func checkName(n xml.Name) error {
	switch {
	case len(n.Space) > maxNameBytes:
		return fmt.Errorf("%w: a property's namespace is longer than %d bytes", ErrMalformed, maxNameBytes)
	case len(n.Local) > maxNameBytes:
		return fmt.Errorf("%w: a property's name is longer than %d bytes", ErrMalformed, maxNameBytes)
	case n.Local == "" || strings.Contains(n.Local, ":"):
		return fmt.Errorf("%w: a property's name %q is not a name in a namespace", ErrMalformed, n.Local)
	case n.Space == namespaceXML || n.Space == namespaceXMLNS || n.Space == "xmlns":
		return fmt.Errorf("%w: a property in a namespace that XML reserves", ErrMalformed)
	}
	return nil
}

func count(conds ...bool) int {
	n := 0
	for _, c := range conds {
		if c {
			n++
		}
	}
	return n
}

// StatusOf is the HTTP status for an error of ParsePropfind.
func StatusOf(err error) int {
	if errors.Is(err, ErrBodyTooLarge) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// Depth is how far a PROPFIND reaches below the resource it names.
type Depth int

// The depths of RFC 4918 §10.2.
const (
	DepthZero Depth = iota
	DepthOne
	DepthInfinity
)

// ParseDepth reads the Depth header. A missing header means infinity
// (RFC 4918 §9.1).
func ParseDepth(header string) (Depth, error) {
	switch strings.ToLower(strings.TrimSpace(header)) {
	case "0":
		return DepthZero, nil
	case "1":
		return DepthOne, nil
	case "", "infinity":
		return DepthInfinity, nil
	}
	return 0, fmt.Errorf("Depth %q is not 0, 1 or infinity", header)
}

// Value is a property's content: text, or an element tree written as
// nested empty elements (a resource type, a privilege set).
type Value struct {
	Text     string
	Elements []xml.Name // each written empty, in order
	Wrap     xml.Name   // when set, each element is wrapped in it
}

// Resource is one resource's properties, for one <response>.
type Resource struct {
	Href  string
	Props map[xml.Name]Value
}

// Names returns the resource's property names in a fixed order.
func (r Resource) Names() []xml.Name {
	names := make([]xml.Name, 0, len(r.Props))
	for n := range r.Props {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b xml.Name) int {
		return strings.Compare(a.Space+" "+a.Local, b.Space+" "+b.Local)
	})
	return names
}

// WriteMultistatus writes the 207 answer to pf for the resources: found
// properties under 200, asked-for properties a resource lacks under 404.
// Every namespace is declared once, on the root element, so that the answer
// grows with the names asked for and the resources, never with their
// product times a namespace's length; and it is written as it goes, in
// parts of answerBuffer bytes, so that a large answer is never held whole.
// It returns the first error writing to w, after which it writes nothing.
func WriteMultistatus(w http.ResponseWriter, pf Propfind, resources []Resource) error {
	b := &answerWriter{w: w, status: http.StatusMultiStatus}
	b.ns = declare(pf, resources)
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	b.WriteString(`<D:multistatus xmlns:D="DAV:" xmlns:A="` + NamespaceApple + `"`)
	for _, d := range b.ns.declared {
		b.WriteString(" xmlns:" + b.ns.prefix[d] + `="`)
		b.text(d)
		b.WriteString(`"`)
	}
	b.WriteString(">")
	for _, res := range resources {
		if b.err != nil {
			break
		}
		b.WriteString("<D:response><D:href>")
		b.text(res.Href)
		b.WriteString("</D:href>")
		var found, missing []xml.Name
		switch {
		case pf.AllProp || pf.PropName:
			found = res.Names()
		default:
			for _, n := range pf.Props {
				if _, ok := res.Props[n]; ok {
					found = append(found, n)
				} else {
					missing = append(missing, n)
				}
			}
		}
		if len(found) > 0 {
			b.WriteString("<D:propstat><D:prop>")
			for _, n := range found {
				if pf.PropName {
					b.empty(n)
				} else {
					b.property(n, res.Props[n])
				}
			}
			b.WriteString("</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>")
		}
		if len(missing) > 0 {
			b.WriteString("<D:propstat><D:prop>")
			for _, n := range missing {
				b.empty(n)
			}
			b.WriteString("</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>")
		}
		b.WriteString("</D:response>")
	}
	b.WriteString("</D:multistatus>\n")
	return b.finish()
}

// namespaces are the prefixes of an answer: D and A for the namespaces
// clients ask in, and one numbered prefix for each other namespace, all
// declared on the root. A name in no namespace has no prefix: the answer
// declares no default namespace, so an unprefixed name is in none
// (writing xmlns:X="" would be an error in XML, Namespaces §2.2).
type namespaces struct {
	prefix   map[string]string
	declared []string // the namespaces other than D and A, in order
}

func declare(pf Propfind, resources []Resource) namespaces {
	ns := namespaces{prefix: map[string]string{NamespaceDAV: "D", NamespaceApple: "A"}}
	add := func(n xml.Name) {
		if _, ok := ns.prefix[n.Space]; ok || n.Space == "" {
			return
		}
		ns.prefix[n.Space] = "X" + strconv.Itoa(len(ns.declared))
		ns.declared = append(ns.declared, n.Space)
	}
	for _, n := range pf.Props {
		add(n)
	}
	for _, res := range resources {
		for _, n := range res.Names() {
			add(n)
			v := res.Props[n]
			add(v.Wrap)
			for _, e := range v.Elements {
				add(e)
			}
		}
	}
	return ns
}

// answerBuffer is how much of an answer is held before it is sent: an
// answer that fits is sent whole with its Content-Length, a larger one in
// parts of this size.
const answerBuffer = 32 << 10

// answerWriter writes XML with the prefixes of its namespaces, holding at
// most answerBuffer bytes; it sends the status line and headers with the
// first part.
type answerWriter struct {
	w       http.ResponseWriter
	status  int
	ns      namespaces
	buf     []byte
	started bool
	err     error
}

func (b *answerWriter) Write(p []byte) (int, error) {
	b.WriteString(string(p))
	return len(p), b.err
}

func (b *answerWriter) WriteString(s string) {
	if b.err != nil {
		return
	}
	b.buf = append(b.buf, s...)
	if len(b.buf) >= answerBuffer {
		b.send(false)
	}
}

// send writes what is held; the first part sends the status and headers,
// with the length when it is also the last.
func (b *answerWriter) send(last bool) {
	if !b.started {
		b.started = true
		h := b.w.Header()
		h.Set("Content-Type", "application/xml; charset=utf-8")
		if last {
			h.Set("Content-Length", strconv.Itoa(len(b.buf)))
		}
		b.w.WriteHeader(b.status)
	}
	if _, err := b.w.Write(b.buf); err != nil {
		b.err = err
	}
	b.buf = b.buf[:0]
}

// finish sends the rest.
func (b *answerWriter) finish() error {
	if b.err == nil {
		b.send(true)
	}
	return b.err
}

func (b *answerWriter) text(s string) { xml.EscapeText(b, []byte(s)) }

func (b *answerWriter) name(n xml.Name) {
	if p := b.ns.prefix[n.Space]; p != "" {
		b.WriteString(p + ":")
	}
	b.WriteString(n.Local)
}

func (b *answerWriter) open(n xml.Name, closed bool) {
	b.WriteString("<")
	b.name(n)
	if closed {
		b.WriteString("/")
	}
	b.WriteString(">")
}

func (b *answerWriter) close(n xml.Name) {
	b.WriteString("</")
	b.name(n)
	b.WriteString(">")
}

func (b *answerWriter) empty(n xml.Name) { b.open(n, true) }

func (b *answerWriter) property(n xml.Name, v Value) {
	if v.Text == "" && len(v.Elements) == 0 {
		b.empty(n)
		return
	}
	b.open(n, false)
	b.text(v.Text)
	for _, e := range v.Elements {
		if v.Wrap.Local != "" {
			b.open(v.Wrap, false)
		}
		b.empty(e)
		if v.Wrap.Local != "" {
			b.close(v.Wrap)
		}
	}
	b.close(n)
}

// WriteError answers a request that the server refuses for a DAV
// precondition, such as propfind-finite-depth (RFC 4918 §16), with the
// condition's element and a human reason beside it.
func WriteError(w http.ResponseWriter, status int, condition, reason string) {
	b := &answerWriter{w: w, status: status}
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	b.WriteString(`<D:error xmlns:D="DAV:"><D:` + condition + `/><D:responsedescription>`)
	b.text(reason)
	b.WriteString("</D:responsedescription></D:error>\n")
	_ = b.finish()
}

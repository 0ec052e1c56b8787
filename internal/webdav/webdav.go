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

// maxProps bounds how many properties one request may name, and maxDepth
// how deeply its XML may nest: the answer and the parser's work stay small
// whatever the body.
const (
	maxProps = 64
	maxDepth = 16
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
				if !slices.Contains(pf.Props, t.Name) {
					pf.Props = append(pf.Props, t.Name)
				}
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
func WriteMultistatus(w http.ResponseWriter, pf Propfind, resources []Resource) {
	var b multistatus
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	b.WriteString(`<D:multistatus xmlns:D="DAV:" xmlns:A="` + NamespaceApple + `">`)
	for _, res := range resources {
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
	h := w.Header()
	h.Set("Content-Type", "application/xml; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(http.StatusMultiStatus)
	w.Write(b.Bytes())
}

// multistatus writes XML with the two prefixes it declares, and a
// namespace declaration of its own on any element of another namespace.
type multistatus struct{ bytes.Buffer }

func (b *multistatus) text(s string) { xml.EscapeText(b, []byte(s)) }

func (b *multistatus) open(n xml.Name, closed bool) {
	b.WriteByte('<')
	switch n.Space {
	case NamespaceDAV:
		b.WriteString("D:" + n.Local)
	case NamespaceApple:
		b.WriteString("A:" + n.Local)
	default:
		b.WriteString("X:" + n.Local + ` xmlns:X="`)
		b.text(n.Space)
		b.WriteByte('"')
	}
	if closed {
		b.WriteByte('/')
	}
	b.WriteByte('>')
}

func (b *multistatus) close(n xml.Name) {
	b.WriteString("</")
	switch n.Space {
	case NamespaceDAV:
		b.WriteString("D:")
	case NamespaceApple:
		b.WriteString("A:")
	default:
		b.WriteString("X:")
	}
	b.WriteString(n.Local + ">")
}

func (b *multistatus) empty(n xml.Name) { b.open(n, true) }

func (b *multistatus) property(n xml.Name, v Value) {
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
	var b multistatus
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	b.WriteString(`<D:error xmlns:D="DAV:"><D:` + condition + `/><D:responsedescription>`)
	b.text(reason)
	b.WriteString("</D:responsedescription></D:error>\n")
	h := w.Header()
	h.Set("Content-Type", "application/xml; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

package webdav

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestParsePropfind(t *testing.T) {
	dav := func(local string) xml.Name { return xml.Name{Space: NamespaceDAV, Local: local} }
	for _, tc := range []struct {
		name, body string
		want       Propfind
		err        error
	}{
		{"empty", "  \n", Propfind{AllProp: true}, nil},
		{"allprop with include", `<propfind xmlns="DAV:"><allprop/><include><x/></include></propfind>`, Propfind{AllProp: true}, nil},
		{"propname", `<propfind xmlns="DAV:"><propname/></propfind>`, Propfind{PropName: true}, nil},
		{"prop, repeated names once", `<a:propfind xmlns:a="DAV:" xmlns:z="urn:z"><a:prop><a:displayname/><z:q/><a:displayname/></a:prop></a:propfind>`,
			Propfind{Props: []xml.Name{dav("displayname"), {Space: "urn:z", Local: "q"}}}, nil},
		{"wrong namespace", `<propfind xmlns="urn:not-dav"><allprop/></propfind>`, Propfind{}, ErrMalformed},
		{"two roots", `<propfind xmlns="DAV:"><allprop/></propfind><propfind xmlns="DAV:"><allprop/></propfind>`, Propfind{}, ErrMalformed},
		{"text after the root", `<propfind xmlns="DAV:"><allprop/></propfind>junk`, Propfind{}, ErrMalformed},
		{"unclosed", `<propfind xmlns="DAV:"><allprop/>`, Propfind{}, ErrMalformed},
		{"nothing asked", `<propfind xmlns="DAV:"/>`, Propfind{}, ErrMalformed},
		{"too many properties", `<propfind xmlns="DAV:"><prop>` + strings.Repeat("<p/>", 1) + manyProps(maxProps) + `</prop></propfind>`, Propfind{}, ErrMalformed},
		{"namespace too long", `<propfind xmlns="DAV:" xmlns:x="urn:` + strings.Repeat("a", maxNameBytes) + `"><prop><x:p/></prop></propfind>`, Propfind{}, ErrMalformed},
		{"namespace at the limit", `<propfind xmlns="DAV:" xmlns:x="` + strings.Repeat("a", maxNameBytes) + `"><prop><x:p/></prop></propfind>`,
			Propfind{Props: []xml.Name{{Space: strings.Repeat("a", maxNameBytes), Local: "p"}}}, nil},
		{"long namespace declared, not used", `<propfind xmlns="DAV:" xmlns:x="urn:` + strings.Repeat("a", 4096) + `"><prop><displayname/></prop></propfind>`,
			Propfind{Props: []xml.Name{dav("displayname")}}, nil},
		{"name too long", `<propfind xmlns="DAV:"><prop><` + strings.Repeat("a", maxNameBytes+1) + `/></prop></propfind>`, Propfind{}, ErrMalformed},
		{"names too long together", `<propfind xmlns="DAV:"><prop>` + longNames(9, 250) + `</prop></propfind>`, Propfind{}, ErrMalformed},
		{"names at the limit together", `<propfind xmlns="DAV:"><prop>` + longNames(8, 256) + `</prop></propfind>`, Propfind{Props: longNameList(8, 256)}, nil},
		{"no namespace", `<propfind xmlns="DAV:"><prop><foo xmlns=""/></prop></propfind>`, Propfind{Props: []xml.Name{{Local: "foo"}}}, nil},
		{"name with a colon", `<propfind xmlns="DAV:"><prop><:foo/></prop></propfind>`, Propfind{}, ErrMalformed},
		{"namespace of XML", `<propfind xmlns="DAV:"><prop><xml:lang/></prop></propfind>`, Propfind{}, ErrMalformed},
		{"xmlns prefix", `<propfind xmlns="DAV:"><prop><xmlns:p/></prop></propfind>`, Propfind{}, ErrMalformed},
		{"namespace of xmlns", `<propfind xmlns="DAV:"><prop><p xmlns="http://www.w3.org/2000/xmlns/"/></prop></propfind>`, Propfind{}, ErrMalformed},
		{"too large", `<propfind xmlns="DAV:"><allprop/></propfind>` + strings.Repeat(" ", MaxBodyBytes), Propfind{}, ErrBodyTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePropfind(strings.NewReader(tc.body))
			if !errors.Is(err, tc.err) || (tc.err != nil) != (err != nil) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// longNames is n properties in DAV: whose names are length bytes long.
func longNames(n, length int) string {
	var b strings.Builder
	for _, name := range longNameList(n, length) {
		fmt.Fprintf(&b, "<%s/>", name.Local)
	}
	return b.String()
}

func longNameList(n, length int) []xml.Name {
	var names []xml.Name
	for i := range n {
		name := fmt.Sprintf("p%d", i)
		names = append(names, xml.Name{Space: NamespaceDAV, Local: name + strings.Repeat("a", length-len(name))})
	}
	return names
}

func manyProps(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "<p%d/>", i)
	}
	return b.String()
}

func TestParseDepth(t *testing.T) {
	for header, want := range map[string]Depth{"0": DepthZero, "1": DepthOne, "": DepthInfinity, "Infinity": DepthInfinity} {
		if got, err := ParseDepth(header); err != nil || got != want {
			t.Errorf("ParseDepth(%q) = %v, %v; want %v", header, got, err, want)
		}
	}
	if _, err := ParseDepth("2"); err == nil {
		t.Error("Depth 2 accepted")
	}
}

func ExampleWriteMultistatus() {
	rec := httptest.NewRecorder()
	pf := Propfind{Props: []xml.Name{DisplayName, {Space: "urn:x", Local: "quota"}, {Space: "urn:x", Local: "used"}, {Local: "plain"}}}
	WriteMultistatus(rec, pf, []Resource{{Href: "/a?b=c&d", Props: map[xml.Name]Value{DisplayName: {Text: "A & B"}}}})
	fmt.Println(rec.Code)
	fmt.Println(rec.Body.String())
	// Output:
	// 207
	// <?xml version="1.0" encoding="utf-8"?>
	// <D:multistatus xmlns:D="DAV:" xmlns:A="http://apple.com/ns/ical/" xmlns:X0="urn:x"><D:response><D:href>/a?b=c&amp;d</D:href><D:propstat><D:prop><D:displayname>A &amp; B</D:displayname></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat><D:propstat><D:prop><X0:quota/><X0:used/><plain/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response></D:multistatus>
}

// writeSizes records the size of each write an answer is sent in.
type writeSizes struct {
	*httptest.ResponseRecorder
	sizes []int
}

func (w *writeSizes) Write(p []byte) (int, error) {
	w.sizes = append(w.sizes, len(p))
	return w.ResponseRecorder.Write(p)
}

// TestWriteMultistatusStreams: a small answer is sent whole with its
// length; a large one in parts of at most answerBuffer bytes (plus the
// last piece written), never held whole.
func TestWriteMultistatusStreams(t *testing.T) {
	resources := func(n int) []Resource {
		var rs []Resource
		for i := range n {
			rs = append(rs, Resource{Href: fmt.Sprintf("/r%d", i), Props: map[xml.Name]Value{DisplayName: {Text: strings.Repeat("n", 100)}}})
		}
		return rs
	}
	small := &writeSizes{ResponseRecorder: httptest.NewRecorder()}
	if err := WriteMultistatus(small, Propfind{AllProp: true}, resources(1)); err != nil {
		t.Fatal(err)
	}
	if len(small.sizes) != 1 || small.Header().Get("Content-Length") != fmt.Sprint(small.Body.Len()) {
		t.Errorf("a small answer: writes %v, Content-Length %q for %d bytes", small.sizes, small.Header().Get("Content-Length"), small.Body.Len())
	}
	large := &writeSizes{ResponseRecorder: httptest.NewRecorder()}
	if err := WriteMultistatus(large, Propfind{AllProp: true}, resources(2000)); err != nil {
		t.Fatal(err)
	}
	if large.Code != 207 || large.Header().Get("Content-Length") != "" || large.Header().Get("Content-Type") != "application/xml; charset=utf-8" {
		t.Errorf("a large answer: %d, Content-Length %q, Content-Type %q", large.Code, large.Header().Get("Content-Length"), large.Header().Get("Content-Type"))
	}
	if len(large.sizes) < large.Body.Len()/answerBuffer {
		t.Errorf("%d bytes in %d writes", large.Body.Len(), len(large.sizes))
	}
	for _, n := range large.sizes {
		if n > answerBuffer+maxNameBytes+1024 {
			t.Errorf("a write of %d bytes; the buffer is %d", n, answerBuffer)
		}
	}
	var ms struct {
		Responses []struct{} `xml:"DAV: response"`
	}
	if err := xml.Unmarshal(large.Body.Bytes(), &ms); err != nil || len(ms.Responses) != 2000 {
		t.Errorf("the large answer reads as %d responses: %v", len(ms.Responses), err)
	}
}

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
	pf := Propfind{Props: []xml.Name{DisplayName, {Space: "urn:x", Local: "quota"}}}
	WriteMultistatus(rec, pf, []Resource{{Href: "/a?b=c&d", Props: map[xml.Name]Value{DisplayName: {Text: "A & B"}}}})
	fmt.Println(rec.Code)
	fmt.Println(rec.Body.String())
	// Output:
	// 207
	// <?xml version="1.0" encoding="utf-8"?>
	// <D:multistatus xmlns:D="DAV:" xmlns:A="http://apple.com/ns/ical/"><D:response><D:href>/a?b=c&amp;d</D:href><D:propstat><D:prop><D:displayname>A &amp; B</D:displayname></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat><D:propstat><D:prop><X:quota xmlns:X="urn:x"/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response></D:multistatus>
}

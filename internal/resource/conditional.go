package resource

import (
	"net/http"
	"strings"
)

var (
	gzipEncoding   = []string{"gzip"}
	allowAnyOrigin = []string{"*"}
	exposeHeaders  = []string{"ETag, Last-Modified, Content-Location"}
)

// Serve answers GET and HEAD with the resource: the encoding the client
// accepts, 304 when its copy is current, the body otherwise.
func (res *Resource) Serve(w http.ResponseWriter, r *http.Request) {
	rep, useGzip := res.Negotiate(r)
	// What a 304 carries (RFC 9110 §15.4.5: those of Content-Location,
	// Date, ETag, Vary, Cache-Control and Expires that a 200 would send;
	// net/http adds Date), and the CORS fields without which a browser
	// hides the 304 from the web calendar that asked.
	h := w.Header()
	h["Etag"] = rep.etag
	h["Content-Location"] = res.location
	if res.cacheControl != nil {
		h["Cache-Control"] = res.cacheControl
	}
	h["Vary"] = res.vary
	// Resources are public data that web clients, such as web calendars,
	// fetch from pages of their own.
	h["Access-Control-Allow-Origin"] = allowAnyOrigin
	h["Access-Control-Expose-Headers"] = exposeHeaders

	if notModified(r, res) {
		// The client has the representation and its metadata; a 304
		// repeats none of it (§15.4.5's SHOULD NOT), not even the
		// nosniff that the middleware sets on every answer.
		delete(h, "X-Content-Type-Options")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Type"] = res.contentType
	if res.lastModified != nil {
		h["Last-Modified"] = res.lastModified
	}
	for k, v := range res.extra {
		h[k] = v
	}
	if res.disposition != nil {
		h["Content-Disposition"] = res.disposition
	}
	h["Content-Length"] = rep.contentLength
	if useGzip {
		h["Content-Encoding"] = gzipEncoding
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(rep.body)
	}
}

// Negotiate picks the representation a request gets: gzip when the client
// takes it and it is smaller.
func (res *Resource) Negotiate(r *http.Request) (rep *Representation, gzipped bool) {
	if acceptsGzip(RequestHeader(r, "Accept-Encoding")) && len(res.gzip.body) < len(res.identity.body) {
		return &res.gzip, true
	}
	return &res.identity, false
}

// notModified applies RFC 9110's order: If-None-Match decides when present
// (weak comparison, either encoding's tag), If-Modified-Since only when not.
func notModified(r *http.Request, res *Resource) bool {
	if inm := RequestHeader(r, "If-None-Match"); inm != "" {
		return etagMatches(inm, res)
	}
	ims := RequestHeader(r, "If-Modified-Since")
	if ims == "" || res.modTime.IsZero() {
		return false
	}
	t, err := http.ParseTime(ims)
	return err == nil && !res.modTime.After(t)
}

// etagMatches reports whether a list of entity tags names the resource. The
// tag of either encoding counts: both stand for the same version, and a
// client that stored one encoding is current whichever it asks for next.
func etagMatches(list string, res *Resource) bool {
	for list != "" {
		list = strings.TrimLeft(list, " \t,")
		if list == "" {
			break
		}
		if list[0] == '*' {
			return true
		}
		tag := list
		if i := strings.IndexByte(list, ','); i >= 0 {
			tag, list = list[:i], list[i+1:]
		} else {
			list = ""
		}
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == res.identity.etag[0] || tag == res.gzip.etag[0] {
			return true
		}
	}
	return false
}

// acceptsGzip reads an Accept-Encoding header: gzip (or x-gzip, or *) with
// a quality above zero.
func acceptsGzip(header string) bool {
	if header == "" {
		return false
	}
	wildcard := false
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		switch coding {
		case "gzip", "x-gzip":
			return QualityAboveZero(params)
		case "*":
			wildcard = QualityAboveZero(params)
		}
	}
	return wildcard
}

// QualityAboveZero reads the parameters of one element of an Accept-style
// list, what follows its first ';': false when they give q=0 (the client
// refuses it), true otherwise, q absent included (RFC 9110 §12.4.2).
func QualityAboveZero(params string) bool {
	for p := range strings.SplitSeq(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
			v = strings.TrimSpace(v)
			return strings.Trim(v, "0.") != ""
		}
	}
	return true
}

// RequestHeader is a request field's value, every field line of it joined
// with commas, as RFC 9110 §5.3 reads a list field sent on several lines:
// two If-None-Match lines are one list of tags. The key must be in
// canonical form, as the server stores every request's keys: Header.Get
// would canonicalize it again, a few hundred instructions on every request
// for the four it reads. The usual single line costs no allocation. A
// field that is not a list, such as If-Modified-Since, comes out invalid
// when sent twice, and RFC 9110 §13.1.3 has the recipient ignore it then.
func RequestHeader(r *http.Request, canonicalKey string) string {
	switch v := r.Header[canonicalKey]; len(v) {
	case 0:
		return ""
	case 1:
		return v[0]
	default:
		return strings.Join(v, ", ")
	}
}

package export

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
)

// staticHostConfig writes the headers of every exported file in the forms
// that static hosts read: an nginx include and a _headers file (Netlify,
// Cloudflare Pages). Both repeat the live service's headers exactly, taken
// from its own answers.
func staticHostConfig(files []File) map[string][]byte {
	return map[string][]byte{
		"nginx.conf": nginxConfig(files),
		"_headers":   headersFile(files),
	}
}

func nginxConfig(files []File) []byte {
	var b bytes.Buffer
	b.WriteString(`# Written by "feed export". Include it in an nginx server block whose
# root is the export directory:
#
#   server { listen 80; root /srv/feed; include /srv/feed/nginx.conf; }
#
# Every file is served with the headers the live service sends; ETag and
# Last-Modified come from nginx, and gzip_static serves the .gz copies.
etag on;
gzip_static on;
autoindex off;
index index.html;

# A URL with a query is a file under _q/: /calendar.ics?kind=day-off is
# /_q/calendar.ics/kind=day-off.ics. Only the canonical spelling of a query
# is exported; the service links only to that one.
if ($args != "") {
    rewrite ^/$ /_q/index.html/$args.html? last;
    rewrite ^(.+)\.(ics|json|html|png)$ /_q$1.$2/$args.$2? last;
}

location / {
    try_files $uri =404;
}
`)
	for _, f := range files {
		loc := "/" + f.File
		if loc == "/index.html" {
			loc = "/"
		}
		fmt.Fprintf(&b, "\nlocation = %s {\n", nginxQuote(loc))
		if loc == "/" {
			b.WriteString("    try_files /index.html =404;\n")
		}
		b.WriteString("    types { }\n")
		fmt.Fprintf(&b, "    default_type %s;\n", nginxQuote(f.Header.Get("Content-Type")))
		for _, k := range staticHeaders {
			if k == "Content-Type" {
				continue
			}
			for _, v := range f.Header.Values(k) {
				fmt.Fprintf(&b, "    add_header %s %s always;\n", k, nginxQuote(v))
			}
		}
		b.WriteString("}\n")
	}
	return b.Bytes()
}

// nginxQuote writes a value as an nginx string. The service's header values
// hold no "$", which nginx would read as a variable.
func nginxQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// headersFile writes the _headers file of Netlify and Cloudflare Pages for
// the files that those hosts can reach: the ones without a query.
func headersFile(files []File) []byte {
	var b bytes.Buffer
	b.WriteString("# Written by \"feed export\": the live service's headers, for Netlify and Cloudflare Pages.\n")
	for _, f := range files {
		if strings.Contains(f.URL, "?") {
			continue
		}
		fmt.Fprintf(&b, "%s\n", f.URL)
		for _, k := range staticHeaders {
			for _, v := range f.Header.Values(k) {
				fmt.Fprintf(&b, "  %s: %s\n", http.CanonicalHeaderKey(k), v)
			}
		}
	}
	return b.Bytes()
}

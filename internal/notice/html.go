package notice

import (
	"html"
	"net/url"
	"regexp"
	"strings"
)

// line is one line of the notice's text, with the line of the input it
// starts on, so that an error can point a person at it.
type line struct {
	text string
	num  int
}

// looksLikeHTML tells a saved page from pasted text: the notices' text has
// no angle brackets, and a page always has tags.
var tagStart = regexp.MustCompile(`<[A-Za-z!/]`)

func looksLikeHTML(s string) bool { return tagStart.MatchString(s) }

// textLines splits pasted text into lines, and takes the notice's address
// from the first line that is nothing but an http or https URL, as when
// the address bar is pasted above the text.
func textLines(s string) (lines []line, address string) {
	for i, l := range strings.Split(s, "\n") {
		lines = append(lines, line{text: l, num: i + 1})
		if u := strings.TrimSpace(l); address == "" && !strings.ContainsAny(u, " \t") && checkAddress(u) {
			address = u
		}
	}
	return lines, address
}

// blockTags end a line of text: the notice's paragraphs are <p> elements
// on gov.cn, and its title is in <title> and a heading.
var blockTags = map[string]bool{
	"p": true, "br": true, "div": true, "li": true, "tr": true, "td": true, "th": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"title": true, "table": true, "ul": true, "ol": true, "section": true, "article": true,
	"header": true, "footer": true, "body": true, "head": true, "html": true,
}

// htmlLines strips a page's tags and decodes its entities, a line per
// block element, and finds the page's own address: its canonical link, or
// else its og:url. A page saved from a browser or fetched with curl is all
// it needs to read; scripts and style sheets are skipped whole.
func htmlLines(s string) (lines []line, address string) {
	var canonical, ogURL string
	var cur strings.Builder
	curLine, srcLine := 0, 1
	flush := func() {
		lines = append(lines, line{text: html.UnescapeString(cur.String()), num: curLine})
		cur.Reset()
		curLine = 0
	}
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			i = len(s)
		}
		if i > 0 || (len(s) > 1 && !isTagStart(s[1])) {
			if i == 0 {
				i = 1 // a lone '<' in text
			}
			text := s[:i]
			for _, part := range strings.SplitAfter(text, "\n") {
				body := strings.TrimSuffix(part, "\n")
				if strings.TrimSpace(body) != "" && curLine == 0 {
					curLine = srcLine
				}
				cur.WriteString(body)
				if strings.HasSuffix(part, "\n") {
					srcLine++
				}
			}
			s = s[i:]
			continue
		}
		if len(s) == 1 {
			break
		}
		if strings.HasPrefix(s, "<!--") {
			end := strings.Index(s[4:], "-->")
			if end < 0 {
				end = len(s) - 4
			} else {
				end += 3
			}
			srcLine += strings.Count(s[:4+end], "\n")
			s = s[4+end:]
			continue
		}
		end := tagEnd(s)
		tag := s[:end]
		srcLine += strings.Count(tag, "\n")
		s = s[end:]
		name, attrs := parseTag(tag)
		switch name {
		case "script", "style", "noscript", "template":
			if attrs == nil {
				break // the closing tag
			}
			closing := "</" + name
			j := indexFold(s, closing)
			if j < 0 {
				j = len(s)
			}
			srcLine += strings.Count(s[:j], "\n")
			s = s[j:]
		case "link":
			if canonical == "" && hasToken(attrs["rel"], "canonical") {
				canonical = attrs["href"]
			}
		case "meta":
			if ogURL == "" && strings.EqualFold(attrs["property"], "og:url") {
				ogURL = attrs["content"]
			}
		}
		if blockTags[name] {
			flush()
		}
	}
	flush()
	address = canonical
	if address == "" {
		address = ogURL
	}
	return lines, strings.TrimSpace(address)
}

func isTagStart(b byte) bool {
	return b == '/' || b == '!' || b == '?' || ('a' <= b && b <= 'z') || ('A' <= b && b <= 'Z')
}

// tagEnd finds the '>' that closes the tag at the start of s, skipping
// quoted attribute values, which may hold one.
func tagEnd(s string) int {
	var quote byte
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i + 1
		}
	}
	return len(s)
}

var attrPattern = regexp.MustCompile(`([A-Za-z_:][-A-Za-z0-9_:.]*)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?`)

// parseTag returns a tag's lower-case name ("</p>" is "p") and, for an
// opening tag, its attributes (nil for a closing tag); only link and meta
// tags' attributes are read, with entities decoded.
func parseTag(tag string) (string, map[string]string) {
	body := strings.TrimSuffix(strings.TrimPrefix(tag, "<"), ">")
	closing := strings.HasPrefix(body, "/")
	body = strings.TrimPrefix(body, "/")
	n := strings.IndexFunc(body, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '/' })
	if n < 0 {
		n = len(body)
	}
	name := strings.ToLower(body[:n])
	if closing {
		return name, nil
	}
	attrs := make(map[string]string)
	if name != "link" && name != "meta" {
		return name, attrs
	}
	for _, m := range attrPattern.FindAllStringSubmatch(body[n:], -1) {
		key := strings.ToLower(m[1])
		if _, seen := attrs[key]; !seen {
			attrs[key] = html.UnescapeString(m[2] + m[3] + m[4])
		}
	}
	return name, attrs
}

func hasToken(list, token string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, token) {
			return true
		}
	}
	return false
}

// indexFold is strings.Index, ignoring ASCII case.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// checkAddress accepts an absolute http or https URL, as the catalog does.
func checkAddress(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

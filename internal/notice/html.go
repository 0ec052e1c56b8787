package notice

import (
	"html"
	"regexp"
	"strings"

	"feed/events"
)

// line is one line of the notice's text, with the line of the input it
// starts on, so that an error can point a person at it.
type line struct {
	text string
	num  int
	// content and heading mark a page's lines: the notice's text in
	// #UCAP-CONTENT, and the page's title and headings above it.
	content, heading bool
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
		if u := strings.TrimSpace(l); address == "" && !strings.ContainsAny(u, " \t") && events.CheckURL(u) == nil {
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

// headingTags hold a page's own title: its <title> and the headings that
// gov.cn puts above the text.
var headingTags = map[string]bool{"title": true, "h1": true, "h2": true, "h3": true}

// contentID is the element that holds a notice's text on gov.cn, a
// <div id="UCAP-CONTENT" class="pages_content"> since 2023 and a
// <td class="b12c" id="UCAP-CONTENT"> before: menus, related documents
// and sharing widgets are outside it.
const contentID = "UCAP-CONTENT"

// page is what htmlLines reads from a page.
type page struct {
	lines []line
	// address is the page's canonical link, or else its og:url.
	address string
	// content tells whether the page has a #UCAP-CONTENT element; then
	// only the lines marked content are the notice's text.
	content bool
}

// htmlLines strips a page's tags and decodes its entities, a line per
// block element, and finds the page's own address: its canonical link, or
// else its og:url. A page saved from a browser or fetched with curl is all
// it needs to read; scripts and style sheets are skipped whole. Lines of
// the first #UCAP-CONTENT element are marked content, and those of the
// <title> and the headings before it heading.
func htmlLines(s string) page {
	var p page
	var canonical, ogURL string
	var cur strings.Builder
	curLine, srcLine := 0, 1
	// contentTag is the name of the open #UCAP-CONTENT element and depth
	// the number of elements of that name open inside it and itself.
	contentTag, depth, contentDone := "", 0, false
	heading := ""
	flush := func() {
		p.lines = append(p.lines, line{
			text:    html.UnescapeString(cur.String()),
			num:     curLine,
			content: contentTag != "",
			heading: heading != "" && !p.content,
		})
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
		opening, selfClosing := attrs != nil, strings.HasSuffix(tag, "/>")
		switch name {
		case "script", "style", "noscript", "template":
			if !opening {
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
		switch {
		case contentTag == "" && !contentDone && opening && !selfClosing && attrs["id"] == contentID:
			contentTag, depth, p.content = name, 1, true
		case contentTag != "" && name == contentTag && opening && !selfClosing:
			depth++
		case contentTag != "" && name == contentTag && !opening:
			if depth--; depth == 0 {
				contentTag, contentDone = "", true
			}
		case headingTags[name] && opening:
			heading = name
		case name == heading && !opening:
			heading = ""
		}
	}
	flush()
	p.address = canonical
	if p.address == "" {
		p.address = ogURL
	}
	p.address = strings.TrimSpace(p.address)
	return p
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
// tags' attributes are read, with entities decoded, and the id of others.
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
	for _, m := range attrPattern.FindAllStringSubmatch(body[n:], -1) {
		key := strings.ToLower(m[1])
		if name != "link" && name != "meta" && key != "id" {
			continue
		}
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

package events

import (
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// keyLines maps every key path of a TOML document, written as
// event[3].location.name.en, to the line it is defined on. go-toml decodes
// values but forgets where they came from; this index is what lets a
// validation error point at a line. A document that does not parse yields a
// partial index: the decoder reports the syntax error itself.
//
// It is also the check that no field is nested more than maxDepth levels
// (see MaxFieldDepth), made before go-toml builds the document: the index
// holds every level of every path, so its cost grows with the depth times
// the length of a key, and a path is followed no deeper than one level past
// maxDepth. Each path that goes deeper is returned once, cut there.
func keyLines(data []byte, maxDepth int) (lines map[string]int, tooDeep []deepField) {
	idx := &lineIndex{lines: make(map[string]int), arrays: make(map[string]int), maxDepth: maxDepth}
	for i, c := range data {
		if c == '\n' {
			idx.newlines = append(idx.newlines, i)
		}
	}
	idx.p.Reset(data)
	prefix, prefixDepth := "", 0
	for idx.p.NextExpression() {
		expr := idx.p.Expression()
		switch expr.Kind {
		case unstable.Table:
			var ok bool
			if prefix, prefixDepth, ok = idx.resolve(headerParts(expr.Key(), maxDepth), idx.line(expr)); !ok {
				prefixDepth = -1 // the keys of a table too deep to index are deeper still
			}
		case unstable.ArrayTable:
			prefixDepth = -1
			line := idx.line(expr)
			parts := headerParts(expr.Key(), maxDepth)
			if len(parts) == 0 {
				continue
			}
			parent, depth, ok := idx.resolve(parts[:len(parts)-1], line)
			if !ok {
				continue
			}
			path := join(parent, parts[len(parts)-1])
			if idx.tooDeepAt(path, depth+1, line) {
				continue
			}
			n := idx.arrays[path]
			elem := path + "[" + strconv.Itoa(n) + "]"
			if idx.tooDeepAt(elem, depth+2, line) {
				continue
			}
			idx.arrays[path] = n + 1
			idx.record(path, line)
			idx.record(elem, line)
			prefix, prefixDepth = elem, depth+2
		case unstable.KeyValue:
			if prefixDepth >= 0 {
				idx.keyValue(prefix, prefixDepth, expr)
			}
		}
	}
	return idx.lines, idx.tooDeep
}

// deepField is a field nested deeper than the limit, with its path cut one
// level past it.
type deepField struct {
	path string
	line int
}

type lineIndex struct {
	p        unstable.Parser
	lines    map[string]int
	arrays   map[string]int // array-of-tables path → tables seen so far
	newlines []int          // offsets of every '\n', to turn an offset into a line
	maxDepth int
	tooDeep  []deepField
}

// tooDeepAt reports whether path, depth levels deep, is past the limit, and
// keeps it if so.
func (idx *lineIndex) tooDeepAt(path string, depth, line int) bool {
	if depth <= idx.maxDepth {
		return false
	}
	idx.tooDeep = append(idx.tooDeep, deepField{path, line})
	return true
}

// resolve turns the parts of a table header into a path, descending into the
// latest element of every array of tables on the way, as TOML does. Every
// table on the way is placed at this header unless an earlier line defined
// it: an unknown table written [a.b] must be reported at its own line, not
// at the nearest known one.
func (idx *lineIndex) resolve(parts []string, line int) (path string, depth int, ok bool) {
	for _, part := range parts {
		path = join(path, part)
		depth++
		if idx.tooDeepAt(path, depth, line) {
			return "", 0, false
		}
		if n, ok := idx.arrays[path]; ok && n > 0 {
			path += "[" + strconv.Itoa(n-1) + "]"
			depth++
			if idx.tooDeepAt(path, depth, line) {
				return "", 0, false
			}
		}
		idx.record(path, line)
	}
	return path, depth, true
}

func (idx *lineIndex) keyValue(prefix string, depth int, kv *unstable.Node) {
	path := prefix
	line := idx.line(kv)
	for it := kv.Key(); it.Next(); {
		key := it.Node()
		path = join(path, string(key.Data))
		depth++
		if l := idx.lineOf(key); l > 0 {
			line = l
		}
		if idx.tooDeepAt(path, depth, line) {
			return
		}
		idx.record(path, line)
	}
	idx.value(path, depth, kv.Value(), line)
}

func (idx *lineIndex) value(path string, depth int, v *unstable.Node, line int) {
	if l := idx.lineOf(v); l > 0 {
		line = l
	}
	switch v.Kind {
	case unstable.InlineTable:
		for it := v.Children(); it.Next(); {
			if kv := it.Node(); kv.Kind == unstable.KeyValue {
				idx.keyValue(path, depth, kv)
			}
		}
	case unstable.Array:
		i := 0
		for it := v.Children(); it.Next(); {
			elem := it.Node()
			if elem.Kind == unstable.Comment {
				continue
			}
			elemPath := path + "[" + strconv.Itoa(i) + "]"
			elemLine := line
			if l := idx.lineOf(elem); l > 0 {
				elemLine = l
			} else if elem.Kind == unstable.InlineTable {
				// An inline table has no range of its own; its first key does.
				if first := elem.Child(); first != nil && first.Valid() && first.Kind == unstable.KeyValue {
					if it := first.Key(); it.Next() {
						if l := idx.lineOf(it.Node()); l > 0 {
							elemLine = l
						}
					}
				}
			}
			if idx.tooDeepAt(elemPath, depth+1, elemLine) {
				return
			}
			idx.record(elemPath, elemLine)
			idx.value(elemPath, depth+1, elem, elemLine)
			i++
		}
	}
}

func (idx *lineIndex) record(path string, line int) {
	if _, seen := idx.lines[path]; !seen && line > 0 {
		idx.lines[path] = line
	}
}

// line is the line of a table header or key-value: that of its first key.
func (idx *lineIndex) line(n *unstable.Node) int {
	if l := idx.lineOf(n); l > 0 {
		return l
	}
	if it := n.Key(); it.Next() {
		return idx.lineOf(it.Node())
	}
	return 0
}

func (idx *lineIndex) lineOf(n *unstable.Node) int {
	if n == nil || !n.Valid() || n.Raw.Length == 0 {
		return 0
	}
	// The parser's own Shape counts lines from the start of the file on
	// every call, which makes a large catalog quadratic.
	offset := int(n.Raw.Offset)
	return sort.SearchInts(idx.newlines, offset) + 1
}

// headerParts returns the keys of a table header, at most limit+1 of them:
// a longer header is too deep whatever arrays it passes through.
func headerParts(it unstable.Iterator, limit int) []string {
	var parts []string
	for it.Next() && len(parts) <= limit {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}

// join appends key to a field path, such as event[3] and name.
func join(path, key string) string {
	if !isBareKey(key) {
		// As TOML writes it: an empty key, or one with a dot, is quoted,
		// so that every field has a name and a path splits where it should.
		key = strconv.Quote(key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// isBareKey reports whether TOML can write key without quotes.
func isBareKey(key string) bool {
	for i := range len(key) {
		if c := key[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return key != ""
}

// parentPath strips the last key or index from a path:
// event[3].name → event[3] → event.
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

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
func keyLines(data []byte) map[string]int {
	idx := &lineIndex{lines: make(map[string]int), arrays: make(map[string]int)}
	for i, c := range data {
		if c == '\n' {
			idx.newlines = append(idx.newlines, i)
		}
	}
	idx.p.Reset(data)
	prefix := ""
	for idx.p.NextExpression() {
		expr := idx.p.Expression()
		switch expr.Kind {
		case unstable.Table:
			prefix = idx.resolve(keyParts(expr.Key()))
			idx.record(prefix, idx.line(expr))
		case unstable.ArrayTable:
			parts := keyParts(expr.Key())
			parent := idx.resolve(parts[:len(parts)-1])
			path := join(parent, parts[len(parts)-1])
			n := idx.arrays[path]
			idx.arrays[path] = n + 1
			prefix = path + "[" + strconv.Itoa(n) + "]"
			idx.record(path, idx.line(expr))
			idx.record(prefix, idx.line(expr))
		case unstable.KeyValue:
			idx.keyValue(prefix, expr)
		}
	}
	return idx.lines
}

type lineIndex struct {
	p        unstable.Parser
	lines    map[string]int
	arrays   map[string]int // array-of-tables path → tables seen so far
	newlines []int          // offsets of every '\n', to turn an offset into a line
}

// resolve turns the parts of a table header into a path, descending into the
// latest element of every array of tables on the way, as TOML does.
func (idx *lineIndex) resolve(parts []string) string {
	path := ""
	for _, part := range parts {
		path = join(path, part)
		if n, ok := idx.arrays[path]; ok && n > 0 {
			path += "[" + strconv.Itoa(n-1) + "]"
		}
	}
	return path
}

func (idx *lineIndex) keyValue(prefix string, kv *unstable.Node) {
	path := prefix
	line := idx.line(kv)
	for it := kv.Key(); it.Next(); {
		key := it.Node()
		path = join(path, string(key.Data))
		if l := idx.lineOf(key); l > 0 {
			line = l
		}
		idx.record(path, line)
	}
	idx.value(path, kv.Value(), line)
}

func (idx *lineIndex) value(path string, v *unstable.Node, line int) {
	if l := idx.lineOf(v); l > 0 {
		line = l
	}
	switch v.Kind {
	case unstable.InlineTable:
		for it := v.Children(); it.Next(); {
			if kv := it.Node(); kv.Kind == unstable.KeyValue {
				idx.keyValue(path, kv)
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
			idx.record(elemPath, elemLine)
			idx.value(elemPath, elem, elemLine)
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

func keyParts(it unstable.Iterator) []string {
	var parts []string
	for it.Next() {
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

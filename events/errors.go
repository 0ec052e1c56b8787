package events

import (
	"fmt"
	"strings"
)

// FieldError is one problem in a catalog file, placed so that a person can
// go straight to it.
type FieldError struct {
	File  string // the file's name as given to Parse
	Line  int    // 1-based; 0 when the field is missing from a table with no line of its own
	Field string // the field's path, such as event[3].name.zh
	Msg   string
}

func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		b.WriteString(": ")
		b.WriteString(e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in one catalog file, in file order.
type Errors []*FieldError

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

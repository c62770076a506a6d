package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxReparse bounds the bytes failingLine's parses read (past it, one
// parse more), so that locating an error in the largest file allowed
// stays well under a second.
const maxReparse = 16 << 20

// syntaxError returns err, the YAML library's error for data, at the line
// where data stops being YAML, naming the key on that line by its path
// and the likely cause: "outagecast.yaml:8: channels[1].concurrency: check
// the indentation (did not find expected '-' indicator)". The library gives the line where the
// enclosing block or collection began (or the line before it), often lines
// earlier, and no line at all when that is the first line (or for an
// unknown anchor): its line is never named. When failingLine does not find
// the line within its budget, the error says "line unknown" and names
// none.
func syntaxError(name string, data []byte, err error) error {
	msg := strings.TrimSpace(err.Error())
	problem := strings.TrimPrefix(msg, "yaml: ")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		// The library's line is that of the block or collection that
		// holds the error, or the line before it: never named.
		problem = m[2]
	}
	line := failingLine(data)
	// "password: *Pa55…" is an alias to YAML, and the library quotes its
	// name: all of the password but its first character.
	problem = unknownAnchor.ReplaceAllLiteralString(problem, `unknown anchor (not quoted: it may be a secret): `+
		`a value that starts with "*" is an alias (*name); quote the value`)
	if line == 0 {
		return faultf(name, 0, "line unknown: %s", problem)
	}
	if line > 1 && strings.Contains(problem, "mapping values are not allowed") &&
		!keyNoSpace.MatchString(lineText(data, line)) && keyNoSpace.MatchString(lineText(data, line-1)) {
		// "state:x.db" then "channels: …": one text of two lines, to
		// which the ": " of the second is a mistake.
		line--
	}
	path := func(written, key string) string {
		return syntaxKeyPath(data, line, written, key)
	}
	if closed := continuedQuote(data, line, problem); closed > 0 {
		// Named at the line that closes it, by the key of the line
		// that opens it.
		return faultf(name, closed, "%stext after the closing quote of a value continued from line %d (%s)",
			linePath(lineText(data, line), true, path), line, problem)
	}
	return faultf(name, line, "%s", explainSyntax(lineText(data, line), linesAfter(data, line), problem, path))
}

// syntaxKeyPath returns the full path ("channels[0].password") of key, the
// mapping key line n of data starts (after its indentation and any "- "),
// written there as written (key itself, or quoted: "\"we b\""),
// where data stops being YAML at line n or after it: data up to that
// line, then the line with its value cut to a plain word, is parsed, and
// the path of the key on line n found there. A line indented to no
// level of the lines before it (the fault is its indentation) is tried
// at the levels open at the line before it, the nearest to its own
// indentation first, for the path of the key meant. It returns key itself
// (as a path writes it: pathKey) when none parses, or when written is no key of its own ("@password").
// The parses are bounded: at most maxLevels+1, of maxKeyReparse bytes in
// all.
func syntaxKeyPath(data []byte, n int, written, key string) string {
	var alone yaml.Node
	if yaml.Unmarshal([]byte(written+": x\n"), &alone) != nil || len(alone.Content) != 1 ||
		alone.Content[0].Kind != yaml.MappingNode || len(alone.Content[0].Content) != 2 || alone.Content[0].Content[0].Value != key {
		return pathKey(key) // no try can parse it
	}
	start := 0
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(data[start:], '\n')
		if j < 0 {
			return pathKey(key)
		}
		start += j + 1
	}
	lead := entryLead.FindString(lineText(data, n))
	items := strings.Repeat("- ", strings.Count(lead, "-")) // after the indentation
	leads := []string{lead}
	for _, c := range openLevels(data[:start], lead) {
		if l := strings.Repeat(" ", c) + items; !slices.Contains(leads, l) {
			leads = append(leads, l)
		}
	}
	budget := maxKeyReparse
	for _, lead := range leads {
		if budget -= start; budget < 0 {
			break
		}
		doc := make([]byte, 0, start+len(lead)+len(written)+4)
		doc = append(append(append(doc, data[:start]...), lead...), written...)
		doc = append(doc, ": x\n"...)
		docs, ok := parseAll(doc)
		if !ok {
			continue
		}
		for _, root := range docs {
			if path, ok := pathOfKeyAt(root, n, key); ok {
				return path
			}
		}
	}
	return pathKey(key)
}

// maxKeyReparse bounds the bytes syntaxKeyPath parses: a few parses of
// the largest file.
const maxKeyReparse = 4 * MaxFileSize

// parseAll parses every document of data, and reports whether all parse.
func parseAll(data []byte) ([]*yaml.Node, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		n := new(yaml.Node)
		switch err := dec.Decode(n); {
		case errors.Is(err, io.EOF):
			return docs, true
		case err != nil:
			return nil, false
		}
		docs = append(docs, n)
	}
}

// entryLead matches the start of a line before its key: the indentation
// and any "- " of list items.
var entryLead = regexp.MustCompile(`^[ \t]*(?:-[ \t]+)*`)

// maxLevels bounds the indentation levels syntaxKeyPath tries.
const maxLevels = 8

// openLevels returns the columns (from 0) of the levels open at the end
// of data, lines indented with spaces: those at which its last line
// starts a key or a list item, then of each line before it, those less
// indented than any after it, each once. When lead, the start of the next
// line, is of spaces, the nearest to its indentation come first (of two as
// near, the one found first); else, the last line's first. At most
// maxLevels.
func openLevels(data []byte, lead string) []int {
	var levels []int
	least := -1 // the least column of the lines after the one read
	for end := len(data); end > 0 && least != 0; {
		begin := bytes.LastIndexByte(data[:end-1], '\n') + 1
		line := strings.TrimRight(string(data[begin:end]), "\r\n")
		end = begin
		text := strings.TrimLeft(line, " ")
		if text == "" || text[0] == '#' || text[0] == '\t' {
			continue
		}
		cols := []int{len(line) - len(text)}
		for len(text) > 1 && text[0] == '-' && (text[1] == ' ' || text[1] == '\t') {
			rest := strings.TrimLeft(text[1:], " \t")
			cols = append(cols, cols[len(cols)-1]+len(text)-len(rest))
			text = rest
		}
		for i := len(cols) - 1; i >= 0; i-- {
			if c := cols[i]; (least < 0 || c < least) && !slices.Contains(levels, c) {
				levels = append(levels, c)
			}
		}
		if least < 0 || cols[0] < least {
			least = cols[0]
		}
	}
	if !strings.Contains(lead, "\t") {
		col := len(lead) - len(strings.TrimLeft(lead, " "))
		slices.SortStableFunc(levels, func(a, b int) int { return colDistance(a, col) - colDistance(b, col) })
	}
	if len(levels) > maxLevels {
		levels = levels[:maxLevels]
	}
	return levels
}

// colDistance returns the distance between columns a and b.
func colDistance(a, b int) int {
	if a > b {
		return a - b
	}
	return b - a
}

// pathOfKeyAt returns the path, below n, of a mapping key key on line
// line, and whether there is one. A merge key's mapping ("<<: {…}") has
// its keys at the path of the mapping that merges it; aliases are not
// followed. It writes no path but the one it returns.
func pathOfKeyAt(n *yaml.Node, line int, key string) (string, bool) {
	var found func(n *yaml.Node, at *pathStep) (*pathStep, bool)
	found = func(n *yaml.Node, at *pathStep) (*pathStep, bool) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				if p, ok := found(c, at); ok {
					return p, true
				}
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				if c.Line > line {
					break // it and those after it start after line
				}
				if p, ok := found(c, &pathStep{up: at, index: i}); ok {
					return p, true
				}
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				if k.Line > line {
					break
				}
				if k.Kind == yaml.ScalarNode && k.Line == line && k.Value == key {
					return &pathStep{up: at, key: key, isKey: true}, true
				}
				below := &pathStep{up: at, key: k.Value, isKey: true}
				if k.Tag == "!!merge" {
					below = at
				}
				if p, ok := found(n.Content[i+1], below); ok {
					return p, true
				}
			}
		}
		return nil, false
	}
	p, ok := found(n, nil)
	return p.String(), ok
}

// pathStep is a step of a path below the file's top level: a key of a
// mapping or an index of a list, below up (nil at the top level), so that
// a walk writes the path of a node only when it needs it.
type pathStep struct {
	up    *pathStep
	key   string
	index int
	isKey bool
}

// String returns the path p leads to, as join and "[i]" write it: "" for
// nil. It writes each step once, so that the path of a node nested
// thousands deep costs its length.
func (p *pathStep) String() string {
	var steps []*pathStep
	for s := p; s != nil; s = s.up {
		steps = append(steps, s)
	}
	var b strings.Builder
	for i := len(steps) - 1; i >= 0; i-- {
		s := steps[i]
		if !s.isKey {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
			continue
		}
		// join(path, key): no "." starts a path.
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(pathKey(s.key))
	}
	return b.String()
}

// unknownAnchor matches the YAML library's problem with an alias of no
// anchor, which quotes the alias's name.
var unknownAnchor = regexp.MustCompile(`unknown anchor '.*' referenced`)

// failingLine returns the line of data, which does not parse, after the
// longest run of whole lines that does: the line that breaks the file.
// Scanning from the end, a construct that spans lines (a flow list, a
// quoted string) before the broken line does not mislead it. A parse that
// fails having read r bytes of its text fails as well on every longer
// prefix of it (the parser saw no more of them), so that each prefix
// tried is one that the parses before it leave possible: an error early
// in a large file costs a few parses of its first lines. It returns 0 when
// finding the line would parse too much.
func failingLine(data []byte) int {
	var ends []int // ends[i]: the offset just after line i+1
	for i, b := range data {
		if b == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		ends = append(ends, len(data))
	}
	read, _ := parseRead(data)
	budget := maxReparse - read
	// k: the number of lines of the longest prefix not known to fail,
	// those of the first line whose end is at read or after it.
	for k := sort.SearchInts(ends, read); k > 0; {
		if budget <= 0 {
			return 0
		}
		r, ok := parseRead(data[:ends[k-1]])
		if ok {
			return k + 1
		}
		budget -= r
		k = sort.SearchInts(ends[:k], r)
	}
	return 1
}

// parseRead parses every document of data, as parseAll does, and reports
// whether all parse and how many bytes of data the parser read. The
// parser reads a few dozen bytes at a time, so that where a parse fails,
// what it read goes past it by little.
func parseRead(data []byte) (read int, ok bool) {
	r := &smallReads{data: data}
	dec := yaml.NewDecoder(r)
	for {
		var n yaml.Node
		switch err := dec.Decode(&n); {
		case errors.Is(err, io.EOF):
			return r.off, true
		case err != nil:
			return r.off, false
		}
	}
}

// smallReads reads data at most smallRead bytes at a time.
type smallReads struct {
	data []byte
	off  int
}

// smallRead is the most bytes a Read of smallReads returns.
const smallRead = 64

func (r *smallReads) Read(p []byte) (int, error) {
	if r.off == len(r.data) {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), smallRead)], r.data[r.off:])
	r.off += n
	return n, nil
}

// lineText returns line n (from 1) of data, without its line break.
func lineText(data []byte, n int) string {
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(data, '\n')
		if j < 0 {
			return ""
		}
		data = data[j+1:]
	}
	if j := bytes.IndexByte(data, '\n'); j >= 0 {
		data = data[:j]
	}
	return strings.TrimRight(string(data), "\r")
}

// indentProblems are the YAML library's messages for a line indented to no
// enclosing level.
var indentProblems = []string{
	"did not find expected key", "did not find expected '-' indicator",
	"mapping values are not allowed", "block sequence entries are not allowed",
	"did not find expected <document start>",
}

// explainSyntax prefixes the library's problem on line text with the key
// on that line, plain or quoted, as path gives its full path (from the
// key as the line writes it and as YAML reads it), and the likely cause.
// rest is the text of the lines after it, where a quoted scalar the line
// leaves open may close.
func explainSyntax(text string, rest []byte, problem string, path func(written, key string) string) string {
	indent := text[:len(text)-len(strings.TrimLeft(text, " \t"))]
	// plain is text with each quoted scalar a plain one, "q": a "%" or
	// "|" inside quotes starts no value, a "[" or "{" opens nothing and
	// a "${" is no reference a flow collection would break.
	plain := quotedSpan.ReplaceAllString(text, "${1}q")
	// code is text without its comment: a quote, "[" or "{" there opens
	// nothing.
	code := withoutComment(text)
	plainCode := quotedSpan.ReplaceAllString(code, "${1}q")
	var cause string
	switch {
	case strings.Contains(indent, "\t"):
		cause = "tab in the indentation: indent with spaces"
	case strings.Contains(problem, "cannot start any token") && reservedStart.MatchString(plain):
		// Telegram's "@channel": YAML reserves "@" and "`", "%" starts
		// a directive, and in [...] or {...} "|" and ">" start nothing.
		cause = fmt.Sprintf("quote a value that starts with %q", reservedStart.FindStringSubmatch(plain)[1])
	case (strings.Contains(problem, "expected comment or line break") || strings.Contains(problem, "indentation indicator")) &&
		blockStart.MatchString(plain):
		// "password: |Pa55…": a block scalar's header to YAML, whose
		// text would start on the next line.
		cause = fmt.Sprintf("quote a value that starts with %q", blockStart.FindStringSubmatch(plain)[1])
	case flowComment.MatchString(quotedSpan.ReplaceAllString(text, "$1")):
		// "channels: [#ops]": no value starts with "#", and after a
		// space it starts a comment that runs to the line's end.
		cause = `inside [...] or {...}, quote a value that starts with "#": ["#ops"]`
	case quoteNotClosed(code) &&
		!((strings.Contains(problem, "']'") || strings.Contains(problem, "'}'")) && closedLater(code, rest)):
		// Before the brackets: one left open takes in the "]" or "}"
		// after it. One continued on the next lines, closed there,
		// inside a collection the library says is not closed, is no
		// fault of its own.
		cause = "quote not closed"
	case strings.Contains(plainCode, "${") && strings.ContainsAny(strings.ReplaceAll(plainCode, "${", ""), "[{"):
		cause = `inside [...] or {...}, quote a value holding "${": "${NAME}"`
	case strings.Contains(problem, "']'") || strings.Count(plainCode, "[") > strings.Count(plainCode, "]"):
		cause = `"[" not closed, or a "," missing`
	case strings.Contains(problem, "'}'") || strings.Count(plainCode, "{") > strings.Count(plainCode, "}"):
		cause = `"{" not closed, or a "," missing`
	case keyNoSpace.MatchString(text) &&
		(strings.Contains(problem, "could not find expected ':'") || strings.Contains(problem, "mapping values are not allowed")):
		// "url:https://…": text to YAML, not a key and its value.
		cause = `a space after ":" missing`
	case strings.Contains(problem, "mapping values are not allowed") && valueHoldsColon(text):
		cause = `a value holding ": " must be quoted`
	case strings.Contains(problem, "did not find expected key") && textAfterQuote(code):
		// "name: 'a' b": a quoted scalar ends at its quote (YAML
		// 1.2.2, 7.3 flow scalar styles), and only a comment or the
		// ":" of a key may follow it.
		cause = "text after the closing quote: quote the whole value"
	default:
		for _, p := range indentProblems {
			if strings.Contains(problem, p) {
				cause = "check the indentation"
			}
		}
	}
	msg := problem
	if cause != "" {
		msg = cause + " (" + problem + ")"
	}
	return linePath(text, cause != "", path) + msg
}

// linePath returns the path of the key on line text, plain or quoted, as
// path gives it, then ": ", or "" when the line starts no key or its key
// is a URL ("- slack://TOKEN@C123: name: ops": a URL may hold
// credentials). A key written without a space after its ":"
// ("url:https://…") counts when explained is true: the explanation
// says so.
func linePath(text string, explained bool, path func(written, key string) string) string {
	if k := lineKey(text); k != "" {
		if !isURL(k) {
			return path(k, k) + ": "
		}
	} else if written, k, ok := quotedLineKey(text); ok {
		if !isURL(k) {
			return path(written, k) + ": "
		}
	} else if m := keyNoSpace.FindStringSubmatch(text); m != nil && explained {
		return path(m[1], m[1]) + ": "
	}
	return ""
}

// valueStart is where a value starts on a line, as YAML's indicators
// have it (https://yaml.org/spec/1.2.2/#53-indicator-characters): the
// line's start, after "[", "{" or ",", after a "- " or "? " entry, a
// ": " key, or a tag or an anchor ("!!str ", "&a "). A character after
// a space in the middle of a plain value ("50 %") starts none.
const valueStart = `(?:^|[\[{,]|(?:^|[ \t])[-?][ \t]|:[ \t]|(?:^|[ \t\[{,])[!&][^ \t\[\]{},]*[ \t])[ \t]*`

// reservedStart matches a value that starts with a character no plain
// value may start with (c-indicator in the spec above): "@" or "`",
// which YAML reserves, "%", a directive's indicator, or "|" or ">",
// which in [...] or {...} start nothing.
var reservedStart = regexp.MustCompile(valueStart + "([@`%|>])")

// blockStart matches a value that starts with "|" or ">", a block
// scalar's indicator, followed on its line by text that is no
// indentation or chomping indicator and no comment: "password: |Pa55…"
// or "password: | Pa55…", a header YAML cannot read (c-b-block-header in
// https://yaml.org/spec/1.2.2/#811-block-scalar-headers).
var blockStart = regexp.MustCompile(valueStart + `([|>])(?:[^ \t\r\n]|[ \t]+[^ \t#\r\n])`)

// flowComment matches a "#" that starts an item of a flow collection,
// "[#ops]" or "[a, #b]": no value there, nor a comment YAML would close.
// A "#" after a "," outside brackets ("title: "Outage, #3") is not one.
var flowComment = regexp.MustCompile(`[\[{](?:[^\]}]*,)?[ \t]*#`)

// quotedSpan matches a quoted scalar (its quote where a value starts:
// after the line's indentation, "[", "{", "," or ":", a "- " or "? "
// entry, or a tag or an anchor, and white space), closed or running to
// the line's end, and what precedes it: a "[" or "#" inside one, as in
// title: "Outage [#3], is text, not a flow collection's item. A quote
// inside a plain value ("Rock 'n roll", after a space in its middle)
// opens none: a plain scalar may hold quotes, and only a value's first
// character starts a quoted one
// (https://yaml.org/spec/1.2.2/#733-plain-style).
// Its second or third group is the closing quote, empty for a scalar
// left open.
// A backslash ending the line escapes its line break: the scalar is open.
var quotedSpan = regexp.MustCompile(`(^[ \t]*|[\[{,:][ \t]*|(?:^|[ \t])[-?][ \t]+|(?:^|[ \t\[{,])[!&][^ \t\[\]{},]*[ \t]+)` +
	`(?:"(?:[^"\\]|\\.)*(?:\\$|("|$))|'(?:[^']|'')*('|$))`)

// textAfterQuote reports whether code, a line without its comment, holds
// a quoted scalar, closed, that starts where a value starts and is
// followed by text other than the ":" of a key, a "," or a closing
// bracket.
func textAfterQuote(code string) bool {
	for _, m := range quotedSpan.FindAllStringSubmatchIndex(code, -1) {
		if m[4] == m[5] && m[6] == m[7] {
			continue // not closed
		}
		after := strings.TrimLeft(strings.TrimRight(code[m[1]:], " \t\r"), " \t")
		if after != "" && !strings.ContainsRune(":,]}", rune(after[0])) {
			return true
		}
	}
	return false
}

// quoteNotClosed reports whether line text holds a quoted scalar that runs
// to the line's end without its closing quote: an escaped quote ("\"")
// or a doubled one (two single quotes) closes none, and a quote inside a plain value
// ("don't") opens none.
func quoteNotClosed(text string) bool {
	for _, m := range quotedSpan.FindAllStringSubmatchIndex(text, -1) {
		if m[4] == m[5] && m[6] == m[7] {
			return true
		}
	}
	return false
}

// closedLater reports whether the quoted scalar that line text leaves
// open (quoteNotClosed) closes in rest, the lines after it, as a quoted
// scalar may continue over lines
// (https://yaml.org/spec/1.2.2/#73-flow-scalar-styles): at its first
// quote not escaped (a backslash before it, or a doubled single quote),
// one that follows a character of its text. A quote after white space,
// "[", "{", "," or ":", or at a line's start, is taken for the opening
// quote of the next quoted scalar: the one on the line was left open.
func closedLater(text string, rest []byte) bool { return closeAt(text, rest) >= 0 }

// closeAt returns the offset in rest of the quote that closes the quoted
// scalar line text leaves open, as closedLater finds it, or -1.
func closeAt(text string, rest []byte) int {
	quoted := quotedSpan.FindAllStringSubmatchIndex(text, -1)
	if len(quoted) == 0 {
		return -1
	}
	m := quoted[len(quoted)-1] // only the last one runs to the line's end
	q := text[m[3]]
	for i := 0; i < len(rest); i++ {
		switch c := rest[i]; {
		case q == '"' && c == '\\':
			i++ // the escaped character
		case c == q && q == '\'' && i+1 < len(rest) && rest[i+1] == '\'':
			i++ // a doubled single quote
		case c == q:
			if i > 0 && !strings.ContainsRune(" \t\r\n[{,:", rune(rest[i-1])) {
				return i
			}
			return -1
		}
	}
	return -1
}

// continuedQuote returns, when line n of data leaves a quoted scalar
// open outside brackets and a later line closes it with text after its
// closing quote (title: "a, then   b" c), the line that closes it, where
// data stops being YAML: a quoted scalar may continue over lines
// (https://yaml.org/spec/1.2.2/#73-flow-scalar-styles), but ends at its
// closing quote, and only a comment, or the ":" of a key, may follow it
// there. Otherwise 0. The prefixes of data that end inside the scalar do
// not parse, so failingLine finds the line that opens it.
func continuedQuote(data []byte, n int, problem string) int {
	code := withoutComment(lineText(data, n))
	plainCode := quotedSpan.ReplaceAllString(code, "${1}q")
	if !quoteNotClosed(code) || strings.Contains(problem, "']'") || strings.Contains(problem, "'}'") ||
		strings.Count(plainCode, "[") > strings.Count(plainCode, "]") || strings.Count(plainCode, "{") > strings.Count(plainCode, "}") {
		return 0
	}
	rest := linesAfter(data, n)
	i := closeAt(code, rest)
	if i < 0 {
		return 0
	}
	after, _, _ := strings.Cut(string(rest[i+1:]), "\n")
	after = strings.TrimSpace(withoutComment(" " + after))
	if after == "" || strings.HasPrefix(after, ":") {
		return 0
	}
	return n + 1 + bytes.Count(rest[:i], []byte("\n"))
}

// linesAfter returns the text of data after line n (from 1).
func linesAfter(data []byte, n int) []byte {
	for i := 0; i < n; i++ {
		j := bytes.IndexByte(data, '\n')
		if j < 0 {
			return nil
		}
		data = data[j+1:]
	}
	return data
}

// withoutComment returns line text without its comment: from a "#" at
// the line's start or after white space, outside the quoted scalars
// quotedSpan matches, to the line's end
// (https://yaml.org/spec/1.2.2/#66-comments: a comment is separated from
// what precedes it by white space). A "#" inside a quoted scalar, or
// after another character ("[#ops]", "a#b"), starts none.
func withoutComment(text string) string {
	quoted := quotedSpan.FindAllStringSubmatchIndex(text, -1)
	for i := 0; i < len(text); i++ {
		if len(quoted) > 0 && i >= quoted[0][3] { // the quoted scalar's opening quote
			i = quoted[0][1] - 1
			quoted = quoted[1:]
			continue
		}
		if text[i] == '#' && (i == 0 || text[i-1] == ' ' || text[i-1] == '\t') {
			return text[:i]
		}
	}
	return text
}

// keyNoSpace matches a line that starts a key and its value without a
// space between them: "    url:https://…", "  - port:587".
// A URL's "scheme://" is not one.
var keyNoSpace = regexp.MustCompile(`^[ \t]*(?:- +)*([A-Za-z_][A-Za-z0-9_-]*):[^ \t/]`)

// valueHoldsColon reports whether line text is a key and a plain value
// that holds ": " ("title: Outage: API"), which YAML reads as another key.
func valueHoldsColon(text string) bool {
	k := lineKey(text)
	if k == "" {
		return false
	}
	_, value, _ := strings.Cut(text, k+": ")
	value = strings.TrimLeft(value, " \t")
	return value != "" && !strings.ContainsAny(value[:1], `"'[{|>&*!#`) && strings.Contains(value, ": ")
}

// lineKey returns the mapping key that line text starts, or "".
func lineKey(text string) string {
	s := strings.TrimLeft(text, " \t")
	for strings.HasPrefix(s, "- ") {
		s = strings.TrimLeft(s[2:], " \t")
	}
	i := strings.Index(s, ": ")
	if i < 0 && strings.HasSuffix(s, ":") {
		i = len(s) - 1
	}
	if i <= 0 || strings.ContainsAny(s[:i], "[]{}\"'#,&*!|> \t") {
		return ""
	}
	return s[:i]
}

// quotedKey matches a quoted scalar, double-quoted with backslash escapes
// or single-quoted with the quote doubled, then the ":" of a mapping key.
var quotedKey = regexp.MustCompile(`^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*')[ \t]*:(?:[ \t]|$)`)

// quotedLineKey returns the quoted mapping key that line text starts, as
// the line writes it ("\"we b\"") and as YAML reads it ("we b"), and
// whether there is one.
func quotedLineKey(text string) (written, key string, ok bool) {
	s := strings.TrimLeft(text, " \t")
	for strings.HasPrefix(s, "- ") {
		s = strings.TrimLeft(s[2:], " \t")
	}
	m := quotedKey.FindStringSubmatch(s)
	if m == nil || yaml.Unmarshal([]byte(m[1]), &key) != nil {
		return "", "", false
	}
	return m[1], key, true
}

package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// MaxFileSize is the largest configuration file Load and Parse read.
const MaxFileSize = 1 << 20

// MaxMappingKeys is the most keys one mapping of a file may hold (a
// channel's headers, say): far more than any configuration needs, and few
// enough that the YAML library's check of every pair of a mapping's keys,
// made each time it decodes one, stays quick.
const MaxMappingKeys = 1000

// Store kinds.
const (
	StoreMemory = "memory" // broadcast.NewMemoryStore: forgets on exit
	StoreBolt   = "bolt"   // broadcast/boltstore: a file on this machine
)

// LookupEnv returns the value of an environment variable and whether it is
// set, like os.LookupEnv.
type LookupEnv func(name string) (string, bool)

// Loader loads configuration files. Its zero value reads the process's
// environment, gives console channels the process's standard output and
// error, and knows Kinds().
type Loader struct {
	// LookupEnv reads environment variables; default os.LookupEnv.
	LookupEnv LookupEnv
	// Stdout is where console channels write by default; default
	// os.Stdout.
	Stdout io.Writer
	// Stderr is where console channels with "output: stderr" write;
	// default os.Stderr.
	Stderr io.Writer
	// Kinds are the kinds of channel a file may use; default Kinds(). Add
	// your own channel's Kind to load files that use it.
	Kinds []Kind
}

// Load reads and checks the configuration file at path with a zero Loader
// and builds its channels. It does no network I/O.
func Load(path string) (*File, error) { return Loader{}.Load(path) }

// Parse is Load of the file r, named name in errors; relative paths in it
// start at name's directory.
func Parse(r io.Reader, name string) (*File, error) { return Loader{}.Parse(r, name) }

// Load reads and checks the configuration file at path and builds its
// channels. It does no network I/O.
//
// A path that is a URL ("https://user:password@host/outagecast.yaml") is
// refused without quoting it: the error of opening it as a file would
// show its user and password.
func (l Loader) Load(path string) (*File, error) {
	if isURL(path) {
		return nil, errors.New("read config: the path is a URL (not quoted: it may hold credentials): give the configuration file's path")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	return l.Parse(f, path)
}

// Parse is Load of the file r, named name in errors; relative paths in it
// start at name's directory.
func (l Loader) Parse(r io.Reader, name string) (*File, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("read config: %s: larger than %d bytes", name, MaxFileSize)
	}
	l = l.withDefaults()
	ex := &expander{lookup: l.LookupEnv, dir: filepath.Dir(name), data: data}
	c, err := l.parse(name, filepath.Dir(name), data, ex)
	if err != nil {
		atSecret := ex.atSecret
		if atSecret == nil && ex.tree != nil {
			atSecret = secretScalars(ex.tree, l.Kinds, ex)
		}
		return nil, hideAfterName(err, name, ex.hider(writtenSecrets(ex.tree, l.Kinds, ex)), aliasedShortSecrets(ex.tree, atSecret))
	}
	c.hider = ex.hider()
	return c, nil
}

func (l Loader) withDefaults() Loader {
	if l.LookupEnv == nil {
		l.LookupEnv = os.LookupEnv
	}
	if l.Stdout == nil {
		l.Stdout = os.Stdout
	}
	if l.Stderr == nil {
		l.Stderr = os.Stderr
	}
	if l.Kinds == nil {
		l.Kinds = Kinds()
	}
	return l
}

// file is the top level of a configuration file.
type file struct {
	// State is the path of a bolt Store: shorthand for store: {kind:
	// bolt, path: …}.
	State          string        `yaml:"state" json:"state"`
	Store          *storeFile    `yaml:"store" json:"store"`
	Templates      string        `yaml:"templates" json:"templates"`
	AttemptTimeout time.Duration `yaml:"attempt_timeout" json:"attempt_timeout"`
	Retry          retryFile     `yaml:"retry" json:"retry"`
	Stages         [][]string    `yaml:"stages" json:"stages"`
	StageWait      time.Duration `yaml:"stage_wait" json:"stage_wait"`
	Channels       []yaml.Node   `yaml:"channels" json:"channels"`
}

type storeFile struct {
	Kind string `yaml:"kind" json:"kind"`
	Path string `yaml:"path" json:"path"`
}

type retryFile struct {
	MaxAttempts     int           `yaml:"max_attempts" json:"max_attempts"`
	InitialInterval time.Duration `yaml:"initial_interval" json:"initial_interval"`
	MaxInterval     time.Duration `yaml:"max_interval" json:"max_interval"`
	MaxElapsed      time.Duration `yaml:"max_elapsed" json:"max_elapsed"`
}

var fileType = reflect.TypeFor[file]()

func (l Loader) parse(name, dir string, data []byte, ex *expander) (*File, error) {
	var faults []error // of the whole file, named together in file order
	root, valuesOK, err := l.root(name, data, ex, &faults)
	if err != nil {
		return nil, err
	}
	var f file
	switch err := root.Decode(&f); {
	case err != nil && valuesOK:
		return nil, joinFaults(append(faults, yamlError(name, err)))
	case err != nil && len(f.Channels) == 0:
		// A merge of no mapping, refused ("retry: {<<: 3}"), stops the
		// decoding where it is: the channels are read on their own, for
		// their faults to be named, and none to be taken for missing.
		if v := merged(root, "channels"); v != nil && v.Kind == yaml.SequenceNode {
			_ = v.Decode(&f.Channels)
		}
	} // else what decodes: the values refused are named
	f.check(name, root, ex, &faults)
	env := &Env{Dir: dir, stdout: l.Stdout, stderr: l.Stderr, outputs: new([]io.Writer)}
	b := &builder{file: name, env: env, kinds: l.Kinds, ex: ex}
	var tmplDir fs.FS
	var tmplRefused []error // New's, each about a file or the directory
	tmplLine := lineOf(root, []string{"templates"})
	if f.Templates != "" {
		// An error may quote the directory, a value from the
		// environment that a channel takes for a secret: every channel
		// is built, so its secrets are known, before Load returns it.
		dir, err := env.dirFS(f.Templates)
		switch {
		case err != nil:
			faults = append(faults, faultf(name, tmplLine, "templates: %w", err))
		default:
			// New names every file it refuses, in an error of its own
			// that names the file after "templates: ". The channels then
			// take the templates of the files it took (the defaults where
			// it could not read the directory), and the directory's names
			// are still checked.
			set, err := templates.New(dir)
			tmplRefused, env.Templates, tmplDir = unjoin(err), set, dir
		}
	}
	out, refused := b.buildAll(root, f.Channels, &faults)
	if tmplDir != nil {
		unrendered := checkTemplateFiles(tmplDir, l.Kinds, b.named)
		if len(refused) > 0 { // the templates a refused channel names are not known
			unrendered = leaveMaybeNamed(unrendered, refused, templateKeys(l.Kinds))
		}
		secretName := func(string) bool { return false }
		if len(unrendered) > 0 || len(tmplRefused) > 0 {
			secretName = secretFileNames(writtenSecrets(root, l.Kinds, ex))
		}
		for _, err := range templateFaults(tmplRefused, unrendered, secretName) {
			faults = append(faults, faultf(name, tmplLine, "templates: %w", err))
		}
	}
	b.stages(root, f.Stages, out.Channels, refused, &faults)
	if len(faults) > 0 {
		return nil, joinFaults(faults)
	}
	out.Path, out.consoles, out.root = name, *env.outputs, root
	out.Retry, out.AttemptTimeout = broadcast.RetryPolicy(f.Retry), f.AttemptTimeout
	out.StageWait, out.Store = f.StageWait, f.store(env)
	if out.Store.Key != "" {
		out.Store.Line = lineOf(root, strings.Split(out.Store.Key, "."))
	}
	out.Stages = f.Stages
	return out, nil
}

// unjoin returns the errors errors.Join joined into err, or err alone;
// none for nil.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

// emptyDocument reports whether doc holds nothing: a "---" at the end of
// a file, with at most comments after it.
func emptyDocument(doc *yaml.Node) bool {
	if len(doc.Content) == 0 {
		return true
	}
	n := doc.Content[0]
	return len(doc.Content) == 1 && n.Kind == yaml.ScalarNode && n.Tag == "!!null" && (n.Value == "" || n.Value == "~" || n.Value == "null")
}

// root parses data, checks its keys and values and expands the
// environment in it. It adds to faults those of its faults after which
// the file may be decoded and its channels built, and returns an error
// (that names them too) for the others; valuesOK is false when a value
// of the file's own keys has the wrong type, which decoding leaves out.
func (l Loader) root(name string, data []byte, ex *expander, faults *[]error) (root *yaml.Node, valuesOK bool, err error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF):
		return nil, false, faultf(name, 0, "empty file: no channels")
	case err != nil:
		return nil, false, syntaxError(name, data, err)
	}
	for {
		var more yaml.Node
		err := dec.Decode(&more)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, false, syntaxError(name, data, err)
		}
		if !emptyDocument(&more) {
			return nil, false, faultf(name, more.Line, "a second YAML document (after ---): a configuration is one document")
		}
	}
	if len(doc.Content) == 0 {
		return nil, false, faultf(name, 0, "empty file: no channels")
	}
	root = doc.Content[0]
	// Each check names every fault it finds, and the faults of those
	// that leave the file fit to go on are named with those of the
	// checks after them, the channels' included.
	var errs []error
	checkMappings(name, nil, root.Line, root, &errs)
	if len(errs) > 0 {
		return nil, false, joinFaults(errs)
	}
	if _, err := expandedSize(name, root, map[*yaml.Node]int{}); err != nil {
		return nil, false, err
	}
	ex.tree = root
	checkAnchors(name, nil, root, aliased(root, map[*yaml.Node]bool{}), &errs)
	checkBlockHeaders(name, nil, root, data, &errs)
	if len(errs) > 0 {
		return nil, false, joinFaults(errs)
	}
	_ = walker{file: name, keys: true, faults: faults}.walk("", root, fileType)
	checkState(name, root, faults)
	if ex.walk(name, "", root, &errs); len(errs) > 0 {
		return nil, false, joinFaults(append(*faults, errs...))
	}
	ex.atSecret = secretScalars(root, l.Kinds, ex)
	before := len(*faults)
	_ = walker{file: name, values: true, ex: ex, faults: faults}.walk("", root, fileType)
	return root, len(*faults) == before, nil
}

// checkMappings refuses a key given twice in one mapping below n, at the
// key path at leads to, a key that is not text (null included), a mapping of more than MaxMappingKeys
// keys and a tag of the file's own (checkTag), before anything decodes
// the file: the YAML library compares every pair of a mapping's
// keys, and records an error for every pair alike, so that a few thousand
// copies of one line took minutes and gigabytes. line is that of the
// path's key. Aliases are not followed: the mapping an anchor names is checked
// where it is written. It adds every fault it finds to faults, and writes
// the path of no other node.
func checkMappings(name string, at *pathStep, line int, n *yaml.Node, faults *[]error) {
	if err := checkTag(name, at, n); err != nil {
		*faults = append(*faults, err)
	}
	switch n.Kind {
	case yaml.SequenceNode:
		for i, c := range n.Content {
			checkMappings(name, &pathStep{up: at, index: i}, c.Line, c, faults)
		}
	case yaml.MappingNode:
		type key struct {
			kind  yaml.Kind
			value string
		}
		seen := make(map[key]int, len(n.Content)/2) // key → its line
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			below := &pathStep{up: at, key: k.Value, isKey: true}
			if err := checkTag(name, below, k); err != nil {
				// The key's text may be the rest of a password: not in
				// the path of another fault.
				*faults = append(*faults, err)
				continue
			}
			switch line, dup := seen[key{k.Kind, k.Value}]; {
			case k.Kind != yaml.ScalarNode:
				// The checks name keys by their text; an alias's is its
				// name, not the value decoding reads.
				*faults = append(*faults, faultf(name, k.Line, "%sa key that is a list, a mapping or an alias: write the key as text",
					prefix(at.String())))
			case k.ShortTag() == "!!null":
				// Decoded into a map of text (headers), the library leaves
				// such a key out without an error.
				*faults = append(*faults, faultf(name, k.Line, "%sa key that is null (%s): write it as text, in quotes",
					prefix(at.String()), k.Value))
			case dup: // the library's test of a key given twice: same kind, same text
				*faults = append(*faults, faultf(name, k.Line, "%s: key given twice in one mapping (first at line %d)", below, line))
			default:
				seen[key{k.Kind, k.Value}] = k.Line
			}
			if k.Tag == "!!merge" { // "<<: {…}": its keys are n's
				below = at
			}
			checkMappings(name, below, k.Line, n.Content[i+1], faults)
		}
		if len(n.Content)/2 > MaxMappingKeys {
			*faults = append(*faults, faultf(name, line, "%smore than %d keys", prefix(at.String()), MaxMappingKeys))
		}
	}
}

// checkTag refuses node n, at the key path at leads to, when it has a tag of its own
// ("!name", "!!name") rather than one of YAML's (!!str): no key takes one, and it
// is most likely a value that starts with "!", a password, read as a tag,
// and the value as the text after it, or nothing. The tag is not quoted:
// it may be that password.
func checkTag(name string, at *pathStep, n *yaml.Node) error {
	if n.Kind == yaml.AliasNode || n.Tag == "" || n.Tag == "!" || slices.Contains(yamlTags, n.ShortTag()) {
		return nil
	}
	return faultf(name, n.Line, `%sa tag of its own (not quoted: it may be a secret): a value that starts with "!" is a tag; quote the value`,
		prefix(at.String()))
}

// yamlTags are the tags of YAML's own types. Another "!!name" is as
// much a value read as a tag as "!name" is.
var yamlTags = []string{"!!str", "!!int", "!!float", "!!bool", "!!null", "!!map", "!!seq", "!!binary", "!!timestamp", "!!merge"}

// maxExpanded bounds the values a file stands for with its aliases
// expanded, far above what a file without aliases can hold.
const maxExpanded = 1 << 20

// expandedSize returns the number of values n stands for with its
// aliases expanded, sizes holding those of the nodes walked (-1 while
// walking one). The checks follow aliases as decoding does, but without
// the YAML library's guards, which come later: so it refuses an alias
// inside its own anchor (the checks would recurse forever) and aliases
// that multiply a small file past maxExpanded values (a few lines, each
// naming the one before ten times, stand for billions).
func expandedSize(name string, n *yaml.Node, sizes map[*yaml.Node]int) (int, error) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		if sizes[n.Alias] < 0 {
			return 0, faultf(name, n.Line, "alias *%s inside its own anchor", n.Value)
		}
		n = n.Alias
	}
	if s, ok := sizes[n]; ok {
		return s, nil
	}
	sizes[n] = -1
	total := 1
	for _, c := range n.Content {
		s, err := expandedSize(name, c, sizes)
		if err != nil {
			return 0, err
		}
		if total += s; total > maxExpanded {
			return 0, faultf(name, c.Line, "aliases expand the file to more than %d values", maxExpanded)
		}
	}
	sizes[n] = total
	return total, nil
}

// aliased adds the nodes that an alias below n names to names, and
// returns it.
func aliased(n *yaml.Node, names map[*yaml.Node]bool) map[*yaml.Node]bool {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		names[n.Alias] = true
	}
	for _, c := range n.Content {
		aliased(c, names)
	}
	return names
}

// checkAnchors refuses a scalar below n, at the key path at leads to, with an anchor that
// no alias uses (names: the nodes aliases use): most likely a value that
// starts with "&", a password, which YAML reads as an anchor named by
// the value, and the value as what follows it, or nothing. The anchor is
// not quoted: it may be that password. Aliases are not followed. It
// adds every fault it finds to faults, and writes the path of no other
// node.
func checkAnchors(name string, at *pathStep, n *yaml.Node, names map[*yaml.Node]bool, faults *[]error) {
	eachScalar(at, n, func(at *pathStep, n *yaml.Node) {
		if n.Anchor != "" && !names[n] {
			*faults = append(*faults, faultf(name, n.Line, `%san anchor that no alias uses (not quoted: it may be a secret): `+
				`a value that starts with "&" is an anchor (&name); quote the value`, prefix(at.String())))
		}
	})
}

// eachScalar calls f with each scalar node below n (n itself, if it is
// one) and the path at leads to it: below a merge key ("<<: {…}") the
// path of the mapping it merges into, whose keys its keys are. Aliases
// are not followed, and no path is written: f writes the one it names.
func eachScalar(at *pathStep, n *yaml.Node, f func(at *pathStep, n *yaml.Node)) {
	switch n.Kind {
	case yaml.ScalarNode:
		f(at, n)
	case yaml.SequenceNode:
		for i, c := range n.Content {
			eachScalar(&pathStep{up: at, index: i}, c, f)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			below := &pathStep{up: at, key: n.Content[i].Value, isKey: true}
			if n.Content[i].Tag == "!!merge" {
				below = at
			}
			for _, c := range n.Content[i : i+2] {
				eachScalar(below, c, f)
			}
		}
	}
}

// checkBlockHeaders refuses a scalar below n, at the path at leads to, read empty
// from a block scalar's header followed by a "#" without a space between
// them ("password: |#Pa55…", ">-#…", "|2#…"), which the YAML library reads
// as the header and a comment, where YAML itself wants a space before the
// comment (c-b-block-header in
// https://yaml.org/spec/1.2.2/#811-block-scalar-headers): most likely a
// value that starts with "|" or ">", a password, that the file took for
// nothing. The header line of data, the file, tells it from "| # …", a
// comment on purpose. The value is not quoted: it may be that password.
// Aliases are not followed. It adds every fault it finds to faults, and
// writes the path of no other node.
func checkBlockHeaders(name string, at *pathStep, n *yaml.Node, data []byte, faults *[]error) {
	lines := newLineIndex(data)
	eachScalar(at, n, func(at *pathStep, n *yaml.Node) {
		if c := blockCommented(n, lines); c != "" {
			*faults = append(*faults, faultf(name, n.Line, `%sempty (to YAML, a %q then a "#" is a block scalar's header and a comment: `+
				`quote a value that starts with %q)`, prefix(at.String()), c, c))
		}
	})
}

// blockHash matches a block scalar's header, its indicators ("|", ">",
// then at most an indentation and a chomping indicator, in either order)
// and a "#" right after them.
var blockHash = regexp.MustCompile(`^([|>])[1-9+-]{0,2}#`)

// blockCommented returns "|" or ">" when n, a scalar read empty of the
// file lines indexes, is a block scalar whose header a "#" follows without
// a space; "" for any other node. The library's line and column of n are
// those of its first property (an anchor, a tag) or of its header.
func blockCommented(n *yaml.Node, lines *lineIndex) string {
	if n.Value != "" || n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 || n.Line == 0 || n.Column == 0 {
		return ""
	}
	rest, ok := lines.from(n.Line, n.Column) // the library counts columns in characters
	if !ok {
		return ""
	}
	for { // past "&anchor" and "!tag"
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" || (rest[0] != '&' && rest[0] != '!') {
			break
		}
		i := strings.IndexAny(rest, " \t")
		if i < 0 {
			return ""
		}
		rest = rest[i:]
	}
	if m := blockHash.FindStringSubmatch(rest); m != nil {
		return m[1]
	}
	return ""
}

// check adds every fault of the file's settings, but its channels', to
// faults.
func (f *file) check(name string, root *yaml.Node, ex *expander, faults *[]error) {
	fault := func(err error) { *faults = append(*faults, err) }
	if v := nodeAt(root, []string{"channels"}); len(f.Channels) == 0 && (v == nil || v.Kind == yaml.SequenceNode || v.ShortTag() == "!!null") {
		// A value of another type is a fault of its own.
		fault(faultf(name, root.Line, "channels: none configured"))
	}
	// at returns the fault of key, what is wrong with it formatted as
	// fmt.Errorf formats it.
	at := func(key, format string, args ...any) error {
		return faultf(name, lineOf(root, strings.Split(key, ".")), "%s: %w", key, fmt.Errorf(format, args...))
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{
		{"attempt_timeout", f.AttemptTimeout}, {"retry.initial_interval", f.Retry.InitialInterval},
		{"retry.max_interval", f.Retry.MaxInterval}, {"retry.max_elapsed", f.Retry.MaxElapsed},
		{"stage_wait", f.StageWait},
	} {
		if d.v < 0 {
			fault(at(d.key, "negative"))
		}
	}
	if f.Retry.MaxAttempts < 0 {
		fault(at("retry.max_attempts", "negative"))
	}
	// broadcast.New takes these without a word: every attempt would time
	// out, and the initial wait would raise the cap.
	if f.AttemptTimeout > 0 && f.AttemptTimeout < MinAttemptTimeout {
		fault(at("attempt_timeout", "%v is too short for a request (at least %v; leave it out for %v)",
			f.AttemptTimeout, MinAttemptTimeout, broadcast.DefaultAttemptTimeout))
	}
	if r := f.Retry; r.MaxInterval > 0 && r.InitialInterval > r.MaxInterval {
		fault(at("retry.initial_interval", "%v is longer than retry.max_interval (%v)", r.InitialInterval, r.MaxInterval))
	}
	if r := f.Retry; r.MaxInterval > 0 && r.InitialInterval == 0 && r.MaxInterval < broadcast.DefaultInitialInterval &&
		!refused[time.Duration](root, "retry.initial_interval") {
		// The default initial wait would raise the cap the file sets.
		fault(at("retry.max_interval", "%v is shorter than the default retry.initial_interval (%v): set retry.initial_interval too",
			r.MaxInterval, broadcast.DefaultInitialInterval))
	}
	for i, stage := range f.Stages {
		at := []string{"stages", fmt.Sprintf("[%d]", i)}
		if v := nodeAt(root, at); len(stage) == 0 && (v == nil || v.Kind == yaml.SequenceNode) { // broadcast.New drops it
			// A value of another type is a fault of its own.
			fault(faultf(name, lineOf(root, at), "stages[%d]: empty (a stage names at least one channel)", i))
		}
	}
	if f.Store != nil {
		switch {
		case f.State != "" || refused[string](root, "state"):
			fault(at("store", "set state or store, not both"))
		case f.Store.Kind != StoreMemory && f.Store.Kind != StoreBolt && f.Store.Kind != "":
			fault(at("store.kind", "unknown value %s (want %s or %s)", quotedAt(root, "store.kind", f.Store.Kind, ex), StoreBolt, StoreMemory))
		case f.Store.Kind == StoreMemory && f.Store.Path != "":
			fault(at("store.path", "set, but a memory store has no file"))
		case f.Store.Kind != StoreMemory && f.Store.Path == "" && !refused[string](root, "store.kind") &&
			!refused[string](root, "store.path"):
			fault(at("store.path", "missing (the bolt store's file)"))
		}
	}
	// A URL where the bolt file goes (a database's, with its password)
	// would be quoted by the error of opening it: refused here, unquoted.
	for key, path := range map[string]string{"state": f.State, "store.path": func() string {
		if f.Store == nil {
			return ""
		}
		return f.Store.Path
	}()} {
		if isURL(path) {
			fault(at(key, "%s: give the bolt store's file (this file opens no database server's store)", urlNotQuoted))
		}
	}
}

// refused reports whether the file gives key a value that does not decode
// as a T (checkValues named it): decoding left its setting at zero, which
// is not what the file says, and the checks of the settings do not judge
// that zero.
func refused[T any](root *yaml.Node, key string) bool {
	n := nodeAt(root, strings.Split(key, "."))
	var v T
	return n != nil && n.Decode(&v) != nil
}

// checkState refuses a state, templates or store.kind written empty
// (before expansion): most likely a variable that a tool writing the file
// lost, which would keep receipts in memory, or use the default
// templates, without a word; the schema refuses an empty store.kind too.
// ${NAME:-} is empty on purpose. It adds every fault it finds to faults.
func checkState(name string, root *yaml.Node, faults *[]error) {
	for _, k := range []struct{ key, instead string }{
		{"state", "leave state out, or write store: {kind: memory}, for a store that forgets on exit; " +
			"${NAME:-} for a state file that is optional"},
		{"templates", "leave templates out for the default templates; ${NAME:-} for a templates directory that is optional"},
		{"store.kind", "write bolt or memory, or leave kind out for bolt"},
	} {
		n := nodeAt(root, strings.Split(k.key, "."))
		for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		if n == nil || n.Kind != yaml.ScalarNode || n.Value != "" && n.ShortTag() != "!!null" {
			continue
		}
		*faults = append(*faults, faultf(name, lineOf(root, strings.Split(k.key, ".")), "%s: empty (%s)", k.key, k.instead))
	}
}

// quotedAt returns value, the value of the file's scalar at key, quoted
// for an error: a value from the environment as its reference, so that
// a secret put in the wrong key does not show, and a URL not at all.
func quotedAt(root *yaml.Node, key, value string, ex *expander) string {
	q := strconv.Quote(value)
	if n := nodeAt(root, strings.Split(key, ".")); n != nil && n.Kind == yaml.ScalarNode && n.Value == value {
		q = ex.quoted(n)
	}
	if isURL(q) {
		return urlNotQuoted
	}
	return q
}

// MinAttemptTimeout is the shortest attempt_timeout a file may set: less
// cannot make a request (a DNS lookup, a TLS handshake and an answer), so
// every attempt would time out.
const MinAttemptTimeout = time.Second

// store returns the file's Store settings, its path relative to the file.
func (f *file) store(env *Env) Store {
	switch {
	case f.State != "":
		return Store{Kind: StoreBolt, Path: env.Path(f.State), Key: "state"}
	case f.Store == nil || f.Store.Kind == StoreMemory:
		return Store{Kind: StoreMemory}
	}
	return Store{Kind: StoreBolt, Path: env.Path(f.Store.Path), Key: "store.path"}
}

// yamlLine matches the line of the YAML library's messages.
var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlError rewrites the YAML library's "yaml: unmarshal errors:\n  line
// 3: cannot unmarshal ..." as "name:3: cannot unmarshal ...".
func yamlError(name string, err error) error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := yamlLine.FindStringSubmatch(strings.TrimSpace(msg)); m != nil {
		line, _ := strconv.Atoi(m[1])
		return faultf(name, line, "%s", m[2])
	}
	return faultf(name, 0, "%s", strings.TrimPrefix(msg, "yaml: "))
}

// hide returns err with the secrets the file took from the environment
// hidden in its text (see redact.ReplaceError): it still matches with
// errors.Is what err matched, and does not unwrap, so the original text
// cannot be reached, but for a join's parts, each hidden so.
func hide(err error, h *hider) error {
	return redact.ReplaceError(err, h.Replace)
}

// faultPath matches the field path a fault's text starts with after
// "name:12:", as config writes it (renderKeys): keys of lower-case
// letters, digits and "_", a merge key "<<", and list indexes
// (" channels[0].when.statuses[2]", " stages[1][0]"), up to the ":" or
// the " (" after it. A header's name with an upper-case letter ends it.
var faultPath = regexp.MustCompile(`^ [a-z_][a-z0-9_]*(?:\[[0-9]+\]|\.[a-z_][a-z0-9_]*|\.<<)*(?:$|[: ])`)

// cutIndexes returns path with the digits of each list index in it
// ("[12]") replaced by slot, and those digits, in order. It reads path
// once: a path of thousands of indexes (a value nested thousands deep)
// costs its length, where a regular expression's search for each index
// would look at the whole path again.
func cutIndexes(path, slot string) (string, []string) {
	var b strings.Builder
	var digits []string
	for i := 0; i < len(path); {
		j := i + 1
		for path[i] == '[' && j < len(path) && '0' <= path[j] && path[j] <= '9' {
			j++
		}
		if path[i] != '[' || j == i+1 || j == len(path) || path[j] != ']' {
			b.WriteByte(path[i])
			i++
			continue
		}
		digits = append(digits, path[i+1:j])
		b.WriteString("[" + slot + "]")
		i = j + 1
	}
	return b.String(), digits
}

// hideAfterName is hide of err, Load's error about the file name, but for
// the name that starts each of its lines and the line number after it
// ("name:12: …"), kept as they are, and the list indexes of the field path
// after that ("channels[0].headers.x_key: …"), kept out of reach: they are
// the caller's, the file's and config's, no secret, and a value the file
// wrote that is common text (a header "X-Source: outagecast", the file's
// own name) would otherwise leave no line saying which file is wrong, nor
// a URL's short password ("https://bob:2@…", which is hidden where it
// stands apart) which line or which channel ("channels[REDACTED]"). The
// path's keys are hidden as the rest of the line is: a map's keys are the
// file's own (a webhook's header names), and a secret written as one by
// mistake is hidden there too. short holds, by the line of each alias
// that reaches secrets under minHidden bytes (aliasedShortSecrets), what
// hides them in the faults of that line (see wholeValues); a text whose
// lines cannot be told apart has every line's hidden in all of it.
func hideAfterName(err error, name string, h *hider, short aliasedValues) error {
	const mark = "\x00" // stands for a line's start; a text already holding it is hidden whole
	const slot = "\x01" // stands for a list index's digits; so too
	prefix := name + ":"
	return redact.ReplaceError(err, func(s string) string {
		if name == "" || strings.Contains(s, mark) || strings.Contains(s, slot) {
			return h.Replace(short.all.Replace(s))
		}
		lines := strings.SplitAfter(s, "\n")
		var starts []string      // the start each mark stands for, in order
		var indexes []string     // the digits each slot stands for, in order
		var aliased *wholeValues // of the line of the fault a line is of
		for i, line := range lines {
			rest, ok := strings.CutPrefix(line, prefix)
			if !ok {
				lines[i] = aliased.Replace(line) // a fault's line after its first
				continue
			}
			start := prefix
			aliased = nil
			if n := len(rest) - len(strings.TrimLeft(rest, "0123456789")); n > 0 && strings.HasPrefix(rest[n:], ":") {
				start, rest = prefix+rest[:n+1], rest[n+1:]
				line, _ := strconv.Atoi(start[len(prefix) : len(start)-1])
				aliased = short.byLine[line]
				rest = aliased.Replace(rest)
			}
			if path := faultPath.FindString(rest); path != "" {
				cut, digits := cutIndexes(path, slot)
				indexes = append(indexes, digits...)
				rest = cut + rest[len(path):]
			}
			starts = append(starts, start)
			lines[i] = mark + rest
		}
		withIndexes, ok := putBack(h.Replace(strings.Join(lines, "")), slot, indexes)
		if !ok {
			return h.Replace(s) // a secret took a slot with it: hide all
		}
		shown, ok := putBack(withIndexes, mark, starts)
		if !ok {
			return h.Replace(s) // a secret took a mark with it: hide all
		}
		return shown
	})
}

// putBack replaces each stand-in in s, in order, by the text kept for it,
// and reports false when s holds another number of stand-ins than texts
// kept (the redactor took one with a secret).
func putBack(s, standIn string, kept []string) (string, bool) {
	parts := strings.Split(s, standIn)
	if len(parts) != len(kept)+1 {
		return "", false
	}
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteString(kept[i-1])
		}
		b.WriteString(p)
	}
	return b.String(), true
}

package config

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// builder turns the channel entries of a file into channels.
type builder struct {
	file  string
	env   *Env
	kinds []Kind
	ex    *expander
	named []string // the templates the channels' Configs name
	// shorts holds the short secrets each channel entry writes, that
	// no name may be (see shortHolderOf), nor any fault quote as one.
	shorts []shortSecrets
	// secretNames holds the names of the channels built that the name
	// check refused for holding a secret: no fault of the stages quotes
	// them (one under 6 bytes is not hidden).
	secretNames map[string]bool
	// kindNames is the list of the kinds' names and aliases a fault of
	// an entry of no kind known quotes, made at the first such fault.
	kindNames string
}

// head is what every full-form entry says first: its kind.
type head struct {
	Kind string `yaml:"kind"`
	Type string `yaml:"type"`
}

// headKeys holds the nodes of head's keys, whose Kind is 0 when the entry
// lacks the key, even merged in; null and "" values are nodes too.
type headKeys struct {
	Kind yaml.Node `yaml:"kind"`
	Type yaml.Node `yaml:"type"`
}

// short is a channel written as a mapping with a URL, to give it a name or
// a route: {url: "${SLACK_URL}", name: ops, when: {…}}.
type short struct {
	URL  string `yaml:"url" json:"url"`
	Name string `yaml:"name" json:"name"`
	When *when  `yaml:"when" json:"when"`
}

// buildAll builds the channels of the file's entries (root is the file's
// top level, nodes its channels decoded as nodes), adding to faults the
// faults of every entry refused, of every name used twice or holding a
// secret and every fault of every "when:". It returns the channels built
// and the entries refused.
func (b *builder) buildAll(root *yaml.Node, nodes []yaml.Node, faults *[]error) (out *File, refused []*yaml.Node) {
	out = &File{Routes: map[string]broadcast.Route{}, specs: map[string]reflect.Type{}, described: map[string]string{}}
	seen := map[string]int{}
	entries := channelEntries(root, nodes)
	builds := make([]built, len(entries))
	failed := make([][]error, len(entries)) // the faults of each channel that could not be built
	b.shorts = make([]shortSecrets, len(entries))
	for j, entry := range entries {
		b.shorts[j] = entryShortSecrets(entry, b.kinds, b.ex)
	}
	for i, entry := range entries {
		builds[i], failed[i] = b.build(fmt.Sprintf("channels[%d]", i), entry)
	}
	// Every channel built, every secret is known: a name may hold one of
	// a channel after it. Only the name of a channel built is checked:
	// when every entry was refused (a file of thousands of faults), no
	// entry's secrets are looked for here.
	var written []nameSecrets
	var held []heldSecrets // as written holds them, as text
	if slices.ContainsFunc(failed, func(f []error) bool { return f == nil }) {
		written = make([]nameSecrets, len(entries))
		held = make([]heldSecrets, len(entries))
	}
	for j, entry := range entries[:len(held)] {
		held[j] = entrySecrets(entry, b.kinds, b.ex)
		for _, v := range held[j].values {
			written[j].secrets = append(written[j].secrets, redact.NewSecret(v))
		}
		for _, v := range held[j].urls {
			written[j].urls = append(written[j].urls, redact.NewURL(v))
		}
	}
	for i, got := range builds {
		if failed[i] != nil {
			*faults = append(*faults, failed[i]...)
			refused = append(refused, entries[i])
			continue
		}
		entry, path := entries[i], fmt.Sprintf("channels[%d]", i)
		name := got.ch.Name()
		if ref := b.ex.secretIn(name); ref != "" {
			// The channels refuse a name holding a secret of their own
			// Config; this one holds a variable's that is a secret by its
			// name, or another channel's. Not taken as a name, so that no
			// other fault quotes it.
			*faults = append(*faults, faultf(b.file, lineOf(entry, []string{"name"}), "%s.name: holds %s, a secret (a channel's name is shown in results, "+
				"events, logs and errors: choose another)", path, ref))
			b.secretName(name)
		} else if j := holderOf(name, written); j >= 0 {
			// A secret another channel's entry wrote in the file (an
			// alias of it, "name: *pw", or the same text again), or took
			// from the environment: the channel packages look only at
			// their own Config.
			*faults = append(*faults, faultf(b.file, lineOf(entry, []string{"name"}), "%s.name: holds %s (a channel's name is shown in results, "+
				"events, logs and errors: choose another)", path, b.secretSource(entries[j], j, name, held[j])))
			b.secretName(name)
		} else if j := shortHolderOf(entry, name, b.shorts); j >= 0 {
			// A secret under MinNameSecret bytes, which CheckName leaves
			// alone, as a name may hold one by chance: the name is one.
			*faults = append(*faults, faultf(b.file, lineOf(entry, []string{"name"}), "%s.name: holds %s (a channel's name is shown in results, "+
				"events, logs and errors: choose another)", path, b.secretSource(entries[j], j, name, held[j])))
			b.secretName(name)
		} else if j, dup := seen[name]; dup {
			*faults = append(*faults, faultf(b.file, entry.Line, "%s: name %q: already used by channels[%d]; give each channel a name",
				path, name, j))
		} else {
			seen[name] = i
		}
		if got.template != "" {
			b.named = append(b.named, got.template)
		}
		out.Channels = append(out.Channels, got.ch)
		out.specs[name], out.described[name] = got.spec, b.ex.unsecret(got.desc, got.secrets)
		if got.route != nil {
			r, errs := b.route(path, entry, got.route)
			*faults = append(*faults, errs...)
			out.Routes[name] = r
		}
	}
	return out, refused
}

// secretSource says where the secret of channels[j] (entry, whose
// secrets held holds) that name holds comes from, for the fault of the
// name: "a secret written in channels[j]", or, when the environment (or
// a file, by ${file:PATH}) gave it, "a secret that channels[j] takes from
// ${REF}", naming the references that gave it, never their values, or
// "takes in part from ${REF}" for a reference that gave a part of it
// ("Zq8xKw5v${PW_TAIL}"). The one place that words it.
//
// A secret came from the environment when a value the entry took from
// it holds that secret (as is or percent-decoded: a password in a URL),
// the secret being one of the entry's that name is or holds; or when the
// name holds a value of the environment the entry took that is a secret
// (its password, or a URL's credentials, as redact.CheckName finds
// them).
func (b *builder) secretSource(entry *yaml.Node, j int, name string, held heldSecrets) string {
	var matched []string // the secrets of the entry that name is or holds
	for _, s := range append(slices.Clone(held.values), b.shorts[j].texts...) {
		if s != "" && (s == name || len(s) >= redact.MinNameSecret && redact.CheckName(name, []redact.Secret{redact.NewSecret(s)}, nil) != nil) {
			matched = append(matched, s)
		}
	}
	inHolder := map[envValue]bool{} // the values taken by the scalars that hold a matched secret
	var holders func(n *yaml.Node)
	holders = func(n *yaml.Node) {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			holders(n.Alias) // as usedBelow reads it
			return
		}
		if n.Kind == yaml.ScalarNode && len(b.ex.used[n]) > 0 {
			texts := []string{n.Value}
			if d, err := url.PathUnescape(n.Value); err == nil {
				texts = append(texts, d)
			}
			if d, err := url.QueryUnescape(n.Value); err == nil {
				texts = append(texts, d)
			}
			if slices.ContainsFunc(matched, func(s string) bool {
				return slices.ContainsFunc(texts, func(t string) bool { return strings.Contains(t, s) })
			}) {
				for _, v := range b.ex.used[n] {
					inHolder[v] = true
				}
			}
		}
		for _, c := range n.Content {
			holders(c)
		}
	}
	holders(entry)
	var refs, parts []string // the references that gave a secret whole, and in part
	for _, v := range b.ex.usedBelow(entry, nil) {
		if v.value == "" {
			continue
		}
		forms := []string{v.value}
		if d, err := url.PathUnescape(v.value); err == nil && d != v.value {
			forms = append(forms, d)
		}
		if d, err := url.QueryUnescape(v.value); err == nil && d != v.value {
			forms = append(forms, d)
		}
		gave := slices.ContainsFunc(matched, func(s string) bool {
			return slices.ContainsFunc(forms, func(f string) bool { return strings.Contains(f, s) })
		})
		if !gave && b.ex.secrets[v.value] != "" {
			gave = redact.CheckName(name, []redact.Secret{redact.NewSecret(v.value)}, []redact.URL{redact.NewURL(v.value)}) != nil
		}
		if gave {
			refs = append(refs, v.ref)
		} else if inHolder[v] && slices.ContainsFunc(matched, func(s string) bool {
			return slices.ContainsFunc(forms, func(f string) bool { return strings.Contains(s, f) })
		}) {
			// Part of the secret: "Zq8xKw5v${PW_TAIL}". Only a value
			// the scalar holding the secret took: another key's (a
			// name's "1") that the secret holds by chance is none.
			parts = append(parts, v.ref)
		}
	}
	slices.Sort(refs)
	slices.Sort(parts)
	refs, parts = slices.Compact(refs), slices.Compact(parts)
	switch {
	case len(refs) > 0 && len(parts) > 0:
		return fmt.Sprintf("a secret that channels[%d] takes from %s, and in part from %s", j, strings.Join(refs, " and "), strings.Join(parts, " and "))
	case len(refs) > 0:
		return fmt.Sprintf("a secret that channels[%d] takes from %s", j, strings.Join(refs, " and "))
	case len(parts) > 0:
		return fmt.Sprintf("a secret that channels[%d] takes in part from %s", j, strings.Join(parts, " and "))
	}
	return fmt.Sprintf("a secret written in channels[%d]", j)
}

// secretName records name, a channel's name refused for holding a
// secret, in b.secretNames.
func (b *builder) secretName(name string) {
	if b.secretNames == nil {
		b.secretNames = map[string]bool{}
	}
	b.secretNames[name] = true
}

// nameSecrets are the secrets of a channel's entry (entrySecrets) as
// redact.CheckName takes them.
type nameSecrets struct {
	secrets []redact.Secret
	urls    []redact.URL
}

// holderOf returns the index of the first entry whose secrets, written
// holds for each entry, name holds, as redact.CheckName decides (6 bytes
// or more, in any encoding; the secrets it finds in a URL), or -1.
func holderOf(name string, written []nameSecrets) int {
	for j, w := range written {
		if redact.CheckName(name, w.secrets, w.urls) != nil {
			return j
		}
	}
	return -1
}

// shortHolderOf returns the index of the first entry whose short
// secrets (short holds each entry's) name is, the name the entry n
// writes: an alias of one of them, or its text. It returns -1 when name
// is none of them, or n writes no name (a kind's name is no secret).
func shortHolderOf(n *yaml.Node, name string, short []shortSecrets) int {
	v := merged(n, "name")
	for j, s := range short {
		if s.holds(v, name) {
			return j
		}
	}
	return -1
}

// route returns the broadcast.Route of w, the "when:" of the entry n at
// path, and a fault for each of its values refused, at its key.
func (b *builder) route(path string, n *yaml.Node, w *when) (broadcast.Route, []error) {
	r, errs := w.route()
	var faults []error
	for _, err := range errs {
		keys := append([]string{"when"}, err.keys...)
		msg := err.msg
		if v := nodeAt(n, keys); v != nil && v.Kind == yaml.ScalarNode {
			msg = b.ex.requote(msg, v)
		}
		faults = append(faults, faultf(b.file, lineOf(n, keys), "%s.%s: %s", path, renderKeys(keys), msg))
	}
	return r, faults
}

// refusedWhen returns faults, those of the entry n at path that refuse it,
// with the faults of its "when:", so that the entry is mended in one go:
// those of w, its "when:" as it decoded, or, for a nil w, of the "when:"
// that decodes of n, unless a key or a value below it is one refused
// (refused: its fault is named, and the others of the "when:" may follow
// from it, as "first: needs statuses" from statuses misspelled) or it
// does not decode.
func (b *builder) refusedWhen(path string, n *yaml.Node, w *when, refused map[*yaml.Node]bool, faults []error) []error {
	if w == nil {
		v := merged(n, "when")
		var e struct {
			When *when `yaml:"when"`
		}
		if v == nil || holdsNode(v, refused) || n.Decode(&e) != nil || e.When == nil {
			return faults
		}
		w = e.When
	}
	_, errs := b.route(path, n, w)
	return append(faults, errs...)
}

// kindless returns err, the fault of the full-form entry n at path whose
// kind is not known, with the faults of its "when:", whose keys and
// values are checked as its kind's would be, as fromShort names those of
// an entry whose URL no kind takes.
func (b *builder) kindless(path string, n *yaml.Node, err error) []error {
	faults := []error{err}
	refused := map[*yaml.Node]bool{}
	faults = append(faults, checkBelow(b.file, path, n, "when", reflect.TypeFor[*when](), b.ex, refused)...)
	return b.refusedWhen(path, n, nil, refused, faults)
}

// holdsNode reports whether n, or a node below it (aliases followed), is
// one of nodes.
func holdsNode(n *yaml.Node, nodes map[*yaml.Node]bool) bool {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if nodes[n] {
		return true
	}
	for _, c := range n.Content {
		if holdsNode(c, nodes) {
			return true
		}
	}
	return false
}

// channelEntries returns the channel entries of the file whose top level
// is root and whose channels decoded as nodes: the file's own nodes,
// which the expander knows, not copies.
func channelEntries(root *yaml.Node, nodes []yaml.Node) []*yaml.Node {
	if v := nodeAt(root, []string{"channels"}); v != nil && v.Kind == yaml.SequenceNode && len(v.Content) == len(nodes) {
		return v.Content
	}
	entries := make([]*yaml.Node, len(nodes))
	for i := range nodes {
		entries[i] = &nodes[i]
	}
	return entries
}

// build builds the channel of the entry at path, or returns the faults
// it is refused for: every one the file's checks find in it (its keys,
// its values, those not among the values its kind lists, and its
// "when:"), the one its kind's package refuses its Config for, or that
// its kind is not known, each with the faults of its "when:", and a name
// written empty with any of them.
func (b *builder) build(path string, n *yaml.Node) (built, []error) {
	n, alias := unalias(n)
	empty := b.emptyName(path, n)
	got, faults := b.buildEntry(path, n)
	if empty != nil {
		if faults == nil && got.route != nil { // built with the kind's name: refused all the same
			_, faults = b.route(path, n, got.route)
		}
		got, faults = built{}, append([]error{empty}, faults...)
	}
	if alias != nil { // "- *e": each fault is at the alias, as every fault reached through one
		for i, err := range faults {
			faults[i] = atLine(err, alias.Line)
		}
	}
	return got, faults
}

// emptyName returns the fault of the entry n at path when its name is
// written empty (name: "", merged in or not), else nil. As "name:" with no
// value, it is most likely a value a tool writing the file lost, not a
// wish for the kind's name.
func (b *builder) emptyName(path string, n *yaml.Node) error {
	if v := merged(n, "name"); v != nil && v.Kind == yaml.ScalarNode && v.Value == "" && v.ShortTag() == "!!str" && !b.ex.expanded(v) {
		return faultf(b.file, lineOf(n, []string{"name"}), "%s.name: empty (write the channel's name, or leave the key out for the kind's; "+
			"${NAME:-} for a name that is optional)", path)
	}
	return nil
}

// buildEntry is build of the entry n, not an alias, but for a name
// written empty, which build checks.
func (b *builder) buildEntry(path string, n *yaml.Node) (built, []error) {
	one := func(err error) (built, []error) { return built{}, []error{err} }
	at := place{n.Line, path}
	switch {
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" && b.emptyRef(n) == "":
		got, err := b.fromURL(n, at, n.Value, "", nil)
		if err != nil {
			return built{}, joined(err)
		}
		return got, nil
	case n.Kind != yaml.MappingNode:
		return one(b.fault(at, "%swant a channel URL, or a mapping with a kind", b.emptyRef(n)))
	}
	if err := checkHead(b.file, path, n, reflect.TypeFor[head](), b.ex); err != nil {
		return one(err)
	}
	// One decode of the entry: its faults are those of the mapping (a key
	// twice, a merge of no mapping), which a decode as head has too and
	// names first; the value of kind (or type) is then read on its own.
	keys, err := decoded[headKeys](n)
	if err != nil {
		return one(yamlError(b.file, err))
	}
	hasKind, hasType := keys.Kind.Kind != 0, keys.Type.Kind != 0
	switch {
	case !hasKind && !hasType:
		return b.fromShort(path, at, n)
	case hasKind && hasType:
		return built{}, b.kindless(path, n, b.fault(at, "kind and type: set one (type is the older name of kind)"))
	}
	v, key := keys.Kind, "kind"
	if hasType {
		v, key = keys.Type, "type"
	}
	written, err := headValue(v)
	if err != nil {
		return one(yamlError(b.file, err))
	}
	k, ok := b.kind(written)
	if !ok {
		q := strconv.Quote(written)
		if v := nodeAt(n, []string{key}); v != nil {
			q = b.ex.quoted(v) // the reference, not the value
		}
		problem := "unknown value " + q
		if isURL(q) { // a channel URL, given as its kind
			problem = "unknown value, " + urlNotQuoted + ": write a channel URL as the entry itself, or as url"
		}
		if written == "" {
			problem = "empty"
		}
		return built{}, b.kindless(path, n, b.fault(at, "%s: %s (one of %s)", key, problem, b.nameList()))
	}
	t := k.impl.entryType()
	refused := map[*yaml.Node]bool{} // the keys checkKeys and the values checkValues refused
	faults := checkKeys(b.file, path, n, t, refused)
	faults = append(faults, checkValues(b.file, path, n, t, b.ex, refused)...)
	faults = append(faults, checkEnums(b.file, path, n, k.impl.enums(), b.ex, refused)...)
	if len(faults) > 0 {
		// Refused, its secrets known all the same: the faults of the
		// other channels, named with this one's, may quote them.
		b.ex.markSecrets(n, k.impl.secretsOf(n))
		return built{}, b.refusedWhen(path, n, nil, refused, faults)
	}
	got, err := k.impl.fromNode(b.env, written, n)
	b.ex.markSecrets(n, got.secrets)
	var de *decodeError
	switch {
	case errors.As(err, &de):
		return one(yamlError(b.file, de.err))
	case err != nil:
		return built{}, b.refusedWhen(path, n, got.route, nil, b.channelErrors(path, n, k, written, err))
	}
	return got, nil
}

// decoded returns n decoded as a T, as n.Decode reads it, but for a
// mapping of no key ("{}", of any tag), which decodes to T's zero value
// without error: it is not decoded, nor is anything allocated for it, as
// a file may hold thousands.
func decoded[T any](n *yaml.Node) (T, error) {
	if n.Kind == yaml.MappingNode && len(n.Content) == 0 {
		var zero T
		return zero, nil
	}
	out := new(T)
	err := n.Decode(out)
	return *out, err
}

// headValue returns the text of v, the value of an entry's kind or type,
// as a decode of the entry as head reads it: a scalar of text is its
// value, any other node is decoded.
func headValue(v yaml.Node) (string, error) {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!str" {
		return v.Value, nil
	}
	return decodedText(v)
}

// decodedText returns v decoded as text: apart from headValue, which
// copies no node to the heap to read a scalar of text.
func decodedText(v yaml.Node) (string, error) {
	return decoded[string](&v)
}

// fromShort builds a channel written as {url: …, name: …, when: …}, or
// returns the faults it is refused for, as build does.
func (b *builder) fromShort(path string, at place, n *yaml.Node) (built, []error) {
	t := reflect.TypeFor[short]()
	refused := map[*yaml.Node]bool{} // the keys checkKeys and the values checkValues refused
	faults := checkKeysHint(b.file, path, n, t, refused, " (or give the channel a kind)")
	faults = append(faults, checkValues(b.file, path, n, t, b.ex, refused)...)
	if len(faults) > 0 {
		b.refusedShort(n, at)
		return built{}, b.refusedWhen(path, n, nil, refused, faults)
	}
	s, err := decoded[short](n)
	if err != nil {
		return built{}, []error{yamlError(b.file, err)}
	}
	if v := nodeAt(n, []string{"url"}); s.URL == "" && v != nil && b.emptyRef(v) != "" {
		return built{}, b.refusedWhen(path, n, s.When, nil, []error{faultf(b.file, lineOf(n, []string{"url"}), "%s.url: %swant a channel URL", path, b.emptyRef(v))})
	}
	if s.URL == "" {
		return built{}, b.refusedWhen(path, n, s.When, nil, []error{b.fault(at, "kind: missing (one of %s), or a url", b.nameList())})
	}
	got, err := b.fromURL(n, place{lineOf(n, []string{"url"}), path}, s.URL, s.Name, s.When)
	if err != nil {
		return built{}, b.refusedWhen(path, n, s.When, nil, joined(err))
	}
	return got, nil
}

// refusedShort makes the secrets of the URL of the short-form entry n,
// refused before its URL was read, known all the same, as of a full-form
// entry refused: the faults of the other channels, named with this one's,
// may quote them (a name that holds its password). Its URL is what of the
// entry decodes.
func (b *builder) refusedShort(n *yaml.Node, at place) {
	var s short
	_ = n.Decode(&s) // what decodes
	if s.URL != "" {
		_, _ = b.fromURL(n, at, s.URL, "", nil)
	}
}

// emptyRef returns "${NOPE_URL:-} is empty: " when scalar n is empty
// because a reference gave nothing ("${NAME:-}" is empty on purpose), so
// that an error about the empty value says where it came from; else "".
func (b *builder) emptyRef(n *yaml.Node) string {
	src, ok := b.ex.source[n]
	if !ok || n.Kind != yaml.ScalarNode || n.Value != "" {
		return ""
	}
	return src + " is empty: "
}

// fromURL builds the channel of a URL, written in the entry n.
func (b *builder) fromURL(n *yaml.Node, at place, raw, name string, w *when) (built, error) {
	got, err := b.buildURL(n, at, raw, name)
	got.secrets.urls = append(got.secrets.urls, raw) // also when it does not parse
	b.ex.markSecrets(n, got.secrets)
	if err != nil {
		return built{}, err
	}
	got.route = w
	return got, nil
}

// buildURL builds the channel of a URL, written in the entry n with the
// name name. Its errors never quote the URL: it may hold credentials.
func (b *builder) buildURL(n *yaml.Node, at place, raw, name string) (built, error) {
	if plainHostless(raw) { // no scheme: what url.Parse would say, without it
		return built{}, b.fault(at, "want a channel URL (scheme://…), or a mapping with a kind")
	}
	u, err := url.Parse(raw)
	var ue *url.Error
	if errors.As(err, &ue) && strings.Contains(raw, "://") {
		// ue.Err says what is wrong without the URL ("invalid port ":abc"
		// after host", "invalid URL escape "%zz""); ue itself quotes it.
		// The fault is of the key that holds the URL, and says what finds
		// it: its scheme, and the reference it came from whole; never its
		// host, which a password's "/" may have cut out of the password.
		src := n
		if n.Kind == yaml.MappingNode {
			at.key += ".url"
			src = nodeAt(n, []string{"url"})
		}
		return built{}, b.fault(at, "bad channel URL: %s%s", urlProblem(raw, ue.Err.Error()), b.urlFinder(src, raw))
	}
	if err != nil || u.Scheme == "" {
		return built{}, b.fault(at, "want a channel URL (scheme://…), or a mapping with a kind")
	}
	k, ok := b.scheme(u.Scheme)
	switch {
	case !ok && !strings.HasPrefix(raw[len(u.Scheme):], "://"):
		// Not quoted: without "//" the "scheme" is the text before the
		// first ":" of whatever was written, a secret's ("Pa55:word"), or
		// a user name's ("user:password@host").
		return built{}, b.fault(at, "want a channel URL (scheme://…), or a mapping with a kind")
	case !ok:
		// As written, not in url.Parse's lower case: a value from the
		// environment is then hidden as its reference.
		return built{}, b.fault(at, "URL scheme %q: no kind of channel takes it (known: %s)",
			raw[:len(u.Scheme)], strings.Join(b.schemes(), ", "))
	}
	got, err := k.impl.fromURL(b.env, raw, name)
	if err != nil {
		if errors.Is(err, redact.ErrSecretInName) || urlSecretInName(name, raw) || shortHolderOf(n, name, b.shorts) >= 0 {
			name = "" // never quoted
		}
		var faults []error // a fault each, as channelErrors makes them, all at the URL's line
		for _, e := range buildFaults(got.spec, k.impl.enums(), err) {
			msg, _ := explainBuild(got.spec, k.impl.enums(), e.Error())
			faults = append(faults, faultf(b.file, at.line, "%s (%s %q): %s", at.key, k.name, cmp.Or(name, k.name), msg))
		}
		return got, errors.Join(faults...)
	}
	return got, nil
}

// wholeRef matches a value written as one reference to the environment
// or a file, and nothing else: "${IRC_URL}", "${file:irc_url}".
var wholeRef = regexp.MustCompile(`^\$\{(?:[A-Za-z_][A-Za-z0-9_]*|file:[^}$]+)\}$`)

// urlScheme matches the scheme of a URL as RFC 3986 writes it, with its
// "://".
var urlScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)

// urlFinder says, after the fault of raw, a channel URL url.Parse refused,
// held by scalar n (nil when unknown), which URL it is: " (the ircs://
// URL)", " (the ircs:// URL of ${IRC_URL})" when a reference gave it
// whole; "" when it has no scheme to say. Nothing else of raw is said: it
// may hold credentials.
func (b *builder) urlFinder(n *yaml.Node, raw string) string {
	scheme := urlScheme.FindString(raw)
	if scheme == "" {
		return ""
	}
	if n != nil {
		if n, _ = unalias(n); wholeRef.MatchString(b.ex.source[n]) {
			return " (the " + scheme + " URL of " + b.ex.source[n] + ")"
		}
	}
	return " (the " + scheme + " URL)"
}

// urlSecretInName reports whether name, the short form's name: of a
// channel whose URL raw its kind refused, holds a secret of raw: the
// Config that the name would have been checked against was never built,
// so the name is checked against the URL, each part of it that a
// redact.URL does not print taken for a secret whatever its shape (as
// config takes the parts of a redact.URL), besides what
// redact.CheckName finds in a URL. A name that is one of those parts is
// one too, however short (redact.CheckName looks for none under 6 bytes):
// its kind may have refused the URL before the Config that would say
// which are secrets was made ("?sasl_password=Qz7!k&nope=1").
func urlSecretInName(name, raw string) bool {
	if name == "" {
		return false
	}
	var parts []redact.Secret
	for _, p := range secretParts(raw) {
		if p == name {
			return true
		}
		parts = append(parts, redact.NewSecret(p))
	}
	return redact.CheckName(name, parts, []redact.URL{redact.NewURL(raw)}) != nil
}

// urlProblem returns msg, url.Parse's problem with raw, without the part
// of raw it quotes when that part may be of the URL's credentials: a
// password with a "/" not percent-encoded ends the host inside it, so
// that the "port" quoted is the start of the password; and without an "@"
// at all, a user name and password written without the host after them
// (a Telegram bot token, "123456:SECRET") are read as a host and port.
func urlProblem(raw, msg string) string {
	i := strings.IndexByte(msg, '"')
	if i < 0 {
		return msg
	}
	var creds string // the part of raw that may hold credentials
	if at := strings.LastIndexByte(raw, '@'); at >= 0 {
		creds = raw[:at]
	} else {
		_, creds, _ = strings.Cut(raw, "://")
		if end := strings.IndexAny(creds, "/?#"); end >= 0 {
			creds = creds[:end]
		}
	}
	q, err := strconv.QuotedPrefix(msg[i:])
	if err != nil {
		return msg
	}
	if frag, err := strconv.Unquote(q); err == nil && !strings.Contains(creds, frag) {
		return msg // in the host, path or query
	}
	msg = strings.Join(strings.Fields(msg[:i]+msg[i+len(q):]), " ")
	return msg + " (percent-encode / ? # @ : and % in a user name or password)"
}

func (b *builder) kind(name string) (Kind, bool) {
	for _, k := range b.kinds {
		if k.name == name || slices.Contains(k.aliases, name) {
			return k, true
		}
	}
	return Kind{}, false
}

func (b *builder) scheme(s string) (Kind, bool) {
	for _, k := range b.kinds {
		if slices.Contains(k.schemes, strings.ToLower(s)) && k.impl.hasURL() {
			return k, true
		}
	}
	return Kind{}, false
}

// nameList returns the kinds' names and aliases, sorted, joined with
// ", ": made once a Load, as a file may hold thousands of entries of no
// kind known, each a fault quoting it.
func (b *builder) nameList() string {
	if b.kindNames == "" {
		var out []string
		for _, k := range b.kinds {
			out = append(out, k.name)
			out = append(out, k.aliases...)
		}
		slices.Sort(out)
		b.kindNames = strings.Join(out, ", ")
	}
	return b.kindNames
}

// schemes returns the URL schemes of the kinds, sorted.
func (b *builder) schemes() []string {
	var out []string
	for _, k := range b.kinds {
		out = append(out, k.schemes...)
	}
	slices.Sort(out)
	return out
}

// channelErrors returns the faults of err, from building the channel of
// kind k at path from node n, each in the file's terms, at the line of
// the key it names: "outagecast.yaml:4: channels[1] (webhook "ops"): url:
// missing". A package's error that joins several (errors.Join, as New
// names every fault of a Config) is a fault each; a Spec.Prepare's error
// comes with New's faults beside it (see prepareError).
func (b *builder) channelErrors(path string, n *yaml.Node, k Kind, written string, err error) []error {
	name := nameOf(n, written)
	if errors.Is(err, redact.ErrSecretInName) || shortHolderOf(n, name, b.shorts) >= 0 {
		name = written // never quoted, by any of the faults
	}
	var faults []error
	for _, e := range buildFaults(k.impl.entryType(), k.impl.enums(), err) {
		faults = append(faults, b.channelError(path, n, k, name, e))
	}
	return faults
}

// channelError is a fault of channelErrors: err, one fault, of the
// channel name.
func (b *builder) channelError(path string, n *yaml.Node, k Kind, name string, err error) error {
	msg, keys := explainBuild(k.impl.entryType(), k.impl.enums(), err.Error())
	if keys == nil { // Prepare's errors start with the key: "ca_file: open …"
		if key, _, ok := strings.Cut(msg, ": "); ok {
			keys = []string{key}
		}
	}
	if v := nodeAt(n, keys); v != nil && v.Kind == yaml.ScalarNode {
		msg = b.ex.requote(msg, v)
	}
	return faultf(b.file, lineOf(n, keys), "%s (%s %q): %w", path, k.name, name, &keyedError{msg: msg, err: err})
}

// joined returns the errors err joins, as errors.Join joins them (its
// text theirs, a line each), each taken apart in turn; err alone when it
// joins none. An error that wraps several otherwise (fmt.Errorf with two
// %w) is one fault, and stays whole.
func joined(err error) []error {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var msgs []string
	var out []error
	for _, e := range j.Unwrap() {
		if e == nil {
			continue
		}
		msgs = append(msgs, e.Error())
		out = append(out, joined(e)...)
	}
	if len(msgs) == 0 || strings.Join(msgs, "\n") != err.Error() {
		return []error{err}
	}
	return out
}

// nameOf returns the name an entry gives its channel, else written.
func nameOf(n *yaml.Node, written string) string {
	if v := nodeAt(n, []string{"name"}); v != nil && v.Kind == yaml.ScalarNode && v.Value != "" {
		return v.Value
	}
	return written
}

// noChannel says what is wrong with entry, a stage's entry that names no
// channel of names. It does not quote entry: a secret pasted there, or
// one a reference put there (stages: [["${OPS_TOKEN}"]]), would show; the
// reference is quoted instead. A channel's name close to it is quoted, as
// a typo's fix.
func noChannel(entry, ref string, names []string) string {
	msg := "names no channel (not quoted: it may be a secret)"
	switch {
	case ref != "" && entry == "":
		return ref + " is empty (write a channel's name)"
	case entry == "":
		return "empty (write a channel's name)"
	case ref != "":
		msg = ref + " names no channel"
	}
	if near := nearest(entry, nearLength(entry, names)); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", near)
	}
	return msg
}

// stages checks the file's stages against the channels' names, adding
// a fault for each entry that names no channel, or one named before, to
// faults. A stage may name a channel refused (an entry of refused): its
// own fault is named; when one of them has a name that cannot be told
// without building it, no entry is said to name no channel. A channel
// built whose name holds a secret (b.secretNames) counts as refused: no
// fault quotes its name.
func (b *builder) stages(root *yaml.Node, stages [][]string, chans []broadcast.Channel, refused []*yaml.Node, faults *[]error) {
	var names []string  // the names of the channels built, quoted
	var others []string // the names of the channels refused; not quoted: one may hold a secret
	hidden := 0         // the channels built whose names hold a secret, among others
	for _, ch := range chans {
		if b.secretNames[ch.Name()] {
			others, hidden = append(others, ch.Name()), hidden+1
		} else {
			names = append(names, ch.Name())
		}
	}
	known := true // every one of them told
	for _, n := range refused {
		name, ok := b.entryName(n)
		others, known = append(others, name), known && ok
	}
	staged := map[string]string{}
	for i, stage := range stages {
		for j, name := range stage {
			key := fmt.Sprintf("stages[%d][%d]", i, j)
			at := []string{"stages", fmt.Sprintf("[%d]", i), fmt.Sprintf("[%d]", j)}
			line := lineOf(root, at)
			v := nodeAt(root, at)
			if v != nil && v.Kind != yaml.ScalarNode {
				continue // not a name: checkValues said so
			}
			if !slices.Contains(names, name) && !slices.Contains(others, name) {
				if !known {
					continue
				}
				ref := "" // the reference that gave the entry, quoted
				if v != nil && b.ex.expanded(v) && !isURL(b.ex.quoted(v)) {
					ref = b.ex.quoted(v)
				}
				*faults = append(*faults, faultf(b.file, line, "%s: %s (%s)", key, noChannel(name, ref, names), channelList(names, len(refused)+hidden)))
				continue
			}
			switch earlier, dup := staged[name]; {
			case dup && slices.Contains(names, name):
				*faults = append(*faults, faultf(b.file, line, "%s: channel %q is in %s already", key, name, earlier))
			case dup:
				*faults = append(*faults, faultf(b.file, line, "%s: names the channel of %s again (not quoted: a channel refused, "+
					"its name may be a secret)", key, earlier))
			default:
				staged[name] = key
			}
		}
	}
}

// channelList says, after a stage entry that names no channel, which
// channels there are: "channels: " and names, the channels built; without
// any, that every channel is refused (refused is the number of entries
// refused) or that none is configured.
func channelList(names []string, refused int) string {
	switch {
	case len(names) > 0:
		return "channels: " + strings.Join(names, ", ")
	case refused > 0:
		return "every channel is refused"
	}
	return "no channel is configured"
}

// entryName returns the name of the channel of entry n, refused before it
// was built, as the entry gives it: its name, else its kind, as written;
// ok is false when that cannot be told without building it (a URL
// without a name, whose kind's package may read one from it).
func (b *builder) entryName(n *yaml.Node) (name string, ok bool) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return "", false
	}
	for _, key := range []string{"name", "kind", "type"} {
		if v := merged(n, key); v != nil && v.Kind == yaml.ScalarNode && v.Value != "" {
			return v.Value, true
		}
	}
	return "", false
}

// keyedError is a channel package's error in the file's terms. It unwraps
// to the original, for errors.Is.
type keyedError struct {
	msg string
	err error
}

func (e *keyedError) Error() string { return e.msg }
func (e *keyedError) Unwrap() error { return e.err }

// place is where in the file a channel entry's fault is: the line, and
// the entry's key path ("channels[1]").
type place struct {
	line int
	key  string
}

// fault returns the fault of the entry at at, "file:line: key: " and what
// is wrong, formatted as fmt.Sprintf formats it (format has no %w). Its
// text is made when it is read: an error names the first faults of a
// file only (see joinBounded), of thousands an entry may have.
func (b *builder) fault(at place, format string, args ...any) error {
	return &fault{file: b.file, line: at.line, err: &entryFault{key: at.key, format: format, args: args}}
}

// entryFault is what is wrong with the channel entry at key path key,
// "key: " and format formatted with args, made when it is read.
type entryFault struct {
	key    string
	format string
	args   []any // of values that do not change: text, numbers
}

func (e *entryFault) Error() string { return e.key + ": " + fmt.Sprintf(e.format, e.args...) }

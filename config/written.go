package config

import (
	"cmp"
	"net/url"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/internal/credquery"
)

// heldSecrets are the secrets of channel entries that a channel's name
// is compared with and that Load's error hides: the texts of secrets
// (values), and URLs that may carry credentials (urls), whose secret
// parts redact finds as it finds them in a channel's own Config
// (redact.CheckName's urls, Redactor.WithURLs: the password, a user name,
// path segment or query value that looks like a token, a query value of
// a key named as a credential).
type heldSecrets struct {
	values []string
	urls   []string
	// words are the texts of values and urls that are a URL refused
	// whole, written as a plain word ("url: channel": refusedWord), once
	// for each time values or urls hold it so: Load's error hides them
	// where it quotes a value, not in its own words (see hider).
	words []string
}

// add adds the secrets of o to h.
func (h *heldSecrets) add(o heldSecrets) {
	h.values = append(h.values, o.values...)
	h.urls = append(h.urls, o.urls...)
	h.words = append(h.words, o.words...)
}

// addURL adds raw, a URL that may carry credentials, to h, with its
// credentials (urlCredentials) among the values: redact looks for none
// under 6 bytes, the short secrets a name is compared with as written.
func (h *heldSecrets) addURL(raw string) {
	h.urls = append(h.urls, raw)
	h.values = append(h.values, urlCredentials(raw)...)
	if refusedWord(raw) {
		h.words = append(h.words, raw)
	}
}

// refusedWord reports whether raw, a text written where a URL goes, is a
// plain word: lower-case letters only ("channel", "webhook"), of
// minHidden bytes or more. No URL, it is refused, and held whole as a
// secret (it may be a password put in the wrong key), but it is also a
// word the errors write themselves ("channels[0]: want a channel URL"):
// Load's error hides it only where it quotes a value (see hider).
func refusedWord(raw string) bool {
	if len(raw) < minHidden {
		return false
	}
	for i := range len(raw) {
		if raw[i] < 'a' || raw[i] > 'z' {
			return false
		}
	}
	return true
}

// urlCredentials returns the parts of raw, a URL that parses, that are
// credentials whatever their length: its password, and the values of
// its query's keys named as credentials (credquery.Named: "token",
// "sig"). Not its path segments, host or other values, which may be
// plain words ("/in/status", "?lang=en").
func urlCredentials(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil {
		return nil
	}
	var out []string
	if pw, ok := u.User.Password(); ok && pw != "" {
		out = append(out, pw)
	}
	for key, vs := range u.Query() {
		if credquery.Named(key) {
			out = append(out, slices.DeleteFunc(vs, func(v string) bool { return v == "" })...)
		}
	}
	return out
}

// writtenSecrets returns the secrets written in the file whose top level
// is root, as its keys' types say (a redact.Secret, the key of an IRC
// channel, a redact.URL), not taken from the environment but for a URL's:
// none of Load's errors quotes them, whichever key an alias of one went
// into ("password: &pw …", "port: *pw"), and whichever check (the
// file's, a channel package's) quoted it. The type of a channel entry is
// its kind's; of an entry whose kind is not known, every kind's. The
// secrets of a short-form entry's channel URL are among them, as
// urlSecrets finds them (a value of the environment in the URL too): no
// error quotes the URL itself.
func writtenSecrets(root *yaml.Node, kinds []Kind, ex *expander) heldSecrets {
	if root == nil {
		return heldSecrets{} // not parsed, or its aliases do not end
	}
	channels := merged(root, "channels")
	if channels == nil || channels.Kind != yaml.SequenceNode {
		return heldSecrets{}
	}
	var out heldSecrets
	for _, entry := range channels.Content {
		out.add(entrySecrets(entry, kinds, ex))
	}
	return out
}

// entrySecrets returns the secrets written in entry, a channel's entry of
// the file, as writtenSecrets finds them, with the URLs of its keys of
// URLs (a redact.URL: a Discord webhook_url, a webhook's url) as the
// channel reads them, whether the file wrote them or a value of the
// environment went into them, and those of its channel URL (urlSecrets),
// whatever their length.
func entrySecrets(entry *yaml.Node, kinds []Kind, ex *expander) heldSecrets {
	var out heldSecrets
	for n, t := range secretsFound(entry, kinds, ex) {
		switch {
		case t == secretType:
			out.values = append(out.values, ex.writtenValue(n)...)
		case t == urlType || plainURL(entry, n, t):
			for _, v := range ex.readValue(n) {
				out.addURL(v)
			}
		case t == ircChannelsType && n.Kind == yaml.SequenceNode:
			for _, c := range n.Content {
				c, _ = unalias(c)
				for _, v := range ex.writtenValue(c) {
					if _, key := ircChannel(v); key != "" {
						out.values = append(out.values, key)
					}
				}
			}
		}
	}
	secrets, _ := urlSecrets(entry, kinds, ex)
	out.add(secrets)
	return out
}

// secretScalars returns the scalars of the file whose top level is root
// that are the values of keys of secrets in its channels' entries (a
// redact.Secret, an IRC channel list's item with its key), as
// writtenSecrets finds them, but of a secret under minHidden bytes only:
// the walker quotes none of them, whichever key an alias of one went
// into ("password: &pw Qz7#k", "tls: *pw"). The hider, which hides the
// longer ones, leaves those as they are.
func secretScalars(root *yaml.Node, kinds []Kind, ex *expander) map[*yaml.Node]bool {
	channels := merged(root, "channels")
	if channels == nil || channels.Kind != yaml.SequenceNode {
		return nil
	}
	out := map[*yaml.Node]bool{}
	for _, entry := range channels.Content {
		if n := shortRefusedURL(entry, kinds, ex); n != nil {
			out[n] = true
		}
		for n, t := range secretsFound(entry, kinds, ex) {
			switch {
			case t == secretType && n.Kind == yaml.ScalarNode && len(n.Value) < minHidden:
				out[n] = true
			case t == urlType && n.Kind == yaml.ScalarNode && len(n.Value) < minHidden && !absoluteURL(n.Value):
				out[n] = true // a URL key's text that is no URL: as a short-form entry's (shortRefusedURL)
			case t == ircChannelsType && n.Kind == yaml.SequenceNode:
				for _, c := range n.Content {
					c, _ = unalias(c)
					if _, key := ircChannel(c.Value); key != "" && len(key) < minHidden {
						out[c] = true
					}
				}
			}
		}
	}
	return out
}

// shortRefusedURL returns the scalar of the channel URL of entry, a
// short-form entry (the URL itself, or a mapping with a url and no
// kind), when the URL is written in the file, under minHidden bytes, and
// refused (urlSecrets reads no URL of it: no kind takes it), or nil.
// Its parts are secrets whatever their length (urlShortSecrets: a
// password put in the wrong key), too short to be hidden wherever they
// stand: no check quotes the scalar where an alias of it went, as none
// quotes a secret so short.
func shortRefusedURL(entry *yaml.Node, kinds []Kind, ex *expander) *yaml.Node {
	n, _ := unalias(entry)
	if n.Kind == yaml.MappingNode {
		if merged(n, "kind") != nil || merged(n, "type") != nil {
			return nil
		}
		if n = merged(n, "url"); n == nil {
			return nil
		}
		n, _ = unalias(n)
	}
	if n.Kind != yaml.ScalarNode || n.Value == "" || len(n.Value) >= minHidden || len(ex.writtenValue(n)) == 0 {
		return nil
	}
	if _, u := urlSecrets(entry, kinds, ex); u != nil {
		return nil
	}
	return n
}

// absoluteURL reports whether raw parses as a URL with a scheme and a
// host.
func absoluteURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme != "" && u.Host != ""
}

// shortSecrets are the secrets under minHidden bytes of a channel's
// entry, written or from the environment, or of the channel URL it gives
// (urlShortSecrets), which redact.CheckName
// does not look for in a name: the scalars of them (an IRC channel list's
// item for its key), for a name that is an alias of one, and their texts.
type shortSecrets struct {
	nodes map[*yaml.Node]bool
	texts []string
}

// entryShortSecrets returns the secrets of entry, a channel's entry of
// the file, that secretScalars finds under minHidden bytes, but for the
// value of a key not named as a credential (credquery.Named), as a
// webhook's "headers: {Accept-Language: en-US}": a channel's name may be
// such a value by chance, and the channel does not take one so short for
// a credential. Aliases and merged mappings are followed, each node once.
func entryShortSecrets(entry *yaml.Node, kinds []Kind, ex *expander) shortSecrets {
	found := secretsFound(entry, kinds, ex)
	out := shortSecrets{nodes: map[*yaml.Node]bool{}}
	add := func(n *yaml.Node, text string) {
		out.nodes[n] = true
		if len(ex.readValue(n)) > 0 {
			out.texts = append(out.texts, text)
		}
	}
	seen := map[*yaml.Node]bool{}
	var visit func(n *yaml.Node)
	visit = func(n *yaml.Node) {
		n, _ = unalias(n)
		if seen[n] {
			return
		}
		seen[n] = true
		if n.Kind == yaml.MappingNode {
			for i := 1; i < len(n.Content); i += 2 {
				v, _ := unalias(n.Content[i])
				if v.Kind == yaml.ScalarNode && v.Value != "" && len(v.Value) < minHidden && found[v] == secretType &&
					credquery.Named(n.Content[i-1].Value) {
					add(v, v.Value)
				}
			}
		}
		if found[n] == ircChannelsType && n.Kind == yaml.SequenceNode {
			for _, c := range n.Content {
				c, _ = unalias(c)
				if _, key := ircChannel(c.Value); key != "" && len(key) < minHidden {
					add(c, key)
				}
			}
		}
		for _, c := range n.Content {
			visit(c)
		}
	}
	visit(entry)
	for n, t := range found { // the credentials of its URLs, of a key named as one or not ("url")
		if t != urlType && !plainURL(entry, n, t) {
			continue
		}
		for _, raw := range ex.readValue(n) {
			for _, c := range urlCredentials(raw) {
				if len(c) < minHidden {
					out.texts = append(out.texts, c)
				}
			}
		}
	}
	out.texts = append(out.texts, urlShortSecrets(entry, kinds, ex)...)
	return out
}

// urlShortSecrets returns the secrets under minHidden bytes of the
// channel URL of entry that urlSecrets finds, those a name is compared
// with as entryShortSecrets' texts: what the URL gives a key not named as
// a credential (a webhook's "@Accept-Language=en-US") is left out, as
// entryShortSecrets leaves it out. A URL refused gives every part
// secretParts finds of it, whatever their length and shape, as
// urlSecretInName takes them for the entry's own name, so that no name
// equal to one is quoted.
func urlShortSecrets(entry *yaml.Node, kinds []Kind, ex *expander) []string {
	secrets, u := urlSecrets(entry, kinds, ex)
	if u == nil {
		return secrets.values
	}
	named, plain := map[string]bool{}, map[string]bool{} // the query's values, of keys named as credentials and not
	for key, vs := range u.Query() {
		for _, v := range vs {
			if credquery.Named(strings.TrimPrefix(key, "@")) {
				named[v] = true
			} else {
				plain[v] = true
			}
		}
	}
	var out []string
	for _, v := range secrets.values {
		if v != "" && len(v) < minHidden && (named[v] || !plain[v]) {
			out = append(out, v)
		}
	}
	return out
}

// urlSecrets returns the secrets of the channel URL of entry, a
// short-form entry of the file (the URL itself, or a mapping with a url
// and no kind), as its kind reads it, whether the file wrote the URL or a
// value of the environment went into it ("url: ${IRC_URL}"), whatever
// their length: the secrets of the Config its kind parses of it (an IRC
// server or SASL password, an IRC channel's key in the path, X's
// consumer_key) and the URLs it holds (a Discord webhook's URL, which
// holds the token, as its urls), as entrySecrets finds them in a
// full-form entry, with the URL parsed; not the nick, user names or the
// host, no secrets. A URL refused (by url.Parse, for its scheme, or by
// its kind) has no Config to say which of its parts are secrets: it
// gives every part secretParts finds of it, with the credentials of a
// URL in a query parameter, and a nil URL.
func urlSecrets(entry *yaml.Node, kinds []Kind, ex *expander) (heldSecrets, *url.URL) {
	n, _ := unalias(entry)
	if n.Kind == yaml.MappingNode {
		if merged(n, "kind") != nil || merged(n, "type") != nil {
			return heldSecrets{}, nil // a full form's url is a key of its Config
		}
		if n = merged(n, "url"); n == nil {
			return heldSecrets{}, nil
		}
		n, _ = unalias(n)
	}
	read := ex.readValue(n)
	if len(read) == 0 {
		return heldSecrets{}, nil
	}
	raw := read[0]
	refused := heldSecrets{values: secretParts(raw)}
	if refusedWord(raw) {
		refused.words = []string{raw} // secretParts gives it once, whole
	}
	u, err := url.Parse(raw)
	if err != nil {
		return refused, nil
	}
	// A parameter that holds a URL (discord's avatar_url=…) is read as
	// that key is in a full form (plainURL): the credentials inside it
	// are secrets too, of any length, not only the parameter's whole
	// value. (A URL the kind takes gives them in its Config's URLs.)
	for _, vs := range u.Query() {
		for _, v := range vs {
			if strings.Contains(v, "://") {
				refused.addURL(v)
			}
		}
	}
	k, ok := (&builder{kinds: kinds}).scheme(u.Scheme)
	if !ok {
		return refused, nil
	}
	cs, ok := k.impl.urlSecrets(raw)
	if !ok {
		return refused, nil
	}
	out := heldSecrets{values: cs.values}
	for _, v := range cs.urls {
		out.addURL(v)
	}
	return out, u
}

// holds reports whether name, a channel's name written at node n (nil
// when the entry writes none), is one of s: an alias of one, or the same
// text.
func (s shortSecrets) holds(n *yaml.Node, name string) bool {
	if n == nil {
		return false
	}
	n, _ = unalias(n)
	return s.nodes[n] || slices.Contains(s.texts, name)
}

// plainURL reports whether n, a node of entry that secretsFound found
// with type t, is the value of a plain string key that holds a URL ("://",
// as internal/secrets finds them): discord's avatar_url, a base_url,
// mastodon's server, the status page's logo_url, home_url and links' url.
// Its credentials (its password or a user name alone, its query's
// credentials, its token-like path segments) are secrets as those of a
// redact.URL are: the channel packages refuse them there, and no fault
// may quote them. The entry's name is no such key: a name that holds a
// URL is refused by the name's own checks.
func plainURL(entry, n *yaml.Node, t reflect.Type) bool {
	if t != textType || n.Kind != yaml.ScalarNode || !strings.Contains(n.Value, "://") {
		return false
	}
	if name := merged(entry, "name"); name != nil {
		if name, _ = unalias(name); name == n {
			return false
		}
	}
	return true
}

// secretsFound returns the nodes of entry, a channel's entry of the file,
// whose type holds a secret (a redact.Secret, a redact.URL, an IRC
// channel list), with that type, and the scalars of a plain string that
// hold a URL ("://"), with textType: as entry's kind's type reads them,
// or every kind's when its kind is not known. The entry is walked once
// for all of its types (secretSearch), as the YAML library reads it:
// through aliases, and of a mapping, its own keys and those its merges
// bring in (merges.mapping).
func secretsFound(entry *yaml.Node, kinds []Kind, ex *expander) map[*yaml.Node]reflect.Type {
	u, _ := unalias(entry)
	if len(u.Content) == 0 {
		return nil // text, or {}: an entry's type (a struct) is no secret's, nor text's
	}
	var h head
	if u.Kind == yaml.MappingNode {
		_ = entry.Decode(&h) // what decodes; nothing else has a kind
	}
	var types []kindType
	if k, ok := (&builder{kinds: kinds}).kind(cmp.Or(h.Kind, h.Type)); ok {
		types = []kindType{{0, k.impl.entryType()}}
	} else {
		types = ex.entryTypes(kinds)
	}
	var s secretSearch
	s.walk(0, entry, types)
	return s.found
}

// entryTypes returns the type of an entry of each of kinds, in their
// order, made once a Load.
func (e *expander) entryTypes(kinds []Kind) []kindType {
	if len(e.kindTypes) != len(kinds) || len(kinds) > 0 && e.kindsOf != &kinds[0] {
		e.kindTypes = make([]kindType, len(kinds))
		for i, k := range kinds {
			e.kindTypes[i] = kindType{i, k.impl.entryType()}
		}
		if len(kinds) > 0 {
			e.kindsOf = &kinds[0]
		}
	}
	return e.kindTypes
}

// kindType is a type (no pointer) that a kind, its index in the kinds
// looked up, reads a node of an entry as.
type kindType struct {
	kind int
	t    reflect.Type
}

// withType returns types with t (a pointer's element), read by kind: a
// type types hold already is not added again, and keeps the greater of
// the kinds that read it, the one whose type a node below is found with
// (secretSearch).
func withType(types []kindType, kind int, t reflect.Type) []kindType {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for i := range types {
		if types[i].t == t {
			types[i].kind = max(types[i].kind, kind)
			return types
		}
	}
	return append(types, kindType{kind, t})
}

// secretSearch is secretsFound's walk of an entry, with the types the
// kinds looked up read each node as: it finds what one walk for each
// kind in turn finds, the type of a node found a secret's by the last
// kind (and, of one kind, the last place it is read at) that reads it as
// one.
type secretSearch struct {
	found map[*yaml.Node]reflect.Type // made at the first node found
	// rank is, of each node found a secret's, the kind whose type it was
	// found with last.
	rank map[*yaml.Node]int
	// merges holds the mappings merged in and the keys read at each
	// place of the entry (a number of its own, at), made at the first
	// mapping with keys.
	merges merges[int]
	places int // the places numbered
}

// walk records n, read at place at as each of types, and walks below it.
func (s *secretSearch) walk(at int, n *yaml.Node, types []kindType) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	below := len(n.Content) > 0 && n.ShortTag() != "!!null"
	mappings := 0 // the types that read n's keys
	var items []kindType
	for _, kt := range types {
		t := kt.t
		switch {
		case holdsSecret(t, 0):
			if r, ok := s.rank[n]; !ok || kt.kind >= r {
				if s.rank == nil {
					s.rank = map[*yaml.Node]int{}
				}
				s.rank[n] = kt.kind
				s.record(n, t)
			}
		case t.Kind() == reflect.String && n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "://"):
			if _, ok := s.found[n]; !ok {
				s.record(n, textType) // a URL there is read as a secret one's (plainURL)
			}
		}
		switch {
		case !below:
		case n.Kind == yaml.MappingNode && readsKeys(t):
			mappings++
		case n.Kind == yaml.SequenceNode && t.Kind() == reflect.Slice && !readsText(t):
			items = withType(items, kt.kind, t.Elem())
		}
	}
	switch {
	case mappings == len(types) && mappings > 0:
		s.mapping(at, n, types)
	case mappings > 0:
		var m []kindType
		for _, kt := range types {
			if readsKeys(kt.t) {
				m = append(m, kt)
			}
		}
		s.mapping(at, n, m)
	case len(items) > 0:
		for _, c := range n.Content {
			s.places++
			s.walk(s.places, c, items)
		}
	}
}

// readsText reports whether a value of type t is read whole, nothing
// below it as a type of its own: a yaml.Node or an interface (anything
// goes), or a type read from text only (a redact.Secret, a redact.URL: no
// keys; a struct with keys, a status page's component, takes text or a
// mapping).
func readsText(t reflect.Type) bool {
	return t == nodeType || t.Kind() == reflect.Interface ||
		reflect.PointerTo(t).Implements(textUnmarshaler) && (t.Kind() != reflect.Struct || len(yamlFields(t)) == 0)
}

// readsKeys reports whether a mapping read as type t has its keys read
// as types of their own: a struct's fields, a map's values.
func readsKeys(t reflect.Type) bool {
	return (t.Kind() == reflect.Struct || t.Kind() == reflect.Map) && !readsText(t)
}

// record records n found with type t.
func (s *secretSearch) record(n *yaml.Node, t reflect.Type) {
	if s.found == nil {
		s.found = map[*yaml.Node]reflect.Type{}
	}
	s.found[n] = t
}

// mapping walks the keys of mapping n at place at, read as each of types
// (structs and maps), that the YAML library reads, and the mappings its
// merges bring in.
func (s *secretSearch) mapping(at int, n *yaml.Node, types []kindType) {
	if s.merges.keys == nil {
		s.merges = newMerges[int]()
	}
	_ = s.merges.mapping(at, n, func(k, v *yaml.Node) error {
		var below []kindType
		for _, kt := range types {
			if kt.t.Kind() == reflect.Map {
				below = withType(below, kt.kind, kt.t.Elem())
			} else if ft, ok := yamlFields(kt.t)[k.Value]; ok {
				below = withType(below, kt.kind, ft)
			}
		}
		if len(below) > 0 {
			s.places++
			s.walk(s.places, v, below)
		}
		return nil
	}, func(v *yaml.Node) error {
		for m := range s.merges.items(at, v) {
			if u, _ := unalias(m); u.Kind == yaml.MappingNode {
				s.walk(at, m, types)
			}
		}
		return nil
	})
}

// writtenValue returns the value of scalar n as the file wrote it, when
// no value of the environment went into it (a default counts as
// written: ${NAME:-default}), or nothing. A value still holding a
// reference, not expanded, is none: its reference is no secret.
func (e *expander) writtenValue(n *yaml.Node) []string {
	if e.expanded(n) && len(e.used[n]) > 0 {
		return nil
	}
	return e.readValue(n)
}

// readValue returns the value of scalar n as the channel reads it, its
// references expanded, whether written in the file or taken from the
// environment, or nothing: a value still holding a reference, not
// expanded, is none.
func (e *expander) readValue(n *yaml.Node) []string {
	if n.Kind != yaml.ScalarNode || n.Value == "" || !e.expanded(n) && strings.Contains(n.Value, "${") {
		return nil
	}
	return []string{n.Value}
}

// Package config loads a YAML configuration file of channels and delivery
// settings and builds the Broadcaster it describes, so that a service, the
// announce program and the Alertmanager bridge share one file format:
//
//	cfg, err := config.Load("outagecast.yaml")
//	…
//	b, err := cfg.Open(cfg.Options()) // opens the file's store too
//	…
//	defer b.Close()
//	report, err := b.Send(ctx, update)
//
// A file lists channels and, optionally, how to deliver:
//
//	# yaml-language-server: $schema=PATH/TO/config/schema.json
//	state: outagecast.db        # durable bolt store (relative to this file)
//	templates: ./templates      # directory of <name>.tmpl overrides
//	attempt_timeout: 30s
//	retry: {max_attempts: 6, initial_interval: 1s, max_interval: 1m, max_elapsed: 10m}
//	stages: [[status-page]]     # these channels first, the others after
//	stage_wait: 30s
//	channels:
//	  - kind: statuspage                 # a static status page, in stage 1
//	    name: status-page
//	    dir: ./status-site
//	    base_url: https://status.example.com/
//	  - ${SLACK_URL}                     # a channel URL
//	  - url: "ircs://status@irc.libera.chat/ops"
//	    name: ops-irc                    # a URL with a name and a route
//	    when: {statuses: [investigating, resolved]}
//	  - kind: webhook                    # the full form
//	    name: subscribers
//	    url: https://hooks.example.com/outagecast
//	    secret: ${WEBHOOK_SECRET}
//	    when: {impacts: [major, critical]}
//
// # Channels
//
// A channel entry of the full form has a kind (the older name "type" is
// taken too) and that kind's keys: the yaml tags of the channel package's
// Config (see Kinds for the kinds and each package for its keys), plus
// ca_file (email, irc: PEM certificates to trust), client_cert and
// client_key (irc: the bot's TLS client certificate and key, PEM, which
// sasl_external logs in by), output (console: stdout or stderr) and
// oauth2_access_token (x; email, for auth xoauth2 with username). oauth2_access_token is a secret, best taken from the
// environment, and is used as is, never refreshed: it works until the
// token expires (often after an hour). A program that refreshes tokens
// sets the Config's TokenSource from Go instead. A name defaults to the
// kind when the key is left out (or is ${NAME:-}, empty); written empty
// (name: "", or name: with no value) it is an error. It keys
// Update.Overrides, and is shown unredacted in results,
// events, logs and errors, so a name that holds one of the channel's own
// secrets (its token, password or webhook secret, or a URL with
// credentials, in any encoding: redact.CheckName) is an error of its
// key, name, that does not quote it.
//
// The statuspage kind's keys set statuspage.Config, whose fields carry
// no tags: dir (the site's directory, relative to this file, made by the
// page's first update; one starting with "~", which no shell expands
// here, is an error: write the whole path, or ${HOME}/…) and base_url,
// both required; components, each a name or {name, description}; title,
// logo_url, home_url and links ([{text, url}]) of its Branding (colours
// are set from Go); templates, a directory of the page's <name>.tmpl
// files (relative to this file); language; history_days; feed_entries;
// and lock_timeout, a duration. Each sets the Config field of its name.
//
// A channel may also be written as its URL, the short form every channel
// package documents under "URL form" (webhook://, smtp://, ircs://, x://,
// console://, and so on): as a string, or as a mapping of url, name and
// when. Its secrets stay as secret as in the full form.
//
// "when:" limits a channel to some updates (broadcast.Route): statuses,
// impacts and components lists, each matching when empty, and first, which
// adds an incident's first update when statuses would leave it out (so
// first without statuses, which would add nothing, is an error, also
// beside impacts or components: they limit the incidents, and take every
// update of one they select). An
// update without an impact has impact maintenance when its status is a
// maintenance's (scheduled, in_progress, verifying, completed), else none,
// as the status page shows it. White
// space around a value (from a variable, say) is left out; component names
// match ignoring case. A component that no update's component can be
// (blank, holding a control character, longer than 255 characters), which
// broadcast.New would refuse, is an error of its key. Every fault of every
// channel's "when:" is named in one error, a line each (broadcast.Route.Faults
// finds them, as New does), with the faults of every channel entry its
// kind refuses, every channel name used twice or holding a secret, every
// stage entry that names no channel or one named before (a stage may name
// a channel refused: its own error is named), a templates directory that
// cannot be read, every file of it that templates.New refuses (one that
// does not parse, say) and every file of it that no channel renders, in
// the file's order (the first 100, then how many more). A channel entry
// refused is not built, so the template it names is not known: a file
// whose name the entry may give as its template (a word of the value of
// its template key, or of a key written close to it, "templat", or of
// its URL's template parameter) is checked once the entry is fixed; a
// file named as one of its other values (its name, a host) is named with
// its faults, in the same error; a file no channel renders named as a
// secret the file writes (a password "Qz7k", "Qz7k.tmpl") is reported
// without its name. A channel naming a template of the directory is checked
// against the files templates.New took, so that one file refused does not
// refuse the channels that name others.
//
// # Environment
//
// Values may refer to the environment, so secrets stay out of the file:
// ${NAME} is the variable's value and ${NAME:-default} the default when the
// variable is unset or empty (a default holds no reference: ${A:-${B}} is
// an error; ${NAME:-} is an empty value; the shell's other forms, such
// as ${NAME:?msg} or ${NAME-default}, are errors saying what to write).
// ${NAME} of a variable that is
// not set, or set but empty, is an error, as ${NAME:?} is in a shell:
// Compose passes a variable the host lacks as empty, and an empty value
// reads as a key left out ("state: ${STATE_FILE}" would keep nothing); a
// value "null" or "~" is text, as a variable's value is.
// For the same reason a state written empty (state: "", or left blank,
// as a tool that writes the file from a template leaves a variable it
// lost) is an error; write ${STATE_FILE:-} for a state file that is
// optional. So is a templates written empty, which would silently give
// the default templates; write ${TEMPLATES:-} for a directory that is
// optional.
// So is a value that ends in a carriage return, read from an env file
// with Windows line endings. Load's error names every such reference in
// the file at once, each with its line and key (the first 100, then how
// many more).
// $${ writes a literal ${ and $$${NAME} a $ before NAME's value: in a run
// of $ before {, each $$ is one $, as in Docker Compose. Elsewhere $ and
// $$ are kept as written, where Compose reads $$ as one $ (and $NAME as a
// reference, which this file does not have). A default is read by the same
// rule, and ends at the first }: ${A:-$${B}} is the text ${B}, ${A:-x$$}
// is x$$. ${file:PATH} is the content
// of the file at PATH, relative to this file's directory, without one
// trailing newline and without the byte-order mark Windows editors start
// a UTF-8 file with (a UTF-16 file is an error: save it as UTF-8): the
// form in which Docker and Compose secrets, Kubernetes secret
// volumes and systemd credentials reach a program ("password:
// ${file:/run/secrets/smtp_password}"). A file that is missing, unreadable,
// empty, that ends in more than one newline (a blank line at its end:
// one final newline, "\n" or "\r\n", is left out, no more, and a password
// that kept the other would fail every login without saying why) or in a
// carriage return, larger than 1 MiB or not a regular file (a named pipe, which
// would block Load, a device, a directory; symbolic links are followed)
// is an error naming the key, the line and the path (ca_file, client_cert
// and client_key must be regular files too); PATH holds no "}" nor a
// reference (${file:/run/secrets/${ENV}} is an error), and does
// not start with "-" (${file:-x} is the variable file; write
// ${file:./-x}). A value from a file is in all else
// one from the environment: it works in every key and in URLs, and where
// it goes into a secret it is as hidden. Expansion happens
// after parsing, so a value may contain any character. An unquoted value
// takes the type of what it expands to, so "port: ${SMTP_PORT}" is a
// number. Inside flow collections ([...], {...}) quote values holding a
// reference: to: ["${ONCALL}"]; quoted, a reference still gives a key that
// wants a number or a boolean one: {port: "${SMTP_PORT}"}. YAML anchors
// and merge keys ("<<: *defaults") work, as yaml.org/type/merge.html
// says: a mapping's own key wins over one merged in, an earlier merge's
// over a later one's, and a value so overridden is not read, nor
// checked, nor are its references expanded (an unset variable there is
// no error); a fault of what an alias or a
// merge brings into an entry is at the alias's line, with the entry's
// other faults, not at the anchor, where it may be right. A merge key's
// value that is no mapping, nor a list of them ("<<: 3"), is a fault of
// the merge key itself ("channels[0].<<"). A value that starts with "*",
// "!" or "&" is an alias, a tag or an anchor to YAML, not text: quote it
// (password: "*Pa55…"). An alias that names no anchor, a tag other than
// YAML's own (!!str, !!int, …), and an anchor on a value that no alias
// uses ("password: &Pa55word" is the key written empty, "&Pa55 word" the
// text "word") are errors saying so, naming the key and not quoting the
// value, which may be a password. So is a value that starts
// with "#" after a space, a comment to YAML ("- #ops" is an empty item:
// write "#ops"), or with "@" or "`", which YAML reserves, with "%", or
// with "|" or ">" and more text on its line (a block of text to YAML,
// which starts on the next line: quote "|Pa55…"; "|#Pa55…", or ">-#…",
// is an empty one and a comment) or inside [...] or {...}; the
// character named is the one that starts a value, not one
// inside quotes or after a space in a value ("50 %"). A boolean is true or false
// (also True, TRUE, False, FALSE), as YAML 1.2 and the schema have it: on,
// yes, y and tRuE are text, and an error where a boolean is wanted (YAML
// 1.1 read most of them as booleans); IRC's tls key takes true or false
// too, and on or off. A key of listed values (email's tls and auth,
// mastodon's visibility, store's kind) takes them as the schema lists
// them: tls: STARTTLS and tls: "" are errors saying what to write, though
// the channel's URL form and a value from the environment may use any
// case the channel reads. Written in quotes, a boolean or a number is text
// ("port: "587""), and an error that says to write it without quotes. A
// whole number is written as YAML 1.2 reads it (25, 0o31, 0x19): 025,
// which YAML 1.1 read as octal 21 and YAML 1.2 reads as 25, is an error
// saying so, as are 1_000 and 0b11, text to YAML 1.2 (07 is 7 in both,
// and taken). A
// number out of its key's range and a duration without a unit ("30") are
// errors saying so. A key written without a value ("port:", or null or
// ~), which YAML reads as null and the schema refuses, is an error naming
// it: most likely a value a tool writing the file lost; leave the key out
// for its default, or write ${NAME:-} for a value that is optional.
//
// # Schema
//
// Schema returns the file's JSON Schema, checked in as schema.json and
// generated from the kinds' types (go generate), so editors complete and
// check a file whose first line points at it; it takes ${NAME} and
// ${file:PATH} wherever a number, a boolean or a duration is wanted, and
// its secret keys say how to keep the secret out of the file.
// GenerateSchema makes the schema of a Loader with kinds of your own.
//
// # Adding a channel
//
// A channel package makes itself loadable by its Config: every field that
// a file can set carries `yaml:"snake_case" json:"snake_case"` tags, secrets
// are redact.Secret and credential-bearing URLs redact.URL, and fields a
// file cannot hold (an *http.Client, a function, a *templates.Set) are
// tagged `yaml:"-" json:"-"`. It offers ParseURL(raw string) (Config,
// error) and (Config) URL() redact.URL for its URL form. Then the channel
// is one line in the table of Kinds:
//
//	Define("slack", slack.New, Spec[slack.Config]{Schemes: []string{"slack"},
//		ParseURL: slack.ParseURL, URL: slack.Config.URL, Describe: describeSlack}),
//
// followed by go generate ./config, which rewrites schema.json (a test
// fails until it is done). Describe says in one line what is configured,
// without secrets (the host, the workspace, the number of recipients);
// without it, the URL as it prints describes the channel. A Config field
// Name is set from the entry's name (default: the kind), and a field
// Templates of type *templates.Set from the file's templates, loaded by
// templates.New (a short.tmpl there drops the defaults' short.resolved
// and short.completed);
// Spec.Templates names the templates the channel renders that are not
// defaults (slack's "slack"), so that a file may replace them. Spec.Enums
// lists the values of keys whose type does not say them, for the schema,
// and Spec.Negative the durations that take a negative value (email's
// idle_timeout), which the schema refuses of other keys.
// When the file needs keys that are not Config fields (a CA file instead of
// a *tls.Config), C is a struct of the file's own that inlines the Config
// (`yaml:",inline"`) and adds them, with a "sets" tag naming the Config
// field (or path of fields, as "Branding.Title") each one sets (for
// errors), and Spec.Prepare turns them into Config
// fields using the Env: see emailFile in kinds.go. When Prepare refuses a
// value, New runs all the same on the Config as Prepare left it (that
// value not made), so that the entry's other faults are named with
// Prepare's; those New finds at a key Prepare refused, or at a key whose
// "sets" tag names the field a key Prepare refused sets, are not: they
// follow from Prepare's. A program with a
// channel of its own adds its Kind to Loader.Kinds.
//
// # Errors
//
// Loading is strict: an unknown key, a key YAML reads as null ("~:",
// "null:", which a mapping such as headers would leave out), a value of
// the wrong type, an unknown
// kind or URL scheme, a variable that is not set or empty, a "when:" or stage that
// names no status, component or channel, an empty stage, an attempt_timeout under
// MinAttemptTimeout (1s: no request fits in less, so every attempt would
// time out), a retry.initial_interval longer than the retry.max_interval
// the file sets, a retry.max_interval under the default initial_interval
// (1s) in a file that sets none (the initial wait would raise the cap), a
// file of the templates directory that no
// channel renders (its name neither a default template's, nor one a kind
// renders, as slack's "slack" or email's "email-status", nor one a
// channel names in its template key: a typo such as shrot.tmpl, which
// would leave the default in use; hidden files, whose names start with
// ".", are ignored, as templates.New ignores them), or a channel whose Config its package
// rejects is an error naming the file, the line and the key, as in
// "outagecast.yaml:12: channels[1]: unknown key "secrt"" or
// "outagecast.yaml:4: channels[0].concurrency: want a whole number, got
// "many"". A key of such a path that holds a character that is not
// printable (a terminal escape, U+202E, which turns the text after it
// around) is quoted there, as an unknown key is: headers."\x1b[31mX". A
// key, unknown or in a path, with the shape of a credential (a curl header
// pasted as a header's name, "Authorization: Bearer …", a token or
// "user:password" written where a key stands, but none spelled as the
// file's own keys are, in lower case, digits and "_") is not written, as a
// channel does not quote such a value: "<a key (not quoted: it may be a
// credential)>", as a URL key is not. A
// merge key is written "<<". Load's error names every fault of the file at once, a line
// each in the file's order (the first 100, then how many more): those of
// its own keys, its stages, its templates and its channels together (of
// a channel entry, every unknown key, every value of the wrong type or
// not among those its key lists, and its "when:", unless a key or a value
// of it is refused, which its other faults may follow from; its channel package's
// error when the file's checks find none: every fault of the entry, a
// line each at its key's line, but one that follows from another). Only
// faults that leave the file unfit to be read further are named before
// the others are looked for, each kind all at once: keys given twice,
// keys that are not text, mappings of too many keys and tags; an alias
// inside its own anchor or aliases past the Limits (the first); anchors
// that no alias uses and values read empty from a block scalar's header
// and a comment ("|#…"); references that cannot be expanded (with the file's
// unknown keys and empty state or templates). A file that is not YAML is
// reported at the line where it stops
// being YAML, with the key on that line (plain or quoted), named by its
// path as every other fault names it ("channels[0].password"), and the likely cause (indentation,
// a tab, an unclosed bracket or quote); found again wherever that line is,
// early or late in a large file, or, in a file whose search for it would
// parse too much (a bracket open for most of 1 MiB), said to be unknown
// ("outagecast.yaml: line unknown: …") rather than named wrong. A
// channel package's error speaks in
// the file's keys, at the key's line: "outagecast.yaml:3: channels[1]
// (webhook "ops"): url: missing"; File.Explain does the same for later
// errors that name settings (IRC's pacing advice, for example). A secret
// taken from the environment or a file never appears in errors: a value
// that went into a secret key (redact.Secret: passwords, secrets, tokens,
// webhook headers), into an IRC channel key, into the user part, path or
// query of a URL the channel keeps as a redact.URL (a webhook URL:
// discord://TOKEN@ID becomes one), whatever the value's shape, or into the
// credentials of another URL (its password, query values named like
// credentials, token-like path segments, and the user part where the
// channel takes its token from it, as in mastodon://TOKEN@host). A path
// segment is token-like as redact.Redactor.WithURL takes it: 8 characters
// or more and a digit or an upper-case letter, or 16 or more
// ("…/services/abcDEFghij", and a CamelCase word such as "StatusPage");
// the lower-case words of a path (/api/webhooks/, /services/) are not. Load's
// errors and File.Hide, for later errors (delivery errors, for example),
// replace it with the reference that produced it ("${SMTP_PASSWORD}",
// "${file:smtp_password}"), and its other encodings with REDACTED. Other
// values from the environment (hosts, user names, ports) are no secrets:
// they appear like the rest of the configuration (in File.Describe too),
// and text that merely contains them is left alone; except the value of a
// variable whose name says it holds a secret (a word of it, between "_"
// and digits, is or ends in PASSWORD, PASSWD, PASSPHRASE, SECRET, TOKEN or
// CREDENTIAL, or is PASS, PWD, PAT, KEY or a compound of it such as APIKEY
// or ACCESSKEY, plurals too, the name is not PWD alone, the shell's
// working directory, and its last word is none of ID, URL, HOST, FILE,
// PATH, NAME, USER, USERNAME), hidden wherever it went (host:
// ${SMTP_PASSWORD}, the variable in the wrong key; the file's state and
// templates too); ${KEYCLOAK_HOST} and
// ${API_KEY_ID} are no such names. An error of Load about
// a value from the environment quotes the reference, not the value: "port:
// want a whole number, got "${SMTP_PORT}"". A URL is never quoted in an
// error: it may hold credentials; nor is a value of the wrong shape for a
// key of secrets ("headers: want a mapping, got text"). Nor is a secret
// written in the file (a value of a secret key, as its type says, or an
// IRC channel key, not from the environment): wherever an alias put it
// ("password: &pw …", then "port: *pw"), whichever check refuses it,
// Load's errors write REDACTED in its place; one under 6 bytes, which
// REDACTED would not stand for without blanking ordinary words, is not
// quoted by the checks of the key an alias put it in ("port: want a
// whole number, got text (not quoted: it may be a secret)"); so is a
// channel URL under 6 bytes written in the file that no kind takes, or a
// URL key's text under 6 bytes that is no absolute URL (a password put in
// the wrong key, "url: &u Qz7k"). Where the fault of such a value comes
// from no check of the file's values (the kind's check, "kind: *pw", a
// kind's own setup, "output: *pw", a path's error, "templates: *pw",
// "ca_file: *pw"), REDACTED stands for it in the faults of the alias's
// line (or of its key's, of the mapping holding the key, of the entry a
// mapping holding it is merged into) where they write it as a value:
// quoted, whole or as a part that no letter or digit continues, or as a
// path or the value written without quotes after the key the alias is
// the value of ("templates: REDACTED does not exist"), never inside the
// errors' own words nor as another key ("channels[1]: kind: …"). The file's name, which
// starts each line of Load's errors, is the caller's and is never hidden,
// even when a secret is common text such as the name itself.
//
// A channel's name is shown unredacted in results, events, logs and
// errors, so a name that holds one of its channel's secrets of 6 bytes or
// more is refused, for every kind, as the channel packages refuse it: a
// value of a secret key, wherever it is in the channel's entry (in a list,
// a mapping, a nested entry), what a URL of the entry keeps secret (its
// password, token-like path segments and query values named like
// credentials, also in a plain URL key such as base_url), or an IRC
// channel key. Which keys are secret is said by their type, not by what
// the value looks like: every webhook header value counts, whatever the
// header ("X-Source: outagecast" refuses the name "outagecast-prod"; a
// header value under 6 bytes, as "en-US", does not count), since any
// header may carry a credential and the channel redacts every value from
// its errors. The error names the key that holds the secret without
// quoting the name, the value or a header's name: "channels[0] (webhook
// "webhook"): name: holds one of the channel's secrets (…); it holds the
// value of headers[…]". When a channel URL is refused, the error quotes
// the short form's name only when it holds none of the URL's secrets.
// A name that holds the value of such a variable named as a secret, or a
// secret of another channel, is refused too, as redact.CheckName decides
// (6 bytes or more, in any encoding), naming its reference:
// "channels[0].name: holds ${API_KEY}, a secret (…)"; or, for a secret
// written in the file (an alias of it, "name: *pw", or the same text
// again) or in a channel URL (written, or taken from the environment, as
// its kind reads it, or each part it keeps secret of a URL refused), or
// what a URL keeps secret of a full-form entry's URL key (Discord's
// webhook_url, a webhook's url; its password, token-like path segments
// and query values, values of query keys named like credentials, written
// or from the environment) or of a URL a channel URL's kind reads of it
// (the webhook URL of "discord://…"), the channel whose entry gave it,
// and where from: "channels[1].name: holds a secret written in
// channels[0] (…)", or, for one the environment gave, "holds a secret
// that channels[0] takes from ${IRC_URL} (…)" ("takes in part from
// ${PW_TAIL}" for a password written "Zq8x${PW_TAIL}"); Load's error
// does not show it. A name that is
// such a secret under 6 bytes (written, or from the environment: a short
// value is not hidden, but no name may be it), an alias of it or its
// whole text, is refused as well, and not
// quoted by the entry's other faults: a value of a key of secrets named
// as a credential (password, token, a header such as X-Api-Key) or an IRC
// channel key, not a header value such as "Accept-Language: en-US",
// which a short name may equal by chance. So is a secret under 6 bytes
// of a channel URL, written in the file or taken from the environment
// ("url: ${IRC_URL}"), as its kind reads the URL (an IRC server password,
// sasl_password or channel key, X's consumer_key), but not its nick, a
// user name or its host; so is the password, or the value of a query key
// named as a credential, of a URL key's URL; when the URL is refused (url.Parse or its kind
// refuses it, or no kind takes its scheme), the faults quote no name that
// is a part of the URL it keeps secret (its password, or user name without
// one, path, query, a query's value, fragment), however short, and a
// name of another channel that is one is refused as well. A URL refused
// whole that is a plain word of lower-case letters ("url: channel", or
// a password put in the wrong key) is hidden where an error quotes a
// value (an alias of it in another key: `unknown value "REDACTED"`),
// not in the words and field paths the error writes itself
// ("channels[0]: want a channel URL"); written again elsewhere in the
// file (a value, a header's name), where an error may write it without
// quotes, it is hidden wherever it stands, as is a word that no error
// writes itself (not in the schema's words: "url: hunterpassword"),
// which an alias may put where a fault writes it without quotes (a
// path: "templates: … does not exist").
//
// # Limits
//
// A file is at most 1 MiB, and at most 2^20 values with its YAML aliases
// expanded; so is a file read by ${file:PATH}. One mapping holds at most
// MaxMappingKeys (1000) keys. Lists and mappings nest at most 10,000 deep
// in brackets and 10,000 by indentation (the YAML library's limit: a file
// nested deeper is an error at its line, "exceeded max depth of 10000");
// a file costs Load time and memory in proportion to its size, however
// deep it nests. The values that hold references total at
// most 16 MiB expanded. Only values are expanded,
// not keys. Secrets from the environment, files or the file itself
// shorter than 6 bytes are not hidden (they would mangle every message): do not use secrets that
// short. Paths (state, store.path, templates, ca_file, ${file:PATH}) are
// relative to the file's directory. Load does no network I/O; Open opens
// the store. A File's channels belong to the one Broadcaster Open returns.
package config

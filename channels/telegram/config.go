package telegram

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/outagecast/outagecast/channels/internal/endpoint"
	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// Defaults of Config.
const (
	DefaultName     = "telegram"
	DefaultBaseURL  = "https://api.telegram.org"
	DefaultTemplate = "text"
)

// Config configures a Channel. It prints, logs and encodes without its
// token (a redact.Secret). The yaml and json tags are the keys of the
// announce configuration.
type Config struct {
	// Name is the channel's name in a Broadcaster and the key of its entry
	// in Update.Overrides. Default "telegram".
	Name string `yaml:"name" json:"name"`
	// Token is the bot's token from @BotFather, as
	// "123456789:AAE…". Required. New refuses one the Bot API server
	// always refuses: starting with 0, longer than 80 characters, or
	// whose id is out of the range of bots' ids.
	Token redact.Secret `yaml:"token" json:"token"`
	// Chats are where the bot posts: a channel's or public group's
	// username ("@examplestatus") or a chat's numeric id
	// ("-1001234567890"), followed by "/" and a topic id to post in a
	// forum topic ("-1001234567890/42"); "/1", the General topic, posts
	// without a topic, as the Bot API requires. The bot must be a member
	// that may post. Each is a Ledger target, named as written here.
	// Required.
	Chats []string `yaml:"chats" json:"chats"`
	// LinkPreview sets the preview Telegram shows of the update's URL.
	// Default: Telegram's preview of it, below the text. An update
	// without a URL has no preview, whatever links its text holds.
	LinkPreview LinkPreview `yaml:"link_preview" json:"link_preview"`
	// Template names the template that renders the messages, as plain
	// text (the channel escapes it and makes its first line bold). Default
	// "text". A base name: each update is rendered with the variant of its
	// status, if there is one ("text.resolved"), which New refuses as a
	// Template.
	Template string `yaml:"template" json:"template"`
	// BaseURL is the Bot API server. Default DefaultBaseURL; a local Bot
	// API server works too. It must be https; http is accepted for
	// loopback hosts only.
	// It must not hold one of the Config's secrets (a plain string, it
	// prints with the Config): they go in their own fields.
	BaseURL string `yaml:"base_url" json:"base_url"`
	// HTTPClient sends the requests; the channel uses a copy that follows
	// no redirect. Default: a client with a 30-second timeout.
	// A given client without a Timeout gets the default's.
	HTTPClient *http.Client `yaml:"-" json:"-"`
	// Templates holds Template. Default templates.Default().
	Templates *templates.Set `yaml:"-" json:"-"`
}

// LinkPreview is Telegram's LinkPreviewOptions for the update's URL. No
// other link is previewed: a message without the update's URL has none.
type LinkPreview struct {
	// Disabled shows no preview.
	Disabled bool `yaml:"disabled" json:"disabled"`
	// PreferSmallMedia shrinks the preview's media; PreferLargeMedia
	// enlarges it. At most one of them.
	PreferSmallMedia bool `yaml:"prefer_small_media" json:"prefer_small_media"`
	PreferLargeMedia bool `yaml:"prefer_large_media" json:"prefer_large_media"`
	// ShowAboveText puts the preview above the text.
	ShowAboveText bool `yaml:"show_above_text" json:"show_above_text"`
}

func (p LinkPreview) validate() error {
	switch {
	case p.Disabled && (p.PreferSmallMedia || p.PreferLargeMedia || p.ShowAboveText):
		return errors.New("telegram: Config.LinkPreview: Disabled set with other options")
	case p.PreferSmallMedia && p.PreferLargeMedia:
		return errors.New("telegram: Config.LinkPreview: PreferSmallMedia and PreferLargeMedia both set")
	}
	return nil
}

// chat is a validated entry of Config.Chats.
type chat struct {
	target string // as configured: the Ledger target
	id     any    // int64, or "@username"
	topic  int64  // message_thread_id; 0: none (the General topic too)
}

// generalTopic is the id of a forum's General topic, which the Bot API
// refuses as message_thread_id ("message thread not found"): a message
// sent without one goes there.
const generalTopic = 1

var (
	tokenPattern = regexp.MustCompile(`^[0-9]{1,20}:[A-Za-z0-9_-]{20,}$`)
	// The parts of tokenPattern, for an error saying which is wrong.
	tokenIDPattern     = regexp.MustCompile(`^[0-9]{1,20}$`)
	tokenSecretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{20,}$`)
	// Usernames set in the apps have 5 to 32 characters, collectible ones
	// (Fragment) as few as 4.
	usernamePattern = regexp.MustCompile(`^@[A-Za-z][A-Za-z0-9_]{3,31}$`)
)

// tokenShapeError says what is wrong with tok, which tokenPattern does
// not match: a user whose token has an id, a colon and a secret learns
// which of them to fix. It never quotes tok.
func tokenShapeError(tok string) error {
	id, secret, ok := strings.Cut(tok, ":")
	switch {
	case !ok:
		return errors.New("telegram: Config.Token: not a bot token (the bot's id, a colon, then the secret)")
	case !tokenIDPattern.MatchString(id):
		return errors.New("telegram: Config.Token: not a bot token: before the colon comes the bot's id, a number")
	case !tokenSecretPattern.MatchString(secret):
		return errors.New("telegram: Config.Token: not a bot token: the secret after the colon is too short, or holds characters other than letters, digits, - and _ (copy the whole token @BotFather gave)")
	}
	return errors.New("telegram: Config.Token: not a bot token (the bot's id, a colon, then the secret)")
}

// maxTokenLen is the length of the longest token the Bot API server
// takes (see tokenRefusal).
const maxTokenLen = 80

// tokenRefusal is the status with which the Bot API server refuses token
// before it looks the bot up, or 0, and why, said without the token: 401
// for a token starting with 0, longer than maxTokenLen, holding a "/" or
// no colon, or whose id (before the colon) is 0 or from 2^54 on; 421 for
// an id that is no number, or too large a one for a 64-bit integer. These
// are the checks of ClientManager::send in tdlib/telegram-bot-api
// (telegram-bot-api/ClientManager.cpp), the Bot API's server, made on
// every request: New refuses such a token, and the tests' fake server
// answers it so.
func tokenRefusal(token string) (status int, why string) {
	id, _, ok := strings.Cut(token, ":")
	switch {
	case !ok || token == "" || strings.Contains(token, "/"):
		return http.StatusUnauthorized, "the bot's id, a colon, then the secret"
	case token[0] == '0':
		return http.StatusUnauthorized, "the bot's id before the colon starts with 0, which no bot's id does"
	case len(token) > maxTokenLen:
		return http.StatusUnauthorized, "longer than the 80 characters a bot token has at most (copy the whole token @BotFather gave, and only it)"
	}
	n, err := strconv.ParseInt(id, 10, 64)
	switch {
	case err != nil && !tokenIDPattern.MatchString(id):
		return http.StatusMisdirectedRequest, "before the colon comes the bot's id, a number"
	case err != nil || n <= 0 || n >= 1<<54:
		status := http.StatusUnauthorized
		if err != nil {
			status = http.StatusMisdirectedRequest
		}
		return status, "the bot's id before the colon is out of the range of bots' ids (1 to 2^54-1)"
	}
	return 0, ""
}

// validate checks cfg without I/O, adding the fault of each field refused
// to f, and returns its chats, the base URL without a trailing slash and
// the channel's name ("" when refused).
func (cfg Config) validate(f *setup.Faults) ([]chat, string, string) {
	_, part, _ := strings.Cut(cfg.Token.Reveal(), ":") // the token's secret, after the bot's id
	name, err := setup.Name(pkg, cfg.Name, DefaultName, cfg, redact.NewSecret(part))
	f.Add(err)
	switch tok := cfg.Token.Reveal(); {
	case tok == "":
		f.Add(errors.New("telegram: Config.Token: missing (the bot's token from @BotFather)"))
	case setup.Token(pkg, "Token", cfg.Token) != nil:
		// A newline kept from the file the token was read from, most often.
		f.Add(setup.Token(pkg, "Token", cfg.Token))
	case strings.HasPrefix(tok, "bot") && tokenPattern.MatchString(tok[len("bot"):]):
		f.Add(errors.New(`telegram: Config.Token: not a bot token (the bot's id, a colon, then the secret; without the "bot" of the API's URLs)`))
	case !tokenPattern.MatchString(tok):
		f.Add(tokenShapeError(tok))
	default:
		if status, why := tokenRefusal(tok); status != 0 {
			f.Add(errors.New("telegram: Config.Token: not a bot token: " + why))
		}
	}
	chats, err := parseChats(cfg.Chats)
	f.Add(err)
	f.Add(cfg.LinkPreview.validate())
	base, err := parseBaseURL(cfg.BaseURL, cfg)
	f.Add(err)
	return chats, base, name
}

// parseChats parses list, Config.Chats; its error names the fault of
// each entry.
func parseChats(list []string) ([]chat, error) {
	if len(list) == 0 {
		return nil, errors.New(`telegram: Config.Chats: missing (a chat's "@username" or numeric id)`)
	}
	var f setup.Faults // of every entry
	out := make([]chat, 0, len(list))
	for i, s := range list {
		c, err := parseChat(s)
		if err != nil {
			f.Add(fmt.Errorf("telegram: Config.Chats[%d]: %w", i, err))
			continue
		}
		out = append(out, c)
	}
	if err := f.Err(); err != nil {
		return nil, err // entries refused are not compared
	}
	return out, setup.Distinct(pkg, "Chats", list, sameChat)
}

// sameChat folds an entry of Config.Chats (valid) to the chat and topic it
// posts to: usernames are case-insensitive, and a topic written as "/1" or
// "/01" is the General topic, as the chat without one is.
func sameChat(s string) string {
	c, _ := parseChat(s)
	if name, ok := c.id.(string); ok {
		return strings.ToLower(name) + "/" + strconv.FormatInt(c.topic, 10)
	}
	return fmt.Sprint(c.id) + "/" + strconv.FormatInt(c.topic, 10)
}

// parseChat reads "@username" or a numeric id, optionally "/topic". Its
// errors do not quote s, which may be a secret pasted in the wrong place
// (the bot token looks like a chat id with more after it).
func parseChat(s string) (chat, error) {
	c := chat{target: s}
	name, topic, hasTopic := strings.Cut(s, "/")
	if hasTopic {
		t, err := strconv.ParseInt(topic, 10, 64)
		if err != nil || t <= 0 {
			return chat{}, errors.New("the topic after / is not a positive number")
		}
		if t != generalTopic {
			c.topic = t
		}
	}
	switch {
	case usernamePattern.MatchString(name):
		c.id = name
	case name != "" && (name[0] == '-' || name[0] >= '0' && name[0] <= '9'):
		id, err := strconv.ParseInt(name, 10, 64)
		if err != nil || id == 0 {
			return chat{}, errors.New("not a chat id (a number that fits in 64 bits, not 0)")
		}
		c.id = id
	default:
		return chat{}, errors.New(`want a chat's "@username" (4 to 32 letters, digits and _, starting with a letter) or its numeric id`)
	}
	return c, nil
}

// parseBaseURL checks raw, which must not hold the token of cfg, nor its
// secret part alone, nor one of the form of a bot token, and returns it
// without a trailing slash.
func parseBaseURL(raw string, cfg Config) (string, error) {
	// A token's form first: it is found also when not cfg's own (a
	// bot's token not the one in Config.Token), and said as a token.
	if u, err := url.Parse(raw); err == nil {
		for seg := range strings.SplitSeq(u.Path, "/") {
			if tokenSegment.MatchString(seg) {
				return "", setup.Errorf(pkg, "BaseURL", "must not hold the bot token (it goes in Config.Token)")
			}
		}
	}
	_, part, _ := strings.Cut(cfg.Token.Reveal(), ":") // the token's secret alone
	return endpoint.Base(pkg, "BaseURL", raw, endpoint.Rules{Default: DefaultBaseURL, Config: cfg, Secrets: []redact.Secret{redact.NewSecret(part)}})
}

// tokenSegment matches a path segment that starts as a bot token does, with
// or without the "bot" of the API's URLs: the bot's id and a colon. A path
// that merely starts with "bot" ("/botapi" of a gateway) is no token.
var tokenSegment = regexp.MustCompile(`^(bot)?[0-9]{1,20}:`)

// pkg prefixes the errors of the package.
const pkg = "telegram"

// schemes of the channel URL form, and the host that stands for
// DefaultBaseURL.
const (
	schemes     = endpoint.Schemes("telegram")
	defaultHost = "telegram"
)

// ParseURL reads a channel URL (see the package documentation, # URL
// form) into a Config: telegram://TOKEN@telegram?chats=@examplestatus,-1001234567890/42&….
// It checks the URL's form, and the base URL its host and path make as
// New would (a token in the path would print with the Config); New checks
// the values. Errors name the part
// of the URL at fault and quote no value that may be a secret (a token
// pasted under the wrong key): neither ParseURL's nor New's.
func ParseURL(raw string) (Config, error) {
	u, web, err := schemes.Parse(pkg, raw)
	if err != nil {
		return Config{}, err
	}
	id, secret, ok := u.User.Username(), "", false
	if u.User != nil {
		secret, ok = u.User.Password()
	}
	switch {
	case id == "" || !ok || secret == "":
		return Config{}, endpoint.FormErrorf(pkg, "token", "want the bot token before the @, as telegram://123456789:SECRET@telegram")
	case u.Fragment != "":
		return Config{}, endpoint.FormErrorf(pkg, "fragment", "not allowed")
	}
	p, err := endpoint.Params(pkg, u.RawQuery, []string{"chats", "preview", "template", "name"}, "chats")
	if err != nil {
		return Config{}, err
	}
	cfg := Config{Name: p["name"], Token: redact.NewSecret(id + ":" + secret), Template: p["template"]}
	if path := strings.TrimRight(u.EscapedPath(), "/"); u.Host != defaultHost || web != "https" || path != "" {
		cfg.BaseURL = web + "://" + u.Host + path
		// Checked here too: the bot token written in the path would print
		// with the Config, where BaseURL is a plain string.
		if _, err := parseBaseURL(cfg.BaseURL, cfg); err != nil {
			return Config{}, endpoint.PartError(pkg, "host and path", err)
		}
	}
	if chats, ok := p["chats"]; ok {
		cfg.Chats = strings.Split(chats, ",")
	}
	if preview, ok := p["preview"]; ok {
		return cfg, cfg.LinkPreview.set(preview)
	}
	return cfg, nil
}

// Words of the preview URL parameter.
var previewWords = []string{"off", "small", "large", "above"}

// set reads the preview URL parameter: "off", or a comma-separated list of
// small, large and above. An unknown word is named by its position, not
// quoted: it may be a secret pasted under the wrong key.
func (p *LinkPreview) set(v string) error {
	n := 0
	for w := range strings.SplitSeq(v, ",") {
		n++
		switch w {
		case "off":
			p.Disabled = true
		case "small":
			p.PreferSmallMedia = true
		case "large":
			p.PreferLargeMedia = true
		case "above":
			p.ShowAboveText = true
		default:
			return endpoint.FormErrorf(pkg, "query", "preview: word %d unknown (want %s, comma-separated)", n, strings.Join(previewWords, ", "))
		}
	}
	return nil
}

// String returns the preview URL parameter for p; "" for the default.
func (p LinkPreview) String() string {
	var words []string
	for i, on := range []bool{p.Disabled, p.PreferSmallMedia, p.PreferLargeMedia, p.ShowAboveText} {
		if on {
			words = append(words, previewWords[i])
		}
	}
	return strings.Join(words, ",")
}

// URL returns cfg as a channel URL, token included, as a redact.URL that
// prints without it; ParseURL reads it back. HTTPClient and Templates have
// no URL form. A token without a colon, or an unparsable BaseURL, gives
// the zero URL.
func (cfg Config) URL() redact.URL {
	id, secret, ok := strings.Cut(cfg.Token.Reveal(), ":")
	if !ok {
		return redact.URL{}
	}
	u := url.URL{Scheme: schemes.Form("https"), User: url.UserPassword(id, secret), Host: defaultHost}
	if cfg.BaseURL != "" {
		b, err := url.Parse(cfg.BaseURL)
		if err != nil || b.Host == "" {
			return redact.URL{}
		}
		u.Host, u.Path, u.Scheme = b.Host, strings.TrimRight(b.Path, "/"), schemes.Form(b.Scheme)
	}
	q := url.Values{}
	for _, kv := range [][2]string{{"chats", strings.Join(cfg.Chats, ",")}, {"preview", cfg.LinkPreview.String()},
		{"template", cfg.Template}, {"name", cfg.Name}} {
		if kv[1] != "" {
			q.Set(kv[0], kv[1])
		}
	}
	u.RawQuery = q.Encode()
	return redact.NewURL(u.String())
}

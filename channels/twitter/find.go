package twitter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// Bounds of the look-up of a post X refused as a duplicate.
const (
	// findSkew is how much earlier than the update's Time a post of it may
	// have been created: the Broadcaster accepts a Time up to 5 minutes
	// ahead of this machine's clock, and X's clock may differ from it.
	findSkew = 10 * time.Minute
	// findPageSize is the posts a page of the timeline holds: X's most.
	findPageSize = 100
	// findPages is how many pages are read at most: the 500 newest posts
	// made since the update's Time, which bounds the requests (and the
	// posts read, which count towards the monthly cap) of a busy account.
	findPages = 5
	// findPageBytes bounds the body of a page: 100 posts, each with up to
	// 280 weighted characters as X escapes them, entities and ids.
	findPageBytes = 1 << 20
)

// oldestStartTime is the earliest start_time X accepts.
var oldestStartTime = time.Date(2010, time.November, 6, 0, 0, 0, 0, time.UTC)

// findPost looks for the post of text, a reply to replyTo unless that is
// empty, that X refused as a duplicate of an earlier attempt's: among the
// account's posts (GET /2/users/:id/tweets, newest first, up to findPages
// pages), one with that text, as X stores it, replying to the same post,
// created no earlier than since less findSkew. The reply tells an earlier
// attempt's post from another update's of the same text, which replies to
// an older post. ok is false when there is none; err says why the posts
// could not all be read.
func (c *Channel) findPost(ctx context.Context, text, replyTo string, since time.Time) (found post, ok bool, err error) {
	id, err := c.userID(ctx)
	if err != nil {
		return post{}, false, err
	}
	q := url.Values{}
	q.Set("max_results", strconv.Itoa(findPageSize))
	q.Set("exclude", "retweets")
	q.Set("tweet.fields", "created_at,entities,referenced_tweets")
	start := since.Add(-findSkew).UTC().Truncate(time.Second)
	if start.After(oldestStartTime) {
		q.Set("start_time", start.Format(time.RFC3339))
	}
	for page := 1; ; page++ {
		posts, next, h, err := c.timelinePage(ctx, id, q)
		if err != nil {
			return post{}, false, err
		}
		for _, p := range posts {
			if !p.CreatedAt.Before(start) && p.repliedTo() == replyTo && sameText(text, p) {
				return post{ID: p.ID, Text: p.Text}, true, nil
			}
		}
		switch {
		case next == "":
			return post{}, false, nil
		case page == findPages:
			return post{}, false, fmt.Errorf("twitter: find post: not among the %d newest posts made since %s",
				findPages*findPageSize, start.Format(time.RFC3339))
		case strings.TrimSpace(h.Get("x-rate-limit-remaining")) == "0":
			// The next page would be refused: X's answer says so already.
			local := c.now()
			if d, which := rateLimitWait(h, local); d > 0 {
				return post{}, false, fmt.Errorf("twitter: find post: page %d: rate limited until %s (%s)",
					page+1, local.Add(d).UTC().Format(time.RFC3339), which)
			}
		}
		q.Set("pagination_token", next)
	}
}

// timelinePage reads one page of the timeline of the account id with the
// query q, and returns its posts, the token of the next page ("" on the
// last) and the answer's header.
func (c *Channel) timelinePage(ctx context.Context, id string, q url.Values) ([]timelinePost, string, http.Header, error) {
	resp, s, err := c.exchange(ctx, "find post", http.MethodGet, "/2/users/"+url.PathEscape(id)+"/tweets?"+q.Encode(), nil, findPageBytes)
	if err != nil {
		return nil, "", nil, err
	}
	if err := c.classify("find post", resp, s); err != nil {
		return nil, "", nil, err
	}
	posts, next, err := parseTimeline(resp.Body)
	if err != nil {
		return nil, "", nil, readError("find post", resp, err, s)
	}
	return posts, next, resp.Header, nil
}

// userID returns the id of the account the channel posts as (GET
// /2/users/me), read once per Channel, by Check or the first look-up: X
// allows that endpoint few requests a day (25 on the Free tier), and a
// look-up it held would leave a retry's post without its id.
func (c *Channel) userID(ctx context.Context) (string, error) {
	c.mu.Lock()
	id := c.user
	c.mu.Unlock()
	if id != "" {
		return id, nil
	}
	resp, s, err := c.exchange(ctx, "find post", http.MethodGet, "/2/users/me", nil, 0)
	if err != nil {
		return "", err
	}
	if err := c.classify("find post", resp, s); err != nil {
		return "", err
	}
	u, err := parseUser(resp.Body)
	if err != nil {
		return "", readError("find post", resp, err, s)
	}
	c.keepUser(u.ID)
	return u.ID, nil
}

// keepUser keeps id, the account's, read from GET /2/users/me.
func (c *Channel) keepUser(id string) {
	c.mu.Lock()
	c.user = id
	c.mu.Unlock()
}

// timelinePost is a post of GET /2/users/:id/tweets with created_at,
// entities and referenced_tweets.
type timelinePost struct {
	ID        string    `json:"id"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
	Entities  struct {
		URLs []timelineURL `json:"urls"`
	} `json:"entities"`
	ReferencedTweets []struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"referenced_tweets"`
	EditHistory []string `json:"edit_history_tweet_ids"` // the ids of its versions, oldest first
}

// timelineURL is a link of a post's entities: the t.co link in its text
// (url) and the link as written (expanded_url).
type timelineURL struct {
	URL         string `json:"url"`
	ExpandedURL string `json:"expanded_url"`
}

// repliedTo returns the id of the post p replies to, or "".
func (p timelinePost) repliedTo() string {
	for _, r := range p.ReferencedTweets {
		if r.Type == "replied_to" {
			return r.ID
		}
	}
	return ""
}

// parseTimeline reads the answer to GET /2/users/:id/tweets: {"data":[…],
// "meta":{…}}, without data when there are no posts, and with
// meta.next_token when there is a next page.
func parseTimeline(body []byte) ([]timelinePost, string, error) {
	var resp struct {
		Data []timelinePost `json:"data"`
		Meta *struct {
			NextToken string `json:"next_token"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, "", fmt.Errorf("read response: invalid JSON: %w", err)
	}
	if resp.Meta == nil {
		if resp.Data == nil {
			return nil, "", errors.New("read response: no data or meta")
		}
		return resp.Data, "", nil
	}
	return resp.Data, resp.Meta.NextToken, nil
}

// sameText reports whether p is a post of text. X stores a post's text
// NFC-normalised, trimmed, with &, < and > as HTML entities and every link
// as a t.co link; its entities give each t.co link (url) and the link as
// written (expanded_url, with "http://" added when it had no scheme), in
// the order of the text. The links are those X found, by its own list of
// top-level domains, not this package's (see findURLs): text must be X's
// text with each t.co link read as its link as written (see sameLink),
// and the rest exactly.
func sameText(text string, p timelinePost) bool {
	ours := strings.TrimSpace(norm.NFC.String(text))
	theirs := strings.TrimSpace(norm.NFC.String(html.UnescapeString(p.Text)))
	urls := p.Entities.URLs
	for k, u := range urls {
		i := strings.Index(theirs, u.URL)
		if u.URL == "" || i < 0 || !strings.HasPrefix(ours, theirs[:i]) {
			return false
		}
		ours, theirs = ours[i:], theirs[i+len(u.URL):]
		if k == len(urls)-1 {
			// The last link runs up to the rest of X's text.
			n := len(ours) - len(theirs)
			return n >= 0 && ours[n:] == theirs && sameLink(u.ExpandedURL, ours[:n])
		}
		// Another runs up to X's text before the next t.co link.
		after := theirs
		if j := strings.Index(theirs, urls[k+1].URL); j >= 0 {
			after = theirs[:j]
		}
		n := linkAt(ours, u.ExpandedURL, after)
		if n < 0 {
			return false
		}
		ours = ours[n:]
	}
	return ours == theirs
}

// linkAt returns the length of the link at the start of s that expanded,
// a link as X gives it in a post's entities, is as written (see
// sameLink), and that after follows; -1 when s does not start with one.
// The link may be longer or shorter than expanded: a host in Unicode where
// X gives Punycode, a path with "ß" where X gives "%C3%9F", or the other
// way round.
func linkAt(s, expanded, after string) int {
	for n := len(s) - len(withoutScheme(s)) + 1; n <= len(s); n++ {
		if (n == len(s) || utf8.RuneStart(s[n])) && strings.HasPrefix(s[n:], after) && sameLink(expanded, s[:n]) {
			return n
		}
	}
	return -1
}

// sameLink reports whether expanded, a link as X gives it in a post's
// entities, is link as written: schemes aside, the same host (X adds
// "http://" to a link without a scheme; a host names the same server in
// any case, and in Unicode or in Punycode: see sameHost), and the same
// rest, a path, a query and a fragment, in the same case ("/Status/ABC"
// is not "/status/abc") but for percent-encoding that changes nothing (see
// canonicalRest): "/straße" is "/stra%C3%9Fe", "/a%2Fb" is not "/a/b".
func sameLink(expanded, link string) bool {
	e, l := withoutScheme(expanded), withoutScheme(link)
	eh, lh := hostEnd(e), hostEnd(l)
	return sameHost(e[:eh], l[:lh]) && (e[eh:] == l[lh:] || canonicalRest(e[eh:]) == canonicalRest(l[lh:]))
}

// sameHost reports whether a and b, hosts with an optional port, name the
// same server: the same in any case, or the same port and the same host
// once both are in ASCII as a browser looks them up (golang.org/x/net/idna's
// Lookup profile: an internationalised domain name in Punycode, in lower
// case). A host that profile refuses is only itself.
func sameHost(a, b string) bool {
	if strings.EqualFold(a, b) {
		return true
	}
	a, aport := splitPort(a)
	b, bport := splitPort(b)
	if aport != bport {
		return false
	}
	aa, err := idna.Lookup.ToASCII(a)
	if err != nil {
		return false
	}
	ba, err := idna.Lookup.ToASCII(b)
	return err == nil && aa == ba
}

// splitPort returns host without its port (":8443"), and the port.
func splitPort(host string) (string, string) {
	i := strings.LastIndexByte(host, ':')
	if i < 0 || strings.Contains(host[i:], "]") {
		return host, ""
	}
	return host[:i], host[i:]
}

// canonicalRest returns the path, query and fragment of a link with the
// percent-encoding that does not change what it names undone or made
// alike (RFC 3986, sections 3.2 and 6.2.2; RFC 3987, section 3.1): each
// byte of a non-ASCII character percent-encoded, as net/url's escaping
// writes it, an unreserved character ("-", ".", "_", "~", letters and
// digits) decoded, and the hexadecimal digits of the rest in upper case.
// A reserved character stays as it is, escaped or not: "%2F" is no "/".
func canonicalRest(rest string) string {
	var b strings.Builder
	for i := 0; i < len(rest); i++ {
		c, escaped := rest[i], false
		if c == '%' && i+2 < len(rest) {
			if d, err := strconv.ParseUint(rest[i+1:i+3], 16, 8); err == nil {
				c, escaped = byte(d), true
				i += 2
			}
		}
		if c >= utf8.RuneSelf || escaped && !unreserved(c) {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// unreserved reports whether c is an unreserved character of RFC 3986:
// one a link means the same by escaped or not.
func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0
}

// hostEnd returns where the host (with its port) of a link without its
// scheme ends: at the first "/", "?" or "#", or at its end.
func hostEnd(link string) int {
	if i := strings.IndexAny(link, "/?#"); i >= 0 {
		return i
	}
	return len(link)
}

// withoutScheme returns link without a leading "http://" or "https://".
func withoutScheme(link string) string {
	for _, scheme := range []string{"https://", "http://"} {
		if len(link) >= len(scheme) && strings.EqualFold(link[:len(scheme)], scheme) {
			return link[len(scheme):]
		}
	}
	return link
}

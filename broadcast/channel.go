package broadcast

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"maps"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/outagecast/outagecast/internal/panictext"
)

// A Channel delivers one message to one platform per call: exactly one
// attempt, no retries, no sleeping. Retries, timeouts and fan-out across
// channels belong to the Broadcaster.
//
// Send must honour ctx: when it is done, Send returns promptly. An error may
// be marked Permanent (do not retry: bad request, bad credentials) or
// RetryAfter (transient, wait at least this long); any other error is
// transient. Errors must never contain a secret. A Receipt returned with
// an error is ignored. A Permanent or RetryAfter error says the platform
// answered and posted nothing: a later run does not count that attempt as
// one whose outcome is unknown (see Message.Attempt), and Retract takes it
// that there is no post of it to delete. A channel that may have posted
// (the answer to its post was lost, or could not be read) returns another
// error, or marks it Uncertain too (a server error that asks to wait).
//
// A Channel must be safe for concurrent use and must not modify the Message
// or the Update it carries.
//
// A channel may implement optional interfaces: Editor, Retractor, Checker,
// Previewer and io.Closer. A wrapper around a Channel (a decorator that
// logs or counts its sends) hides them, so it must implement
//
//	Unwrap() Channel
//
// returning the channel it wraps, as an http.ResponseWriter wrapper does
// for http.ResponseController. The Broadcaster finds each optional
// interface on the channel or down its Unwrap chain (see As): the
// outermost that implements it wins, so a wrapper intercepts an optional
// method by implementing it, and calls the inner one itself; where the
// inner channel lacks it (a middleware written for every channel), the
// wrapper's method returns an error wrapping ErrNotSupported, and the
// Broadcaster does what it does for a channel without the method: Correct
// posts the correction anew, Retract fails for good with that error, Check
// returns it and Preview leaves the channel out. A wrapper
// without Unwrap would lose them all: corrections posted anew instead of
// edited, retractions failed with ErrNotSupported, Check saying
// ErrNotSupported, the channel left out of Preview and not closed by
// Close. New refuses such a wrapper (a struct with one field holding a
// channel that has an optional interface the wrapper lacks, or such a
// wrapper), naming what it hides; one that hides them on purpose has an Unwrap that returns nil.
// A wrapper keeps the wrapped channel's Name: the channel reads its
// entry of Update.Overrides under its own name.
type Channel interface {
	// Name is stable, unique within a Broadcaster, and contains no secret.
	// New reads it once: the Broadcaster goes by that name.
	Name() string
	// Send makes one delivery attempt of m.
	Send(ctx context.Context, m Message) (Receipt, error)
}

// Message is what a Channel is asked to deliver.
type Message struct {
	// Update is the update to deliver, cleaned and its defaults filled in.
	Update Update
	// Attempt is 1 on the first try, 2 on the first retry, and so on. It
	// is above 1 on a first try too when an earlier run attempted the
	// delivery and its outcome is unknown (no refusal or rate limit
	// answered it): a Send whose attempt timed out, or lost its
	// connection, with its retries used up, a process that ended
	// mid-attempt, a
	// queue's job run again after its worker died (RunJob), on this
	// Broadcaster or another sharing the Store. A channel whose platform
	// takes no idempotency key looks, when Attempt > 1, for the post such
	// an attempt may have made before posting again.
	Attempt int
	// Thread holds this channel's receipts of the incident's first and
	// latest posts; zero when the channel has not posted the incident yet.
	Thread Thread
	// Ledger records per-target progress for channels that fan out to many
	// recipients; never nil (see NewFanout for the usual way to use it).
	Ledger Ledger

	channel string // the channel's name, for Key; "" in a Message built by hand
	stale   bool   // a correction saying an older status than a post still up (see Current)
	edit    bool   // an Edit's: a target's ErrNotSupported asks for a post anew (see postAnew)
}

// NewMessage returns the Message of the first attempt at delivering u, for
// callers without a Broadcaster (tests, one-off tools calling a Channel
// directly): u cleaned and with its defaults filled in (see
// Update.WithDefaults), Attempt 1, no Thread, and a Ledger in memory. Its
// Key is stable for (Update.ID, target). It does not validate u: call
// Update.Validate first, as the Broadcaster does, since most channels post
// what they are given (a password in Update.URL, say, for every reader to
// see); a channel may check it again with Message.Validate.
func NewMessage(u Update) Message {
	return Message{Update: u.WithDefaults(time.Now().UTC().Round(0)), Attempt: 1, Ledger: newMemLedger()}
}

// Current reports whether m's update says the incident's current status:
// true for every update but a correction (Update.Corrects) that says an
// older status than a post still up in the thread. Through the
// Broadcaster, a correction says the status of the update its chain of
// corrections starts from (its original, or that of the correction it
// corrects, and so on up), and so does every post of a chain: a
// correction is not current while a post of a newer update's chain (an
// update of a later Time, or of the same Time first sent later) is up on
// the channel, as Correct posts one in the thread where the original
// could not be edited. A post deleted by Retract no
// longer counts (a Retract deletes its update's post only, not those of
// its corrections): the chain is current again once no newer update's
// chain is up (where the platform cannot delete, the post stays up, and
// so does the older status). A channel
// that shows the incident's status apart from the posts (a status bar, a
// card on the first post) changes it only when Current is true: else it
// would show an older status as the current one. The Broadcaster tells from the Store's receipts,
// its records of what each correction corrects and of the Time and order
// of each update's first Send, and the links between posts; where those
// cannot tell which update a chain starts from (a chain of more than 64
// corrections of corrections), or whether a post of a newer update's
// chain is up (a walk back over more than 1,024 posts of the thread, which
// on a channel that cannot delete stops at the latest post that is no
// correction), a correction is not current: the safe answer, which leaves
// a status shown apart as it was. A record the Store
// cannot read fails the attempt transiently, before the channel is
// called: the next attempt reads it again. In
// a Message built by hand, a correction is current when the thread's
// latest post is its original's, or there is none.
func (m Message) Current() bool {
	switch last := m.Thread.Last.UpdateID; {
	case m.Update.Corrects == "":
		return true
	case m.channel != "":
		return !m.stale
	default:
		return last == "" || last == m.Update.Corrects || last == m.Update.ID
	}
}

// Validate reports what is wrong with m.Update, as Update.Validate does,
// for a channel called with a Message built without the Broadcaster
// (NewMessage does not validate): such a channel checks it before it
// posts, and fails permanently with its error, which names each field at
// fault, instead of sending what the platform refuses (a title over
// MaxTitleLength, an unknown status) after a round trip. A Message of the
// Broadcaster passes, as its update was validated. Its Time may be one
// filled in (by NewMessage, or by the Broadcaster for an update given
// without one), which a NextUpdate may precede: that is not refused, as
// Send does not refuse it.
func (m Message) Validate() error { return m.Update.validate(false) }

// Key returns the idempotency key of delivering m's update to target (""
// for the channel as a whole): the same on every attempt, after a restart
// and on every instance, for the same Update.ID, channel name and target,
// and different otherwise. A Message built by hand (NewMessage) has no
// channel name: its keys are the same for every channel it is given to. Channels send it as the platform's idempotency
// key: the Standard Webhooks webhook-id, Mastodon's Idempotency-Key,
// Matrix's txnId, Google Chat's requestId. It is 32 lower-case hexadecimal
// digits, which every such platform accepts. For an Update without an ID
// (a Message built by hand), it is the key of the ID Update.WithDefaults
// gives it, derived from its content, so that two such updates never share
// a key.
func (m Message) Key(target string) string {
	id := m.Update.ID
	if id == "" {
		id = m.Update.WithDefaults(time.Time{}).ID // the ID does not depend on the time
	}
	var buf [256]byte // on the stack: a fan-out asks once per target
	b := buf[:0]
	for _, s := range [...]string{"outagecast-key-v1", id, m.channel, target} {
		b = appendField(b, s)
	}
	sum := sha256.Sum256(b)
	var out [32]byte
	hex.Encode(out[:], sum[:16])
	return string(out[:])
}

// appendField appends s length-prefixed, as "len:s;", so that no two lists
// of fields hash alike.
func appendField(b []byte, s string) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 10)
	return append(append(append(b, ':'), s...), ';')
}

// hashField writes s to h as appendField does.
func hashField(h hash.Hash, s string) {
	h.Write(appendField(nil, s))
}

// Thread is a channel's record of an incident's posts: the first (Root)
// and the latest (Last). Platforms that thread under the first post (Slack,
// Matrix, Google Chat) reply to Root; those that chain replies (X, e-mail,
// Mastodon, Telegram) reply to Last; Bluesky names both, the thread's root
// and the parent. Both are zero before the channel's first post of the
// incident; after it, Last equals Root until a second post. A channel is
// given neither when it was retracted: after the retraction of the latest
// post, Last is the latest post before it still up (Root when there is
// none, or when Prune removed the Store's record of which post came
// before); after the retraction of the first post, the first post made
// afterwards is the thread's Root for the updates that follow.
type Thread struct {
	Root Receipt `json:"root"` // the incident's first post on the channel
	Last Receipt `json:"last"` // its latest post on the channel
}

// IsZero reports whether the incident has no earlier post on the channel.
func (t Thread) IsZero() bool { return t.Root.IsZero() && t.Last.IsZero() }

// Ledger records, per target (a recipient, an endpoint), what an earlier
// attempt of the same update already achieved, so a retry resends only to
// targets not done. It is backed by the Broadcaster's Store, so with a
// durable Store it survives restarts and is shared by the instances that
// share the Store.
//
// Targets are strings the channel chooses. They appear in Results and
// errors, so they must name the target without a secret (an e-mail
// address, an IRC channel, an endpoint's host and a hash of its URL). A
// target is never empty: the Store keeps the channel's own mark under "",
// so the Ledger answers Done("") as failed (its failure says why) and
// refuses to mark it.
type Ledger interface {
	// Done reports whether target was delivered, in an earlier attempt or
	// an earlier Send of the update, or failed permanently in an earlier
	// attempt of this Send (of a Job, in its earlier runs; of a Send that
	// waited for one of the update running at once, in that one); failure is why
	// it failed, "" when it was delivered. A target that failed
	// permanently in an earlier Send is not done: this Send tries it
	// again, as it does a channel that failed as a whole, since what
	// failed may have been put right. When the Store cannot be read, Done
	// answers true with the read error as failure, so the target is not
	// sent to blind; the Broadcaster then retries the attempt.
	Done(target string) (done bool, failure string)
	// MarkDelivered records that target received the update.
	MarkDelivered(target string) error
	// MarkFailed records that target failed permanently: it is not tried
	// again within this Send, and a later Send of the update (Correct of
	// the correction) tries it again (see Done).
	MarkFailed(target string, err error) error
	// MarkPosted records that target received the update, as MarkDelivered
	// does, and where: post names the post made there (its ID, URL and
	// Meta, as the channel writes them in a receipt). The mark is written
	// first, then the post. A channel that names each target's post in its
	// receipt uses it, so that the attempt that completes the delivery
	// names the posts of earlier attempts too, after a restart and on
	// another instance sharing the Store (see Fanout.Posted).
	MarkPosted(target string, post Receipt) error
	// Post returns the post that MarkPosted recorded for target, in this
	// Send or an earlier one. When the Store cannot be read, Post answers
	// false: the receipt then lacks that post, and the Broadcaster reports
	// it as ErrNotRecorded.
	Post(target string) (post Receipt, ok bool)
}

// Receipt is a channel's record of one delivery.
type Receipt struct {
	Channel string            `json:"channel"`        // the channel's Name (the Broadcaster fills it in)
	ID      string            `json:"id,omitempty"`   // platform id: tweet id, Message-ID; IRC has none
	URL     string            `json:"url,omitempty"`  // link to the post where the platform has one
	Time    time.Time         `json:"time"`           // when it was delivered
	Meta    map[string]string `json:"meta,omitempty"` // platform extras
	// UpdateID and UpdateTime identify the update delivered (the
	// Broadcaster fills them in), so that an older update is never posted
	// after a newer one. A correction posted in the thread gets an
	// UpdateTime right after its original's, or the post's it follows
	// when later: it supersedes its original, and no newer update.
	UpdateID   string    `json:"update_id,omitempty"`
	UpdateTime time.Time `json:"update_time,omitzero"`
}

// merge adds post p of one target to r, a receipt of several: r keeps the
// ID and URL of the first post with an ID, and gets every post's Meta.
func (r *Receipt) merge(p Receipt) {
	if r.ID == "" && p.ID != "" {
		r.ID, r.URL = p.ID, p.URL
	}
	for k, v := range p.Meta {
		if r.Meta == nil {
			r.Meta = map[string]string{}
		}
		r.Meta[k] = v
	}
}

// IsZero reports whether r is the zero Receipt (no earlier delivery).
func (r Receipt) IsZero() bool {
	return r.Channel == "" && r.ID == "" && r.URL == "" && r.Time.IsZero() && len(r.Meta) == 0 &&
		r.UpdateID == "" && r.UpdateTime.IsZero()
}

// clone returns r with a Meta of its own.
func (r Receipt) clone() Receipt {
	r.Meta = maps.Clone(r.Meta)
	return r
}

// ChannelFunc makes a Channel of a name and a function, for tests and small
// programs. With a nil send, its Send fails for good, and does not panic.
func ChannelFunc(name string, send func(context.Context, Message) (Receipt, error)) Channel {
	return &funcChannel{name: name, send: send}
}

type funcChannel struct {
	name string
	send func(context.Context, Message) (Receipt, error)
}

func (f *funcChannel) Name() string {
	if f == nil {
		return ""
	}
	return f.name
}

func (f *funcChannel) Send(ctx context.Context, m Message) (Receipt, error) {
	if f == nil || f.send == nil {
		return Receipt{}, errNoSendFunc
	}
	return f.send(ctx, m)
}

// errNoSendFunc is the error of a Send of a ChannelFunc given a nil
// function, which would otherwise panic.
var errNoSendFunc = Permanent(errors.New("broadcast: ChannelFunc: nil send function"))

// Preview is what a channel would send for an update.
type Preview struct {
	Channel string `json:"channel"`           // the channel's Name (Broadcaster.Preview fills it in)
	Subject string `json:"subject,omitempty"` // e-mail subject, where there is one
	Text    string `json:"text"`              // the message as it would be sent
	Length  int    `json:"length"`            // Text measured in Unit
	Limit   int    `json:"limit,omitempty"`   // the platform's limit in Unit; 0: none
	Unit    string `json:"unit,omitempty"`    // "characters", "weighted characters", "bytes"…
}

// Previewer is implemented by channels that can render an update without
// sending it (dry runs). The Broadcaster's Preview uses it. A Preview that
// fails still names the Channel, Limit and Unit, which do not depend on
// the update, so that a dry run can say what the text must fit.
type Previewer interface {
	Preview(u Update) (Preview, error)
}

// Checker is implemented by channels that can verify their credentials and
// the reachability of their platform without posting anything.
type Checker interface {
	Check(ctx context.Context) error
}

// Editor is implemented by channels whose platform can change a post in
// place. Edit makes one attempt at replacing the post prev (this channel's
// receipt of an earlier update) with m's update, under the same rules as
// Channel.Send, and returns the receipt of the edited post (one that
// names no post, without ID, URL or Meta, stands for prev's post, as for a
// platform that answers an edit with no body). Where the
// platform makes the edited post a new one, with an id of its own (X's
// versions), the receipt names the new one; the Broadcaster then keeps
// the new one as the receipt of the update corrected and, when prev was
// the incident's latest post, as the thread's latest and the receipt of
// the update prev was, so that later updates reply to it and a later
// Correct or Retract of those updates acts on it.
// Broadcaster.Correct uses it. A target whose error wraps ErrPostGone,
// ErrNotEditable or ErrNotSupported (its platform cannot edit) gets the
// correction posted anew, in the thread, the other targets edited.
type Editor interface {
	Edit(ctx context.Context, m Message, prev Receipt) (Receipt, error)
}

// Retractor is implemented by channels whose platform can delete a post.
// Retract makes one attempt at deleting the post prev, under the same rules
// as Channel.Send; a post already gone counts as deleted.
// Broadcaster.Retract uses it.
type Retractor interface {
	Retract(ctx context.Context, prev Receipt) error
}

// maxUnwrap bounds the Unwrap chain As follows: a wrapper whose Unwrap
// returns itself, or a cycle, must not hang the Broadcaster.
const maxUnwrap = 64

// As returns the first of ch and the channels down its Unwrap chain (see
// Channel) that is a T, an optional interface such as Editor or Checker,
// and reports whether there is one. It is how the Broadcaster finds
// optional interfaces; callers that call them on a channel themselves
// (a conformance suite, a dry run) use it too, so that a wrapped channel
// is treated as the channel it wraps. An Unwrap that panics ends the chain
// there.
func As[T any](ch Channel) (T, bool) {
	for range maxUnwrap {
		if t, ok := ch.(T); ok {
			return t, true
		}
		next, err := unwrapOnce(ch)
		if next == nil || err != nil {
			break
		}
		ch = next
	}
	var zero T
	return zero, false
}

// unwrapOnce returns the channel ch wraps, nil when it wraps none, and
// the error of an Unwrap that panicked (New refuses such a channel; As
// stops there, rather than take the process down from a delivery's
// goroutine).
func unwrapOnce(ch Channel) (next Channel, err error) {
	w, ok := ch.(interface{ Unwrap() Channel })
	if !ok {
		return nil, nil
	}
	defer func() {
		if r := recover(); r != nil {
			next, err = nil, fmt.Errorf("its Unwrap panicked: %s", panictext.Text(r))
		}
	}()
	return w.Unwrap(), nil
}

// checkUnwrap walks ch's Unwrap chain as As does, and returns the error
// of an Unwrap that panics.
func checkUnwrap(ch Channel) error {
	for range maxUnwrap {
		next, err := unwrapOnce(ch)
		if next == nil || err != nil {
			return err
		}
		ch = next
	}
	return nil
}

// optionals are the optional interfaces of a Channel (see Channel), with
// what the Broadcaster does without each.
var optionals = [...]struct {
	name, without string
	t             reflect.Type
}{
	{"Editor", "Correct posts corrections anew instead of editing", reflect.TypeFor[Editor]()},
	{"Retractor", "Retract fails with ErrNotSupported", reflect.TypeFor[Retractor]()},
	{"Checker", "Check says ErrNotSupported", reflect.TypeFor[Checker]()},
	{"Previewer", "Preview leaves the channel out", reflect.TypeFor[Previewer]()},
	{"io.Closer", "Close does not reach it", reflect.TypeFor[io.Closer]()},
}

// checkHidden walks ch's Unwrap chain as As does, and reports a wrapper
// without Unwrap that hides optional interfaces of the channel it wraps:
// a struct one of whose fields, and only one, holds a Channel that has
// (or wraps) an optional interface the wrapper lacks. Such a wrapper
// would silently lose them (see Channel); one that hides them on purpose
// says so with an Unwrap that returns nil. A struct holding several
// channels (one that sends to each in turn) is not taken for a wrapper.
// The channel a wrapper holds is looked at so in turn, depth wrappers
// deep, so that one hiding nothing itself around one that hides is
// refused too.
func checkHidden(ch Channel, depth int) error {
	for range maxUnwrap {
		if next, _ := unwrapOnce(ch); next != nil {
			ch = next
			continue
		}
		if _, wraps := ch.(interface{ Unwrap() Channel }); wraps {
			return nil // ends the chain on purpose
		}
		return hiddenBy(ch, depth)
	}
	return nil
}

// hiddenBy is checkHidden's look at w, a wrapper without Unwrap, depth
// wrappers deep.
func hiddenBy(w Channel, depth int) error {
	v := reflect.ValueOf(w)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	channelType := reflect.TypeFor[Channel]()
	field, lost, inner := "", []int(nil), Channel(nil)
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Kind() == reflect.Interface {
			if f.IsNil() {
				continue
			}
			f = f.Elem()
		}
		if !f.Type().Implements(channelType) || nilValue(f) {
			continue
		}
		if field != "" {
			return nil // several channels: not a wrapper
		}
		field, lost, inner = v.Type().Field(i).Name, nil, nil
		if f.CanInterface() {
			inner = f.Interface().(Channel)
		}
		for j, o := range optionals {
			if reflect.TypeOf(w).Implements(o.t) {
				continue
			}
			has := f.Type().Implements(o.t)
			if inner != nil && !has {
				has = hasOptional(inner, o.t)
			}
			if has {
				lost = append(lost, j)
			}
		}
	}
	if len(lost) == 0 {
		if inner == nil || depth >= maxUnwrap {
			return nil
		}
		if err := checkHidden(inner, depth+1); err != nil {
			return fmt.Errorf("%T holds in its field %s a wrapper that %w", w, field, err)
		}
		return nil
	}
	names, withouts := make([]string, len(lost)), make([]string, len(lost))
	for k, j := range lost {
		names[k], withouts[k] = optionals[j].name, optionals[j].without
	}
	return fmt.Errorf("%T hides the %s of the channel in its field %s, as it has no Unwrap() Channel method (%s): "+
		"give it one returning that channel (see broadcast.Channel), or one returning nil to hide them on purpose",
		w, strings.Join(names, ", "), field, strings.Join(withouts, "; "))
}

// nilValue reports whether v holds a nil pointer (or map, func, …).
func nilValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Func, reflect.Chan, reflect.Slice, reflect.UnsafePointer:
		return v.IsNil()
	}
	return false
}

// hasOptional reports whether ch, or a channel down its Unwrap chain, is
// a t (see As).
func hasOptional(ch Channel, t reflect.Type) bool {
	for range maxUnwrap {
		if reflect.TypeOf(ch).Implements(t) {
			return true
		}
		next, err := unwrapOnce(ch)
		if next == nil || err != nil {
			return false
		}
		ch = next
	}
	return false
}

// memLedger is the Ledger of NewMessage: marks and posts in memory.
type memLedger struct {
	mu    sync.Mutex
	marks map[string]string  // failure text; "" when delivered
	posts map[string]Receipt // by target
}

func newMemLedger() *memLedger { return &memLedger{marks: map[string]string{}} }

func (l *memLedger) Done(target string) (bool, string) {
	if target == "" {
		return true, errEmptyTarget.Error()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.marks[target]
	return ok, f
}

func (l *memLedger) MarkDelivered(target string) error { return l.mark(target, nil) }

func (l *memLedger) MarkFailed(target string, err error) error {
	// Read outside mark's lock, which a panic in its Error method (a nil
	// pointer in a non-nil error) would leave held.
	return l.mark(target, readable(cmp.Or(err, errFailedUnknown), "channel"))
}

func (l *memLedger) MarkPosted(target string, post Receipt) error {
	if target == "" {
		return errEmptyTarget
	}
	l.mu.Lock()
	if l.posts == nil {
		l.posts = map[string]Receipt{}
	}
	l.posts[target] = post.clone()
	l.mu.Unlock()
	return l.mark(target, nil)
}

func (l *memLedger) Post(target string) (Receipt, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	p, ok := l.posts[target]
	return p.clone(), ok
}

func (l *memLedger) mark(target string, err error) error {
	if target == "" {
		return errEmptyTarget
	}
	text := failureText(err)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.marks[target] = text
	return nil
}

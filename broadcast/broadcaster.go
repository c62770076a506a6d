package broadcast

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/outagecast/outagecast/internal/errwalk"
	"github.com/outagecast/outagecast/internal/panictext"
	"github.com/outagecast/outagecast/internal/quotecut"
	"github.com/outagecast/outagecast/internal/slogguard"
)

// Broadcaster sends updates to a fixed set of channels, each concurrently
// and with its own retries. It is safe for concurrent use. Make it with
// New: a nil *Broadcaster (New's error dropped) or a zero Broadcaster
// fails every call with an error saying it was not made by New (Check
// returns that one error, RunJob's Result holds it, not Permanent),
// and Channels returns nil; none panics.
type Broadcaster struct {
	channels []Channel
	// names[i] is channels[i]'s Name, read once, by New, which checked
	// it: a Name that panics or changes later must neither panic out of
	// a call nor move the channel's marks and receipts to another name.
	names     []string
	routes    []*Route // routes[i] belongs to channels[i]; nil: every update
	stages    [][]int  // channel indexes by stage; nil: one stage
	stageWait time.Duration
	retry     RetryPolicy
	timeout   time.Duration
	store     Store
	logger    *slog.Logger // nil: discard
	onEvent   func(Event)
	eventMu   sync.Mutex
	flights   flights
	newest    newest
	// sharedLock is Options.Lock.
	sharedLock func(ctx context.Context, key LockKey) (func(), error)
	// places orders the first Sends of updates of equal Time.
	places places
	// unrecorded holds the Times of first Sends that the Store could not
	// record (see firstSent).
	unrecorded unrecorded
	// claims holds the corrections whose record claimCorrection could
	// not write, while their Correct or RunJob runs.
	claims claims

	mu     sync.RWMutex
	closed bool
	// closing is set when Close is called, before it waits for the calls
	// under way: the calls made meanwhile fail at once (see enter).
	closing atomic.Bool
}

// enter read-locks b.mu for a call that Close waits for, and reports
// false, without the lock, once Close was called: a call made while Close
// waits fails at once with ErrClosed rather than wait, whatever its
// context, for Close to return.
func (b *Broadcaster) enter() bool {
	if b.closing.Load() {
		return false
	}
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return false
	}
	return true
}

// New returns a Broadcaster for channels. It does no I/O. It fails with
// ErrNoChannels, with ErrDuplicateChannel, or when a channel is nil (a
// nil pointer too, naming its type and place; or its Name panics) or has an empty name (or one
// that is not UTF-8, longer than 255 bytes or holds a control character),
// its Unwrap panics, or it is a wrapper without Unwrap that hides the
// optional interfaces of the channel it wraps (see Channel), an option is
// negative, Options.Store is
// a nil pointer (a typed nil, which
// is no Store), or a Route is invalid or names no channel: its error then
// names every fault of every Route, separated by "; ", so that a caller
// mends them in one go.
func New(channels []Channel, opts Options) (*Broadcaster, error) {
	if len(channels) == 0 {
		return nil, ErrNoChannels
	}
	if err := checkOptions(opts); err != nil {
		return nil, err
	}
	b := &Broadcaster{
		channels: append([]Channel(nil), channels...),
		names:    make([]string, len(channels)),
		routes:   make([]*Route, len(channels)),
		retry: RetryPolicy{
			MaxAttempts:     cmp.Or(opts.Retry.MaxAttempts, DefaultMaxAttempts),
			InitialInterval: cmp.Or(opts.Retry.InitialInterval, DefaultInitialInterval),
			MaxInterval:     cmp.Or(opts.Retry.MaxInterval, DefaultMaxInterval),
			MaxElapsed:      cmp.Or(opts.Retry.MaxElapsed, DefaultMaxElapsed),
		},
		timeout:    cmp.Or(opts.AttemptTimeout, DefaultAttemptTimeout),
		stageWait:  cmp.Or(opts.StageWait, DefaultStageWait),
		store:      guardStore(opts.Store),
		logger:     slogguard.Logger(opts.Logger, "Options.Logger"),
		onEvent:    opts.OnEvent,
		sharedLock: opts.Lock,
	}
	b.retry.MaxInterval = max(b.retry.MaxInterval, b.retry.InitialInterval)
	seen := make(map[string]int, len(channels))
	for i, ch := range channels {
		if ch == nil {
			return nil, fmt.Errorf("broadcast: channels[%d]: nil", i)
		}
		if typedNil(ch) {
			// Its Name may not panic (an adapter's returns ""): say
			// what it is, not that its name is empty.
			return nil, fmt.Errorf("broadcast: channels[%d]: a nil %T (was the error of its constructor dropped?)", i, ch)
		}
		name, err := channelName(ch)
		if err != nil {
			return nil, fmt.Errorf("broadcast: channels[%d]: %w", i, err)
		}
		if err := CheckName(name); err != nil {
			return nil, fmt.Errorf("broadcast: channels[%d]: %s", i, nameProblem(name, err))
		}
		if err := checkUnwrap(ch); err != nil {
			return nil, fmt.Errorf("broadcast: channels[%d]: %w", i, err)
		}
		if err := checkHidden(ch, 0); err != nil {
			return nil, fmt.Errorf("broadcast: channels[%d] (%s): %w", i, name, err)
		}
		if j, dup := seen[name]; dup {
			return nil, fmt.Errorf("%w: %q: channels[%d] and channels[%d]", ErrDuplicateChannel, name, j, i)
		}
		seen[name] = i
		b.names[i] = name
	}
	if err := b.setRoutes(opts.Routes, seen); err != nil {
		return nil, err
	}
	if err := b.setStages(opts.Stages, seen); err != nil {
		return nil, err
	}
	return b, nil
}

// setRoutes gives b's channels their routes, by channel name (seen: its
// index), or names every fault of every Route, in the order of their
// names, in one error.
func (b *Broadcaster) setRoutes(routes map[string]Route, seen map[string]int) error {
	var v validation
	for _, name := range slices.Sorted(maps.Keys(routes)) {
		r := routes[name]
		i, ok := seen[name]
		if !ok {
			// Not v.add, which takes a field named already for one at
			// fault already: two long names may read the same once cut.
			v.errs = append(v.errs, invalid("Options.Routes["+quotecut.Quote(name)+"]", "no channel of that name"))
			continue
		}
		// Its own lists, not the caller's, which the caller may change.
		r.Statuses, r.Impacts, r.Components = slices.Clone(r.Statuses), slices.Clone(r.Impacts), slices.Clone(r.Components)
		r.check(&v, fmt.Sprintf("Options.Routes[%q]", name))
		b.routes[i] = &r
	}
	if len(v.errs) > 0 {
		return optionErrors(v.errs)
	}
	return nil
}

// CheckName reports what is wrong with name as a channel's name, or nil:
// empty, not valid UTF-8, longer than MaxNameLength bytes, a NUL or
// control character, an invisible character (see invisibleIn: a zero
// width space, a bidi control, a variation selector that varies nothing),
// which would make two names look alike ("ops" and "ops\u200b"), white
// space other than U+0020 (a no-break space, an en space: "ops\u00a0team"
// looks like "ops team"), or leading or trailing white space. A name keys
// Update.Overrides and Options.Routes and stands in Results, log records
// and metrics' labels (which must be UTF-8). New refuses a channel whose
// name fails it, Validate an Overrides key that does, and the adapters
// their configured names. The error does not quote name.
func CheckName(name string) error {
	switch {
	case name == "":
		return errors.New("empty")
	case !utf8.ValidString(name):
		return errors.New("not valid UTF-8")
	case len(name) > MaxNameLength:
		return fmt.Errorf("longer than %d bytes", MaxNameLength)
	case strings.ContainsFunc(name, unicode.IsControl):
		return errors.New("holds a control character")
	case strings.TrimSpace(name) != name:
		return errors.New("leading or trailing white space")
	}
	if r, ok := invisibleIn(name); ok {
		return fmt.Errorf("holds the invisible character %U, which makes it look like another name: leave it out", r)
	}
	if i := strings.IndexFunc(name, func(r rune) bool { return r != ' ' && unicode.IsSpace(r) }); i >= 0 {
		r, _ := utf8.DecodeRuneInString(name[i:])
		return fmt.Errorf("holds the white space %U, which makes it look like another name: write a plain space (U+0020)", r)
	}
	return nil
}

// invisibleIn returns the first character of name, valid UTF-8, that
// shows nothing where it stands: a default-ignorable code point (format
// characters such as zero width spaces, bidi controls and U+FEFF,
// variation selectors, Hangul fillers). Some of them take part in what a
// reader sees, and are kept there: a zero width joiner or non-joiner
// between two characters shown (an emoji sequence, a Persian word), a
// variation selector after a character it can vary (not white space, nor
// an ASCII letter or punctuation other than the keycaps' "#" and "*"),
// and the tag characters of a flag (after U+1F3F4).
func invisibleIn(name string) (rune, bool) {
	rs := []rune(name)
	seen := func(i int) bool { return i >= 0 && i < len(rs) && !unicode.IsSpace(rs[i]) && !ignorable(rs[i]) }
	for i, r := range rs {
		if !ignorable(r) {
			continue
		}
		switch {
		case r == '\u200c' || r == '\u200d':
			if seen(i-1) && seen(i+1) {
				continue
			}
		case unicode.Is(unicode.Variation_Selector, r):
			if seen(i-1) && (rs[i-1] > unicode.MaxASCII || rs[i-1] >= '0' && rs[i-1] <= '9' || rs[i-1] == '#' || rs[i-1] == '*') {
				continue
			}
		case r >= 0xE0020 && r <= 0xE007F: // tag characters
			if i > 0 && (rs[i-1] == 0x1F3F4 || rs[i-1] >= 0xE0020 && rs[i-1] <= 0xE007F) {
				continue
			}
		}
		return r, true
	}
	return 0, false
}

// ignorable reports whether r is a default-ignorable code point (Unicode's
// Default_Ignorable_Code_Point, but for the prepended concatenation
// marks, which show).
func ignorable(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point) &&
		!unicode.Is(unicode.Prepended_Concatenation_Mark, r)
}

// MaxNameLength bounds a channel's name, in bytes (see CheckName).
const MaxNameLength = maxIDLength

// nameProblem says what CheckName found wrong with name, naming it.
func nameProblem(name string, err error) string {
	if name == "" {
		return "empty channel name"
	}
	return fmt.Sprintf("channel name %s: %v", quotecut.Quote(name), err)
}

// channelName returns ch's Name. One that panics, as a nil pointer of an
// adapter's type does (its New failed and the error was dropped), is an
// error instead.
func channelName(ch Channel) (name string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("its Name panicked (a nil %T?): %s", ch, panictext.Text(r))
		}
	}()
	return ch.Name(), nil
}

// setStages turns Options.Stages into channel indexes, the unnamed
// channels last.
func (b *Broadcaster) setStages(stages [][]string, index map[string]int) error {
	if len(stages) == 0 {
		return nil
	}
	staged := make([]bool, len(b.channels))
	for s, names := range stages {
		var idx []int
		for _, name := range names {
			i, ok := index[name]
			switch {
			case !ok:
				return fmt.Errorf("broadcast: Options.Stages[%d]: no channel %s", s, quotecut.Quote(name))
			case slices.Contains(idx, i):
				return fmt.Errorf("broadcast: Options.Stages[%d]: channel %q is named twice", s, name)
			case staged[i]:
				return fmt.Errorf("broadcast: Options.Stages[%d]: channel %q is in an earlier stage", s, name)
			}
			staged[i] = true
			idx = append(idx, i)
		}
		if len(idx) > 0 {
			b.stages = append(b.stages, idx)
		}
	}
	var rest []int
	for i, done := range staged {
		if !done {
			rest = append(rest, i)
		}
	}
	if len(rest) > 0 {
		b.stages = append(b.stages, rest)
	}
	return nil
}

func checkOptions(opts Options) error {
	p := opts.Retry
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"Retry.MaxAttempts", int64(p.MaxAttempts)},
		{"Retry.InitialInterval", int64(p.InitialInterval)},
		{"Retry.MaxInterval", int64(p.MaxInterval)},
		{"Retry.MaxElapsed", int64(p.MaxElapsed)},
		{"AttemptTimeout", int64(opts.AttemptTimeout)},
		{"StageWait", int64(opts.StageWait)},
	} {
		if f.v < 0 {
			return fmt.Errorf("broadcast: Options.%s: negative", f.name)
		}
	}
	if nilStore(opts.Store) {
		// Its first call would panic: a MemoryStore's in a delivery's
		// goroutine, taking the process down; another's on every call.
		return fmt.Errorf("broadcast: Options.Store: a nil %T (leave Options.Store nil for a MemoryStore)", opts.Store)
	}
	return nil
}

// nilStore reports whether s is a nil pointer (or map, func, …) in a
// non-nil interface: a Store never made, or one whose constructor failed.
func nilStore(s Store) bool {
	if s == nil {
		return false // Options.Store's zero value: a MemoryStore
	}
	return typedNil(s)
}

// typedNil reports whether v, not nil, holds a nil pointer (or map, func,
// …): a value never made, or one whose constructor failed.
func typedNil(v any) bool {
	switch v := reflect.ValueOf(v); v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Func, reflect.Chan, reflect.Slice, reflect.Interface, reflect.UnsafePointer:
		return v.IsNil()
	}
	return false
}

// Channels returns the names of the Broadcaster's channels, in order.
func (b *Broadcaster) Channels() []string {
	if !b.made() {
		return nil
	}
	return slices.Clone(b.names)
}

// Send validates u, cleans it and fills in its defaults (see
// Update.WithDefaults) and delivers it to every channel concurrently, each
// with its own retries.
//
// An invalid update (see Update.Validate, Update.Time for a Time far
// ahead of the clock, Update.Corrects, which only Correct sets, and
// Update.Overrides for an override naming no
// channel of the Broadcaster) reaches no channel: Send returns a nil Report and an
// error wrapping ErrInvalidUpdate. A call that cannot start returns a nil
// Report too, with an error saying why: a nil ctx, a Broadcaster closed
// (ErrClosed). Otherwise the Report holds one Result per channel, in the Broadcaster's order, and the error joins one
// *DeliveryError per channel that failed; it is nil only when every channel
// delivered, was skipped, superseded or not selected. When ctx is done,
// waits end at once and Send returns after the attempts under way have
// returned.
//
// A channel is skipped when the Store says it delivered u.ID already
// (where u.ID is that of a correction delivered there, as the Store
// records it, the channel fails for good instead, naming ID: see
// Correct); a channel with many targets resends only to the targets not done, and
// tries again those that failed permanently in an earlier Send. Two Sends
// of one update at once on this Broadcaster (a double click) deliver it
// once on each channel: the second waits for the first, and does not try
// again the targets the first found refusing (its Result lists them in
// Failures). Sends on instances sharing the Store through Options.Lock
// are not one delivery: the second tries them again, once. An
// update sent again without a Time keeps the Time it was first sent with
// (see Update.Time and SentTime). An update older than one the channel
// already posted for the incident (an earlier Update.Time; for equal
// times, the one first sent earlier: a Send of an update sent before
// keeps its first Send's place, which the Store's record of the Time it
// was first sent with holds, for an update sent with or without a Time
// and for a Job, on every instance (an attempt that cannot read it there
// fails transiently, as one that cannot read its mark does); an update of
// u's Time whose place the Store does not hold, sent before such records
// were kept, counts as first sent before u when it was posted, and u as
// first sent now) is not posted there, nor, on a channel with
// many targets, to a target a newer one reached (for equal times there,
// the update whose first Send came to the channel's targets first, as
// the Store records it, is the older, whichever instance sends it), and
// a retry waiting to post it stops as soon as the newer one is delivered:
// its Result says Superseded (not after a Store's Prune removed the newer
// one's records: it is then posted). A newer update whose post was retracted
// supersedes nothing, nor does one that a Retract stopped while its
// attempt was under way (its post is deleted as that attempt ends). While
// a Retract is deleting a newer post, an older update waits for it, its
// retries included (no attempt is used up): posted once the post is gone,
// not threaded under it, and Superseded if the deletion failed for good
// and the post stays (on a channel with many targets, where it failed on
// some targets only, on every target: those whose newer post is gone then
// show neither). That holds for a Retract of another Broadcaster
// sharing the Store, and for a queue's JobRetract between its runs, as
// the Store records it (see EndJob): the older update then looks again
// after each of the backoff's waits. The wait is part of the channel's
// retrying: past RetryPolicy.MaxElapsed the channel gives up, with an
// error saying what it waited for. The record counts for the Retract's
// RetryPolicy.MaxElapsed plus Options.AttemptTimeout from its latest
// attempt (see RunJob for a queue's): one a process left as it died
// during a Retract stops counting then, and older updates are again
// Superseded by the post it did not delete. When
// the Store cannot be read, the attempt fails transiently rather than
// deliver blind; when it cannot record a
// delivery, the channel is not retried and its error wraps ErrNotRecorded
// (a later Send that finds the delivery's receipt as the incident's latest
// post there, its mark alone lost, skips the channel and writes the mark;
// where targets had failed for good, it tries those again, as after any
// delivery).
func (b *Broadcaster) Send(ctx context.Context, u Update) (*Report, error) {
	if err := b.checkSendCall(ctx, u); err != nil {
		return nil, err
	}
	return b.run(ctx, u, opSend, "", nil)
}

// checkSendCall refuses, as Send does, a call of Send or SupersededOn of
// u: a Broadcaster not made by New, a nil ctx, or u as Send refuses it.
func (b *Broadcaster) checkSendCall(ctx context.Context, u Update) error {
	switch {
	case !b.made():
		return errNotMade
	case ctx == nil:
		return errNilContext
	}
	return b.validate(u, checkSend(u))
}

// checkSend refuses an update to Send that names an original in
// Corrects: Send would post it as "Correction: …" of whatever ID it
// names, one never delivered included, and edit nothing. Correct sets
// Corrects, after its checks.
func checkSend(u Update) *FieldError {
	if u.Corrects == "" {
		return nil
	}
	return invalid("Corrects", "set by Correct, not by a caller of Send: call Correct(ctx, %s, u), "+
		"which edits the wrong post where it can, or leave Corrects empty", quotecut.Quote(u.Corrects))
}

// Correct fixes update original (its Update.ID) everywhere at once with u,
// the corrected update of the same incident: channels that are Editors and
// posted original edit that post in place; every other channel (and an
// Editor without a receipt of original, or whose post of it was deleted on
// the platform or can no longer be edited there, see ErrPostGone and
// ErrNotEditable) posts u in the incident's thread,
// marked as a correction (u.Corrects is set to original, and the default
// templates render "Correction: …"); each Result's Edited says which was
// done. Validation, retries, idempotency
// and the Report are as for Send, and so is routing, except that a
// correction goes where its original went, whatever the channel's Route
// says of the correction, and where the Route left the original out it
// is routed as the original was (see Route); corrections are never
// superseded, and supersede no update
// newer than original: one posted in the thread takes its place in the
// incident's order right after original (or the post it follows, when
// later; see Receipt.UpdateTime), so that an update newer than original
// still to reach the channel is posted there, and original, still to
// reach it, is not. Two limits: an update of the very Time of original,
// sent after it, counts as older than the correction, which supersedes it
// on a channel it has not reached yet; and a correction of a correction
// that never reached the channel takes the time of that correction's
// Correct there. u needs an ID other than original's (an empty one is
// derived, and differs). On an Editor with many targets, the targets
// whose post is gone or not editable get u posted anew in the attempt
// that finds it out, and only the edits that failed otherwise are retried.
// Targets that refused the correction for good (Result.Failures) are
// tried again by a later Correct of it (u of the same ID), as by a later
// Send of an update, and only they; so are the targets a correction
// posted in the thread had not reached when its Correct ended (one was
// down). Either way it keeps its place there: where a newer update was
// posted after it, the incident's next update still follows that
// update's post.
//
// A post edited in place keeps its place in the incident's thread: later
// updates still reply to the latest post (where the platform gives an
// edited post a new id, as X does, to its new id: see Editor). Retracting
// either the original or the correction deletes it; where an edit made a
// version with an id of its own, the post goes with every version, and
// every update whose receipt names one of them counts as retracted (X
// deletes them all). A correction that edited any target's post is
// one edited in place, whatever it posted anew to the others: a later
// Correct of it edits, and a Retract of it deletes, the posts it edited and
// those it posted anew alike, and its Result's Receipt names both. One that
// edited none is a post of its own in the thread.
//
// On a channel where original was retracted (Retract deleted its post, or
// kept it from being posted there), the correction is refused: its
// Result's error, permanent, wraps ErrRetracted, since there is no post to
// correct. A correction that starts while a Retract of original runs in
// this Broadcaster waits for it, and is then refused where it deleted the
// post. A channel that could not delete the post (ErrNotSupported) gets
// the correction. On a channel with many targets where a Retract of
// original, or of an update up its chain of corrections (the one it
// corrects, and so on up), or of an in-place correction sharing its post,
// deleted the post on some targets and failed on others, the targets
// where it deleted it refuse the correction for good (Result.Failures,
// each error wrapping ErrRetracted): it is neither edited nor posted anew
// there, and the others get it.
//
// Correct refuses (ErrInvalidUpdate, naming ID) a u.ID that the Store
// records as the ID of a correction of another update, or of an update
// sent (Send and RunJob record every update they send): that ID is
// delivered already, and the correction would be Skipped everywhere. An
// ID delivered that the Store records as neither (an update sent before
// such records were kept, or whose record could not be written) is not
// refused, nor
// recorded as a correction's: the correction is Skipped where that ID was
// delivered. Correct refuses (ErrInvalidUpdate, naming original) an original that no
// channel delivered, as the Store knows it: a mistyped ID would otherwise
// post a correction of nothing on every channel. An update that reached
// only some recipients of a channel counts as not delivered there. It
// refuses too (naming IncidentID) a correction without an IncidentID whose
// derived one (a slug of its Title) has no thread on the channels that
// posted original: the Title changed, and the correction would start a
// thread of its own everywhere. Giving the IncidentID passes that check.
// Jobs, which does no I/O, checks neither.
func (b *Broadcaster) Correct(ctx context.Context, original string, u Update) (*Report, error) {
	if !b.made() {
		return nil, errNotMade
	}
	if ctx == nil {
		return nil, errNilContext
	}
	if err := b.checkCorrection(original, &u); err != nil {
		return nil, err
	}
	if err := b.CheckOriginal(ctx, JobCorrect, u, original); err != nil {
		return nil, err
	}
	// A derived ID hashes Corrects, and is no other update's; recorded
	// all the same, for a caller that copies it into another Correct.
	id := u.WithDefaults(time.Time{}).ID
	unwritten, err := b.claimCorrection(ctx, original, id)
	if err != nil {
		return nil, err
	}
	var rec *correctionRecord
	if unwritten {
		rec = &correctionRecord{b: b, ctx: context.WithoutCancel(ctx), original: original, id: id}
	}
	defer rec.end()
	return b.run(ctx, u, opCorrect, original, rec)
}

// correctionRecord is the record of what a correction corrects that
// claimCorrection could not write: written by recordCorrection once, when
// the first of the correction's deliveries ends, before it reports its
// end (Options.OnEvent), or after the Correct when none did.
type correctionRecord struct {
	once         sync.Once
	b            *Broadcaster
	ctx          context.Context
	original, id string
}

// write writes the record the first time it is called; a nil
// correctionRecord (written already) does nothing. A caller waits for the
// first call to end.
func (r *correctionRecord) write() {
	if r != nil {
		r.once.Do(func() { r.b.recordCorrection(r.ctx, r.original, r.id) })
	}
}

// end writes the record, if no delivery did, and gives up the claim
// claimCorrection made in memory; nil does nothing.
func (r *correctionRecord) end() {
	if r != nil {
		r.write()
		r.b.claims.drop(r.id)
	}
}

// claims are the corrections this Broadcaster runs whose record of what
// they correct (see claimCorrection) the Store could not write: without
// it, a Correct of another update given the ID while the first runs (from
// an OnEvent handler told of its attempt) found nothing to refuse it, and
// was Skipped where the first delivered the ID, its update left as it was.
type claims struct {
	mu sync.Mutex
	m  map[string]*claim // by correction ID
}

type claim struct {
	original string
	n        int // the Corrects and runs holding it
}

// take records that correction id of original runs unrecorded.
func (c *claims) take(id, original string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]*claim)
	}
	if cl := c.m[id]; cl != nil {
		cl.n++
		return
	}
	c.m[id] = &claim{original: original, n: 1}
}

// drop gives up one take of id.
func (c *claims) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl := c.m[id]; cl != nil {
		if cl.n--; cl.n == 0 {
			delete(c.m, id)
		}
	}
}

// of returns the original that correction id runs unrecorded for; "" none.
func (c *claims) of(id string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl := c.m[id]; cl != nil {
		return cl.original
	}
	return ""
}

// correctsKey is the Store's update key, and incident, of the record that
// correction id corrects an update (see claimCorrection): like sentKey's,
// a key no update has (IDs take no control characters).
func correctsKey(id string) string { return "\x00corrects\x00" + id }

// claimCorrection records in the Store, once, that correction id corrects
// update original, and refuses (naming ID) an id recorded as the
// correction of another update, or as an update sent (see firstSent):
// the Store's marks of id would say it delivered, and the correction
// would be Skipped on every channel, original left as it was. The Corrects
// of one id take turns, in this Broadcaster and through Options.Lock. A
// record that cannot be read or written lets the correction through, and
// is logged: the check only catches a mistake; a correction made before
// such records were kept is known only as one. An id delivered on some
// channel without this record (an update sent before such records were
// kept, or whose record could not be written, or a correction whose record
// could not be written: nothing says which update it corrects) is let through
// unrecorded, as is one whose marks cannot be read: recorded as the
// correction of original, a later Send of that update would fail for good
// on the channels that have it (see delivery.correctionsID), and a Correct
// again of that correction would be refused. unwritten reports that the
// record was to be written and could not be: the caller writes it when
// the first of the correction's deliveries ends, before that is reported
// (see correctionRecord), or the correction delivered, its ID would be
// let through as the correction of any other update, and Skipped
// everywhere; until then, and while the correction runs, this Broadcaster
// refuses the ID to a Correct of another update as the record would
// (see claims), and the caller gives the claim up (correctionRecord.end).
func (b *Broadcaster) claimCorrection(ctx context.Context, original, id string) (unwritten bool, _ error) {
	key := correctsKey(id)
	turn := flightKey{key, sentChannel}
	fl, err := b.flights.hold(ctx, turn)
	if err != nil {
		return false, busy(ctx, err)
	}
	defer b.flights.unhold(turn, fl)
	if b.sharedLock != nil {
		unlock, err := b.lockRecord(ctx, key)
		if err != nil {
			b.storeTrouble(ctx, "lock the record of what correction "+id+" corrects", err)
			return false, nil
		}
		defer unlock()
	}
	r, ok, err := b.store.Receipt(ctx, key, sentChannel)
	if err != nil {
		b.storeTrouble(ctx, "read the record of what correction "+id+" corrects", err)
		return false, nil
	}
	if !ok {
		r.ID = b.claims.of(id)
	}
	if r.ID != "" {
		if r.ID != original {
			return false, invalid("ID", "%s is the correction of update %s already; give this correction an ID of its own, or leave it empty",
				quotecut.Quote(id), quotecut.Quote(r.ID))
		}
		if ok {
			return false, nil
		}
	}
	if sent, ok, err := b.store.Receipt(ctx, sentKey(id), sentChannel); err == nil && ok && !sent.UpdateTime.IsZero() {
		if _, correction := sent.Meta[correctionMeta]; !correction {
			return false, invalid("ID", "%s is the ID of an update sent, not of a correction; give the correction an ID of its own, or leave it empty",
				quotecut.Quote(id))
		}
	}
	if b.deliveredAnywhere(ctx, id) {
		return false, nil // nothing says whose: see above
	}
	if b.saveCorrection(ctx, original, id) != nil {
		b.claims.take(id, original)
		return true, nil
	}
	return false, nil
}

// saveCorrection writes the record that correction id corrects update
// original (see claimCorrection), and logs a failure to.
func (b *Broadcaster) saveCorrection(ctx context.Context, original, id string) error {
	key := correctsKey(id)
	rec := Receipt{Channel: sentChannel, ID: original, UpdateID: id, Time: time.Now().UTC().Round(0)}
	err := b.store.SaveReceipt(ctx, key, key, rec)
	b.storeTrouble(context.WithoutCancel(ctx), "record what correction "+id+" corrects", err)
	return err
}

// recordCorrection writes, once a delivery of the correction ended, the
// record of what correction id corrects that claimCorrection could not
// write, unless one was written meanwhile. A failure is logged.
func (b *Broadcaster) recordCorrection(ctx context.Context, original, id string) {
	key := correctsKey(id)
	turn := flightKey{key, sentChannel}
	fl, err := b.flights.hold(ctx, turn)
	if err != nil {
		return
	}
	defer b.flights.unhold(turn, fl)
	if b.sharedLock != nil {
		unlock, err := b.lockRecord(ctx, key)
		if err != nil {
			b.storeTrouble(ctx, "lock the record of what correction "+id+" corrects", err)
			return
		}
		defer unlock()
	}
	_, ok, err := b.store.Receipt(ctx, key, sentChannel)
	if err != nil {
		b.storeTrouble(ctx, "read the record of what correction "+id+" corrects", err)
		return
	}
	if !ok {
		_ = b.saveCorrection(ctx, original, id) // logged
	}
}

// deliveredAnywhere reports whether the Store marks update id delivered
// on some channel, or cannot tell.
func (b *Broadcaster) deliveredAnywhere(ctx context.Context, id string) bool {
	for _, name := range b.names {
		done, failure, err := b.store.Done(ctx, id, name, "")
		if err != nil || done && failure == "" {
			return true
		}
	}
	return false
}

// CheckOriginal makes, in the Store, the checks of original that Correct
// (kind JobCorrect, u the correction) or Retract (kind JobRetract, u
// unused) make before they run, and returns their refusal: see Correct and
// Retract. JobSend needs none: nil. Jobs, which does no I/O, makes none; a
// queue of Jobs (package dispatch) calls CheckOriginal for an original it
// does not hold itself. Before it reads the Store, it refuses what Jobs
// refuses: an unknown kind, and an original that is no ID (see CheckID).
func (b *Broadcaster) CheckOriginal(ctx context.Context, kind JobKind, u Update, original string) error {
	if !b.made() {
		return errNotMade
	}
	if ctx == nil {
		return errNilContext
	}
	switch kind {
	case JobSend:
		return nil
	case JobCorrect, JobRetract:
		if err := CheckID("original", original); err != nil {
			return err
		}
	default:
		return fmt.Errorf("broadcast: unknown job kind %s", quotecut.Quote(string(kind)))
	}
	switch kind {
	case JobCorrect:
		if err := b.checkDelivered(ctx, original); err != nil {
			return err
		}
		if u.IncidentID == "" { // derived: perhaps from a changed Title
			return b.checkIncident(ctx, original, u.WithDefaults(time.Time{}).IncidentID)
		}
	case JobRetract:
		return b.checkPosted(ctx, original)
	}
	return nil
}

// checkDelivered fails unless some channel delivered updateID.
func (b *Broadcaster) checkDelivered(ctx context.Context, updateID string) error {
	return b.checkSome(ctx, updateID, "delivered", func(channel string) (bool, error) {
		done, failure, err := b.store.Done(ctx, opSend.markID(updateID), channel, "")
		return done && failure == "", err
	}, invalid("original", "no channel delivered update %q; check the ID (an update never delivered cannot be corrected: send a new one)", updateID))
}

// checkPosted fails unless some channel has a receipt of updateID, or
// might have: a receipt that cannot be read now is read again by the
// retraction's attempts, which retry until it reads, and a delivery under
// way may post it (the retraction stops it first, or, under way on another
// instance sharing the Store and Options.Lock, waits for it, and deletes
// what it recorded). An attempt under way anywhere has its attemptedTarget
// mark, which also stays on an attempt without a definite answer (it
// timed out, failed with a server error, or its process ended before its
// outcome was recorded): its post may exist, but without a receipt the
// retraction cannot find it (the channel's Result says so); the retraction still
// keeps every later Send of the update from posting it. When none has one
// but some channel marked the update delivered (its receipt was not
// recorded), the error wraps ErrNotRecorded: there is a post, and nothing
// says where.
func (b *Broadcaster) checkPosted(ctx context.Context, updateID string) error {
	var unrecorded []string
	err := b.checkSome(ctx, updateID, "posted", func(channel string) (bool, error) {
		_, ok, err := b.store.Receipt(ctx, updateID, channel)
		if ok || err != nil || b.flights.active(updateID, channel) {
			return true, nil // a delivery under way: Retract stops it
		}
		if _, ok, err := b.store.Receipt(ctx, partialKey(updateID), channel); ok || err != nil {
			return true, nil // it reached some of the channel's targets
		}
		delivered, attempted, err := b.sendMarks(ctx, updateID, channel)
		if delivered {
			unrecorded = append(unrecorded, channel)
			return false, nil
		}
		// An attempt whose outcome is unknown (under way on another
		// instance, or cut off), or marks that cannot be read now: the
		// retraction's attempts read them again.
		return attempted || err != nil, nil
	}, invalid("updateID", "no channel posted update %q; check the ID (no channel has a receipt or a delivery mark of it; "+
		"a Store's Prune removes those of an update sent before its cutoff, whose posts then cannot be found to delete)", updateID))
	if errwalk.Is(err, ErrInvalidUpdate) && len(unrecorded) > 0 {
		return fmt.Errorf("broadcast: update %s was delivered on %s, but its receipt was not recorded: its posts cannot be found to delete: %w",
			updateID, strings.Join(unrecorded, ", "), ErrNotRecorded)
	}
	return err
}

// sendMarks reads what the delivery marks of updateID's Send say of
// channel: delivered (whether or not its receipt was recorded); else
// attempted, when an attempt of it ended without a definite answer (under
// way on another instance, cut off, timed out, a server error: see
// delivery.noteAttempt), so that its post may exist. err is the Store's
// failure to read them.
func (b *Broadcaster) sendMarks(ctx context.Context, updateID, channel string) (delivered, attempted bool, err error) {
	key := opSend.markID(updateID)
	done, failure, err := b.store.Done(ctx, key, channel, "")
	if err != nil || done && failure == "" {
		return err == nil, false, err
	}
	done, failure, err = b.store.Done(ctx, key, channel, attemptedTarget)
	return false, err == nil && done && failure == "", err
}

// checkSome fails unless has reports true for some channel: with refusal
// when none does (a mistyped ID), or with the Store's error, saying whether
// updateID was verb ("delivered"), when some channel could not be read and
// none has it. A read failure on one channel does not stop the others'.
func (b *Broadcaster) checkSome(ctx context.Context, updateID, verb string, has func(channel string) (bool, error), refusal error) error {
	if !b.enter() {
		return ErrClosed
	}
	defer b.mu.RUnlock()
	var unread error
	for _, name := range b.names {
		ok, err := has(name)
		if err != nil {
			unread = cmp.Or(unread, fmt.Errorf("broadcast: store: cannot tell whether %s was %s: %w", updateID, verb, err))
			continue
		}
		if ok {
			return nil
		}
	}
	if unread != nil {
		return unread
	}
	return refusal
}

// checkIncident fails when the channels that posted update original have
// no thread of incident, the one derived for the correction: original was
// then posted in another incident's thread (a correction whose Title
// changed, without the original's IncidentID, gets another slug), and the
// correction would start a thread of its own on every channel. A channel
// whose receipt or thread cannot be read lets the correction through: this
// check only catches a mistake. (A thread a Store pruned while keeping a
// later receipt looks the same: the caller then gives the IncidentID.)
func (b *Broadcaster) checkIncident(ctx context.Context, original, incident string) error {
	posted := false
	err := b.checkSome(ctx, original, "posted", func(channel string) (bool, error) {
		if _, ok, err := b.store.Receipt(ctx, original, channel); err != nil || !ok {
			return false, nil
		}
		posted = true
		t, err := b.store.Thread(ctx, incident, channel)
		return err != nil || !t.IsZero(), nil
	}, invalid("IncidentID", "%q is not the incident of update %q, which was posted in another thread; give the correction the IncidentID of the update it corrects", incident, original))
	if !posted && errwalk.Is(err, ErrInvalidUpdate) {
		return nil // no receipt of original anywhere: nothing to compare with
	}
	if errwalk.Is(err, ErrInvalidUpdate) {
		if in := b.postedIn(ctx, original); in != "" && in != incident {
			return invalid("IncidentID", "%q is not the incident of update %q, which was posted in incident %q; give the correction that incident", incident, original, in)
		}
	}
	return err
}

// postedIn returns the incident update original was posted in, for
// checkIncident's refusal to name: the one the record of the Time it was
// first sent with names (see firstSent), when a channel that posted
// original has a thread of it; "" when that does not tell. The record
// alone does not: it is written before any attempt, and a resend of an
// update none of whose channels it reached may have gone to another
// incident.
func (b *Broadcaster) postedIn(ctx context.Context, original string) string {
	r, ok, err := b.store.Receipt(ctx, sentKey(original), sentChannel)
	if err != nil || !ok || r.ID == "" {
		return ""
	}
	for _, name := range b.names {
		if _, ok, err := b.store.Receipt(ctx, original, name); err != nil || !ok {
			continue
		}
		if t, err := b.store.Thread(ctx, r.ID, name); err == nil && !t.IsZero() {
			return r.ID
		}
	}
	return ""
}

// validate is validateNow and checkOverrides, whose faults it names in
// one error, with also faults, those the call finds with u or with its
// other arguments (see checkSend, checkCorrection), the nil ones none.
func (b *Broadcaster) validate(u Update, faults ...*FieldError) error {
	var v validation
	checkNow(&v, u)
	for _, fe := range faults {
		v.add(fe)
	}
	b.checkOverrides(&v, u)
	return v.err()
}

// maxNamesListed is how many channel names an error lists.
const maxNamesListed = 10

// checkOverrides adds to v (see validation.also) each override keyed by
// a name that is none of the Broadcaster's channels: a typo ("twiter")
// would otherwise post the template there without a word. Every such key
// is named, each under its own field, and each error lists the channels'
// names. A key that is no name at all (see CheckName) is Validate's to
// name, cut as it quotes it: quoted here, a whole document put there by
// mistake would come back whole.
func (b *Broadcaster) checkOverrides(v *validation, u Update) {
	if len(u.Overrides) == 0 { // the iterators cost allocations even for none
		return
	}
	list := ""
	for _, k := range slices.Sorted(maps.Keys(u.Overrides)) {
		if b.index(k) >= 0 || CheckName(k) != nil {
			continue
		}
		if list == "" {
			names := make([]string, 0, maxNamesListed)
			for _, name := range b.names[:min(len(b.names), maxNamesListed)] {
				names = append(names, quotecut.Quote(name))
			}
			list = strings.Join(names, ", ")
			if more := len(b.channels) - len(names); more > 0 {
				list += fmt.Sprintf(" and %d more", more)
			}
		}
		v.also(invalid(fmt.Sprintf("Overrides[%q]", k), "no channel of that name; the channels are %s", list))
	}
}

// checkCorrection validates u as the correction of update original and
// marks it so (see validate), naming an original that is no ID, and
// faults, with u's in one error. A correction is an update of its own:
// with the original's ID it would be found delivered already, and
// nothing would be corrected.
func (b *Broadcaster) checkCorrection(original string, u *Update, faults ...*FieldError) error {
	// What Validate refuses in Corrects, said of the argument it is set
	// from: a caller never set Corrects.
	call := checkIDField("original", original)
	u.Corrects = ""
	if call == nil {
		if u.ID == original {
			call = invalid("ID", "the same as the update it corrects; leave it empty or give the correction an ID of its own")
		}
		u.Corrects = original
	}
	return b.validate(*u, append([]*FieldError{call}, faults...)...)
}

// maxAhead is how far ahead of this machine's clock an Update.Time may be:
// other machines' clocks, not a time zone's hours.
const maxAhead = 5 * time.Minute

// ValidateNow reports what Validate reports and, in the same error, what
// Send, Correct, Jobs and Preview also refuse against this machine's
// clock: a Time more than 5 minutes ahead of it, and, when Time is zero, a
// NextUpdate more than MaxNextUpdateAhead ahead of it. A caller that
// checks an update before it queues it (an HTTP API answering its client)
// so names every field at fault at once. Its errors are Validate's kind.
func (u Update) ValidateNow() error { return validateNow(u) }

// validateNow is Validate, and refuses a Time more than maxAhead ahead of
// the clock: such an update would be posted, and every later update of its
// incident, older by its Time, then Superseded on every channel; and, when
// Time is zero, a NextUpdate more than MaxNextUpdateAhead ahead of it.
// These faults are named with those Validate finds, in one error.
func validateNow(u Update) error {
	var v validation
	checkNow(&v, u)
	return v.err()
}

// checkNow adds to v the faults validateNow finds.
func checkNow(v *validation, u Update) {
	u.check(v, true)
	if d := time.Until(u.Time); d > maxAhead {
		v.add(invalid("Time", "%s ahead of this machine's clock (more than %s): the incident's later updates, "+
			"older by their Time, would not be posted after it; give the time with its zone, or none for now",
			d.Round(time.Second), maxAhead))
	}
	// Validate measures NextUpdate from a Time given; from the clock, the
	// Time a zero one becomes, when none is.
	if u.Time.IsZero() && !u.NextUpdate.IsZero() && !u.Status.Closes() && time.Until(u.NextUpdate) > MaxNextUpdateAhead {
		v.add(nextTooFar(u.NextUpdate, "ahead of this machine's clock"))
	}
}

// Retract deletes the posts of update updateID where the platform allows
// (channels that are Retractors). A channel that never posted the update,
// or whose post is already deleted, is Skipped; on a channel that cannot
// delete posts, the Result's error wraps ErrNotSupported and is part of the
// returned error, since the post is still out there. So is, with a
// permanent error saying so, a channel without a receipt of the update
// where an attempt of it ended with its outcome unknown (timed out, cut
// off, a server error, its process gone): it may have posted, and nothing
// says where; look for that post on the platform. A channel that
// delivered the update without its receipt recorded fails so too, its
// error wrapping ErrNotRecorded.
//
// An update this Broadcaster is still delivering is stopped first, on each
// channel: an attempt under way ends, and what it posted is deleted; a
// retry waiting to post it, or a delivery waiting for its turn, stops
// without posting, and its Result's error (permanent) says it was
// retracted: once Retract got to the channel and recorded in the Store
// that the update is not to be posted there. One whose context ends
// before (ErrBusy), or whose attempt fails before (the Store or
// Options.Lock failing), stops none for good: the deliveries go on, and
// a later attempt of the Retract stops them again and deletes what they
// posted. A delivery that reached only some of a channel's targets
// (rooms, endpoints) before failing has no receipt of the whole: Retract
// deletes what it posted, from the record the Broadcaster keeps of it; so
// it does for a correction edited in place that was posted anew to the
// targets whose post was gone or not editable.
//
// Once retracted, an update is not posted again: a later Send of it, or
// one that starts while Retract runs, here or by another instance sharing
// the Store, is Skipped on the channels whose delivery of it was recorded,
// and fails for good elsewhere (a channel that had not posted it, or had
// posted it to some targets only), saying it was retracted (ErrRetracted). An attempt
// another instance has under way when Retract runs is not stopped: with
// Options.Lock, Retract waits for it and deletes what it posted; a queue
// shared by instances (package dispatch) runs the retraction after it.
//
// Retract refuses (ErrInvalidUpdate, naming updateID) an update of which no
// channel has a receipt (or a record of the targets it reached), as the
// Store knows it, and that no attempt is posting (on this instance or,
// as the Store's marks say, on another) or left with its outcome unknown:
// a mistyped ID would otherwise end with every channel skipped and no
// error; the refusal says that a Store's Prune removes an update's
// records too. A receipt that
// cannot be read counts as there, and the retraction's attempts read it
// again. An update delivered whose receipts were not recorded fails with
// ErrNotRecorded: its posts are out there, and cannot be found. A channel
// without a receipt of the update is Skipped when the Store vouches that
// it never posted it: its Prune removes an update's records on every
// channel together, and the update's first Send left a mark among them
// that says so. A channel whose delivery reached some targets, the record
// of which a Prune removed, fails for good, saying its records may have
// been pruned; so does one without a receipt, when the Store lacks that
// mark (records an earlier version wrote, whose Prune removed them
// channel by channel) and the record of the update's first Send, while
// other channels have the update: its post, if any, cannot be found. (A
// Prune that removed an update's records, and a Send of it since, leave
// nothing of the posts made before: Retract deletes the later Send's.)
// Retracting
// an update again is not refused: every channel is then Skipped (but for
// those whose outcome is unknown, which fail again). A channel where a
// target refused the deletion for good is not done: a later Retract tries
// the deletion again, and, since a Retractor has no Ledger, at every
// target (a post already gone counts as deleted). Its Result's error, a
// *TargetsError, names the targets where the post was not deleted; where
// it was, an older update of the incident sent later is posted, and it is
// Superseded only on the targets where the post is still up
// (Result.SupersededTargets), and a Correct of the update is refused
// (see Correct).
//
// Retract deletes the posts of updateID only, not those of its
// corrections. A correction edited in place shares its original's post,
// and goes with it; one posted in the thread ("Correction: …", on a
// channel that cannot edit, or whose post could not be edited) is an
// update of its own, and stays until it is retracted by its own ID (the
// UpdateID of Correct's Report). To take it all down, retract the original
// (the wrong post goes first), then each correction: a Retract is one
// update's, with a Report of that update's posts, as a queue of Jobs
// (package dispatch) runs it too.
func (b *Broadcaster) Retract(ctx context.Context, updateID string) (*Report, error) {
	if !b.made() {
		return nil, errNotMade
	}
	if ctx == nil {
		return nil, errNilContext
	}
	if err := CheckID("updateID", updateID); err != nil {
		return nil, err
	}
	if err := b.CheckOriginal(ctx, JobRetract, Update{}, updateID); err != nil {
		return nil, err
	}
	return b.run(ctx, Update{ID: updateID}, opRetract, updateID, nil)
}

// Check runs every channel's Check concurrently and returns one error per
// channel, in the Broadcaster's order: nil when the check passed, the
// Checker's error as is, or ErrNotSupported when the channel is not a
// Checker (nor wraps one: see As), or ErrClosed for every channel after Close. A Check that panics
// fails its channel with a permanent error, as a Send that panics does,
// and so does one whose error's Error method panics (a nil pointer in a
// non-nil error). Each check is bounded by Options.AttemptTimeout.
func (b *Broadcaster) Check(ctx context.Context) []error {
	if !b.made() {
		return []error{errNotMade}
	}
	errs := make([]error, len(b.channels))
	if ctx == nil {
		for i := range errs {
			errs[i] = errNilContext
		}
		return errs
	}
	if !b.enter() {
		for i := range errs {
			errs[i] = ErrClosed
		}
		return errs
	}
	defer b.mu.RUnlock()
	var wg sync.WaitGroup
	for i, ch := range b.channels {
		c, ok := As[Checker](ch)
		if !ok {
			errs[i] = ErrNotSupported
			continue
		}
		wg.Go(func() {
			errs[i] = check(ctx, c, b.timeout)
		})
	}
	wg.Wait()
	return errs
}

// Thread returns the thread of incident incidentID on the named channel as
// the channel's next delivery will see it: the Store's, without the posts
// that were retracted (zero when the channel has not posted the incident,
// or every post of it was deleted). With Options.Routes and Route.Rejects,
// it tells before a send what a route will decide, as a dry run does.
// An incidentID no update can have (see CheckID: empty, blank, or
// holding a control character, say) is an error naming incidentID, not
// an empty thread: a caller that forgot to fill it in (Update.IncidentID
// before WithDefaults) would otherwise read that no channel has posted.
func (b *Broadcaster) Thread(ctx context.Context, incidentID, channel string) (Thread, error) {
	if !b.made() {
		return Thread{}, errNotMade
	}
	if ctx == nil {
		return Thread{}, errNilContext
	}
	if err := CheckID("incidentID", incidentID); err != nil {
		return Thread{}, err
	}
	if !b.enter() {
		return Thread{}, ErrClosed
	}
	defer b.mu.RUnlock()
	i := b.index(channel)
	if i < 0 {
		return Thread{}, fmt.Errorf("broadcast: no channel %s", quotecut.Quote(channel))
	}
	var t Thread
	if _, err := b.liveThread(ctx, b.channels[i], channel, incidentID, &t, nil); err != nil {
		return Thread{}, fmt.Errorf("broadcast: %s: %w", channel, err)
	}
	return t, nil
}

// check runs c's Check under timeout. Its error must be readable (see
// readable): the caller prints it.
func check(ctx context.Context, c Checker, timeout time.Duration) (err error) {
	defer recovered(&err)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err = c.Check(ctx); err != nil {
		err = readable(err, "channel")
	}
	return err
}

// preview runs pv's Preview. Its error must be readable (see readable):
// the caller prints it.
func preview(pv Previewer, u Update) (p Preview, err error) {
	defer recovered(&err)
	if p, err = pv.Preview(u); err != nil {
		err = readable(err, "channel")
	}
	return p, err
}

// closeChannel closes c; a panic in its Close does not keep the other
// channels open. Its error must be readable (see readable).
func closeChannel(c io.Closer) (err error) {
	defer recovered(&err)
	if err = c.Close(); err != nil {
		err = readable(err, "channel")
	}
	return err
}

// run delivers to every channel concurrently and builds the Report.
func (b *Broadcaster) run(ctx context.Context, u Update, op op, original string, record *correctionRecord) (*Report, error) {
	if !b.enter() {
		return nil, ErrClosed
	}
	defer b.mu.RUnlock()
	start := time.Now()
	// Marks and receipts are written even when ctx ends: a delivery that
	// happened must be remembered.
	keep := context.WithoutCancel(ctx)
	var place time.Time // of u's first Send: the order of updates of equal Time
	var placeUnread bool
	if op != opRetract {
		timed := !u.Time.IsZero()
		u = u.WithDefaults(start.UTC().Round(0))
		// The record a resend finds (see SentTime), and the place of the
		// first Send that orders updates of equal Time, on any instance
		// and after a restart, as a Job's run keeps it: a Time given
		// is the update's own, and kept.
		t, p, unread := b.firstSent(ctx, keep, u.ID, u.IncidentID, u.Time, time.Time{}, op == opCorrect)
		if !timed {
			u.Time = t
		}
		place, placeUnread = p, unread
	}
	rep := &Report{UpdateID: u.ID, IncidentID: u.IncidentID, Started: start,
		Results: make([]Result, len(b.channels))}
	markID := op.markID(u.ID)

	ds := make([]delivery, len(b.channels))
	fls := b.flights.join(markID, b.names, func(i int, refused uint64) { ds[i].refusedSeen = refused })
	defer b.flights.leave(markID, b.names, fls)
	sh := &shared{u: u, first: firstAttempts{until: time.Now().Add(b.timeout / 64)}}
	var cancel context.CancelFunc
	sh.first.ctx, cancel = context.WithTimeout(ctx, b.timeout)
	defer cancel()
	spares := make([]newestEntry, len(b.channels))
	for i, ch := range b.channels {
		// Field by field: a composite literal would be built aside and
		// copied, the whole large struct, into the slice.
		d := &ds[i]
		d.b, d.ch, d.name, d.route, d.u, d.res, d.place = b, ch, b.names[i], b.routes[i], &sh.u, &rep.Results[i], place
		d.op, d.original, d.markID, d.flight, d.spare, d.first = op, original, markID, fls[i], &spares[i], &sh.first
		d.placeUnread, d.record = placeUnread, record
		d.ledger.init(keep, b.store, markID, d.name)
	}
	if len(b.stages) > 1 {
		b.runStages(ctx, keep, rep, ds)
	} else {
		sh.ds, sh.ctx, sh.keep = ds, ctx, keep
		sh.wg.Add(len(ds) - 1)
		run := sh.runner() // one closure for all the goroutines
		for range len(ds) - 1 {
			go run() // runs ds[1], ds[2]…, whichever is next
		}
		ds[0].run(ctx, keep) // on this goroutine: one fewer to start
		sh.wg.Wait()
	}
	rep.Finished = time.Now()
	var errs []error
	for _, r := range rep.Results {
		if r.Err != nil {
			errs = append(errs, &DeliveryError{Channel: r.Channel, Attempts: r.Attempts, Err: r.Err})
		}
	}
	return rep, errors.Join(errs...)
}

// shared is what the deliveries of one Send share, in one allocation.
type shared struct {
	u     Update
	first firstAttempts
	wg    sync.WaitGroup
	// For runner: the Send's deliveries, the one last taken (ds[0] is
	// the calling goroutine's), and run's contexts.
	ds        []delivery
	next      atomic.Int32
	ctx, keep context.Context
}

// SentTime returns the Time update updateID (a Send's or a correction's)
// was first sent with, as the Store knows it: from the record a Send (or
// RunJob) of it keeps, or else, for an update sent before the Store held
// such records, from a channel's receipt of it. A record the Store could
// not write (or read) is kept in memory, and found here, until a later Send
// of the update records it; another instance, or this one after a
// restart, does not know it: a caller that may resend an update during
// an outage of the Store sets its Time. It reports false for an
// update never sent; err is the Store's, when what it could read did not
// tell (ErrClosed after Close), or an updateID no update can have (see
// CheckID). An update sent again without a Time of its
// own (a command run again to retry the channel that missed it) takes this
// Time: it is the same update, and must not count as newer than the
// updates of its incident sent in between.
func (b *Broadcaster) SentTime(ctx context.Context, updateID string) (t time.Time, ok bool, err error) {
	if !b.made() {
		return time.Time{}, false, errNotMade
	}
	if ctx == nil {
		return time.Time{}, false, errNilContext
	}
	if err := CheckID("updateID", updateID); err != nil {
		return time.Time{}, false, err
	}
	if !b.enter() {
		return time.Time{}, false, ErrClosed
	}
	defer b.mu.RUnlock()
	t, ok, err = b.sentTime(ctx, updateID, sentKey(updateID))
	if err != nil {
		err = fmt.Errorf("broadcast: store: cannot tell whether %s was sent: %w", updateID, err)
	}
	return t, ok, err
}

// ReachedOn returns the names of the channels, in the Broadcaster's
// order, that update updateID reached, wholly or some of its targets, as
// the Store records it: a Correct of it goes to these whatever their
// Routes say (see Correct), except those where it was retracted since
// (RetractedOn names them), which refuse it; CorrectionRejects tells how
// the Route of any channel decides on a correction. It is for callers that preview a correction
// (a dry run); Correct itself does not call it. err is the Store's
// (ErrClosed after Close), or an updateID no update can have (see
// CheckID).
func (b *Broadcaster) ReachedOn(ctx context.Context, updateID string) ([]string, error) {
	if !b.made() {
		return nil, errNotMade
	}
	if ctx == nil {
		return nil, errNilContext
	}
	if err := CheckID("updateID", updateID); err != nil {
		return nil, err
	}
	if !b.enter() {
		return nil, ErrClosed
	}
	defer b.mu.RUnlock()
	var names []string
	for _, name := range b.names {
		went, err := b.reached(ctx, updateID, name)
		if err != nil {
			return nil, fmt.Errorf("broadcast: %w", err)
		}
		if went {
			names = append(names, name)
		}
	}
	return names, nil
}

// CorrectionRejects says why the Route of the named channel leaves out
// u, a correction of update original, as Correct decides it (see Route),
// naming the list that does it, as Route.Rejects does; "" when the
// correction goes there: the channel has no Route, the original reached
// it or its delivery there is under way, or the Route selects u as it
// would have selected the original. It reads the Store, and the incident's
// thread as Thread does; u's IncidentID is the incident's (see
// Update.WithDefaults). It is for callers that preview a correction (a dry
// run); Correct itself does not call it, nor does it say whether original
// was retracted on the channel (see RetractedOn). err is the Store's
// (ErrClosed after Close), or a channel or an ID that is none, or, as
// Correct refuses them (ErrInvalidUpdate, naming the field), an original
// or a u that Correct would not take, u without an IncidentID included.
func (b *Broadcaster) CorrectionRejects(ctx context.Context, original string, u Update, channel string) (string, error) {
	if !b.made() {
		return "", errNotMade
	}
	if ctx == nil {
		return "", errNilContext
	}
	var incident *FieldError
	if u.IncidentID == "" {
		incident = invalid("IncidentID", "missing")
	}
	if err := b.checkCorrection(original, &u, incident); err != nil {
		return "", err
	}
	if !b.enter() {
		return "", ErrClosed
	}
	defer b.mu.RUnlock()
	i := b.index(channel)
	if i < 0 {
		return "", fmt.Errorf("broadcast: no channel %s", quotecut.Quote(channel))
	}
	r := b.routes[i]
	if r == nil {
		return "", nil
	}
	var th Thread
	if _, err := b.liveThread(ctx, b.channels[i], channel, u.IncidentID, &th, nil); err != nil {
		return "", fmt.Errorf("broadcast: %s: %w", channel, err)
	}
	went, t, err := b.correctionThread(ctx, original, channel, &th)
	if err != nil {
		return "", fmt.Errorf("broadcast: %s: %w", channel, err)
	}
	if went {
		return "", nil
	}
	u = u.Clean() // as Correct routes it
	return r.rejects(&u, t), nil
}

// reached reports whether update reached channel, wholly (marked
// delivered) or some of its targets (its partial record).
func (b *Broadcaster) reached(ctx context.Context, update, channel string) (bool, error) {
	done, failure, err := b.store.Done(ctx, opSend.markID(update), channel, "")
	if err == nil && !(done && failure == "") {
		_, done, err = b.store.Receipt(ctx, partialKey(update), channel)
		failure = ""
	}
	if err != nil {
		return false, fmt.Errorf("store: cannot tell whether %s reached the channel: %w", update, err)
	}
	return done && failure == "", nil
}

// SupersededOn returns the names of the channels, in the Broadcaster's
// order, on which a Send of u now would find a newer update of its
// incident posted, and end Superseded there: it is for callers that
// preview a Send (a dry run) of an update sent before, and tells it as
// Send decides it, with the same Time (u's own, or the one it was first
// sent with, see SentTime) and the same order of updates of equal Time.
// A channel where a Retract deleted the newer post on some of its
// targets only is not named: the update goes to the others. It reads the
// Store and this Broadcaster's deliveries under way; it does not say
// whether the channel's Route selects u (see Route.Rejects) or whether u
// reached the channel before (see ReachedOn), which a Send tells first.
// err is the Store's (ErrClosed after Close), or u's as Send refuses it
// (ErrInvalidUpdate, naming the field).
func (b *Broadcaster) SupersededOn(ctx context.Context, u Update) ([]string, error) {
	if err := b.checkSendCall(ctx, u); err != nil {
		return nil, err
	}
	if !b.enter() {
		return nil, ErrClosed
	}
	defer b.mu.RUnlock()
	timed := !u.Time.IsZero()
	u = u.WithDefaults(time.Now().UTC().Round(0))
	t, place, sent, err := b.sentFirst(ctx, u.ID, sentKey(u.ID))
	if err != nil && !sent {
		return nil, fmt.Errorf("broadcast: store: cannot tell whether %s was sent: %w", u.ID, err)
	}
	if sent && !timed {
		u.Time = t
	}
	if place.IsZero() {
		place = b.places.stamp() // as a first Send's
	}
	var names []string
	for i, name := range b.names {
		var th Thread
		if _, err := b.liveThread(ctx, b.channels[i], name, u.IncidentID, &th, nil); err != nil {
			return nil, fmt.Errorf("broadcast: %s: %w", name, err)
		}
		superseded, err := b.supersededOn(ctx, b.newest.entry(u.IncidentID, name), name, &th.Last, &u, place)
		if err != nil {
			return nil, fmt.Errorf("broadcast: %s: %w", name, err)
		}
		if superseded {
			names = append(names, name)
		}
	}
	return names, nil
}

// RetractedOn returns the names of the channels, in the Broadcaster's
// order, on which Retract of update updateID deleted its post (or Retract
// of a correction that edited that post in place) or, where
// the channel had not posted it, kept it from being posted: a Send of it
// is then Skipped there, or fails saying it was retracted. A channel that
// cannot delete posts keeps its post, and is not named. It is for callers
// that tell their users why a Send posted nothing (the update was
// retracted, not delivered before); Send itself does not call it. It reads
// the Store, which says none for an update never retracted; err is the
// Store's (ErrClosed after Close), or an updateID no update can have
// (see CheckID).
func (b *Broadcaster) RetractedOn(ctx context.Context, updateID string) ([]string, error) {
	if !b.made() {
		return nil, errNotMade
	}
	if ctx == nil {
		return nil, errNilContext
	}
	if err := CheckID("updateID", updateID); err != nil {
		return nil, err
	}
	if !b.enter() {
		return nil, ErrClosed
	}
	defer b.mu.RUnlock()
	var names []string
	for i, ch := range b.channels {
		name := b.names[i]
		deleted, failure, err := b.store.Done(ctx, opRetract.markID(updateID), name, "")
		deleted = deleted && failure == ""
		if err == nil && !deleted {
			// Its post may have gone with another update's retraction:
			// an in-place correction's, which shares it.
			var r Receipt
			var posted bool
			if r, posted, err = b.store.Receipt(ctx, updateID, name); err == nil && posted {
				deleted, err = b.retracted(ctx, ch, name, &r)
			}
		}
		if err == nil && !deleted {
			// A channel's own mark has a failure only when Retract wrote
			// it (see forbid).
			_, failure, err = b.store.Done(ctx, opSend.markID(updateID), name, "")
		}
		if err == nil && !deleted && failure != "" {
			// Kept from posting it, but what it posted to some targets
			// first is still up, if it could not be deleted.
			var posted bool
			if _, posted, err = b.store.Receipt(ctx, partialKey(updateID), name); posted {
				failure = ""
			}
		}
		if err != nil {
			return nil, fmt.Errorf("broadcast: store: cannot tell whether %s was retracted: %w", updateID, err)
		}
		if deleted || failure != "" {
			names = append(names, name)
		}
	}
	return names, nil
}

// sentTime is SentTime; key is sentKey(updateID). A failure to read the
// record is also logged (see storeTrouble).
func (b *Broadcaster) sentTime(ctx context.Context, updateID, key string) (time.Time, bool, error) {
	t, _, ok, err := b.sentFirst(ctx, updateID, key)
	if ok {
		err = nil
	}
	return t, ok, err
}

// sentFirst is sentTime, and the place of the update's first Send (see
// places), zero when that is not known: a correction's, or one sent
// before the Store held such records. Its error is also the record's read
// error when the Time was found elsewhere (ok): then the place it returns
// is not the record's, which may hold another.
func (b *Broadcaster) sentFirst(ctx context.Context, updateID, key string) (t, place time.Time, ok bool, err error) {
	r, ok, err := b.store.Receipt(ctx, key, sentChannel)
	if err == nil && ok && !r.UpdateTime.IsZero() {
		return r.UpdateTime, recordedPlace(r), true, nil
	}
	if err != nil { // the message costs an allocation: not on every Send
		b.storeTrouble(ctx, "read the time update "+updateID+" was first sent with", err)
	}
	if first, ok := b.unrecorded.get(updateID); ok {
		return first.t, first.place, true, err
	}
	recordErr := err
	unread := err
	for _, name := range b.names {
		r, ok, err := b.store.Receipt(ctx, updateID, name)
		if err == nil && ok && !r.UpdateTime.IsZero() {
			return r.UpdateTime, time.Time{}, true, recordErr
		}
		unread = cmp.Or(unread, err)
	}
	return time.Time{}, time.Time{}, false, unread
}

// firstSent returns the Time update updateID was first sent with (see
// SentTime), and the place of that first Send among Sends (see places):
// made, when not zero (a Job's, see Job.Made), else one given now;
// and, for an update never sent, records t as that Time (and, as the
// record's ID, the update's incident, for checkIncident; as its
// Receipt.Time, the place), before
// any attempt, so that a resend finds it however this Send ends, on any
// instance. The record is written once: the Sends that find none take
// turns (in this Broadcaster, and among instances through Options.Lock),
// and each looks again once its turn came. ctx bounds the wait for the
// turn and the Store's calls: a Store that does not answer (a durable one
// reconnecting for minutes) must not hold the Send past the caller's
// deadline, and a Send whose ctx ends here delivers nothing, so there is
// nothing to record; keep, ctx without its end, logs. A Time the Store
// could not record, or whose record it could not read (which is not
// written over), is kept in memory, and recorded by a later Send of the
// update: without it, a resend of an update that reached no channel would
// count as newer than those sent since, and be posted after them.
// Options.Lock gets
// ctx's end without its values: those a caller gave for the locks of its
// deliveries (pgstore's WithLockLost, which RunJob's
// caller in package dispatch sets) are not for this one, whose loss costs
// no delivery, and would report it as the delivery's. A correction's
// record holds no place, and its place is zero: a correction is no newer
// status of its incident (see delivery.delivered). An update whose record
// holds no place (one written before places were kept) gets a new one.
// unread reports that the record could not be read, and may hold an
// earlier place than the one returned (see delivery.readPlace).
func (b *Broadcaster) firstSent(ctx, keep context.Context, updateID, incident string, t, made time.Time, correction bool) (_, _ time.Time, unread bool) {
	key := sentKey(updateID)
	var place time.Time
	if !correction {
		place = made
		if place.IsZero() {
			place = b.places.stamp()
		}
	}
	if first, ok := b.unrecorded.get(updateID); ok {
		t, incident, place = first.t, first.incident, first.place // to record now
	} else if first, p, ok, err := b.sentFirst(ctx, updateID, key); ok { // a failed read is logged
		return first, keptPlace(p, place), err != nil
	} else {
		unread = err != nil
	}
	turn := flightKey{key, sentChannel}
	fl, err := b.flights.hold(ctx, turn)
	if err != nil {
		return t, place, unread // ctx ended: so will the Send's deliveries
	}
	defer b.flights.unhold(turn, fl)
	if b.sharedLock != nil {
		unlock, err := b.lockRecord(ctx, key)
		if err != nil {
			b.storeTrouble(keep, "lock the record of the time update "+updateID+" was first sent with", err)
			b.unrecorded.put(updateID, incident, t, place)
			return t, place, unread
		}
		defer unlock()
	}
	r, ok, err := b.store.Receipt(ctx, key, sentChannel)
	switch {
	case err == nil && ok && !r.UpdateTime.IsZero():
		b.unrecorded.drop(updateID)
		return r.UpdateTime, keptPlace(recordedPlace(r), place), false // recorded while this Send waited its turn
	case err != nil:
		// It may hold an earlier Time: not to be written over.
		b.storeTrouble(keep, "read the time update "+updateID+" was first sent with", err)
		b.unrecorded.put(updateID, incident, t, place)
		return t, place, true
	}
	b.markSent(ctx, keep, updateID)
	rec := Receipt{Channel: sentChannel, ID: incident, UpdateID: updateID, UpdateTime: t, Time: place}
	if correction {
		rec.Time, rec.Meta = time.Now().UTC(), map[string]string{correctionMeta: "true"}
	}
	if err = b.store.SaveReceipt(ctx, sentIncident+updateID, key, rec); err != nil {
		b.storeTrouble(keep, "record the time update "+updateID+" was first sent with", err)
		b.unrecorded.put(updateID, incident, t, place)
		return t, place, false
	}
	b.unrecorded.drop(updateID)
	return t, place, false
}

// markSent writes the sent mark of updateID (see sentKey) at its first
// Send, before any attempt, when no channel has a mark of an attempt of
// it: records that an earlier version wrote, which its Prune may have
// removed in part, are not vouched for. A failure to read or write it is
// logged: without the mark, a Retract stays on the safe side (see
// delivery.unposted).
func (b *Broadcaster) markSent(ctx, keep context.Context, updateID string) {
	for _, name := range b.names {
		attempted, _, err := b.store.Done(ctx, updateID, name, attemptedTarget)
		if err != nil {
			b.storeTrouble(keep, "read whether "+updateID+" was attempted on "+name, err)
			return
		}
		if attempted {
			return
		}
	}
	if err := b.store.Mark(ctx, updateID, sentChannel, sentChannel, nil); err != nil { // the message costs an allocation
		b.storeTrouble(keep, "record that "+updateID+" is sent", err)
	}
}

// keptPlace is recorded, the place the Store's record of an update's first
// Send holds, unless it holds none: then place, this Send's, for an update
// sent (nonzero), and zero for a correction.
func keptPlace(recorded, place time.Time) time.Time {
	if recorded.IsZero() || place.IsZero() {
		return place
	}
	return recorded
}

// unrecorded holds, by update ID, the Times of first Sends that the Store
// could not record (see firstSent), up to maxUnrecorded of them.
type unrecorded struct {
	mu sync.Mutex
	m  map[string]unrecordedTime
}

type unrecordedTime struct {
	incident string
	t        time.Time
	place    time.Time // of the first Send (see places); zero for a correction
}

// maxUnrecorded bounds the Times kept in memory through a long outage of
// the Store: some 100 bytes each.
const maxUnrecorded = 10000

func (u *unrecorded) get(updateID string) (unrecordedTime, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	first, ok := u.m[updateID]
	return first, ok
}

// put keeps t unless a Time is kept for updateID already: the first one
// given is the one the update was first sent with.
func (u *unrecorded) put(updateID, incident string, t, place time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if _, ok := u.m[updateID]; ok || len(u.m) >= maxUnrecorded {
		return
	}
	if u.m == nil {
		u.m = map[string]unrecordedTime{}
	}
	u.m[updateID] = unrecordedTime{incident: incident, t: t, place: place}
}

func (u *unrecorded) drop(updateID string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.m, updateID)
}

// lockShared takes Options.Lock. A Lock that returns no unlock function
// has nothing to release: calling nil would crash the process from a
// delivery's goroutine.
func (b *Broadcaster) lockShared(ctx context.Context, key LockKey) (unlock func(), err error) {
	defer readableFrom(&err, "Options.Lock")
	unlock, err = b.sharedLock(ctx, key)
	if err == nil && unlock == nil {
		unlock = func() {}
	}
	return unlock, err
}

// lockRecord takes Options.Lock's lock of key, the Store's key of a record
// no delivery writes (see sentKey, correctsKey), with ctx's end but not
// its values: those are for the locks of deliveries (pgstore's
// WithLockLost, whose loss package dispatch reports as the job's). The
// caller calls unlock once done.
func (b *Broadcaster) lockRecord(ctx context.Context, key string) (unlock func(), err error) {
	lctx, cancel := context.WithCancelCause(context.Background())
	stop := context.AfterFunc(ctx, func() { cancel(context.Cause(ctx)) })
	u, err := b.lockShared(lctx, LockKey{UpdateID: key, Channel: sentChannel})
	if err != nil {
		stop()
		cancel(nil)
		return nil, err
	}
	return func() {
		b.unlockShared(u)
		stop()
		cancel(nil)
	}, nil
}

// unlockShared calls unlock, which lockShared returned; a panic in it is
// logged: the attempt it ends is over, and its outcome stands.
func (b *Broadcaster) unlockShared(unlock func()) {
	defer slogguard.Recover(b.logger, "broadcast: Options.Lock's unlock")
	unlock()
}

// storeTrouble logs a Store failure that costs no delivery, only what the
// record was for (each caller says what): the time an update was first
// sent with, say, so that a resend of it counts as a new update. The
// error is read as an Event's is (see errAttr).
func (b *Broadcaster) storeTrouble(ctx context.Context, what string, err error) {
	if err != nil && b.logger != nil {
		b.logger.LogAttrs(ctx, slog.LevelWarn, "broadcast: store: could not "+what, errAttr(err))
	}
}

// runStages starts each stage when the one before finished or StageWait
// passed, and waits for all.
func (b *Broadcaster) runStages(ctx, keep context.Context, rep *Report, ds []delivery) {
	var wg sync.WaitGroup
	defer wg.Wait()
	for s, idx := range b.stages {
		finished := make(chan int, len(idx))
		for _, i := range idx {
			wg.Go(func() {
				ds[i].run(ctx, keep)
				finished <- i
			})
		}
		if s == len(b.stages)-1 {
			return
		}
		st := StageReport{Complete: true}
		start := time.Now()
		timer := time.NewTimer(b.stageWait)
		for range idx {
			select {
			case i := <-finished:
				st.Complete = st.Complete && rep.Results[i].Err == nil
				continue
			case <-timer.C:
			case <-ctx.Done():
			}
			st.Complete = false
			break
		}
		timer.Stop()
		st.Waited = time.Since(start)
		for _, i := range idx {
			st.Channels = append(st.Channels, ds[i].name)
		}
		rep.Stages = append(rep.Stages, st)
	}
}

// Preview renders u for every channel that implements Previewer (or wraps
// one: see As), without sending anything; other channels are left out (a
// caller tells them by their names, see Channels), and so is one whose
// Preview fails with ErrNotSupported (see Channel), and so are Routes. It
// validates u first. A Preview that fails or panics is left out too, and
// named in the returned error, a *PreviewError for each such channel, which
// says so of an error whose Error method panics (a nil pointer in a non-nil
// error), as Check does.
func (b *Broadcaster) Preview(u Update) ([]Preview, error) {
	if !b.made() {
		return nil, errNotMade
	}
	if err := b.validate(u, nil); err != nil {
		return nil, err
	}
	if !b.enter() {
		return nil, ErrClosed
	}
	defer b.mu.RUnlock()
	u = u.WithDefaults(time.Now().UTC().Round(0))
	var out []Preview
	var errs []error
	for i, ch := range b.channels {
		pv, ok := As[Previewer](ch)
		if !ok {
			continue
		}
		p, err := preview(pv, u)
		if unsupported(err) {
			continue // as a channel that is no Previewer (see Channel)
		}
		if err != nil {
			errs = append(errs, &PreviewError{Channel: b.names[i], Err: err})
			continue
		}
		p.Channel = b.names[i] // a wrapper's, not the channel's it wraps
		out = append(out, p)
	}
	return out, errors.Join(errs...)
}

// Close closes every channel that implements io.Closer (or wraps one: see
// As) and makes later
// calls fail with ErrClosed. It waits for Sends under way, retry waits
// included: cancel their contexts first for a prompt shutdown. A call made
// while it waits fails with ErrClosed at once. Calling it again does
// nothing. A channel's Close that fails, panics or returns an error whose
// Error method panics does not keep the others open, and is named in the
// returned error.
func (b *Broadcaster) Close() error {
	if !b.made() {
		return errNotMade
	}
	b.closing.Store(true)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	var errs []error
	for i, ch := range b.channels {
		if c, ok := As[io.Closer](ch); ok {
			if err := closeChannel(c); err != nil {
				errs = append(errs, fmt.Errorf("broadcast: close %s: %w", b.names[i], err))
			}
		}
	}
	return errors.Join(errs...)
}

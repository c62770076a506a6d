package bluesky

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// metaReplyDropped is the Receipt.Meta key of the post a reply would have
// replied to, when the post does not reply to it (see liveReply).
const metaReplyDropped = "reply_dropped"

// metaReplyDroppedWhy is the Receipt.Meta key saying why the post does
// not reply to the post metaReplyDropped names, when that is not the
// post being gone.
const metaReplyDroppedWhy = "reply_dropped_why"

// metaCIDMissing is the Receipt.Meta key of a post whose cid the server
// did not give (see existing): it says so, and that a reply reads the
// post again for it.
const metaCIDMissing = "cid_missing"

// liveReply returns reply, unless the post it replies to is gone (deleted
// outside the channel: Retract's deletions the Broadcaster leaves out of
// the Thread): a reply under a deleted post cannot be reached from the
// thread, whose view stops at the deletion. The reply then goes under the
// thread's first post, reply.Root; that gone too, the post starts a new
// thread (nil). A post whose read fails for now (or that cannot be read
// at all) counts as there: the check never keeps an update from going
// out.
func (c *Channel) liveReply(ctx context.Context, reply *replyRef) *replyRef {
	if reply == nil || !c.gone(ctx, reply.Parent) {
		return reply
	}
	if reply.Root.URI != reply.Parent.URI && !c.gone(ctx, reply.Root) {
		return &replyRef{Root: reply.Root, Parent: reply.Root}
	}
	return nil
}

// gone reports whether the server says the post ref does not exist
// (com.atproto.repo.getRecord answered RecordNotFound), asked with the
// channel's session as it is once the request's limits allow it (a
// session another call renewed during the wait, not the one it replaced):
// the check never logs in nor renews the session itself (Send makes it,
// and renews one whose access token expired by its "exp" before the
// check, as the post would renew it: one renewal for both), and is not
// made when there is none or its access token expired by its "exp"
// meanwhile (the server would refuse it). An answer that says anything
// else, or none, counts as the post being there.
func (c *Channel) gone(ctx context.Context, ref strongRef) bool {
	resp, s, err := c.read(ctx, ref.URI)
	return err == nil && resp.Status >= 400 && xrpcError(c.redactor(s), resp).Name == errRecordMissing
}

// read asks the server for the record uri (com.atproto.repo.getRecord)
// with the channel's session, as gone describes: err is not nil when it
// was not asked, or no answer came.
func (c *Channel) read(ctx context.Context, uri string) (*httpx.Response, *session, error) {
	did, collection, rkey, ok := parseATURI(uri)
	if !ok {
		return nil, nil, errors.New("no at:// URI")
	}
	const nsid = "com.atproto.repo.getRecord"
	r, err := c.reserveLimits(ctx, limitGroup(nsid), nsid)
	if err != nil {
		return nil, nil, err
	}
	s, _, _ := c.s.sessions.state()
	if s == nil || s.expired(c.s.now()) {
		r.Release()
		return nil, nil, errors.New("no session")
	}
	q := url.Values{"repo": {did}, "collection": {collection}, "rkey": {rkey}}
	resp, err := c.exchange(ctx, r, http.MethodGet, nsid, q, nil, s, s.access)
	return resp, s, err
}

// cidsMissing reports whether t's receipts name their posts (an at://
// URI) but not every cid a reply needs: a post found by a read back that
// gave none (see existing).
func cidsMissing(t broadcast.Thread) bool {
	if !strings.HasPrefix(t.Root.Meta[metaURI], "at://") || !strings.HasPrefix(t.Last.Meta[metaURI], "at://") {
		return false
	}
	return t.Root.Meta[metaCID] == "" || t.Last.Meta[metaCID] == "" ||
		t.Last.Meta[metaRootURI] != "" && t.Last.Meta[metaRootCID] == ""
}

// withCIDs returns t with the cids its receipts lack read from the server
// (com.atproto.repo.getRecord, once per post), and, when one stays
// unknown (the server gives none, or refuses the read), why: the reply
// needs the strong references (uri and cid) of its root and parent. A
// read that failed for a reason that may pass (a network error, a 5xx, a
// rate limit, ctx) fails with its error, transient, before anything is
// posted: a retry, the server answering again, replies in the thread,
// where a new thread started at once would stay apart for good.
func (c *Channel) withCIDs(ctx context.Context, t broadcast.Thread) (broadcast.Thread, string, error) {
	read := map[string]string{} // uri → its cid, "" when unknown
	var failed error
	cid := func(uri string) string {
		if got, ok := read[uri]; ok || failed != nil {
			return got
		}
		read[uri] = ""
		did, collection, rkey, ok := parseATURI(uri)
		if !ok {
			return ""
		}
		q := url.Values{"repo": {did}, "collection": {collection}, "rkey": {rkey}}
		resp, _, err := c.call(ctx, opReadCID, http.MethodGet, "com.atproto.repo.getRecord", q, nil)
		switch {
		case err != nil && !broadcast.IsPermanent(err):
			failed = err
		case err == nil && resp.Status == http.StatusOK:
			if ref, ok := parseGotRecord(resp.Body); ok && ref.URI == uri {
				read[uri] = ref.CID
			}
		}
		return read[uri]
	}
	fill := func(r broadcast.Receipt, uriKey, cidKey string) broadcast.Receipt {
		if uri := r.Meta[uriKey]; uri != "" && r.Meta[cidKey] == "" {
			if got := cid(uri); got != "" {
				r.Meta = maps.Clone(r.Meta)
				r.Meta[cidKey] = got
			}
		}
		return r
	}
	t.Root = fill(t.Root, metaURI, metaCID)
	t.Last = fill(fill(t.Last, metaURI, metaCID), metaRootURI, metaRootCID)
	if failed != nil {
		return t, "", failed
	}
	for _, uri := range slices.Sorted(maps.Keys(read)) {
		if read[uri] == "" {
			return t, "the server gives no cid of " + uri + ", which a reply needs (its strong reference): the post starts a new thread", nil
		}
	}
	return t, "", nil
}

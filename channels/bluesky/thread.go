package bluesky

import (
	"context"
	"net/http"
	"net/url"
)

// metaReplyDropped is the Receipt.Meta key of the post a reply would have
// replied to, when the post does not reply to it (see liveReply).
const metaReplyDropped = "reply_dropped"

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
	did, collection, rkey, ok := parseATURI(ref.URI)
	if !ok {
		return false
	}
	const nsid = "com.atproto.repo.getRecord"
	r, err := c.reserveLimits(ctx, limitGroup(nsid), nsid)
	if err != nil {
		return false
	}
	s, _, _ := c.s.sessions.state()
	if s == nil || s.expired(c.s.now()) {
		r.Release()
		return false
	}
	q := url.Values{"repo": {did}, "collection": {collection}, "rkey": {rkey}}
	resp, err := c.exchange(ctx, r, http.MethodGet, nsid, q, nil, s, s.access)
	return err == nil && resp.Status >= 400 && xrpcError(c.redactor(s), resp).Name == errRecordMissing
}

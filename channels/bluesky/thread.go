package bluesky

import (
	"context"
	"net/http"
	"net/url"
)

// opThread reads a post a reply would name.
const opThread = "read the post replied to"

// metaReplyDropped is the Receipt.Meta key of the post a reply would have
// replied to, when it was gone (see liveReply).
const metaReplyDropped = "reply_dropped"

// liveReply returns reply, unless the post it replies to is gone (deleted
// outside the channel: Retract's deletions the Broadcaster leaves out of
// the Thread): a reply under a deleted post cannot be reached from the
// thread, whose view stops at the deletion. The reply then goes under the
// thread's first post, reply.Root; that gone too, the post starts a new
// thread. dropped is the post it does not reply to, "" when none. A post
// whose read fails for now (or that cannot be read at all) counts as
// there: the check never keeps an update from going out.
func (c *Channel) liveReply(ctx context.Context, reply *replyRef) (live *replyRef, dropped string) {
	if reply == nil || !c.gone(ctx, reply.Parent) {
		return reply, ""
	}
	if reply.Root.URI != reply.Parent.URI && !c.gone(ctx, reply.Root) {
		return &replyRef{Root: reply.Root, Parent: reply.Root}, reply.Parent.URI
	}
	return nil, reply.Parent.URI
}

// gone reports whether the server says the post ref does not exist
// (com.atproto.repo.getRecord answered RecordNotFound).
func (c *Channel) gone(ctx context.Context, ref strongRef) bool {
	did, collection, rkey, ok := parseATURI(ref.URI)
	if !ok {
		return false
	}
	q := url.Values{"repo": {did}, "collection": {collection}, "rkey": {rkey}}
	resp, s, err := c.call(ctx, opThread, http.MethodGet, "com.atproto.repo.getRecord", q, nil)
	return err != nil && resp != nil && xrpcError(c.redactor(s), resp).Name == errRecordMissing
}

package httpx

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
)

// PermanentTLS reports whether err is a TLS failure that no retry can fix,
// only the operator: the server's certificate does not verify (an unknown
// authority, an expired certificate, another host's name: every one a
// *tls.CertificateVerificationError), or the port does not speak TLS
// (tls.RecordHeaderError, or http.ErrSchemeMismatch, which net/http
// returns for an HTTP answer to a TLS hello). It is the one rule of every
// channel: Do, DoStatus, DoStatusTimeout and DoStatusBuilt mark such an
// error broadcast.Permanent, and the IRC and e-mail channels ask it of their
// handshakes.
func PermanentTLS(err error) bool {
	var verify *tls.CertificateVerificationError
	var record tls.RecordHeaderError
	return errors.As(err, &verify) || errors.As(err, &record) || errors.Is(err, http.ErrSchemeMismatch)
}

// transportError is the error of req, which got no response, as every
// channel returns it: the *url.Error of net/http with its URL shown
// without secrets (see redact.ShowURL), named in the text unless the URL
// holds one of rs's secrets (a webhook URL that is the credential itself:
// the text then names the method alone, "post: dial tcp …"), marked
// broadcast.Permanent when PermanentTLS, redacted and cut (see
// redactError).
func transportError(req *http.Request, err error, rs Redactor) error {
	if ue, ok := err.(*url.Error); ok && rs != nil && req.URL != nil {
		if rs.Redactor().Holds(req.URL.String()) {
			err = &urlHidden{ue}
		}
	}
	if PermanentTLS(err) {
		err = broadcast.Permanent(err)
	}
	return redactError(rs, err)
}

// urlHidden is a *url.Error whose text leaves its URL out.
type urlHidden struct{ ue *url.Error }

func (e *urlHidden) Error() string { return strings.ToLower(e.ue.Op) + ": " + e.ue.Err.Error() }
func (e *urlHidden) Unwrap() error { return e.ue }

// Op returns err after "op: ", the operation a channel names in its
// errors, unless err's text starts so already: the error of a request
// that got no answer names its method when its URL holds a secret ("post:
// dial tcp …", see urlHidden), and a post's or a deletion's operation is
// named as its method is. So every prefix stands once: "discord: post:
// dial tcp …", not "discord: post: post: dial tcp …". Nil is nil.
func Op(op string, err error) error {
	if err == nil || strings.HasPrefix(err.Error(), op+": ") {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}

package channeltest

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync/atomic"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// certificateNotVerified is what crypto/tls says of a certificate its
// client does not trust.
const certificateNotVerified = "tls: failed to verify certificate"

func untrustedRule() rule {
	return rule{name: "UntrustedCertificateIsPermanent", check: checkUntrusted, needs: needsUntrusted,
		rule: "a server whose certificate the channel's own client does not trust fails Send (and Check, " +
			"for a Checker) at once and for good, says the certificate did not verify, reaches no target, " +
			"and quotes no secret"}
}

func needsUntrusted(s subject) string {
	if s.h.Untrusted != nil {
		return ""
	}
	return "Harness.Untrusted is nil"
}

// untrustedServer is an HTTPS server with a certificate no client trusts,
// which counts the requests that got through.
type untrustedServer struct {
	*httptest.Server
	requests atomic.Int64
}

func newUntrustedServer(s *suite) *untrustedServer {
	u := &untrustedServer{}
	u.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		u.requests.Add(1)
		http.NotFound(w, nil)
	}))
	u.Config.ErrorLog = log.New(io.Discard, "", 0) // each refused handshake is logged
	u.StartTLS()
	s.t.Cleanup(u.Close)
	return u
}

// namedCall is one call of a channel, for call.
type namedCall struct {
	what string
	f    func(context.Context) (broadcast.Receipt, error)
}

// A certificate that does not verify fails every call with an error marked
// Permanent: a retry meets the same certificate, only the operator can fix
// it.
func checkUntrusted(s *suite) {
	srv := newUntrustedServer(s)
	ch := s.h.Untrusted(s.t, srv.URL)
	require.NotNil(s.t, ch, "channeltest: Harness.Untrusted returned a nil Channel")
	refusesUntrusted(s, ch)
	assert.Zero(s.t, srv.requests.Load(), "requests the server received over a handshake that failed")
}

// refusesUntrusted checks that Send of ch, and Check for a Checker, whose
// server's certificate does not verify, each fail for good saying so and
// quoting no secret, and that Send marks no target delivered.
func refusesUntrusted(s *suite, ch broadcast.Channel) {
	m := message(update(1))
	ledger := NewLedger()
	m.Ledger = ledger
	calls := []namedCall{{"Send", sendOf(ch, m)}}
	if c, ok := broadcast.As[broadcast.Checker](ch); ok {
		calls = append(calls, namedCall{"Check", func(ctx context.Context) (broadcast.Receipt, error) {
			return broadcast.Receipt{}, c.Check(ctx)
		}})
	}
	var o outputs
	for _, c := range calls {
		_, err := s.do(context.Background(), c.what, sendLimit, c.f)
		o.add("the error of "+c.what+", untrusted certificate", err)
		if errors.Is(err, broadcast.ErrNotSupported) {
			continue // the channel does not make this call: it asked no server
		}
		if !assert.Errorf(s.t, err, "%s returned no error although the server's certificate does not verify", c.what) {
			continue
		}
		assert.Truef(s.t, broadcast.IsPermanent(err),
			"%s: IsPermanent(%q): the Broadcaster would retry a certificate that does not verify", c.what, err)
		assert.Containsf(s.t, err.Error(), certificateNotVerified, "%s: the error says the certificate did not verify", c.what)
	}
	o.check(s)
	assert.Emptyf(s.t, ledger.Delivered(), "Send: targets marked delivered in the Ledger although no handshake succeeded")
}

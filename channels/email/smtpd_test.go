package email_test

import (
	"bytes"
	"cmp"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeSMTP is an SMTP server on 127.0.0.1 that speaks enough of RFC 5321
// for go-mail (EHLO, STARTTLS, AUTH PLAIN/LOGIN/XOAUTH2, MAIL, RCPT, DATA,
// RSET, NOOP, QUIT), offers PIPELINING (RFC 2920: it answers the commands
// of a group in order, as it reads them) and fails on script. A scripted reply may echo the
// credentials the session received: see echoCreds.
type fakeSMTP struct {
	ln   net.Listener
	opts serverOptions
	wg   sync.WaitGroup

	mu        sync.Mutex
	msgs      []gotMessage
	rcpts     map[string]int      // RCPT TO commands per address
	rcptPlan  map[string][]string // per address: replies to its next RCPTs
	rcptFor   map[string]string   // per address: reply to every RCPT, "" none
	dataPlan  map[string][]string // per address: replies to its next ends of DATA
	cmds      []gotCommand        // every command, in order
	resetAll  string              // reply to every RSET, "" none
	rcptAll   string              // reply to every RCPT, "" none
	dataAll   string              // reply to every end of DATA, "" none
	dataWait  time.Duration       // wait before the reply to every end of DATA
	authAll   string              // reply to every AUTH, "" none
	echoOK    string              // after every positive reply to AUTH, MAIL, RCPT and DATA: echoCreds, or ""
	mailAll   string              // reply to every MAIL, "" none
	mailPlan  []string            // replies to the next MAILs, before mailAll
	helloAll  string              // reply to every EHLO and HELO, "" none
	mailFrom  int                 // mailAll only once this many messages were accepted
	greeting  string              // the first reply, "" a 220
	greetFrom int                 // greeting only from this connection on; 0 from the first
	greetWait time.Duration       // wait before the greeting (with implicit TLS, after the handshake)
	greetRest time.Duration       // wait between the greeting's first line, "220-", and its last
	helloWait time.Duration       // wait before the reply to every EHLO
	dropAt    int                 // drop the connection at MAIL once this many messages were accepted; 0 never
	dropUpTo  int                 // drop the connection at MAIL if its number is up to this (see session.id); 0 never
	perConn   int                 // 421 and close at MAIL after this many messages on one connection; 0 no limit
	rcptConn  int                 // "452 4.5.3" to RCPT after this many messages on one connection; 0 no limit
	gate      int                 // MAIL waits until this many connections were made; 0 never
	gateOpen  chan struct{}       // closed when the gate-th connection is made
	onHang    func()              // called when a session starts a planned hang; nil none
	dataHold  map[string]*hold    // per address: its next end of DATA is answered once released
	stop      chan struct{}       // closed by close
	conns     int
	live      map[net.Conn]bool
	maxLive   int // the most connections open at once
	// size is the SIZE line of the EHLO reply ("SIZE 1000", "SIZE"), ""
	// none. With a number above 0, the server refuses a larger message
	// at the end of DATA, as RFC 1870 (section 4) has it, with the reply
	// Postfix and Mailpit give.
	size string
	// sizePlain, when set, is the SIZE line of the EHLO reply before
	// STARTTLS, in place of size ("-" none): RFC 3207 (4.2) has the
	// client forget what it learnt before TLS.
	sizePlain string
}

// hold holds back the reply to an end of DATA: reached is closed when the
// server has the message, and the reply goes out once release is closed.
type hold struct{ reached, release chan struct{} }

func newHold() *hold { return &hold{reached: make(chan struct{}), release: make(chan struct{})} }

type serverOptions struct {
	user, pass string      // AUTH required when user is set
	mechs      string      // the AUTH mechanisms offered; "" PLAIN LOGIN XOAUTH2, "-" none
	token      string      // the XOAUTH2 bearer token accepted
	noTLS      bool        // no STARTTLS offered
	implicit   bool        // TLS from the first byte
	tls        *tls.Config // the server's TLS configuration; nil: serverTLS's
	inTurn     bool        // no PIPELINING offered: the client waits for each reply
	smtputf8   bool        // SMTPUTF8 (RFC 6531) offered
	lower      bool        // EHLO keywords and AUTH mechanisms in lower case ("starttls", "auth plain"): RFC 5321 section 2.4 has them case-insensitive
	ipv6       bool        // listen on [::1], not 127.0.0.1
	authInText bool        // AUTH listed before STARTTLS too
}

// gotCommand is a command the server read: its verb, the connection, and
// whether more input was waiting behind it, that is, whether the client
// sent the next command without waiting for this one's reply.
type gotCommand struct {
	verb      string
	line      string
	conn      int
	pipelined bool
}

type gotMessage struct {
	from string
	to   []string
	data string
	conn int
	// chained: the next commands came in with the message, without
	// waiting for the reply to its end of DATA.
	chained bool
}

// testCert is the server certificate for 127.0.0.1 and localhost, and a
// pool that trusts it.
var testCert = sync.OnceValues(func() (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "outagecast test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
})

func serverTLS() *tls.Config {
	cert, _ := testCert()
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
}

// serverTLS is the server's TLS configuration: opts.tls, or serverTLS's.
func (opts serverOptions) serverTLS() *tls.Config {
	if opts.tls != nil {
		return opts.tls
	}
	return serverTLS()
}

func clientTLS() *tls.Config {
	_, pool := testCert()
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// startSMTP starts a fake server, stopped with t.Cleanup.
func startSMTP(t testing.TB, opts serverOptions) *fakeSMTP {
	addr := "127.0.0.1:0"
	if opts.ipv6 {
		addr = "[::1]:0"
	}
	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	if opts.implicit {
		ln = tls.NewListener(ln, opts.serverTLS())
	}
	s := &fakeSMTP{ln: ln, opts: opts, rcpts: map[string]int{}, rcptPlan: map[string][]string{},
		rcptFor: map[string]string{}, dataPlan: map[string][]string{}, dataHold: map[string]*hold{},
		live:     map[net.Conn]bool{},
		gateOpen: make(chan struct{}), stop: make(chan struct{})}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.close)
	return s
}

func (s *fakeSMTP) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *fakeSMTP) close() {
	close(s.stop)
	_ = s.ln.Close()
	s.mu.Lock()
	for c := range s.live {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *fakeSMTP) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns++
		id := s.conns
		if s.conns == s.gate {
			close(s.gateOpen)
		}
		s.live[c] = true
		s.maxLive = max(s.maxLive, len(s.live))
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			sess := &session{srv: s, id: id, raw: c, tp: textproto.NewConn(c), tls: s.opts.implicit}
			sess.serve()
			_ = c.Close()
			s.mu.Lock()
			delete(s.live, c)
			s.mu.Unlock()
		}()
	}
}

// messages returns what the server accepted, in order.
func (s *fakeSMTP) messages() []gotMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]gotMessage(nil), s.msgs...)
}

// commands returns the commands the server read, in order.
func (s *fakeSMTP) commands() []gotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]gotCommand(nil), s.cmds...)
}

// verbs returns the verbs of the commands read on connection conn.
func (s *fakeSMTP) verbs(conn int) []string {
	var out []string
	for _, c := range s.commands() {
		if c.conn == conn {
			out = append(out, c.verb)
		}
	}
	return out
}

// dropConnections closes every connection, as a server that timed out
// idle clients does, and waits until their sessions ended.
func (s *fakeSMTP) dropConnections(t testing.TB) {
	s.mu.Lock()
	for c := range s.live {
		_ = c.Close()
	}
	s.mu.Unlock()
	require.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.live) == 0
	}, 10*time.Second, time.Millisecond)
}

// rcptCount returns how many RCPT TO commands named addr.
func (s *fakeSMTP) rcptCount(addr string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rcpts[addr]
}

// mostOpen returns the most connections that were open at once. A
// connection counts from its accept until its session ended, which may be
// a little after the client closed it.
func (s *fakeSMTP) mostOpen() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxLive
}

func (s *fakeSMTP) connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// script sets up a server's behaviour under its lock.
func (s *fakeSMTP) script(f func(s *fakeSMTP)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

// Planned replies that are not replies: the server closes the connection
// at once (drop), or stays silent until the client goes away (hang).
const (
	drop = "DROP"
	hang = "HANG"
	// acceptHang, planned for an end of DATA, accepts the message and then
	// stays silent: the reply that says so never comes.
	acceptHang = "ACCEPT+HANG"
	// acceptDrop, planned for an end of DATA, accepts the message and then
	// closes the connection without the reply that says so.
	acceptDrop = "ACCEPT+DROP"
)

// echoCreds in a reply stands for the credentials the session received:
// the AUTH lines as the client sent them (base64) and the user and secret
// they decode to, as verbose servers quote them.
const echoCreds = "{creds}"

// echoOK is what the server adds to a positive reply: " " and echoCreds
// while it echoes the session's credentials in its successes
// (channeltest.FailEchoDelivered), else "".
func (c *session) echoOK() string {
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	if c.srv.echoOK == "" {
		return ""
	}
	return " " + c.srv.echoOK
}

// pop returns the next planned reply for addr, "" when none is left.
func pop(plan map[string][]string, addr string) string {
	if len(plan[addr]) == 0 {
		return ""
	}
	r := plan[addr][0]
	plan[addr] = plan[addr][1:]
	return r
}

// session is one client connection.
type session struct {
	srv    *fakeSMTP
	id     int
	raw    net.Conn
	tp     *textproto.Conn
	tls    bool
	authed bool
	from   string
	to     []string
	sent   int // messages accepted on this connection
	// The last AUTH exchange: the client's lines, and what they decode to.
	authLines          []string
	authUser, authPass string
}

// creds is what echoCreds stands for.
func (c *session) creds() string {
	return fmt.Sprintf("you sent %q, that is user %s with secret %s",
		strings.Join(c.authLines, " "), c.authUser, c.authPass)
}

// reply sends a reply, or carries out drop or hang; false ends the session,
// as a 421 reply does.
func (c *session) reply(format string, args ...any) bool {
	line := strings.ReplaceAll(fmt.Sprintf(format, args...), echoCreds, c.creds())
	switch line {
	case drop:
		return false
	case hang:
		c.srv.mu.Lock()
		onHang := c.srv.onHang
		c.srv.mu.Unlock()
		if onHang != nil {
			onHang()
		}
		for {
			if _, err := c.tp.ReadLine(); err != nil {
				return false
			}
		}
	}
	// A server closes the connection after 421 (RFC 5321, 3.8).
	return c.tp.PrintfLine("%s", line) == nil && !strings.HasPrefix(line, "421")
}

func (c *session) serve() {
	c.srv.mu.Lock()
	greeting, wait, rest := c.srv.greeting, c.srv.greetWait, c.srv.greetRest
	if c.id < c.srv.greetFrom {
		greeting = ""
	}
	c.srv.mu.Unlock()
	if tc, ok := c.raw.(*tls.Conn); ok && wait > 0 && tc.Handshake() != nil {
		return // the wait is for the greeting, not the handshake
	}
	if !c.pause(wait) {
		return
	}
	if greeting == "" {
		greeting = "220 fake.test ESMTP ready"
	}
	if rest > 0 && (!c.reply("220-fake.test") || !c.pause(rest)) {
		return
	}
	if !c.reply("%s", greeting) || !strings.HasPrefix(greeting, "220") {
		return
	}
	for {
		line, err := c.tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		c.srv.mu.Lock()
		c.srv.cmds = append(c.srv.cmds, gotCommand{verb: verb, line: line, conn: c.id, pipelined: c.tp.R.Buffered() > 0})
		c.srv.mu.Unlock()
		if !c.handle(verb, arg) {
			return
		}
	}
}

// handle answers one command; false ends the session.
func (c *session) handle(verb, arg string) bool {
	c.srv.mu.Lock()
	hello := c.srv.helloAll
	c.srv.mu.Unlock()
	if hello != "" && (verb == "EHLO" || verb == "HELO") {
		return c.reply("%s", hello)
	}
	switch verb {
	case "EHLO":
		return c.ehlo()
	case "HELO", "NOOP":
		return c.reply("250 OK")
	case "STARTTLS":
		return c.startTLS()
	case "AUTH":
		return c.auth(arg)
	case "MAIL":
		return c.mail(arg)
	case "RCPT":
		return c.rcpt(arg)
	case "DATA":
		return c.data()
	case "RSET":
		c.srv.mu.Lock()
		forced := c.srv.resetAll
		c.srv.mu.Unlock()
		if forced != "" && !strings.HasPrefix(forced, "2") {
			return c.reply("%s", forced)
		}
		c.from, c.to = "", nil
		if forced != "" { // another 2yz: the session is reset
			return c.reply("%s", forced)
		}
		return c.reply("250 2.0.0 OK")
	case "QUIT":
		c.reply("221 2.0.0 bye")
		return false
	}
	return c.reply("502 5.5.2 command not recognized")
}

// pause waits for d, or until the server stops: then false.
func (c *session) pause(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	select {
	case <-time.After(d):
		return true
	case <-c.srv.stop:
		return false
	}
}

func (c *session) ehlo() bool {
	c.srv.mu.Lock()
	wait := c.srv.helloWait
	c.srv.mu.Unlock()
	if !c.pause(wait) {
		return false
	}
	lines := []string{"fake.test greets you", "8BITMIME", "ENHANCEDSTATUSCODES"}
	if !c.srv.opts.inTurn {
		lines = append(lines, "PIPELINING")
	}
	if c.srv.opts.smtputf8 {
		lines = append(lines, "SMTPUTF8")
	}
	c.srv.mu.Lock()
	size := c.srv.size
	if !c.tls && c.srv.sizePlain != "" {
		size = strings.TrimPrefix(c.srv.sizePlain, "-")
	}
	if size != "" {
		lines = append(lines, size)
	}
	c.srv.mu.Unlock()
	if !c.tls && !c.srv.opts.noTLS {
		lines = append(lines, "STARTTLS")
	}
	if mechs := cmp.Or(c.srv.opts.mechs, "PLAIN LOGIN XOAUTH2"); c.srv.opts.user != "" && (c.tls || c.srv.opts.noTLS || c.srv.opts.authInText) && mechs != "-" {
		lines = append(lines, "AUTH "+mechs)
	}
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		if c.srv.opts.lower && i > 0 {
			l = strings.ToLower(l)
		}
		if !c.reply("250%s%s", sep, l) {
			return false
		}
	}
	return true
}

func (c *session) startTLS() bool {
	if c.tls || c.srv.opts.noTLS {
		return c.reply("503 5.5.1 TLS not available")
	}
	if !c.reply("220 2.0.0 go ahead") {
		return false
	}
	conn := tls.Server(c.raw, c.srv.opts.serverTLS())
	if conn.Handshake() != nil {
		return false
	}
	c.tp, c.tls, c.authed, c.from, c.to = textproto.NewConn(conn), true, false, "", nil
	return true
}

func (c *session) auth(arg string) bool {
	mech, initial, _ := strings.Cut(arg, " ")
	var user, secret string
	c.authLines = []string{"AUTH " + arg}
	switch strings.ToUpper(mech) {
	case "PLAIN":
		if initial == "" {
			initial = c.challenge("")
		}
		parts := strings.Split(decode(initial), "\x00")
		if len(parts) == 3 {
			user, secret = parts[1], parts[2]
		}
	case "LOGIN":
		user = decode(c.challenge("VXNlcm5hbWU6"))
		secret = decode(c.challenge("UGFzc3dvcmQ6"))
	case "XOAUTH2":
		for _, f := range strings.Split(decode(initial), "\x01") {
			if v, ok := strings.CutPrefix(f, "user="); ok {
				user = v
			}
			if v, ok := strings.CutPrefix(f, "auth=Bearer "); ok {
				secret = v
			}
		}
	default:
		return c.reply("504 5.5.4 unrecognized authentication type")
	}
	c.authUser, c.authPass = user, secret
	c.srv.mu.Lock()
	forced, opts := c.srv.authAll, c.srv.opts
	c.srv.mu.Unlock()
	ok := user == opts.user && secret != "" && (secret == opts.pass || secret == opts.token)
	switch {
	case forced != "":
		return c.reply("%s", forced)
	case !ok:
		return c.reply("535 5.7.8 authentication credentials invalid")
	}
	c.authed = true
	return c.reply("235 2.7.0 authentication successful%s", c.echoOK())
}

func (c *session) challenge(text string) string {
	if !c.reply("334 %s", text) {
		return ""
	}
	line, _ := c.tp.ReadLine()
	c.authLines = append(c.authLines, line)
	return line
}

func decode(s string) string {
	b, _ := base64.StdEncoding.DecodeString(s)
	return string(b)
}

func (c *session) mail(arg string) bool {
	if c.srv.opts.user != "" && !c.authed {
		return c.reply("530 5.7.0 authentication required")
	}
	c.srv.mu.Lock()
	gated := c.srv.gate > 0
	c.srv.mu.Unlock()
	if gated {
		select {
		case <-c.srv.gateOpen:
		case <-c.srv.stop:
			return false
		}
	}
	c.srv.mu.Lock()
	dropNow := c.srv.dropAt > 0 && len(c.srv.msgs) >= c.srv.dropAt
	if dropNow {
		c.srv.dropAt = 0
	}
	dropNow = dropNow || c.id <= c.srv.dropUpTo
	full := c.srv.perConn > 0 && c.sent >= c.srv.perConn
	forced := c.srv.mailAll
	if len(c.srv.msgs) < c.srv.mailFrom {
		forced = ""
	}
	if len(c.srv.mailPlan) > 0 {
		forced, c.srv.mailPlan = c.srv.mailPlan[0], c.srv.mailPlan[1:]
	}
	c.srv.mu.Unlock()
	switch {
	case dropNow:
		return false // the connection breaks without a reply
	case full:
		c.reply("421 4.7.0 too many messages in this session")
		return false
	case forced != "" && !strings.HasPrefix(forced, "2"):
		return c.reply("%s", forced)
	}
	c.from = address(arg)
	if forced != "" { // another 2yz: the sender is taken
		return c.reply("%s", forced)
	}
	return c.reply("250 2.1.0 OK%s", c.echoOK())
}

func (c *session) rcpt(arg string) bool {
	if c.from == "" {
		return c.reply("503 5.5.1 MAIL first")
	}
	addr := address(arg)
	c.srv.mu.Lock()
	c.srv.rcpts[addr]++
	r := pop(c.srv.rcptPlan, addr)
	if r == "" {
		r = c.srv.rcptFor[addr]
	}
	if r == "" {
		r = c.srv.rcptAll
	}
	if r == "" && c.srv.rcptConn > 0 && c.sent >= c.srv.rcptConn {
		r = "452 4.5.3 Too many recipients in this session"
	}
	c.srv.mu.Unlock()
	if r != "" && !strings.HasPrefix(r, "2") {
		return c.reply("%s", r)
	}
	c.to = append(c.to, addr)
	if r != "" { // another 2yz: the recipient is taken
		return c.reply("%s", r)
	}
	return c.reply("250 2.1.5 OK%s", c.echoOK())
}

func (c *session) data() bool {
	if len(c.to) == 0 {
		return c.reply("554 5.5.1 no valid recipients")
	}
	if !c.reply("354 end data with <CR><LF>.<CR><LF>") {
		return false
	}
	body, err := c.tp.ReadDotBytes()
	if err != nil {
		return false
	}
	c.srv.mu.Lock()
	wait := c.srv.dataWait
	h := c.srv.dataHold[c.to[0]]
	delete(c.srv.dataHold, c.to[0])
	c.srv.mu.Unlock()
	if h != nil {
		close(h.reached)
		select {
		case <-h.release:
		case <-c.srv.stop:
			return false
		}
	}
	if wait > 0 {
		select {
		case <-time.After(wait):
		case <-c.srv.stop:
			return false
		}
	}
	c.srv.mu.Lock()
	r := pop(c.srv.dataPlan, c.to[0])
	if r == "" {
		r = c.srv.dataAll
	}
	if limit, err := strconv.Atoi(strings.TrimPrefix(c.srv.size, "SIZE ")); err == nil && limit > 0 && messageSize(body) > limit {
		r = "552 5.3.4 Message size exceeds fixed maximum message size"
	}
	if r == "" || r == acceptHang || r == acceptDrop {
		c.srv.msgs = append(c.srv.msgs, gotMessage{from: c.from, to: c.to, data: string(body), conn: c.id,
			chained: c.tp.R.Buffered() > 0})
		c.sent++
	}
	c.srv.mu.Unlock()
	c.from, c.to = "", nil
	switch r {
	case "":
		return c.reply("250 2.0.0 queued%s", c.echoOK())
	case acceptHang:
		return c.reply(hang)
	case acceptDrop:
		return false
	}
	return c.reply("%s", r)
}

// messageSize is the size of body, as ReadDotBytes returns a message
// (LF line ends, dots unstuffed), as RFC 1870 (section 5) counts it: its
// lines end in CR LF, without the final "." and the dots stuffed.
func messageSize(body []byte) int { return len(body) + bytes.Count(body, []byte("\n")) }

// address returns the address of "FROM:<a@b> BODY=8BITMIME".
func address(arg string) string {
	_, rest, _ := strings.Cut(arg, "<")
	addr, _, _ := strings.Cut(rest, ">")
	return addr
}

// Package irc posts incident updates to IRC channels.
//
// A Channel connects to one server (TLS with certificate verification unless
// told otherwise), registers (server password, IRCv3 CAP negotiation of
// echo-message and of SASL PLAIN or EXTERNAL, an alternate nick when the
// nick is in use; see # Nick), joins each configured channel (with its key, if any), sends the
// update as PRIVMSG (or NOTICE) lines and leaves with QUIT. A channel gets
// the lines as soon as the server has confirmed its JOIN (by echoing it,
// RFC 2812 section 3.2.1), whatever it says of the others: a JOIN it does
// not answer within Config.Timeout (or by a second before the attempt's
// deadline, if that comes first) fails that channel alone. By default
// every Send uses its own connection; Config.Persistent keeps one
// connection between updates and reconnects when it drops. Before posting
// on the kept connection, Send PINGs it and waits 5 s at most
// (Config.Timeout if shorter; the e-mail channel waits as long for its
// kept connection) for the PONG: a connection that the path dropped
// without a reset (a NAT or firewall that forgot the idle flow) answers
// nothing, and Send closes it and connects again in the same attempt,
// rather than spending the attempt's whole deadline on it.
//
// The text is the channel's override (Update.Overrides[Config.Name]) or the
// "short" template (see Config.Template), made safe and split by Split:
// control characters are removed, so no input can become an IRC command, and
// every line fits the 512-byte IRC limit with room for the prefix the server
// adds when it relays the line, ":nick!user@host ". Send learns that prefix
// from the server once registered (its welcome, USERHOST, a changed host,
// the echo of the bot's JOIN) and fills each line up to it, less 2 bytes:
// the nick counts as long as the longest nick the server allows (its
// RPL_ISUPPORT NICKLEN), or as the longest of the bot's nicks (Nick__, see
// # Nick) when that is longer or the server names no NICKLEN, whichever
// nick it has, so that the lines are split alike on a retry that
// registers on another nick than the attempt before, and still fit when
// the server renames the bot while it posts (services renaming a nick
// not identified in time, "Guest12345", or a collision renaming it to its
// UID). A NICKLEN past 64 bytes (the servers in use allow about 30) is
// taken for none: counted in every line, it would leave the text too
// little room. Where the server names no NICKLEN (or such a one), a
// rename to a longer nick (or
// a longer host) seen while posting has the channels after it get the
// text split anew, and the channel being posted to left for the next
// attempt (transient) rather than sent lines that would pass 512 bytes;
// lines already on their way when the rename happened may be cut. When
// the server shows no prefix, and in Preview, which does no I/O, the room kept is a
// conservative 122 bytes (Preview's Limit: 374 bytes of text for PRIVMSG to
// a four-letter channel). Lines go out through a token bucket
// (golang.org/x/time/rate: a burst of 4, then one every 2 seconds by
// default) that keeps the bot under the server's flood limit; every wait
// for it ends when ctx does. The bucket paces what the bot sends once
// registered (JOIN, the lines, PING), not registration (PASS, CAP, NICK,
// USER, AUTHENTICATE, the NICKs of a nick in use, USERHOST) nor the taking
// back of the nick (WHOIS, NickServ GHOST, NICK; see # Nick): those are
// about 20 lines at most, with every alternate nick taken, and no more
// than 4 (PASS, CAP LS, NICK, USER) go out before the server has answered
// the ones before. Servers allow that: Solanum and charybdis drop a client
// for "Excess Flood" only past client_flood_max_lines lines queued unread,
// 20 by default (Solanum's doc/reference.conf), and ngIRCd takes a
// registration sent at once (the integration tests send it so). Paced as
// well, they would make
// an update of 5 lines to one channel take about 18 s with the defaults
// instead of about 6 s.
//
// IRC does not acknowledge messages. After the lines for a channel, Send
// sends a PING and waits for its PONG: the server answers in order, so any
// refusal of the lines (404 cannot send to channel) arrives before the PONG,
// and a PONG without one means the server relayed them all. Where the
// server offers the IRCv3 echo-message capability (Solanum, Ergo,
// UnrealIRCd, InspIRCd with its ircv3_echomessage module; not ngIRCd),
// Send asks for it at registration, and the server then echoes every line
// it relays: a line not echoed before the PONG was dropped, and its
// channel did not get the update. Each IRC channel is a target of the Message's Ledger, named as in Config.Channels
// without its key ("#ops"), booked by broadcast.NewFanout: a channel that
// got the lines is marked delivered and one refused for good is marked
// failed as soon as each is known, so a retry posts only to the others.
// A channel left for a retry (the connection lost, a KICK, lines dropped)
// after the server echoed some of its lines has those lines recorded as
// the channel's progress (broadcast.Fanout.MarkProgress, in the Store,
// named by their place and a digest of their text; no target, so not
// listed in Result.Delivered): the retry, on any instance, posts only the
// others, so the channel's members do not read a line twice (a line
// dropped between two relayed ones then comes after them). A line split
// otherwise on the retry (another host or user in the prefix, or a nick
// longer than Nick__ and NICKLEN) is not taken for one recorded.
// Reading the records costs a read of the Store per line and channel, on
// a connection with echo-message only. Without echo-message, no line is
// known to be relayed before the PONG: a line written to the connection
// and then the connection broken may or may not have reached the channel
// (the server sends nothing for a line it relays, and the socket's write
// says only that the kernel took it), so none is recorded and a retry
// posts them all again. A channel then gets its lines once per attempt
// that failed after they went out (the connection lost, or the PONG not
// in time), and once more by the attempt that succeeds: up to
// broadcast.RetryPolicy.MaxAttempts copies (6 by default) rather than
// none. A server with echo-message avoids that (the lines it echoed are
// recorded, and not posted again), and a Config.Timeout above the
// server's lag avoids the attempts a late PONG fails.
//
// The connection is built on the message parser and line reader of
// github.com/ergochat/irc-go rather than on its ircevent client, which is
// made for long-lived bots: its reader goroutine is not joined when a
// connection ends, its CAP wait is fixed at 15 s and it tries new nicks
// without end. Here each connection has exactly one goroutine, stopped
// before Send returns, and every wait honours ctx.
//
// # Nick
//
// Config.Nick is the nick the bot registers with. While the server answers
// that it is in use (433, 437 temporarily unavailable, or 436 a collision
// with the nick on another server of the network), the bot asks
// for it again, 4 times in all, a second apart, before taking an
// alternate (Nick_, Nick__, then the last character replaced by 1 and 2):
// a retry may connect while the server still holds the nick for the
// connection of the attempt before, whose QUIT it has not processed yet
// (ngIRCd reads a flooding client's lines late, the QUIT after them), and
// on an alternate the bot would escape a channel's ban on its nick and
// not be on its SASL account's nick. A nick someone else holds costs each
// connection those 3 s (on a persistent connection, each reconnection). A
// connection lost without a QUIT holds the nick until the server's ping
// timeout, minutes. Logged in with SASL (PLAIN or EXTERNAL), a bot on an
// alternate then asks WHOIS how long the holder has been idle and, when it
// is 3 × Config.Timeout, and a minute, or more (a ghost: a live connection
// of the same bot, as another process with the same Config has, posts
// within that while it sends, and is left alone), asks the network's
// services, once, to disconnect it ("PRIVMSG NickServ :GHOST Nick", which
// Atheme, Anope and Ergo grant the account that owns the nick), then,
// once they answer the GHOST (Atheme's and Anope's replies, granted or
// refused, and Ergo's refusals; not NickServ's other notices, such as
// "This nickname is registered", which may come first), asks for the nick
// again; a nick found free by then is asked for at once. Ergo grants a
// GHOST without a word: an ISON sent after it finds the nick free. When
// the holder is not idle that long or shows no idle time, the services
// refuse or do not answer within Config.Timeout, the server has none
// (ngIRCd), or the nick stays in use, it posts on the alternate. Without a
// SASL login it asks nothing of services: it has no password for them.
// With Config.Persistent it asks nothing either: instances sharing the
// Config each keep a connection that is idle between Sends, and would
// disconnect each other in turn; a ghost of its own (a crash) then holds
// the nick until the server's ping timeout, and the bot posts on the
// alternate meanwhile. A kept connection on an alternate asks for the nick
// again (NICK, not paced) before each Send on it, and posts as itself once
// the server grants it.
//
// # Threading
//
// IRC has no threads and no message ids: Send ignores Message.Thread, and
// its Receipt has no ID.
//
// # Corrections and retractions
//
// IRC cannot edit or delete a message once relayed, so a Channel is neither
// a broadcast.Editor nor a broadcast.Retractor: Broadcaster.Correct posts
// the correction as new lines, rendered by the templates as a correction,
// and Broadcaster.Retract reports broadcast.ErrNotSupported for it.
//
// # Limits
//
// At most Config.MaxLines lines (5 by default) go to each channel; a longer
// text is shortened first (the body before the title, the URL kept whole).
// A URL is never split across lines, where it would no longer work: one that
// does not fit beside the text around it gets a line of its own; another
// link of the text longer than a line (a dashboard's, in the body) is left
// out whole, the text shortened as if it did not fit. An update is never
// posted without its URL, nor without its status: when Update.URL is
// longer than a line, or Config.MaxLines lines cannot hold the status line
// and the URL (with one line, a URL that does not fit beside the status), or
// an override's URL would be cut off, Send fails permanently before posting
// anything, saying how much room there is. It does so before connecting
// when no prefix could leave room enough, else once the server has shown
// the prefix; Preview fails for the conservative room.
//
// The pacing makes a Send last roughly (lines+2 per channel - Burst) ×
// Interval (registration is not paced, see above): with the defaults, 6 s
// for one channel and 5 lines, 34 s for three (with Config.Notice on a
// server without echo-message, a MODE more per channel the Send joins,
// see below); on a persistent
// connection, a Send soon after another has less of the burst left. An
// attempt cut short by its deadline would be retried and
// post its lines again, so Send posts only to as many channels as the time
// before ctx's deadline lets it, less the time registering may take: 3 s,
// 3 s more for asking again for a nick the server still holds (see
// # Nick), and with SASL 3 s more for taking the nick back. It leaves
// the others, untouched, for the next attempt (a transient
// *broadcast.TargetsError that lists them as pending): with the
// Broadcaster's default 30 s per attempt, three channels of 5 lines take
// two attempts. One channel is posted to when the time left suffices with
// a quick registration (3 s); when not even that suffices, Send fails
// permanently before connecting, with a *PacingError that says how long
// it needs. Then raise broadcast.Options.AttemptTimeout, lower
// Config.MaxLines, post to fewer Config.Channels, or raise Config.Burst or
// lower Config.Interval within what the server allows. On a persistent
// connection whose burst the Sends before used, where the whole burst would
// let one channel's lines through in time, the *PacingError is transient
// instead, with broadcast.RetryAfter the time the burst takes to come
// back: the next attempt waits for it, and posts. It is transient too
// when one channel's lines would have fit the time the attempt had when
// Send was called, and the wait for the Send or Check in progress (they
// take turns: see Channel) used it up: two updates sent at once, a
// correction right after its update. The check counts the lines for the
// conservative room, or for the shortest prefix when the text needs more:
// with a prefix longer than 122 bytes (rare) the estimate may fall short.
//
// NOTICE failures are silent on most servers (they send no error replies
// to NOTICE). Solanum, for one, drops NOTICEs to a channel it holds as
// flooded without a word (flood_attack_channel, ircd/channel.c, notifies
// only PRIVMSG). Send sees that only through echo-message: on a server
// without it (ngIRCd), with Config.Notice such a channel counts as
// delivered, as Send cannot tell it from one that got the lines. A line
// not echoed counts as dropped by a rate limit, but for one reason a retry
// cannot change: a NOTICE to a moderated channel (+m) from a bot without
// voice (RFC 2811 section 4.2.3), which the server drops for good without
// a reply (RFC 2812 section 3.3.2 forbids any; ngIRCd answers only
// PRIVMSG there). The connection knows, of each channel it is in,
// whether it is moderated and whether the bot has voice (NAMES shows
// one of the membership symbols the server's RPL_ISUPPORT PREFIX names
// before its nick; (ov)@+ when it names none): the NAMES reply that
// follows a JOIN (RFC 2812 section 3.2.1) shows the voice, a MODE query
// the modes, and the MODE lines the server relays to the channel's
// members (+m, -m, +v, -v, +o, -o and PREFIX's other modes on the bot's
// nick; RFC 2811) keep both current, also between the Sends of a
// persistent connection. With Config.Notice on a server without
// echo-message, Send asks MODE once per JOIN, before the channel's
// lines, and NAMES only when the bot's voice is not known (opped and
// voiced, NAMES without multi-prefix shows only "@": after a -o, whether
// voice is left is not), waiting for the answers (Config.Timeout at
// most; a question not answered in that time, as one answered with an
// error naming the channel, and one the deadline leaves no time for, which
// is not asked, leave unknown what they would tell); on a kept connection it asks nothing
// of a channel it believes takes the lines. A channel moderated where
// the bot has no voice fails for good before any line is sent to it;
// one made so while its lines were out (a MODE relayed before their
// PONG) fails so after them. Only the server's word during the Send
// fails a channel so: where what says it is muted was learnt before the
// Send (a MODE relayed between the Sends of a persistent connection, an
// earlier Send's answers), which may be stale (a server that changes
// modes without relaying them, a relay missed or misread), Send asks
// MODE, then NAMES if the channel is still moderated and the voice is
// from before, and decides on the answers: one or two paced lines more. With echo-message, nothing is
// asked before the lines: when NOTICE lines are not echoed, Send asks
// the channel's modes and NAMES (MODE and NAMES, then a PING: three more
// paced lines, sent only if the deadline leaves time for them) and fails
// that channel for good when it is moderated and the bot has no voice;
// lines echoed late, before that PONG, deliver it. A reply naming the
// channel to MODE or NAMES answers them, not the lines (RFC 2812's 477
// ERR_NOCHANMODES to MODE on a channel without modes), and fails
// nothing: what it leaves unknown counts as no obstacle, and with
// echo-message the lines not echoed stay the channel's error. Its 707
// (see # Errors) answers NOTICE too.
//
// A channel ban (+b) set on the bot while it is in the channel (a bot
// banned before is refused its JOIN, 474) drops its NOTICEs just as
// silently, and Send does not learn it: with Config.Notice on a server
// without echo-message such a channel counts as delivered. The ban list
// could be asked (MODE #chan b: RPL_BANLIST 367, then RPL_ENDOFBANLIST
// 368), but the bot cannot tell from it whether a ban holds it. The
// server matches each mask against more than the prefix the bot sees:
// Solanum's is_banned (ircd/channel.c) against nick!user@host, the same
// with the connection's IP address and, behind a cloak, with the real
// host; extended bans match accounts, TLS fingerprints or other
// channels ("$a:name" on Solanum, "R:name" and "z:fingerprint" on
// InspIRCd). A matching ban may not hold either: a ban exception (+e,
// RPL_EXCEPTLIST 348 and 349, where RPL_ISUPPORT names EXCEPTS) lifts it,
// and Solanum lets only channel operators list those (482 to anyone
// else, ircd/chmode.c), nor do InspIRCd's account exceptions show whom
// they match. A channel failed for good on a guess would lose every
// update a server relays; one it cannot see counts as delivered, as the
// flooded channel above. On a server with echo-message the lines such a
// ban drops are not echoed, and the channel fails as one whose lines
// were dropped (transient). SASL PLAIN (Config.SASLUser, Config.SASLPassword) and
// EXTERNAL (Config.SASLExternal: the TLS client certificate of
// Config.TLSConfig) are supported, no other mechanism; ngIRCd offers no
// SASL at all. Channel names, and the bot's nick where a server line
// names it (its echoes, its host, a KICK, MODE or NAMES entry), fold as
// the server's RPL_ISUPPORT CASEMAPPING says (ascii, rfc1459,
// strict-rfc1459, rfc8265; ngIRCd's is ascii: there "bot[1]" and
// "bot{1}" are two users); a server that names none, or another, is taken to fold as
// rfc1459 does and letters beyond ASCII as rfc8265 (Ergo) does, in NFC.
// New refuses two entries of Config.Channels that every casemapping makes
// one channel ("#Ops" and "#ops"); two that only some make one ("#ops[1]"
// and "#ops{1}" under rfc1459, "#Café" and "#café" under rfc8265) are
// two channels elsewhere, and on such a server Send posts to that channel
// once, for the first of them, whose outcome is the other's too. The
// first Send on a connection waits for the server to name its casemapping
// or end its welcome, 5 s at most (Config.Timeout if shorter): a server
// that does neither by then is taken to name none.
//
// # URL form
//
// For configuration files that list channels as URLs, ParseURL reads and
// Config.URL writes a short form, as IRC clients write server links:
//
//	ircs://NICK[:PASSWORD]@HOST[:PORT]/CHANNEL[,CHANNEL…]?sasl_user=…&sasl_password=…
//	irc://NICK@127.0.0.1:6667/ops      (no TLS: TLSOff)
//
// ircs:// connects with TLS (default port 6697), irc:// without (6667),
// which New allows with a password or a channel key only to a loopback
// host. The user information is the nick and the server password. The
// path lists the channels, separated by ",", each written with its
// channel prefix ("%23ops,%23dev", or "#" as is; "ops" alone, naming one
// channel, may leave it out), a key after a space ("ops%20KEY"); a "#"
// anywhere stands for itself, never for a fragment. A list with an entry
// lacking its prefix is refused: "ops,KEY" would otherwise join a channel
// named after the key (the IRC URL scheme names one channel and puts
// flags, not a key, after a ",": modern.ircdocs.horse, "URL Schemes for
// IRC"). A path naming one channel may give its key, instead, in that
// scheme's key option ("/ops?key=KEY"); a path naming none or several,
// or a channel with a key already, and the option is refused. Config.URL
// writes every "#" of a list, as %23, and a key after a space. A "/" or
// "?" in the password is written %2F or %3F: unescaped, it ends the host
// there, and the nick would become the host, the password's first digits
// its port and the rest of the password a channel. ParseURL refuses what
// that leaves, without quoting it: an empty port, or a port without user
// information followed by an "@" in the path or query (an "@" that
// belongs there is written %40).
// The other query parameters are user, real_name, sasl_external, notice,
// template, max_lines, burst, interval, timeout and persistent, named and
// written as in a configuration file. Values are %-escaped, but "+" stands
// for itself. TLSConfig needs the full Config: sasl_external=true does
// too, for the client certificate.
//
// # Errors
//
// A configuration error from New names the field ("irc: Config.Nick:
// missing"). Send fails at once, permanently, when the text does not fit
// (see # Limits) or when ctx's deadline leaves less time than the pacing
// of one channel's lines needs (a *PacingError; transient when only the
// burst the Sends before used on a persistent connection is missing, or
// the time the Send spent waiting for its turn).
//
// The refusals of single IRC channels follow broadcast.Fanout: Send
// returns nil when the channels not refused for good got the lines (now or
// in an earlier attempt), a transient *broadcast.TargetsError when some are
// still pending, and a permanent one when every channel was refused for
// good. Pending: 437 channel temporarily unavailable, 471 channel full
// (+l), 405 too many channels (the server's limit on the channels a
// client is in at once, as ngIRCd's MaxJoins, 10 by default: the next
// attempt joins only the channels not done yet, on a new connection, as
// a persistent one that got it is dropped after the Send), a JOIN refused with an error numeric not listed here (Solanum's
// 470 forward), a JOIN not answered within
// Config.Timeout, or by a second before the attempt's deadline when that
// comes first (the channels posted meanwhile stay recorded; an error reply
// naming the command JOIN rather than a channel, as UnrealIRCd's
// restrict-commands sends, "421 JOIN :You must be connected for at least
// 10 seconds", answers none by name, and the error of each JOIN sent
// before it and not answered names it; so does one of an error reply
// naming neither a channel nor a command, "479 nick :Illegal channel
// name", that came as its answer, the server answering the JOINs in the
// order sent, and else a server notice refusing a command since the JOIN,
// as UnrealIRCd 5's restrict-commands sends one, "*** You cannot use
// the JOIN command until …"; lines not echoed, or whose PONG does not
// come in time, name such a notice too), an error numeric (400 to 599)
// not listed here naming a joined channel while its lines are out, before
// the PONG that follows them (ircu's 439 "Target change too fast": the
// server refused a line, or may have; a 439 whose text names a wait, as
// ircu's and UnrealIRCd's "Please wait 10 seconds", to the lines or to a
// JOIN (naming its channel, or answering it naming only the command or
// nothing), asks for it with broadcast.RetryAfter, a second at least (the
// server rounds its wait down to whole seconds: "Please wait 0 seconds"
// leaves under one) and a day at most, and one
// naming none is a plain transient failure), and one then naming no channel,
// every JOIN answered ("417 nick :Input line was too long"), or naming
// the lines' command ("461 PRIVMSG …"), a channel
// whose JOIN was answered too late for its lines to fit the deadline, 477
// once logged in with SASL (see below), a JOIN refused by a join
// throttle (480, Solanum's +j: "try again later"), a KICK while posting
// (a flood-protection bot's, say; a rate limit, as those below: the next
// attempt rejoins, and a ban, invite-only or key then refuses that JOIN
// for good), or a PART of the bot's that it did not send (Solanum's
// REMOVE, a kick shown as a PART; the 404 its lines sent meanwhile get
// does not make it one for good), and lines the server
// dropped, as Solanum does with a 707 (its limit on the channels a client
// may message) or a notice "Message to #chan throttled due to flooding"
// (the channel gets too many lines a second, from everyone), as
// UnrealIRCd does with a 404 "Channel is being flooded" (its
// target-flood: too many lines to the channel, from everyone) or "You
// cannot send messages to channels until you've been connected for …"
// (its restrict-commands), or by not
// echoing them where the bot has echo-message (see above): rate limits,
// for which Send's error asks, with broadcast.RetryAfter, for 30 s before
// the next attempt, as for every rate limit that names no wait. On a
// persistent connection (Config.Persistent), so is InspIRCd's 404 "You
// cannot send messages to this channel until you have been a member for
// 60 seconds." (its delaymsg, which holds a newly joined member's lines,
// unless voiced; the delay in words since 4.7, "1 minute and 30 seconds";
// before 3.6 "You must wait 60 seconds after joining to send to channel"),
// whose error asks for the delay it states (a second at least, a day at
// most, as other servers' waits are capped), at once, however much of the attempt's
// deadline is left: the connection stays in the
// channel, and the next attempt, on it, posts. Refused for good:
// 473 invite-only, 474 banned, 475 bad key, 403, 476, 479 (illegal
// channel name: one the server does not take, or one an operator
// reserved), 448 and InspIRCd's 926 (a channel the operators forbade)
// to JOIN, 404 (but for UnrealIRCd's, above; InspIRCd's delaymsg 404
// too when the Send has a connection of its own, which joins anew, and
// posts within the delay, on every attempt: its error says to set
// Config.Persistent or give the bot voice), InspIRCd 2.0's 936 to the
// lines (a censored word; outside the 400 to 599 of error replies,
// InspIRCd 3 sends 404 for it),
// 442 while posting, NOTICE lines to a moderated channel (+m) where
// the bot has no voice (as the server's answers during the Send show,
// before the lines, or after lines not echoed: see # Limits), and a
// channel whose
// mode admits only some
// users, whatever the time: TLS connections (489; ngIRCd's 471 for +z,
// Solanum's 480 for +S), IRC operators (520; ngIRCd's 471 for +O), or
// users logged in to the network's services (477; ngIRCd's 471 for +R)
// when the bot has no SASL login. ngIRCd and Solanum answer these modes
// with the numeric of a full channel or of a throttle, and tell them apart
// only by the mode their text names ("(+z)"); the error says which users
// the channel takes. 477 (ERR_NEEDREGGEDNICK, as Solanum, UnrealIRCd,
// InspIRCd, Hybrid and ngIRCd send it, to a JOIN or to the lines) and
// ngIRCd's +R: without a login no retry changes that; with one, services
// may not have marked it yet, or the bot is on an alternate nick. A
// channel may take only logged-in users for a while, too: UnrealIRCd's
// channel anti-flood sets +R for 10 minutes on a join flood, and answers
// the JOIN as for a channel its operators made +R; Send cannot tell them
// apart, so the error of a 477 to a JOIN without a login names both
// causes, and the next update joins again. A channel refused for good,
// or rate-limited (a KICK, a 707, a flood notice, a 439 naming a wait), after the server may
// have relayed some of its lines (a 404 to the second line, the first
// relayed) fails so and is broadcast.Uncertain too, as a Send that Close
// cut after writing lines is (see Close): a Permanent or RetryAfter mark
// alone says that nothing was posted. A rate limit's wait still holds.
// Without echo-message that is so whenever more than one line went out
// to the channel in the attempt and the server did not refuse each of
// them (it says nothing of a line it relays, and its refusal, which comes
// after the line it answers, may answer a later one than the first; it
// answers a line it refuses with one numeric or more, the same ones for
// each such line, and lines are counted refused by the numeric that came
// most often), or one before a KICK or a PART,
// which answer no line; with it, whenever the server echoed one of them
// (the lines echoed are not posted again). A refusal of the only line
// written, refusals of as many lines as were written (without echo-message:
// by the count above, so lines refused with different numerics, which
// cannot be told apart from one line answered with both, leave it
// Uncertain), or, with echo-message, of lines none of which was echoed,
// stay Permanent or RetryAfter alone. Uncertain tells the Broadcaster
// that the attempt's outcome is unknown (see broadcast.Message.Attempt);
// Send cannot look for lines an earlier attempt posted, and without
// echo-message the next attempt posts every line of the channel again
// (a line twice rather than a line lost). Each
// channel's error there (TargetsError.Failures and Pending,
// Result.Failures) says whether the JOIN or the lines were refused, names
// the channel and, when the server refused it with a numeric, wraps a
// *ReplyError with it (a JOIN never answered, but for such a reply to a
// JOIN, or a channel left for the next attempt because the deadline had
// no time for it, has none).
//
// A 473 is taken for a channel invited only for good, though a server's
// flood protection may set +i for a while: UnrealIRCd's +f with a join
// action ("[10j#i5]:15") sets +i on a join flood, and takes it off
// minutes later (src/modules/chanmodes/floodprot.c). Send cannot tell
// that +i from an operator's: the server says so in a NOTICE to the
// channel's operators ("*** Channel joinflood detected …") and in a MODE
// +i to its members, which the bot, refused the JOIN, is not (a bot
// still in the channel, on a kept connection, does not join again), and
// answers the JOIN with the same 473 "Cannot join channel (+i)". Such a
// channel stays failed for that update; the next update joins it again.
// So does a 474 of the timed ban the same protection sets instead when
// most of the joins came from users not logged in
// ("+b ~time:15:~security-group:unknown-users").
//
// A failure of the connection itself is Send's error as is, and marks no
// channel (those posted to or refused before it stay recorded); Check
// returns it too. When the server had rate-limited a channel before the
// connection failed (707, a flood notice), Send's error keeps that rate
// limit's wait. Such an error, rate limit or failure for good (a ban,
// "Excess Flood", below), is broadcast.Uncertain too when a line of a
// channel not delivered may have been relayed before it: by the rule
// above for a channel refused or rate-limited, and whenever one was
// written to a channel cut short, whose echo the connection's end may
// have lost. Permanent: a wrong or missing server
// password (464, or ngIRCd's bare "ERROR :Access denied: Bad password?")
// or a ban (465, or an ERROR line naming one: a K-, G-, Z- or D-line, "banned
// from" the server), a failed SASL login (904, or a server whose SASL lacks
// the mechanism or that does not know CAP), an erroneous nick (432), all
// wrapping a *ReplyError, a certificate that does not verify, and TLS
// (TLSOn, ircs://) to a port that speaks plain IRC. The password refused
// (464, or that ERROR) and the SASL login refused (a 904 but for a
// mechanism the server lacks) end in "(refused the credential: check
// Config.Password)", "Config.SASLUser and Config.SASLPassword)" or, for
// EXTERNAL, the client certificate's field, as every channel names the
// field of a refused credential; they stay permanent. A server that greets
// first answers the handshake in plain text; one that waits for the client
// to speak (ngIRCd, among others) answers nothing, and the handshake ends
// when the server closes or resets the connection, or after 10 s
// (Config.Timeout if shorter). Before any byte of a TLS record came back,
// Send (and Check) then asks the port once, on a connection of its own,
// "CAP LS 302" in plain text, and waits 3 s at most (Config.Timeout if
// shorter) for a line: one with a source (":irc.example.net …") or a
// NOTICE, CAP, PING or ERROR is IRC's, and the error, permanent, says "the
// port speaks plain IRC, not TLS" and to use the server's TLS port (often
// 6697) or connect without TLS; anything else keeps the handshake's
// error, transient. Transient: refused
// connections, timeouts, a lost connection (its error gives the server's
// ERROR line, when it sent one), every alternate nick in use (433), and a
// server that does not list SASL at all (Solanum leaves it out while its
// services are away). A registration the server answers with an error
// numeric not listed here (438 nick change too fast, 484 restricted, 451,
// 461, 468, 477 to NICK or USER on some servers) and then does not
// complete within Config.Timeout, or that ends with the connection lost or
// ctx done, fails so, transiently, its error naming the server's last
// such reply and wrapping its *ReplyError. An ERROR line, during
// registration or after it, ends the attempt at once, as the connection's
// end does, though the server may leave the socket open: the error names
// its text, and is transient unless it names a ban (above) or a rate
// limit (below). A server that refuses the connection for connecting
// too often (an ERROR that says it is throttled, or Solanum's TLS alert
// "access denied") is a rate limit: the error asks, with
// broadcast.RetryAfter, for 30 s before the next attempt. So is one that
// closes it for sending too fast ("Excess Flood", "RecvQ exceeded"): the
// pacing is faster than the server allows, and the error says to lower
// Config.Burst or raise Config.Interval.
//
// Passwords are redact.Secret values and channel keys are hidden by
// ChannelList, so neither shows when a Config is printed, logged or
// encoded; errors name a channel without its key. Every text a server
// sends back that enters an error (a *ReplyError's Text, an ERROR line) is
// first cleared of the passwords and the SASL PLAIN payload (raw or
// base64, as a server echoing AUTHENTICATE would show it) and of the
// channel keys, by one redact.Redactor, in one pass: each key is
// replaced by REDACTED wherever it stands as a word
// (redact.Redactor.WithWords: not run on with a letter or digit, which a
// key's own punctuation at an end, as in "ops!", stops; a key of
// punctuation alone, "+", only where no letter or digit touches it) in the
// text as sent or as shown, its formatting and colour codes removed, as a
// server repeats a JOIN's key: a key of any length, one letter or mark
// included, is hidden without taking its letters out of the server's
// other words, nor its mark out of "(+k)", also where it touches a
// password or another key ("letmein!ops").
package irc

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/notmade"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// TLSMode says whether the connection is encrypted.
type TLSMode int

const (
	// TLSOn, the zero value, connects with TLS and verifies the server's
	// certificate against the system roots or Config.TLSConfig.RootCAs.
	TLSOn TLSMode = iota
	// TLSOff connects in plaintext. Passwords and channel keys may then
	// be sent only to a loopback address.
	TLSOff
)

// String returns "on" or "off".
func (m TLSMode) String() string {
	switch m {
	case TLSOn:
		return "on"
	case TLSOff:
		return "off"
	}
	return "TLSMode(" + strconv.Itoa(int(m)) + ")"
}

// Config configures a Channel. Its zero fields take the documented defaults.
// Printing, logging or encoding a Config shows REDACTED in place of the
// passwords (redact.Secret) and the channel keys (see ChannelList).
type Config struct {
	// Name is the channel's name in a Broadcaster and the key of its
	// Update.Overrides text. Default "irc".
	Name string `yaml:"name" json:"name"`
	// Server is the server's host:port, as "irc.libera.chat:6697". Required.
	// An international host name ("irc.bücher.example") is dialed, and its
	// certificate verified, in its ASCII form (IDNA A-labels,
	// "irc.xn--bcher-kva.example"); errors show it as written. New refuses
	// one with no ASCII form, and a name no lookup can resolve
	// ("irc,libera.chat", "irc..libera.chat").
	Server string `yaml:"server" json:"server"`
	// TLS is TLSOn (the zero value) or TLSOff.
	TLS TLSMode `yaml:"tls" json:"tls"`
	// TLSConfig customises TLS (RootCAs for a private CA, client
	// certificates). It is cloned; ServerName defaults to Server's host,
	// and an international one is verified in its ASCII form, as Server's.
	// New refuses one whose MinVersion and MaxVersion leave no TLS
	// version (0 stands for TLS 1.2 and TLS 1.3 respectively).
	TLSConfig *tls.Config `yaml:"-" json:"-"`
	// Nick is the bot's nickname. Required.
	Nick string `yaml:"nick" json:"nick"`
	// User is the user name (ident). Default: Nick in lower case, without
	// characters other than letters, digits, '-' and '_', and starting
	// with a letter or digit ("[Status_Bot]" gives "status_bot").
	User string `yaml:"user" json:"user"`
	// RealName is the "real name" (GECOS). Default "outagecast".
	RealName string `yaml:"real_name" json:"real_name"`
	// Password is the server password, sent with PASS. Optional.
	Password redact.Secret `yaml:"password" json:"password"`
	// SASLUser and SASLPassword log in with SASL PLAIN before registration
	// completes. Both or neither.
	SASLUser     string        `yaml:"sasl_user" json:"sasl_user"`
	SASLPassword redact.Secret `yaml:"sasl_password" json:"sasl_password"`
	// SASLExternal logs in with SASL EXTERNAL instead: the server knows
	// the bot by its TLS client certificate (CertFP), which TLSConfig
	// holds (Certificates or GetClientCertificate); the account is the
	// one the network's services tie to the certificate. It needs TLSOn,
	// and excludes SASLUser and SASLPassword. A configuration file (see
	// package config) names the certificate and its key in client_cert
	// and client_key.
	SASLExternal bool `yaml:"sasl_external" json:"sasl_external"`
	// Channels are the IRC channels to post to, as "#ops" or "#ops key",
	// no channel twice ("#Ops" and "#ops" are one on every server; see the
	// package documentation for names only some servers take for one). A
	// []string converts to it. Required.
	Channels ChannelList `yaml:"channels" json:"channels"`
	// Notice sends NOTICE instead of PRIVMSG, the convention for bots.
	Notice bool `yaml:"notice" json:"notice"`
	// Templates holds the template to render. Default templates.Default().
	Templates *templates.Set `yaml:"-" json:"-"`
	// Template names the template rendered for an update. Default "short":
	// one paragraph, wrapped into lines by Split. "text" keeps the line
	// breaks of the body, one IRC line (at least) for each. A base name:
	// each update is rendered with the variant of its status, if there is
	// one ("short.resolved"), which New refuses as a Template.
	Template string `yaml:"template" json:"template"`
	// MaxLines is the most lines posted to each channel. Default 5.
	MaxLines int `yaml:"max_lines" json:"max_lines"`
	// Burst and Interval pace the lines: Burst lines at once, then one
	// every Interval. Default 4 and 2s, within what common servers allow.
	Burst    int           `yaml:"burst" json:"burst"`
	Interval time.Duration `yaml:"interval" json:"interval"`
	// Timeout bounds connecting and each wait for the server's answer
	// (registration, each channel's JOIN, PONG). Default 30s. The TLS
	// handshake is waited for 10s at most, and the PONG that shows a kept
	// connection (Persistent) alive 5s (see # Errors).
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// Persistent keeps the connection open between Sends and reconnects
	// when it drops or does not answer a PING within 5s. Close closes it.
	Persistent bool `yaml:"persistent" json:"persistent"`
}

// Channel posts updates to IRC channels. It is safe for concurrent use:
// Sends and Checks take turns, so that one bot never holds two connections
// (two nicks) at once. Close ends them (see Close).
//
// A nil *Channel (New's error dropped) or a zero Channel fails every
// call with a permanent error saying it was not made by irc.New, and
// its Name is "" (which broadcast.New refuses); none panics.
type Channel struct {
	s    *settings
	turn chan struct{} // holding a value in it: the right to Send
	kept *kept         // nil unless persistent
	// closed is done once Close is called; it ends the Sends and Checks
	// under way (see bind).
	closed    context.Context
	shut      context.CancelFunc
	closeOnce sync.Once
}

var (
	_ broadcast.Channel   = (*Channel)(nil)
	_ broadcast.Previewer = (*Channel)(nil)
	_ broadcast.Checker   = (*Channel)(nil)
)

// ErrClosed is wrapped by the error, permanent, of a Send or Check called
// after Close, or ended by it. It matches broadcast.ErrChannelClosed: the
// Broadcaster stops retrying the channel, and leaves the update pending
// there (no channel failed for good), for a later Send, or a Job's next
// run, to deliver.
var ErrClosed = broadcast.ClosedError("irc: channel closed")

// New validates cfg and returns a Channel. It does no I/O. Its error
// names every fault of cfg, a line each (errors.Join).
func New(cfg Config) (*Channel, error) {
	s, err := newSettings(cfg)
	if err != nil {
		return nil, err
	}
	c := &Channel{s: s, turn: make(chan struct{}, 1)}
	c.closed, c.shut = context.WithCancel(context.Background())
	if s.persistent {
		c.kept = &kept{}
	}
	return c, nil
}

// Name returns Config.Name.
func (c *Channel) Name() string {
	if !c.made() {
		return ""
	}
	return c.s.name
}

// Send posts m.Update to every IRC channel m.Ledger does not hold as done:
// join, lines, PING and PONG, then QUIT unless persistent. See # Errors in
// the package documentation for what it returns.
//
// The Receipt has no ID (IRC has none); its Meta holds "channels", the
// channels posted to by this call, comma-separated (not a name whose
// channel, the same on this server, got the update under another name in
// an earlier attempt), "lines", the lines each got (one number when they
// all got as many; else one per channel, in the order of "channels",
// comma-separated: a channel split anew after the server renamed the bot
// gets another number), and "failed", the channels
// the Ledger holds as refused for good (in this call or an earlier one),
// if any.
func (c *Channel) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errNotMade
	}
	estimate, err := c.estimate(m.Update)
	if err != nil {
		return broadcast.Receipt{}, err
	}
	called := time.Now()
	ctx, unbind := c.bind(ctx)
	defer unbind()
	if err := c.take(ctx); err != nil {
		return broadcast.Receipt{}, closedErr(ctx, err, false)
	}
	defer c.give()
	f := broadcast.NewFanout(m, c.s.names)
	var lines map[int]int
	if todo := f.Todo(); len(todo) > 0 {
		n, err := c.fitting(ctx, len(todo), estimate, called)
		if err != nil {
			return broadcast.Receipt{}, closedErr(ctx, err, false)
		}
		for _, i := range todo[n:] {
			f.Report(i, errPacedOut)
		}
		todo = todo[:n]
		wrote := false // a line was written: cut now, the Send may have posted
		// relayed: a line of a channel not delivered may have been relayed
		// before the connection's end (see session.cutAfterLines)
		relayed := false
		job := func(ss *session) (err error) {
			defer func() { wrote, relayed = ss.wrote, ss.cutAfterLines }()
			lines, err = ss.deliver(f, todo, m.Update, func(i int) bool {
				if m.Ledger == nil { // a Message built by hand, not by broadcast.NewMessage
					return false
				}
				done, failure := m.Ledger.Done(c.s.names[i])
				return done && failure == ""
			})
			return err
		}
		if c.kept != nil {
			err = c.kept.run(ctx, c.s, job)
		} else {
			err = runOnce(ctx, c.s, job)
		}
		if err != nil {
			return broadcast.Receipt{}, closedErr(ctx, afterLines(keepWait(ctx, err, f), relayed), wrote)
		}
	}
	if err := f.Err(); err != nil {
		return broadcast.Receipt{}, err
	}
	return c.receipt(m.Ledger, f, lines), nil
}

// Preview returns the lines Send would post to each channel, joined with
// "\n". Length is the longest line and Limit the bytes a line may have. It
// does no I/O, so it cannot know the prefix the server adds to each line:
// it keeps room for a conservative 122 bytes of it, where Send may fill a
// line further once the server has shown the prefix (see the package
// documentation). A text Preview refuses for want of room (a long URL) may
// go out with Send.
func (c *Channel) Preview(u broadcast.Update) (broadcast.Preview, error) {
	if !c.made() {
		return broadcast.Preview{}, errNotMade
	}
	p := broadcast.Preview{Channel: c.s.name, Limit: c.s.budget, Unit: "bytes per line"}
	lines, err := c.render(u)
	if err != nil {
		return p, err
	}
	for _, l := range lines {
		p.Length = max(p.Length, len(l))
	}
	p.Text = strings.Join(lines, "\n")
	return p, nil
}

// Check connects, registers (password, SASL, nick) and quits, without
// joining or posting. It takes its turn as Send does, after the Send in
// progress, so that the bot never holds two connections (two nicks) at
// once. With Config.Persistent it checks the kept connection instead, as
// Send would before posting on it: a PING its server answers, or else a
// new connection, registered and kept for the next Send. After Close, and
// when Close ends it, it fails with ErrClosed.
func (c *Channel) Check(ctx context.Context) error {
	if !c.made() {
		return errNotMade
	}
	ctx, unbind := c.bind(ctx)
	defer unbind()
	if err := c.take(ctx); err != nil {
		return closedErr(ctx, err, false)
	}
	defer c.give()
	nothing := func(*session) error { return nil }
	if c.kept != nil {
		return closedErr(ctx, c.kept.run(ctx, c.s, nothing), false)
	}
	return closedErr(ctx, runOnce(ctx, c.s, nothing), false)
}

// Close ends the Send or Check in progress, as the end of its ctx would
// (its socket closed, every wait ended), and those waiting for their
// turn, and returns once they have returned, each failing with ErrClosed
// (Uncertain too for a Send that had written lines to a channel: the
// server may have relayed them): a Send on a server that never answers
// does not hold it for Config.Timeout. It then quits the persistent connection, if any, waiting
// 2 s at most for the server to close it. Later Sends and Checks fail with
// ErrClosed; calling Close again does nothing. No goroutine of the
// Channel outlives Close.
// The Broadcaster stops retrying a call so ended, and leaves the update
// pending on the channel, for a later Send (see ErrClosed).
func (c *Channel) Close() error {
	if !c.made() {
		return errNotMade
	}
	c.closeOnce.Do(func() {
		c.shut()
		c.turn <- struct{}{} // the Send in progress, ended, has given its turn back
		defer c.give()
		if c.kept != nil {
			c.kept.close()
		}
	})
	return nil
}

// bind returns ctx ended by Close too, with ErrClosed for its cause, and
// the function that releases it.
func (c *Channel) bind(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(c.closed, func() { cancel(ErrClosed) })
	return ctx, func() {
		stop()
		cancel(nil)
	}
}

// closedErr gives err, the failure of a Send or Check under ctx (see
// bind), as ErrClosed, permanent, when Close ended ctx: the Channel will
// not post again, and err (the end of ctx, a closed socket) only shows
// how Close ended it. wrote says whether the Send wrote a line to a
// channel before: the server may have relayed it, and the error is
// Uncertain too (see afterLines), unless err is the server's own answer
// (a ban, a flood limit), which Send has marked Uncertain already when a
// line of a channel not delivered may have been relayed.
func closedErr(ctx context.Context, err error, wrote bool) error {
	if err == nil || !errors.Is(context.Cause(ctx), ErrClosed) || errors.Is(err, ErrClosed) {
		return err
	}
	closed := broadcast.Permanent(fmt.Errorf("%w (%w)", ErrClosed, err))
	_, waits := broadcast.RetryDelay(err)
	return afterLines(closed, broadcast.IsUncertain(err) || wrote && !waits && !broadcast.IsPermanent(err))
}

// afterLines gives err, a failure for good or a rate limit, the Uncertain
// mark too when relayed says that the server may have relayed lines before
// it (of the Send cut by Close or by the connection's end, of a channel
// refused or rate-limited after lines of it went out): its Permanent or
// RetryAfter mark alone would say that nothing was posted (see
// broadcast.Channel). The marks stay: a rate limit's wait still holds. Any
// other error, which says that already, is returned as is.
func afterLines(err error, relayed bool) error {
	_, waits := broadcast.RetryDelay(err)
	if relayed && (waits || broadcast.IsPermanent(err)) && !broadcast.IsUncertain(err) {
		return broadcast.Uncertain(err)
	}
	return err
}

// take waits for the turn to Send. After Close it fails with ErrClosed.
func (c *Channel) take(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("irc: %w", err)
	}
	select {
	case c.turn <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("irc: %w", ctx.Err())
	}
	if c.closed.Err() != nil { // Close ended before the turn came
		c.give()
		return broadcast.Permanent(ErrClosed)
	}
	return nil
}

func (c *Channel) give() { <-c.turn }

// errNotMade is the error, permanent, of a call of a Channel not made by
// New: a nil *Channel (New failed, its error dropped) or a zero Channel,
// whose calls would otherwise panic.
var errNotMade = broadcast.Permanent(notmade.Error("irc.Channel", "irc.New"))

// made reports whether c was made by New.
func (c *Channel) made() bool { return c != nil && c.s != nil }

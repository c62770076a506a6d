// Package templates renders an incident Update as the text each channel
// sends, and shortens it to a platform's length limit.
//
// Default returns the embedded templates, parsed once:
//
//   - short: one line for X, IRC, Mastodon and Bluesky (and Slack's
//     notification text): "Investigating: <Title> — What
//     you can do: <Advice>. — <Body> Affected: CDN (Major outage). Next
//     update by 14:30 UTC. <URL>". Variants short.resolved and
//     short.completed leave out the components and the next update.
//   - subject: an e-mail subject, "Incident: <Title>" or "Maintenance:
//     <Title>". It names no status and has no per-status variant: Gmail
//     threads only messages with the same subject. The e-mail channel
//     renders it for an incident's first message and reuses that subject
//     for the later ones, so a "subject.<status>" variant of your own
//     applies only to incidents that start with that status.
//   - text: a plain-text e-mail body; also the text of Matrix's and
//     Telegram's messages (which make their HTML from it) and of the
//     console, by default.
//   - html: an HTML e-mail body (html/template: every value is escaped). It
//     opens with a hidden preheader, the preview line mail clients show
//     after the subject: status, title, advice and the body's first
//     paragraph.
//   - markdown: CommonMark, with the user's text escaped: Discord's
//     messages, and a channel of your own (or a console's template key)
//     for a tool that renders CommonMark. Slack, Teams and Google Chat
//     render templates of their own ("slack", "teams", "googlechat"), in
//     their platforms' formats.
//
// Every default but subject leads with the status and the title, then
// "What you can do: <Advice>" when Advice is set, the impact (not in the
// short ones), the body, the affected components, "Next update by …" when
// NextUpdate is set, and the URL. None promises a time of resolution. An update that corrects an
// earlier one (Corrects is set, as Broadcaster.Correct does when a channel
// cannot edit its post) reads "Correction: " before the status, in the
// html preheader too; the rest is rendered as usual, and the subject stays
// the same, so that the correction lands in the incident's thread. Text
// marks a correction's Overrides text the same way (MarkCorrection:
// "Correction: " before its first line that shows something, unless that
// line starts with the word "correction" in any case), keeping the marker
// when it shortens the text.
//
// With replaces or adds one template, New loads a directory of "<name>.tmpl"
// files over the defaults (hidden files, whose names start with ".", are
// ignored, as macOS's "._short.tmpl"); each must be a regular file (symbolic links
// followed) of at most MaxFileSize bytes, so that a named pipe or a device
// in the directory is an error naming it rather than a New that never
// returns. A template's text must be UTF-8 (a file's leading byte-order
// mark is dropped): one that is not, a file saved as Latin-1 or UTF-16,
// is an error naming the file and the line. New names every file it
// refuses, not only the first, each on a line of its own, a *FileError
// (a name that is not printable, one holding a line break, quoted). A name may carry a status, "short.resolved": Render
// uses it instead of "short" for updates with that status. Replacing a
// base name, With("short", …) or a short.tmpl file, drops the defaults'
// variants of it (short.resolved, short.completed), so that your text is
// also the one that says the outage is over; variants of your own, given
// before or after, stay. Templates whose
// base name is "html" use html/template, all others text/template. Every
// template is parsed when the Set is made, never at send time, and run on
// a sample update of each status it can be rendered for (a variant's own,
// every status for a base name), so that a mistake in a branch for the
// resolved update fails then, not on the update that says the outage is
// over. The sample has every field set: a template that fails only on an
// update without components or advice passes here, and each channel tries
// its templates on sparser updates when it is made.
//
// # Template data
//
// Dot is a Data: the Update's fields (.Title, .Status, .Impact, .Body,
// .Advice, .Components, .URL, .Time, .NextUpdate, .Overrides, .ID,
// .IncidentID, .Corrects) plus .Headline ("Investigating", "Maintenance in
// progress"), .StatusLabel, .ImpactLabel, .NextUpdateAt ("14:30 UTC", or
// "25 Nov 14:30 UTC" on another day, with the year in another year),
// .PostedAt, .AdviceLabel ("What you can do"), .Correction
// ("Correction" when Corrects is set), and .ComponentsLeftOut and
// .MoreComponents ("… and 259 more"): how many components RenderFit left
// out of .Components to fit a limit, which a template writes at the end
// of its list, as the defaults do; a template that lists components and
// not this count shows a shortened list as if it were whole. Status
// values have a Label method, so a component's state is {{.Status.Label}}
// ("Major outage"). A key the update's Overrides lacks,
// {{.Overrides.irc}}, is empty text. Functions:
//
//   - oneline s: s with every run of white space collapsed to one space.
//   - sentence s: s trimmed, with a full stop added unless it ends in
//     punctuation or a symbol, an emoji too ("👍", "✔️", "1️⃣", a flag);
//     combining marks are looked past, and so are the characters closing
//     a right-to-left isolate or embedding, as a text cut inside one ends.
//   - md s: s with CommonMark formatting characters escaped (HTML's "<",
//     ">" and "&" too), and the spaces and tabs that begin a line written
//     as no-break spaces, one per column, so that an indented line is
//     neither an indented code block nor stripped of its indentation;
//     URLs left whole; a URL CommonMark would read
//     formatting in ("[x](…)", "*", "`") or a character reference
//     ("&copy;") is written as an autolink, <URL>, and so is each link of
//     a URL whose link ends before white space (at "」", "»", "。", see
//     LinkSpans), which a renderer would link up to the space.
//   - mdurl s url: md s, and url, the update's URL ({{mdurl .Body .URL}},
//     as the markdown template writes the title, advice and body),
//     written as an autolink, whole, where s shows it and a renderer
//     would end its link before its end (at a final "." or an unopened
//     ")", see LinkSpansWhole).
//   - autolink url: url as a CommonMark autolink, <url>, with "&amp;" for
//     each "&" that would start a character reference, which CommonMark
//     decodes in autolinks too: the link is url as given. The markdown
//     template writes the update's URL with it.
//   - paragraphs s: s split at blank lines (empty, or of white space
//     only); lines s: s split at line breaks.
//   - indent s: s with the spaces and tabs that begin each line written as
//     no-break spaces, one per column (a tab to the next multiple of
//     four), which HTML does not collapse; the html template writes the
//     body and the advice with it, so that indented lines stay indented.
//   - utc t: t in UTC as "24 Nov 2025 13:45 UTC"; "" for the zero time.
//   - color status: a CSS colour for the status (for html).
//
// Output is tidied: the "short" and "subject" templates (and their variants)
// always produce one line, every run of white space, line breaks included,
// collapsed to one space, so a careless title cannot break a subject header.
// Other templates lose trailing spaces, leading and trailing blank lines and
// runs of blank lines, so template whitespace needs no care.
//
// # Length
//
// Bytes, Runes and Graphemes measure text; a channel may bring its own
// Measure (X weighs URLs as 23 and CJK as 2). Shorten cuts any text to a
// limit, and ShortenWhole too, keeping the URLs it is given (the
// update's URL, for a channel's own text that may show it) whole as
// RenderFit and Text keep the update's; RenderFit renders and shortens the body, then the components (as
// many of the first ones as fit, the others counted: "… and 259 more"),
// then the advice, then the title, keeping the status (and the correction
// marker), next update and URL whole. Text uses a channel's Overrides entry
// when there is one. Cuts fall between grapheme
// clusters, so an emoji sequence, a flag or an accented letter is never
// split, and prefer the end of a word. Nor is a URL of the text (Shorten
// moves one after the cut past the ellipsis), up to the next white space
// or the first character in it that ends a link ("。", "、", "（", "」",
// "»", see LinkSpans), where every working link has ended (Discord and
// Mastodon link on to the white space, the text after the URL with it: no
// page that works): Japanese or Chinese text after a URL, with no space between, is
// cut there as any other text (an ASCII URL, which holds no such
// character, is kept up to the white space, its final punctuation too;
// RenderFit and Text keep the update's URL whole where the text shows it,
// such a character and all, "https://status.example.com/a、b"). Nor is a backslash escape ("\*",
// "\-") split, nor its backslash left behind when the punctuation before
// the ellipsis is trimmed, so that shortened Markdown shows no stray "\".
// Nor is a run of printable ASCII, and of letters, marks and digits
// outside ASCII but of scripts written without spaces (Han, kana, Thai…),
// and of the dashes U+2010 to U+2015, which Telegram links, with a dot between letters or digits ("1.5", "api.cloud.example.com",
// "bücher.example"; the text around it is cut as before): a domain name
// without a scheme, cut, is linked as far as it goes ("api.cloud.examp…"
// as api.cloud); a "-", "–" or "—" that ends it is kept before the
// ellipsis, where the link holds it; such a run that does not fit is left
// out whole, however long. Nor is a hashtag (up to its 65th
// grapheme cluster; a "#" after white space or punctuation, as in
// "(#cdnoutage)"): "#cdnout…" would link another tag; nor, alike, a
// mention ("@AcmeSupport"): "@AcmeSupp…" would notify another account.
// Nor is a Markdown link or image ("[status page](https://…)", with a
// title or over lines of a paragraph too; a reference link, "[status
// page][1]", "[1][]" or "[1]", to a definition "[1]: https://…" in the
// text, and that definition), an autolink ("<https://…>", "<ops@example.com>")
// or a character reference ("&amp;"): each is kept or left out whole, every URL of a link (its
// destination's, and one in its title or its text) then moved after
// the ellipsis as any other (a reference link's URL is its definition's,
// moved when the definition is left out). A link or image a cut keeps is
// written as the inline link it is (a reference link kept when its
// definition is left out too, "[status page](https://…)"), or as its
// text alone when the inline link does not fit the room the text before
// it leaves, the URL dropped rather than the text (Shorten moves it after
// the ellipsis as any other where it fits), each link judged at the first
// cut that keeps it. A link that starts inside a bare URL and ends
// after it ("https://x.example/a[b\nc](https://x.example/c)": the URL
// runs to the white space, as GitHub Flavored Markdown and X read it, or
// to a character that ends a link, the link from "[", as CommonMark reads
// it) is kept whole with the URL, and so is a link whose destination's
// URL runs on past its end ("[![a](https://x.example/i.png)](more"). A URL in brackets so moved leaves the ")"
// behind: "(https://…)" gives "… https://…", no bracket left unbalanced
// (but for the update's URL, kept whole by RenderFit and Text, whose
// final ")" is its own: "https://…/Outage_2026)" moves whole);
// a link's destination, within "<" and ">" ("[a](<https://…/a)>)") or
// not, moves whole (up to a title, '"' and all, as CommonMark reads
// it), as the URL the link points to, its backslash escapes and
// character references read ("\)" is ")", "&amp;" is "&"), and as an
// autolink, "<https://…/a)>", where a channel would link it bare short
// of its end (at a final ")" or "]" it did not open, a ".", a '"', or a
// character that ends a link, "「") or Markdown would read it as another
// URL (LinkSpans links such a "<url>" whole), white space, control
// characters and "|" in it percent-encoded ("%20", "%C2%A0", "%7C": with
// a "|", Slack and Google Chat read "<https://…|text>" as a link showing
// text of its own), as a renderer writes the link's href, "&amp;" for
// an "&" that would start a
// character reference; in a plain-text
// channel the "<" and ">" show, the delimiters of a URL in text that RFC
// 3986 (Appendix C) gives, and ShortenPlain, and Text and RenderFit of
// the plain-text templates (short, subject, text) and of every template
// of a Set a channel made Plain (one that shows its text as written,
// whichever template renders it, see Set.Plain), write "&" as "&" there,
// so that the reader sees the URL the link points to; ShortenPlain, and
// Text of an override so shown, write a kept autolink so too where it
// holds a character reference, which CommonMark reads in it
// ("<https://…?a=1&amp;b=2>" shows as "<https://…?a=1&b=2>", cut or
// not). An Update's fields are text, not Markdown (the markdown template
// escapes them): RenderFit shows a Body's "<https://…?a=1&amp;b=2>" as
// written, in every template.
// A cut inside a right-to-left
// embedding, override or isolate (U+202A–U+202E, U+2066–U+2069) closes it
// after the ellipsis, and each text field closes what it leaves open (at
// its end, and before a line break a one-line template joins), so that no
// field turns the rest of the message, the URL included, right to left.
//
// # Limits
//
// Only the first-level names and "<name>.<status>" variants are looked up;
// templates cannot include one another across files. Word ends are found at
// white space and CJK punctuation, not by dictionary, so CJK text is cut at
// any grapheme. The markdown escaping targets CommonMark; Slack's mrkdwn
// has no backslash escapes and needs its own template. URLs are recognised
// as "http://" or "https://" up to the next white space (see URLSpans),
// and kept whole by a cut up to the first character that ends a link in
// them too. Markdown links
// are read in at most 32 block quotes and list items, one in another: the
// markers of deeper ones are read as text, so that a link in a paragraph
// deeper than that is kept whole over its lines, and one that CommonMark
// ends there with a deeper block may be kept whole with the text after it.
//
// A run of a template writes at most MaxOutputSize bytes: one that would
// write more (a range over a large number, a long body written many
// times) fails, when the Set is made if it does so on the sample update,
// else when it renders. Nor can a template grow a value it does not
// write, doubling a variable in a loop ({{$x = printf "%s%s" $x $x}}):
// every function it can call that returns a string refuses a result
// longer than MaxOutputSize, and the run fails as above, "error calling
// printf: result larger than MaxOutputSize". These are the package's
// functions (oneline, sentence, md, mdurl, autolink, indent, utc,
// color) and text/template's print, printf, println, html, js and
// urlquery, which the package replaces, in the html template too, with
// versions that write the same text; they also refuse arguments that add up to more
// than MaxOutputSize, and printf a format whose verbs, with the arguments
// they format, may ("%[1]s" a million times) and a width or precision of
// more than 999 or taken from an argument ("%*d"). Not
// bounded: an action of the html template that is a single call of html
// or urlquery with several arguments, {{html $x $y}}, which html/template
// rewrites to join the arguments with a function of its own before
// escaping them. Time is not bounded: a template that loops over a
// large range writing nothing runs until the loop ends.
//
// # Errors
//
// Construction (New, With) fails when a template does not parse or fails on
// a sample update; the error names the file or template, the status of
// the sample, and the line (a template that writes more than
// MaxOutputSize on it, or calls a function that would return more, fails
// too). Render fails
// with ErrUnknownTemplate for a name the Set does not hold, naming it.
// RenderFit, and Text of a template, fail with an error wrapping
// ErrTooLong when even the shortest form exceeds the limit; they still
// return the best text that fits. Every rendering fails, with no text,
// once a template writes more than MaxOutputSize or a function it calls
// would return more. Text of an override cuts it to fit
// without an error: it is the author's own text, and has no shorter form. Methods never panic and never modify the Update.
package templates

package telegram

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
)

// MaxLength is the limit on a message's text after entity parsing (what
// readers see), in characters (Unicode code points). Code points, not the
// UTF-16 code units that entity offsets use: the Bot API server's tdlib
// refuses a bot's text as "Message is too long" when its utf8_length, a
// count of code points, after parsing exceeds message_text_length_max
// (create_input_message_content, td/telegram/MessageContent.cpp), so a
// message of 4,096 emoji outside the Basic Multilingual Plane (8,192 code
// units) is accepted, and one of 4,097 refused.
const MaxLength = 4096

// parseMode is the markup the channel sends: Telegram's HTML style.
const parseMode = "HTML"

// sendMessage is the input of sendMessage.
type sendMessage struct {
	ChatID             any                 `json:"chat_id"`
	MessageThreadID    int64               `json:"message_thread_id,omitempty"`
	Text               string              `json:"text"`
	ParseMode          string              `json:"parse_mode"`
	LinkPreviewOptions *linkPreviewOptions `json:"link_preview_options,omitempty"`
	ReplyParameters    *replyParameters    `json:"reply_parameters,omitempty"`
}

// editMessageText is the input of editMessageText.
type editMessageText struct {
	ChatID             any                 `json:"chat_id"`
	MessageID          int64               `json:"message_id"`
	Text               string              `json:"text"`
	ParseMode          string              `json:"parse_mode"`
	LinkPreviewOptions *linkPreviewOptions `json:"link_preview_options,omitempty"`
}

// getChat is the input of getChat.
type getChat struct {
	ChatID any `json:"chat_id"`
}

// deleteMessage is the input of deleteMessage.
type deleteMessage struct {
	ChatID    any   `json:"chat_id"`
	MessageID int64 `json:"message_id"`
}

// replyParameters is Telegram's ReplyParameters. The channel always
// allows sending without the reply, so that an update still goes out when
// the message it replies to was deleted.
type replyParameters struct {
	MessageID                int64 `json:"message_id"`
	AllowSendingWithoutReply bool  `json:"allow_sending_without_reply"`
}

// linkPreviewOptions is Telegram's LinkPreviewOptions.
type linkPreviewOptions struct {
	IsDisabled       bool   `json:"is_disabled,omitempty"`
	URL              string `json:"url,omitempty"`
	PreferSmallMedia bool   `json:"prefer_small_media,omitempty"`
	PreferLargeMedia bool   `json:"prefer_large_media,omitempty"`
	ShowAboveText    bool   `json:"show_above_text,omitempty"`
}

// previewOptions returns the link preview of a message about the update
// at link: of that URL, not the first one Telegram finds in the text (a
// body may hold others, any link a responder pasted); none without a link.
func previewOptions(p LinkPreview, link string) *linkPreviewOptions {
	if p.Disabled || link == "" {
		return &linkPreviewOptions{IsDisabled: true}
	}
	return &linkPreviewOptions{URL: link, PreferSmallMedia: p.PreferSmallMedia, PreferLargeMedia: p.PreferLargeMedia,
		ShowAboveText: p.ShowAboveText}
}

// answer is the envelope of every Bot API answer.
type answer struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *struct {
		MigrateToChatID int64 `json:"migrate_to_chat_id"`
		RetryAfter      int   `json:"retry_after"`
	} `json:"parameters"`
}

// message is the part of Telegram's Message the channel reads.
type message struct {
	MessageID int64 `json:"message_id"`
	Chat      struct {
		ID       int64  `json:"id"`
		Username string `json:"username"`
	} `json:"chat"`
	// MessageThreadID is the forum topic of a message IsTopicMessage says
	// is in one; a reply thread's id otherwise, which links leave out.
	MessageThreadID int64 `json:"message_thread_id"`
	IsTopicMessage  bool  `json:"is_topic_message"`
}

// topic returns the forum topic m is in; 0 for none.
func (m message) topic() int64 {
	if !m.IsTopicMessage || m.MessageThreadID <= 0 {
		return 0
	}
	return m.MessageThreadID
}

func parseMessage(result json.RawMessage) (message, error) {
	var m message
	if json.Unmarshal(result, &m) != nil || m.MessageID == 0 || m.Chat.ID == 0 {
		return message{}, errors.New("the Bot API answered without the message")
	}
	if !usernamePattern.MatchString("@" + m.Chat.Username) {
		// None (a private chat), or no username (a relay's echo of the
		// request, quoting the token): no link is made of it.
		m.Chat.Username = ""
	}
	return m, nil
}

// htmlEscaper escapes what Telegram's HTML parser reads as markup.
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// toHTML returns plain text as Telegram HTML: every "<", ">" and "&"
// escaped, so the text is shown as written and cannot add formatting or
// links, and its first line (the status and title) bold. Readers see
// plain, character for character.
func toHTML(plain string) string {
	first, rest, more := strings.Cut(plain, "\n")
	var b strings.Builder
	if first != "" {
		b.WriteString("<b>" + htmlEscaper.Replace(first) + "</b>")
	}
	if more {
		b.WriteString("\n" + htmlEscaper.Replace(rest))
	}
	return b.String()
}

// Receipt.Meta keys of a chat's message: the message's id, and the id of
// the chat it is in (a username's chat, or a migrated group's new
// supergroup, by number).
func metaMessage(target string) string { return "message_id:" + target }
func metaChat(target string) string    { return "chat_id:" + target }

// posted is a chat's message of an update.
type posted struct {
	chatID, messageID int64
	username          string // the chat's, for its link; "" for none
	topic             int64  // the forum topic the message is in, for its link; 0 for none
}

// postedIn reads the message of target from a receipt's Meta.
func postedIn(r broadcast.Receipt, target string) (posted, bool) {
	msg, err1 := strconv.ParseInt(r.Meta[metaMessage(target)], 10, 64)
	chat, err2 := strconv.ParseInt(r.Meta[metaChat(target)], 10, 64)
	if err1 != nil || err2 != nil || msg == 0 || chat == 0 {
		return posted{}, false
	}
	return posted{chatID: chat, messageID: msg}, true
}

// link returns the message's link: t.me/<username>/<id> for a public
// supergroup or channel, t.me/c/<id>/<id> (for members) for another
// supergroup or channel, "" for other chats: a private chat's or a basic
// group's messages have no link, even when the chat (a user) has a
// username. A supergroup's or channel's chat id is -10^12 less its
// number, which the link names; a basic group's is above -10^12, and may
// start "-100" all the same (an old group's, -100123456). A message in a forum topic has the
// topic before its id, t.me/<username>/<topic>/<id> and
// t.me/c/<id>/<topic>/<id>, as Telegram links it
// (core.telegram.org/api/links#message-links).
func (p posted) link() string {
	msg := strconv.FormatInt(p.messageID, 10)
	if p.topic > 0 {
		msg = strconv.FormatInt(p.topic, 10) + "/" + msg
	}
	switch {
	case p.chatID >= channelIDBase:
		return ""
	case p.username != "":
		return "https://t.me/" + p.username + "/" + msg
	}
	return "https://t.me/c/" + strconv.FormatInt(channelIDBase-p.chatID, 10) + "/" + msg
}

// channelIDBase is the chat id a supergroup's or a channel's number is
// taken from (tdlib's ZERO_CHANNEL_ID): every other chat's id is above it.
const channelIDBase = -1_000_000_000_000

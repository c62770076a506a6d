package config

import (
	"cmp"
	"net/url"
	"strings"

	"github.com/outagecast/outagecast/channels/bluesky"
	"github.com/outagecast/outagecast/channels/discord"
	"github.com/outagecast/outagecast/channels/googlechat"
	"github.com/outagecast/outagecast/channels/mastodon"
	"github.com/outagecast/outagecast/channels/matrix"
	"github.com/outagecast/outagecast/channels/slack"
	"github.com/outagecast/outagecast/channels/statuspageio"
	"github.com/outagecast/outagecast/channels/teams"
	"github.com/outagecast/outagecast/channels/telegram"
	"github.com/outagecast/outagecast/redact"
)

// The describers below say in words what a channel is configured with,
// as describeIRC does. Of a URL they show the host only: a webhook URL is
// itself a secret, and a bot token may be in its path.

// hostOf returns the host (with its port) of raw, a URL, or "" when it has
// none.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// via returns ", via HOST" for base, a channel's API address, when it is
// set and not the default def; "" otherwise.
func via(base, def string) string {
	if base == "" || hostOf(base) == hostOf(def) {
		return ""
	}
	return ", via " + cmp.Or(hostOf(base), redact.ShowURL(base))
}

// listed returns "channel #a" or "channels #a, #b".
func listed(word string, items []string) string {
	return plural(len(items), word) + " " + strings.Join(items, ", ")
}

func describeSlack(c slack.Config) string {
	if !c.WebhookURL.IsZero() {
		return "Slack incoming webhook on " + hostOf(c.WebhookURL.Reveal()) + " (posts only)"
	}
	return "Slack bot token, " + listed("channel", c.Channels) + via(c.BaseURL, slack.DefaultBaseURL)
}

func describeDiscord(c discord.Config) string {
	s := "Discord webhook on " + hostOf(c.WebhookURL.Reveal())
	switch {
	case c.Forum:
		s += ", forum"
	case c.ThreadID != "":
		s += ", thread " + c.ThreadID
	}
	return s
}

func describeTeams(c teams.Config) string {
	return "Teams workflow webhook on " + hostOf(c.WebhookURL.Reveal())
}

func describeGoogleChat(c googlechat.Config) string {
	s := "Google Chat webhook on " + hostOf(c.WebhookURL.Reveal())
	if c.NoCard {
		s += ", text only"
	}
	return s
}

func describeMastodon(c mastodon.Config) string {
	s := cmp.Or(hostOf(c.Server), redact.ShowURL(c.Server)) + ", access token, visibility " + string(cmp.Or(c.Visibility, mastodon.Public))
	if c.Language != "" {
		s += ", language " + c.Language
	}
	return s
}

func describeBluesky(c bluesky.Config) string {
	server := cmp.Or(c.Service, bluesky.DefaultService)
	return cmp.Or(hostOf(server), redact.ShowURL(server)) + " as " + c.Identifier + ", app password"
}

func describeTelegram(c telegram.Config) string {
	return "Telegram bot token, " + listed("chat", c.Chats) + via(c.BaseURL, telegram.DefaultBaseURL)
}

func describeMatrix(c matrix.Config) string {
	s := cmp.Or(hostOf(c.Homeserver), redact.ShowURL(c.Homeserver)) + ", access token, " + listed("room", c.Rooms)
	if c.Notice {
		s += ", as notices"
	}
	return s
}

func describeStatuspageio(c statuspageio.Config) string {
	s := "Statuspage page " + c.PageID + ", API key" + via(c.BaseURL, statuspageio.DefaultBaseURL)
	if c.SkipNotifications {
		s += ", subscribers not notified"
	}
	return s
}

package main

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// failingPreview is a channel whose Preview fails with err (nil: renders).
type failingPreview struct {
	broadcast.Channel
	err error
}

func (f failingPreview) Preview(u broadcast.Update) (broadcast.Preview, error) {
	return broadcast.Preview{Text: u.Title}, f.err
}

// The channel whose preview failed is the one the dry run says cannot
// render, also when another channel's name is its name, ": " and the
// start of its error: read from the error's text, the longest name that
// fits took the failure, and the dry run said the wrong channel fails.
func TestPreviewFailureNamesTheChannelThatFailed(t *testing.T) {
	noop := func(context.Context, broadcast.Message) (broadcast.Receipt, error) { return broadcast.Receipt{}, nil }
	b, err := broadcast.New([]broadcast.Channel{
		failingPreview{broadcast.ChannelFunc("ops", noop), errors.New("eu: template: index out of range")},
		failingPreview{broadcast.ChannelFunc("ops: eu", noop), nil},
	}, broadcast.Options{})
	require.NoError(t, err)
	_, err = b.Preview(broadcast.Update{ID: "u1", IncidentID: "i1", Title: "t", Status: broadcast.StatusInvestigating})
	require.Error(t, err)
	assert.Equal(t, map[string]string{"ops": "eu: template: index out of range"}, previewFailures(err))
}

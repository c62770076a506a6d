package httpx

import "errors"

// CredentialError is a platform's refusal of the credential itself (a
// token revoked, expired or mistyped; a webhook URL deleted or its token
// wrong), marked by CredentialRefused with the configuration field to
// fix. Find it with errors.As.
type CredentialError struct {
	Err   error  // the refusal, as the channel made it and marked it for retries
	Field string // the field to fix, as "Config.Token"; never its value
}

// Error returns the refusal's text and the field, in the one wording of
// every channel: "auth.test: invalid_auth (refused the credential: check
// Config.Token)".
func (e *CredentialError) Error() string {
	return e.Err.Error() + " " + RefusedCredential + e.Field + ")"
}

// Unwrap returns the refusal: errors.Is and errors.As find what it wraps,
// and the Broadcaster its marks (broadcast.Permanent, broadcast.RetryAfter,
// broadcast.Uncertain).
func (e *CredentialError) Unwrap() error { return e.Err }

// RefusedCredential begins what CredentialError adds to a refusal's
// text, before the field and ")".
const RefusedCredential = "(refused the credential: check "

// CredentialRefused marks err, an answer of the platform's own (not
// another server's, see Foreign) that its documentation gives for a
// credential it refuses, with field, the configuration field that holds
// that credential ("Config.Token", "Config.WebhookURL"): every channel
// marks such a refusal so, and no other (a 403 of a missing permission
// names the permission instead; a 404 that may mean a deleted channel or
// room is not the credential's). The retry decision err carries is kept as
// it is: a permanent refusal stays permanent, and a transient one stays
// transient. field names the field, never the secret it holds. A nil err
// stays nil, and an err already marked is returned as it is.
func CredentialRefused(err error, field string) error {
	if err == nil {
		return nil
	}
	var ce *CredentialError
	if errors.As(err, &ce) {
		return err
	}
	return &CredentialError{Err: err, Field: field}
}

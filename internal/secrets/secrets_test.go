package secrets_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/internal/secrets"
	"github.com/outagecast/outagecast/internal/secrets/secretstest"
	"github.com/outagecast/outagecast/redact"
)

func reveal[T interface{ Reveal() string }](list []T) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = v.Reveal()
	}
	slices.Sort(out)
	return out
}

// Find finds the secrets of a Config in its fields, nested structs,
// lists, maps and behind pointers; its redact.URLs, and its strings
// holding "://" apart.
func TestFind(t *testing.T) {
	f := secrets.Find(secretstest.Value())
	assert.Equal(t, []string{"headerValue-66", "innerKey-12345", "listKey-0-abcd", "mapKey-first-55", "ptrKey-44444", "tok-Field-7a1b2c"},
		reveal(f.Secrets))
	assert.Equal(t, []string{"https://:ptrUrlPw-45@p.example.com/", "https://hooks.example.com/x?token=listUrlToken-22",
		"https://ops:hookPassword-77@hooks.example.com/in?sig=hookQuerySig-88", "https://u:listUrlPw-33@h.example.com/"},
		reveal(f.URLs))
	assert.Equal(t, []string{"https://api:basePassword-99@api.example.com/v1?api_key=baseQueryKey-11"}, f.Texts)
	assert.Len(t, f.AllURLs(), 5)
}

// CheckName refuses each name that holds a secret, saying which field
// holds it, and takes the others.
func TestCheckName(t *testing.T) {
	v := secretstest.Value()
	for name, field := range secretstest.Held {
		err := secrets.CheckName(name, v, nil)
		require.Error(t, err, name)
		assert.ErrorIs(t, err, redact.ErrSecretInName)
		var ne *secrets.NameError
		require.ErrorAs(t, err, &ne, name)
		assert.Equal(t, field, ne.Field, name)
		assert.NotContains(t, err.Error(), name)
	}
	for _, name := range secretstest.Free {
		assert.NoError(t, secrets.CheckName(name, v, nil), name)
	}
	// One of more, or a Config that is itself a secret, names no field.
	assert.Equal(t, redact.ErrSecretInName, secrets.CheckName("more-secret-1", v, []redact.Secret{redact.NewSecret("more-secret-1")}))
	assert.Equal(t, redact.ErrSecretInName, secrets.CheckName("ops-whole-secret", redact.NewSecret("whole-secret"), nil))
	assert.NoError(t, secrets.CheckName("ops", nil, nil))
}

// A cycle of pointers is walked once; numbers and bytes are not looked
// into; interfaces and functions are not followed.
func TestFindCyclesAndLimits(t *testing.T) {
	type node struct {
		Key  redact.Secret
		Next *node
		Any  any
		Raw  []byte
		Fn   func()
	}
	a := &node{Key: redact.NewSecret("key-a-123456"), Raw: []byte("https://x:y@z/"), Any: redact.NewSecret("in-an-interface")}
	b := &node{Key: redact.NewSecret("key-b-123456"), Next: a}
	a.Next = b
	f := secrets.Find(a)
	assert.Equal(t, []string{"key-a-123456", "key-b-123456"}, reveal(f.Secrets))
	assert.Empty(t, f.URLs)
	assert.Empty(t, f.Texts)
}

// A Held type's secrets are found where the walker meets it, also in a
// list of it, with the field that holds them.
func TestHeld(t *testing.T) {
	type keys []string
	type config struct {
		Rooms keys
		More  []keys
	}
	held := secrets.Held{Type: reflect.TypeFor[keys](), Secrets: func(v reflect.Value) []redact.Secret {
		var out []redact.Secret
		for i := range v.Len() {
			if _, key, ok := strings.Cut(v.Index(i).String(), " "); ok {
				out = append(out, redact.NewSecret(key))
			}
		}
		return out
	}}
	c := config{Rooms: keys{"#ops room-key-1"}, More: []keys{{"#a", "#b room-key-2"}}}
	assert.Equal(t, []string{"room-key-1", "room-key-2"}, reveal(secrets.Find(c, held).Secrets))
	assert.Empty(t, secrets.Find(c).Secrets)
	var ne *secrets.NameError
	require.ErrorAs(t, secrets.CheckName("x-room-key-2", c, nil, held), &ne)
	assert.Equal(t, "More[0]", ne.Field)
}

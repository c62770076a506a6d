package secrets_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/internal/secrets"
	"github.com/outagecast/outagecast/redact"
)

// tree is a Config's type of another package that holds itself: a map or
// a list can hold itself without a pointer.
type tree map[string]tree

type list []list

type cyclic struct {
	Token redact.Secret
	Tree  tree
	List  list
}

// A map or list that holds itself is walked once, as a pointer cycle is:
// Find and CheckName end, finding the secrets, where they recursed until
// the stack overflowed, which ends the process (no recover stops it).
func TestFindCyclicMapsAndLists(t *testing.T) {
	c := cyclic{Token: redact.NewSecret("tok-cyclic-123"), Tree: tree{}, List: make(list, 1)}
	c.Tree["self"] = c.Tree
	c.List[0] = c.List
	f := secrets.Find(c)
	assert.Equal(t, []string{"tok-cyclic-123"}, reveal(f.Secrets))
	assert.NoError(t, secrets.CheckName("ops", c, nil))
	var ne *secrets.NameError
	assert.ErrorAs(t, secrets.CheckName("ops-tok-cyclic-123", c, nil), &ne)
}

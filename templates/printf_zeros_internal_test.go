package templates

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// fmt reads the leading zeros of a width as the "0" flag, however many
// ("%0001d" pads to a width of 1), and those of a precision as nothing
// ("%.0001f" has precision 1): printf formats such a verb as fmt does.
// Before, its zeros were counted as digits of the number, and "%0001d"
// was refused as a width of more than 999. A width or precision of more
// than 999 is still refused, with leading zeros or without.
func TestPrintfLeadingZerosAreNoWidth(t *testing.T) {
	for _, format := range []string{"%0001d", "%-0005d|", "%+0003d", "%00999d", "%.0001f", "%0.0002f", "%08.0003f", "%[1]0004d", "%000[1]d", "%000000000000000000000000000005d"} {
		assert.Equal(t, fmt.Sprintf(format, 5.25), boundedPrintf(format, 5.25), "printf %q", format)
		assert.Equal(t, fmt.Sprintf(format, 5), boundedPrintf(format, 5), "printf %q", format)
	}
	for _, format := range []string{"%01000d", "%0001000d", "%-00001000d", "%.01000f", "%0.0001000f", "%0*d", "%00[1]*d"} {
		assert.PanicsWithValue(t, errWidth, func() { boundedPrintf(format, 5, 3) }, "printf %q", format)
	}
}

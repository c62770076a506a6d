package twitter

import "strings"

// Punycode parameters, RFC 3492 section 5.
const (
	pcBase        = 36
	pcTMin        = 1
	pcTMax        = 26
	pcSkew        = 38
	pcDamp        = 700
	pcInitialBias = 72
	pcInitialN    = 128
)

// punycode returns the Punycode encoding (RFC 3492) of label, without the
// "xn--" prefix: "bücher" gives "bcher-kva". X refuses to link a host with
// a label longer than 63 characters in this form, so Weight needs its
// length.
func punycode(label string) string {
	runes := []rune(label)
	var b strings.Builder
	for _, r := range runes {
		if r < 0x80 {
			b.WriteRune(r)
		}
	}
	basic := b.Len()
	if basic > 0 {
		b.WriteByte('-')
	}
	n, delta, bias := rune(pcInitialN), 0, pcInitialBias
	for h := basic; h < len(runes); {
		m := nextRune(runes, n)
		delta += int(m-n) * (h + 1)
		n = m
		for _, r := range runes {
			if r < n {
				delta++
			}
			if r != n {
				continue
			}
			writeVarint(&b, delta, bias)
			bias = adaptBias(delta, h+1, h == basic)
			delta = 0
			h++
		}
		delta++
		n++
	}
	return b.String()
}

// nextRune returns the smallest code point in runes that is n or more.
func nextRune(runes []rune, n rune) rune {
	m := rune(0x10FFFF)
	for _, r := range runes {
		if r >= n && r < m {
			m = r
		}
	}
	return m
}

// writeVarint writes q as a generalized variable-length integer.
func writeVarint(b *strings.Builder, q, bias int) {
	for k := pcBase; ; k += pcBase {
		t := min(max(k-bias, pcTMin), pcTMax)
		if q < t {
			break
		}
		b.WriteByte(pcDigit(t + (q-t)%(pcBase-t)))
		q = (q - t) / (pcBase - t)
	}
	b.WriteByte(pcDigit(q))
}

func adaptBias(delta, points int, first bool) int {
	if first {
		delta /= pcDamp
	} else {
		delta /= 2
	}
	delta += delta / points
	k := 0
	for delta > (pcBase-pcTMin)*pcTMax/2 {
		delta /= pcBase - pcTMin
		k += pcBase
	}
	return k + (pcBase-pcTMin+1)*delta/(delta+pcSkew)
}

func pcDigit(d int) byte {
	if d < 26 {
		return byte('a' + d)
	}
	return byte('0' + d - 26)
}

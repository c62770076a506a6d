package templates

import "testing"

// TestHTMLBlockKinds: the seven kinds of HTML block a line starts
// (CommonMark 0.31.2, 4.6), names in any case; an autolink, a tag that
// text follows on its line and a tag name that only starts with a block
// element's start none.
func TestHTMLBlockKinds(t *testing.T) {
	for _, c := range []struct {
		line string
		want int
	}{
		{"<pre>", 1}, {"<SCRIPT type=\"x\">", 1}, {"<textarea", 1}, {"<style\tx", 1},
		{"<!-- a", 2}, {"<?php", 3}, {"<!DOCTYPE html>", 4}, {"<![CDATA[ x", 5},
		{"<div>", 6}, {"</TABLE> text", 6}, {"<p/>", 6}, {"<h1 class=x>", 6}, {"<div", 6},
		{"<span>", 7}, {"</span>  ", 7}, {"<a href=\"x\" title='y' data-z=w>", 7}, {"<x-y/>", 7}, {"</pre>", 7},
		{"<span> text", 0}, {"<divx> text", 0}, {"<divx>", 7}, {"<https://x.example/a>", 0}, {"<ops@example.com>", 0},
		{"<a href=\"x>", 0}, {"</span a>", 0}, {"<!x", 4}, {"<!1", 0}, {"<", 0}, {"x<div>", 0}, {"<1p>", 0},
	} {
		if got := htmlBlock(c.line, 0); got != c.want {
			t.Errorf("htmlBlock(%q) = %d, want %d", c.line, got, c.want)
		}
	}
}

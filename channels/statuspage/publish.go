package statuspage

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/outagecast/outagecast/broadcast"
)

// The layout of Config.Dir:
//
//	current -> versions/0000000042/site   the site to serve (a symbolic link)
//	versions/0000000042/state.json        the page's state...
//	versions/0000000042/incidents/*.json  ...and its incidents
//	versions/0000000042/files.json        the stamps of its files (see manifest)
//	versions/0000000042/site/...          the site
//	versions/0000000041/...               the previous version
//	.lock                                 flock(2) between processes
//
// A new version is written whole under versions/.staging-<n>, renamed to
// versions/<n>, and made current by renaming a new symbolic link over
// current: one rename(2), atomic on POSIX file systems. Files that did not
// change are hard links to the previous version's, while they are as the
// Channel that wrote them left them (see writer). The staging directory
// starts empty, or as the version before the previous one (see publish).
const (
	currentName   = "current"
	versionsName  = "versions"
	siteName      = "site"
	lockName      = ".lock"
	stagingPrefix = ".staging-"
	linkPrefix    = ".current-"
)

// fileMode and dirMode are the modes of the files and directories the
// channel makes, before the process's umask takes its bits away, as it
// does for the tools that make files: the umask decides who reads the
// site (a web server's user) and who writes it (with 002, the users of
// the group, whose processes take turns at the lock).
const (
	fileMode fs.FileMode = 0o666
	dirMode  fs.FileMode = 0o777
)

func versionName(gen int64) string { return fmt.Sprintf("%010d", gen) }

// readCurrent returns the version current points at; 0 when there is none.
// With no current but versions past the first, the link was removed (a
// write makes current before any version after the first): the page
// holds updates that starting anew would remove with those versions, so
// that is a permanent error naming the version to link again. A first
// version alone is what a crash in the first write leaves too, and is
// written over.
func readCurrent(dir string) (int64, error) {
	target, err := os.Readlink(filepath.Join(dir, currentName))
	if errors.Is(err, fs.ErrNotExist) {
		if gen := latestVersion(filepath.Join(dir, versionsName)); gen > 1 {
			site := versionsName + "/" + versionName(gen) + "/" + siteName
			return 0, broadcast.Permanent(fmt.Errorf("%w: %s is missing, but %s holds the page: link it again "+
				"(ln -s %s %s) to go on with its updates, or remove %s to start an empty page", errNoCurrent,
				filepath.Join(dir, currentName), filepath.Join(dir, filepath.FromSlash(site)), site,
				shellQuote(filepath.Join(dir, currentName)), filepath.Join(dir, versionsName)))
		}
		return 0, nil
	}
	if err != nil {
		if _, serr := os.Lstat(filepath.Join(dir, currentName)); serr == nil {
			return 0, broadcast.Permanent(fmt.Errorf("%w: %s is not a symbolic link", errNotOurs, filepath.Join(dir, currentName)))
		}
		return 0, classify("read "+currentName, err)
	}
	rest, ok1 := strings.CutPrefix(filepath.ToSlash(target), versionsName+"/")
	num, ok2 := strings.CutSuffix(rest, "/"+siteName)
	gen, err := strconv.ParseInt(num, 10, 64)
	if !ok1 || !ok2 || err != nil || gen <= 0 || versionName(gen) != num {
		return 0, broadcast.Permanent(fmt.Errorf("%w: %s points to %q, not to a version of the site", errNotOurs,
			filepath.Join(dir, currentName), target))
	}
	return gen, nil
}

// shellQuote returns s as one word of a POSIX shell command (IEEE Std
// 1003.1, Shell Command Language, 2.2.2 Single-Quotes): as it is when it
// holds no character the shell reads, else in single quotes, a single
// quote in it ending them, escaped with a backslash, and opening them
// again.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool { return !isAlnum(r) && !strings.ContainsRune("_-./,:@%+=", r) }) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// latestVersion returns the number of the newest version in versions
// (staging directories aside); 0 when there is none or it cannot be read.
func latestVersion(versions string) int64 {
	entries, _ := os.ReadDir(versions)
	var latest int64
	for _, e := range entries {
		if gen, err := strconv.ParseInt(e.Name(), 10, 64); err == nil && gen > 0 && versionName(gen) == e.Name() {
			latest = max(latest, gen)
		}
	}
	return latest
}

// writeStats counts what writing a version did.
type writeStats struct {
	recycled bool     // the version was made from an older one
	bytes    int64    // written to files
	files    int      // files written
	links    int      // files linked from the previous version
	twins    int      // files linked to one of the same bytes written into the version (see put)
	copies   int      // files copied where hard links failed
	compared int64    // bytes read back to compare: of the previous version's files, and twins' (see putTwin)
	read     []string // the files of the previous version read to compare
	entries  int      // feed entries rendered (see model.entryXML)
}

// writer writes the files of a new version under root, linking files
// from prev (the previous version, "" for none) where they did not change.
// When root is a recycled older version (see publish), every entry is
// replaced, never written into: its files may be hard links of the
// current version's.
//
// A file of prev is linked without being read only while it is the file
// the Channel that wrote prev put there (trust): one edited by hand, in
// place or replaced, is written again, so that the edit does not pass
// into the new version and every one after it.
type writer struct {
	root, prev string
	recycled   bool
	made       map[string]bool // directories made
	dirs       map[string]bool // directories made or changed, to sync
	files      []string        // written, to sync
	stats      writeStats
	// trust are the stamps of prev's files as they were written: this
	// Channel's memory of its write, or else prev's manifest. A file
	// without one is written again.
	trust stamps
	// wrote are the stamps of the files written or linked under root, and
	// kept those of a recycled root's files left as they were.
	wrote, kept stamps
	// edited says a file of prev was not as this Channel put it: then
	// the version before prev, where it may have been edited too, is not
	// recycled into the next version.
	edited bool
	// mtime is the version's time, the modification time of the files
	// of the site it writes (see after); latest is the latest it gave a
	// file, later than mtime when one had to be a second past the file
	// it replaces.
	mtime, latest time.Time
	// twins are the files of the site written into root, by size: a file
	// of the same bytes and time is a link to one of them (see put).
	twins map[int][]twin
	// seed is of the hashes of twins.
	seed maphash.Seed
}

// twin is a file of the site written into a version: its path, time, and
// a hash of its bytes, not the bytes themselves, which would be held for
// every page written until the version is, and which are the caller's,
// who may fill its buffer again once put returns.
type twin struct {
	path  string
	sum   uint64
	mtime time.Time
}

// stamps identify files, by path under a version's root, as this Channel
// left them: an edit in place changes a file's modification time or
// size, a replacement its inode.
type stamps map[string]stamp

type stamp struct {
	os.FileInfo
	// written says the file was written into its version (or linked to
	// a file of the same bytes written there), not linked from the one
	// before.
	written bool
}

// same reports whether the file at path is still the one fi describes.
func same(fi os.FileInfo, path string) bool {
	cur, err := os.Stat(path)
	return err == nil && os.SameFile(fi, cur) && fi.Size() == cur.Size() && fi.ModTime().Equal(cur.ModTime())
}

// intact reports whether every file of dir that s stamps is as stamped.
func (s stamps) intact(dir string) bool {
	for rel, st := range s {
		if !same(st.FileInfo, filepath.Join(dir, filepath.FromSlash(rel))) {
			return false
		}
	}
	return true
}

func newWriter(root, prev string, mtime time.Time) *writer {
	return &writer{root: root, prev: prev, made: map[string]bool{}, dirs: map[string]bool{}, wrote: stamps{},
		mtime: mtime, latest: mtime, twins: map[int][]twin{}, seed: maphash.MakeSeed()}
}

// stamp records the file at p, written (or else linked) at rel.
func (w *writer) stamp(rel, p string, written bool) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	w.wrote[rel] = stamp{fi, written}
	return nil
}

// stamps returns the stamps of every file under root.
func (w *writer) stamps() stamps {
	out := maps.Clone(w.kept)
	if out == nil {
		out = stamps{}
	}
	maps.Copy(out, w.wrote)
	return out
}

// mkdir makes dir, below root, and its parents.
func (w *writer) mkdir(dir string) error {
	if w.made[dir] {
		return nil
	}
	if dir != w.root {
		if err := w.mkdir(filepath.Dir(dir)); err != nil {
			return err
		}
	}
	err := os.Mkdir(dir, dirMode)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	if err == nil {
		w.dirs[dir], w.dirs[filepath.Dir(dir)] = true, true
	}
	w.made[dir] = true
	return nil
}

// path returns the path of rel, a slash-separated path under root, with
// its directory made and, in a recycled root, the old entry removed.
func (w *writer) path(rel string) (string, error) {
	p := filepath.Join(w.root, filepath.FromSlash(rel))
	if err := w.mkdir(filepath.Dir(p)); err != nil {
		return "", err
	}
	if err := w.remove(rel); err != nil {
		return "", err
	}
	w.dirs[filepath.Dir(p)] = true
	return p, nil
}

// remove removes rel from a recycled root.
func (w *writer) remove(rel string) error {
	if !w.recycled {
		return nil
	}
	p := filepath.Join(w.root, filepath.FromSlash(rel))
	err := os.Remove(p)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	delete(w.kept, rel)
	if err == nil {
		// Only a directory that lost an entry has one to sync: one that
		// is not there (the recycled version had no incident) would fail
		// the write.
		w.dirs[filepath.Dir(p)] = true
	}
	return nil
}

// put writes a file at rel. A file of the site with the bytes and time
// of one this writer already wrote is a hard link to that one: the JSON
// API's lists of incidents and of unresolved ones are alike while every
// incident listed is open, megabytes each for an incident naming
// hundreds of components, and the lists of maintenances while there are
// none. Files are never written into (see writer), so the linked files
// stay alike until a later version replaces one of them.
func (w *writer) put(rel string, data []byte) error {
	p, err := w.path(rel)
	if err != nil {
		return err
	}
	var sum uint64
	var mtime time.Time
	site := strings.HasPrefix(rel, siteName+"/")
	if site {
		sum, mtime = maphash.Bytes(w.seed, data), w.modTime(rel)
		if ok, err := w.putTwin(rel, p, data, sum, mtime); ok || err != nil {
			return err
		}
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := w.after(rel, p, mtime); err != nil {
		return err
	}
	if err := w.stamp(rel, p, true); err != nil {
		return err
	}
	if site {
		fi := w.wrote[rel]
		w.twins[len(data)] = append(w.twins[len(data)], twin{path: p, sum: sum, mtime: fi.ModTime()})
	}
	w.files = append(w.files, p)
	w.stats.bytes += int64(len(data))
	w.stats.files++
	return nil
}

// putTwin links p, the path of rel, a file of the site, to a file of the
// site written into the version with data's bytes (sum is their hash) and
// mtime, the time rel's file is to have, and reports false when there is none or
// the link fails (a file system without hard links): then rel is written.
// The bytes are compared with the file's on disk, read again, only for a
// file of the same size, time and hash; the bytes read count as compared.
func (w *writer) putTwin(rel, p string, data []byte, sum uint64, mtime time.Time) (bool, error) {
	for _, tw := range w.twins[len(data)] {
		if tw.sum != sum || !tw.mtime.Equal(mtime) {
			continue
		}
		same, n := holds(tw.path, data)
		w.stats.compared += n
		if !same {
			continue
		}
		if os.Link(tw.path, p) != nil {
			return false, nil
		}
		w.stats.twins++
		return true, w.stamp(rel, p, true)
	}
	return false, nil
}

// holds reports whether the file at path holds data, read a piece at a
// time (a twin's bytes are megabytes, see put), and how many bytes it
// read.
func holds(path string, data []byte) (same bool, read int64) {
	f, err := os.Open(path)
	if err != nil {
		return false, 0
	}
	defer f.Close()
	buf := make([]byte, 32<<10)
	for len(data) > 0 {
		n, err := io.ReadFull(f, buf[:min(len(buf), len(data))])
		read += int64(n)
		if err != nil || !bytes.Equal(buf[:n], data[:n]) {
			return false, read
		}
		data = data[n:]
	}
	n, _ := f.Read(buf[:1])
	return n == 0, read + int64(n)
}

// after sets the modification time of p, a file of the site written at
// rel, to t, which modTime gave it: the version's time, or a second after the previous version's file
// at rel when that is not later in whole seconds. HTTP's Last-Modified
// and If-Modified-Since count seconds, so a file written again within
// the second (or after the clock stepped back) would look unchanged to a
// reader holding the older one. A time so put ahead of the clock is one
// the version waits for before it is made current (see publish). The
// files of the state, never served, keep the time they were written.
func (w *writer) after(rel, p string, t time.Time) error {
	if !strings.HasPrefix(rel, siteName+"/") {
		return nil
	}
	w.latest = maxTime(w.latest, t)
	return os.Chtimes(p, time.Time{}, t)
}

// modTime returns the modification time after gives the site's file rel.
func (w *writer) modTime(rel string) time.Time {
	t := w.mtime
	if w.prev != "" {
		if old, err := os.Stat(filepath.Join(w.prev, filepath.FromSlash(rel))); err == nil {
			floor := old.ModTime().Truncate(time.Second)
			if !t.Truncate(time.Second).After(floor) {
				t = floor.Add(time.Second)
			}
		}
	}
	return t
}

// reuse links rel from the previous version, unread, and reports false
// when the previous version has no such file or not the one its Channel
// put there.
func (w *writer) reuse(rel string) (bool, error) {
	if w.prev == "" {
		return false, nil
	}
	st, ok := w.trust[rel]
	if !ok || !same(st.FileInfo, filepath.Join(w.prev, filepath.FromSlash(rel))) {
		w.edited = true
		return false, nil
	}
	return w.link(rel)
}

// link links rel from the previous version and reports false when the
// previous version has no such file. Where hard links fail (a file system
// without them), it copies.
func (w *writer) link(rel string) (bool, error) {
	src := filepath.Join(w.prev, filepath.FromSlash(rel))
	dst, err := w.path(rel)
	if err != nil {
		return false, err
	}
	err = os.Link(src, dst)
	switch {
	case err == nil:
		w.stats.links++
		return true, w.stamp(rel, dst, false)
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	data, rerr := os.ReadFile(src)
	if rerr != nil {
		return false, fmt.Errorf("link %s: %w; copy: %w", rel, err, rerr)
	}
	w.stats.copies++
	return true, w.put(rel, data)
}

// putOrReuse links rel from the previous version when that holds the
// same bytes, and writes it otherwise.
func (w *writer) putOrReuse(rel string, data []byte) error {
	if w.prev != "" {
		src := filepath.Join(w.prev, filepath.FromSlash(rel))
		if fi, err := os.Stat(src); err == nil && fi.Size() == int64(len(data)) {
			w.stats.compared += fi.Size()
			w.stats.read = append(w.stats.read, rel)
			if old, err := os.ReadFile(src); err == nil && bytes.Equal(old, data) {
				if ok, err := w.link(rel); ok || err != nil {
					return err
				}
			}
		}
	}
	return w.put(rel, data)
}

// sync makes the files and directories written durable. The fsyncs run
// in parallel, so that the file system can commit them together.
func (w *writer) sync() error {
	if err := syncAll(w.files, fileSync); err != nil {
		return err
	}
	return syncAll(slices.Sorted(maps.Keys(w.dirs)), syncDir)
}

// syncParallel bounds the fsyncs in flight.
const syncParallel = 8

// syncAll calls do on every path, syncParallel at a time, and returns
// the first error.
func syncAll(paths []string, do func(string) error) error {
	errs := make([]error, len(paths))
	sem := make(chan struct{}, syncParallel)
	var wg sync.WaitGroup
	for i, p := range paths {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = do(p)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// fileSync makes a file's contents durable.
func fileSync(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// lastWrite is what this Channel's latest write changed: the next write
// turns the version before it into the new one by replacing only the
// files of these incidents and the files every write changes.
type lastWrite struct {
	gen, base int64  // the version written, and the one it was made from
	nonce     string // of the version written
	dirty     map[string]bool
}

// written are the stamps of the files of the version this Channel wrote
// last.
type writtenFiles struct {
	at    written
	files stamps
}

// recyclable returns the version to recycle into the version after old:
// the one before old, when this Channel made old from it (so it knows
// what differs) with the same rendering. "" when there is none.
func (c *Channel) recyclable(old *state) string {
	l := c.last
	if l == nil || l.gen != old.gen || l.nonce != old.Nonce || l.base != old.gen-1 || l.base < 1 ||
		old.Render != c.theme.fingerprint {
		return ""
	}
	return filepath.Join(c.s.dir, versionsName, versionName(l.base))
}

// stage prepares the staging directory of the version after old: empty,
// or the version before old recycled. stale holds the incidents whose
// files there may differ from old's; nil when it is empty.
func (c *Channel) stage(old *state) (w *writer, stale map[string]bool, err error) {
	versions := filepath.Join(c.s.dir, versionsName)
	if err := makeDir(versions); err != nil {
		return nil, nil, classify("create "+versionsName, err)
	}
	stage := filepath.Join(versions, stagingPrefix+versionName(old.gen+1))
	// Leftovers of a crash: never current, so never served.
	for _, p := range []string{stage, filepath.Join(versions, versionName(old.gen+1))} {
		if err := os.RemoveAll(p); err != nil {
			return nil, nil, classify("remove leftover version", err)
		}
	}
	prev := ""
	if old.gen > 0 {
		prev = filepath.Join(versions, versionName(old.gen))
	}
	var trust stamps
	switch {
	case c.written != nil && c.written.at == (written{old.gen, old.Nonce}):
		trust = c.written.files
	case prev != "":
		trust = loadManifest(prev, old.Nonce)
	}
	// A recycled version shares the inodes of old's files that did not
	// change (those old linked, which keep their stamps; the others are
	// replaced or removed): none may have been edited since, in old or,
	// replaced by hand, in the version recycled.
	kept := stamps{}
	for rel, st := range trust {
		if !st.written {
			kept[rel] = stamp{st.FileInfo, false}
		}
	}
	if dir := c.recyclable(old); dir != "" && trust.intact(prev) && kept.intact(dir) && os.Rename(dir, stage) == nil {
		stale = c.last.dirty
	}
	c.last = nil // c.written stays true of old until a new version is current
	w = newWriter(stage, prev, c.clock.Now())
	w.recycled, w.trust = stale != nil, trust
	if w.recycled {
		w.kept = kept
	}
	return w, stale, nil
}

// publish writes next as version old.gen+1 and makes it current. dirty
// holds the IDs of the incidents that changed or went; every other
// incident's files are linked from the old version when the rendering is
// the same. The version before old, no longer served once old is current,
// is recycled when possible: renamed to the new version's staging
// directory, with only what differs replaced. When ctx ends before the
// new version is current, nothing changes and publish returns ctx's
// error.
func (c *Channel) publish(ctx context.Context, old, next *state, dirty map[string]bool, now time.Time) error {
	gen := old.gen + 1
	w, stale, err := c.stage(old)
	if err != nil {
		return err
	}
	stage, final := w.root, filepath.Join(c.s.dir, versionsName, versionName(gen))
	next.gen, next.Updated, next.Render, next.Nonce = gen, now, c.theme.fingerprint, rand.Text()
	if next.Host == "" {
		next.Host = c.s.base.Hostname()
	}
	if next.Base == "" {
		next.Base = c.s.base.String()
	}
	err = c.writeVersion(ctx, w, old, next, dirty, stale, now)
	if err == nil {
		err = w.putManifest(next.Nonce)
	}
	if err == nil {
		err = w.sync()
	}
	if err == nil {
		err = c.waitFor(ctx, w.latest)
	}
	if err == nil {
		c.hook("staged")
		err = ctx.Err()
	}
	if err == nil {
		err = os.Rename(stage, final)
	}
	if err != nil {
		_ = os.RemoveAll(stage)
		if ctx.Err() != nil {
			return fmt.Errorf("statuspage: write: %w", ctx.Err())
		}
		return classify("write version "+versionName(gen), err)
	}
	c.stats = w.stats
	c.stats.recycled = w.recycled
	if err := c.commit(gen); err != nil {
		return err
	}
	c.written = &writtenFiles{at: written{gen, next.Nonce}, files: w.stamps()}
	if old.Render == next.Render && !w.edited {
		c.last = &lastWrite{gen: gen, base: old.gen, nonce: next.Nonce, dirty: dirty}
	}
	return nil
}

// waitFor waits until the clock reaches t, the latest time writer.after
// gave a file of the new version, so that no served file is modified
// later than the clock says (a web server would send a Last-Modified
// later than its Date, which RFC 9110, section 8.8.2.1, forbids): a
// second write within one second waits out the rest of it. A t more than
// a second ahead is a second past a file of the previous version that is
// ahead of the clock itself (the clock stepped back): the write does not
// wait for it.
func (c *Channel) waitFor(ctx context.Context, t time.Time) error {
	if d := t.Sub(c.clock.Now()); d > 0 && d <= time.Second {
		return c.clock.Sleep(ctx, d)
	}
	return nil
}

// commit makes version gen current and removes the versions before the
// previous one. Once the link is renamed, the version is published: later
// failures are not errors of the Send.
func (c *Channel) commit(gen int64) error {
	dir := c.s.dir
	_ = syncDir(filepath.Join(dir, versionsName))
	c.hook("renamed")
	tmp := filepath.Join(dir, linkPrefix+versionName(gen))
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return classify("remove leftover link", err)
	}
	target := versionsName + "/" + versionName(gen) + "/" + siteName
	if err := os.Symlink(filepath.FromSlash(target), tmp); err != nil {
		return classify("link "+currentName, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, currentName)); err != nil {
		_ = os.Remove(tmp)
		return classify("replace "+currentName, err)
	}
	_ = syncDir(dir)
	c.hook("swapped")
	c.cleanup(gen)
	return nil
}

// cleanup removes every version but gen and gen-1 (kept for readers that
// opened it just before the swap), and leftovers of crashed writers. What
// it cannot remove now it removes on a later write.
func (c *Channel) cleanup(gen int64) {
	versions := filepath.Join(c.s.dir, versionsName)
	entries, _ := os.ReadDir(versions)
	for _, e := range entries {
		if e.Name() == versionName(gen) || e.Name() == versionName(gen-1) {
			continue
		}
		_ = os.RemoveAll(filepath.Join(versions, e.Name()))
	}
	links, _ := filepath.Glob(filepath.Join(c.s.dir, linkPrefix+"*"))
	for _, l := range links {
		_ = os.Remove(l)
	}
}

// writeVersion writes next's state and site under w. stale is nil when
// w's root is empty; otherwise it holds the incidents whose files there
// may differ from old's, and only their files (and those of dirty) are
// replaced, with the files every version changes.
func (c *Channel) writeVersion(ctx context.Context, w *writer, old, next *state, dirty, stale map[string]bool, now time.Time) error {
	// The state's files are written without white space, which was about
	// half of their bytes: this package alone reads them.
	data, err := json.Marshal(next)
	if err != nil {
		return err
	}
	if err := w.put(stateFile, append(data, '\n')); err != nil {
		return err
	}
	var redo map[string]bool // the incidents to write; nil: all
	if stale != nil {
		redo = maps.Clone(stale)
		maps.Copy(redo, dirty)
	}
	if err := writeBuckets(w, next, dirty, redo); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m := newModel(&c.s, next, now)
	m.feeds = nextFeedCache(c.feeds)
	files, err := c.siteFiles(m)
	if err != nil {
		return err
	}
	c.feeds = m.feeds.done()
	w.stats.entries = m.rendered
	if err := removeMonthPages(w, files); err != nil {
		return err
	}
	for _, rel := range slices.Sorted(maps.Keys(files)) {
		if err := c.putFile(w, old, next, rel, files[rel]); err != nil {
			return err
		}
	}
	samePages := old.gen > 0 && old.Render == next.Render
	return c.writePages(ctx, w, m, dirty, redo, samePages)
}

// putFile writes the site's file rel. One this Channel rendered, unchanged,
// into old is linked from it without reading it again: a write costs the
// files that changed, not the site's size.
func (c *Channel) putFile(w *writer, old, next *state, rel string, data []byte) error {
	mm, ok := c.memos[rel]
	if ok && old.gen > 0 && mm.written == (written{old.gen, old.Nonce}) {
		if ok, err := w.reuse(siteName + "/" + rel); ok || err != nil {
			if err == nil {
				c.memos[rel] = memo{keys: mm.keys, out: mm.out, written: written{next.gen, next.Nonce}}
			}
			return err
		}
	}
	if err := w.putOrReuse(siteName+"/"+rel, data); err != nil {
		return err
	}
	if ok && bytes.Equal(mm.out, data) {
		c.memos[rel] = memo{keys: mm.keys, out: mm.out, written: written{next.gen, next.Nonce}}
	}
	return nil
}

// writeBuckets writes the state's buckets of incidents that changed and
// links the others; with redo set, only the buckets of those incidents
// are touched (removed when they are empty now).
func writeBuckets(w *writer, st *state, dirty, redo map[string]bool) error {
	changed := map[string]bool{}
	for id := range dirty {
		changed[bucket(id)] = true
	}
	all := st.byBucket()
	names := slices.Collect(maps.Keys(all))
	if redo != nil {
		names = nil
		for id := range redo {
			if b := bucket(id); !slices.Contains(names, b) {
				names = append(names, b)
			}
		}
	}
	for _, name := range names {
		rel := incidentsDir + "/" + name
		list, ok := all[name]
		if !ok {
			if err := w.remove(rel); err != nil {
				return err
			}
			continue
		}
		if !changed[name] {
			ok, err := w.reuse(rel)
			if err != nil {
				return err
			}
			if ok {
				continue
			}
		}
		data, err := json.Marshal(list)
		if err != nil {
			return err
		}
		if err := w.put(rel, append(data, '\n')); err != nil {
			return err
		}
	}
	return nil
}

// writePages writes the incident pages, linking those of incidents that
// did not change when the rendering is the same; with redo set, only the
// pages of those incidents are touched (removed when they are gone).
func (c *Channel) writePages(ctx context.Context, w *writer, m *model, dirty, redo map[string]bool, samePages bool) error {
	ids := slices.Collect(maps.Keys(m.st.incidents))
	if redo != nil {
		ids = slices.Collect(maps.Keys(redo))
	}
	for i, id := range ids {
		if i%64 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		in := m.st.incidents[id]
		parts := 0
		if in != nil {
			parts = len(m.incidentParts(in))
		}
		if err := removeParts(w, pageName(id), parts); err != nil {
			return err
		}
		for part := 1; part <= parts; part++ {
			if err := c.writePage(w, m, in, part, samePages && !dirty[id]); err != nil {
				return err
			}
		}
	}
	return nil
}

// writePage writes page part of in, or links it from the previous
// version when reuse is set and that has it.
func (c *Channel) writePage(w *writer, m *model, in *incident, part int, reuse bool) error {
	rel := siteName + "/" + incidentPartPath(in.File, part)
	if reuse {
		if ok, err := w.reuse(rel); ok || err != nil {
			return err
		}
	}
	page, err := c.theme.incidentPage(m, in, part)
	if err != nil {
		return err
	}
	return w.put(rel, page)
}

// removeParts removes from a recycled root the pages of the incident
// whose page is named file beyond its first parts pages (all of them for
// 0).
func removeParts(w *writer, file string, parts int) error {
	if !w.recycled {
		return nil
	}
	if parts == 0 {
		if err := w.remove(siteName + "/" + pagePath(file)); err != nil {
			return err
		}
	}
	// A page name is letters, digits and dashes: no pattern characters.
	old, err := filepath.Glob(filepath.Join(w.root, siteName, "incidents", file+".*.html"))
	if err != nil {
		return err
	}
	for _, p := range old {
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), file+"."), ".html"))
		if err == nil && n > parts {
			if err := w.remove(siteName + "/" + incidentPartPath(file, n)); err != nil {
				return err
			}
		}
	}
	return nil
}

// siteFiles renders every file of the site but the incident pages, by
// path from the site's root. The history page and the feeds are rendered
// again only when what they show changed.
func (c *Channel) siteFiles(m *model) (map[string][]byte, error) {
	files, err := m.api()
	if err != nil {
		return nil, err
	}
	items := m.feedItems()
	type feedFile struct{ path, title, component string }
	feeds := []feedFile{{"history.atom", m.s.branding.Title + ": all updates", ""}}
	// Every component the page ever listed keeps its feed, also one no
	// longer shown: its readers learn of the retraction there.
	for _, comp := range m.st.Components {
		feeds = append(feeds, feedFile{"components/" + comp.Feed + ".atom", m.s.branding.Title + ": " + comp.Name, comp.Name})
	}
	perComponent := m.byComponent(items, m.s.feedEntries)
	for i, f := range feeds {
		path, title := f.path, f.title
		some := items[:min(m.s.feedEntries, len(items))]
		if i > 0 {
			some = perComponent[f.component]
		}
		keys := []any{m.st.Created, m.retracted(path)}
		for _, it := range some {
			if it.r != nil {
				// Its link depends on whether its incident is on the page.
				_, live := m.byID[it.r.IncidentID]
				keys = append(keys, it.r, live)
				continue
			}
			// Whether the feed has it in full depends on the incident's
			// other updates too (see full).
			keys = append(keys, it.e, i == 0 || m.full(it, f.component))
		}
		if files[path], err = c.memoize(path, keys, func() ([]byte, error) { return m.feed(path, f.component, title, some) }); err != nil {
			return nil, err
		}
	}
	if files["index.html"], err = c.theme.page(m, "index"); err != nil {
		return nil, err
	}
	var closed []any
	for _, in := range m.all {
		if phaseOf(in.current().Status) == phaseClosed {
			closed = append(closed, in)
		}
	}
	files["history.html"], err = c.memoize("history.html", closed, func() ([]byte, error) { return c.theme.page(m, "history") })
	if err != nil {
		return nil, err
	}
	if err := c.monthPages(m, files); err != nil {
		return nil, err
	}
	files["favicon.svg"] = m.favicon()
	files["overdue.js"] = overdueJS
	return files, nil
}

// monthPages renders the pages of every month with closed incidents
// into files. A month's page is rendered again only when its incidents,
// the number of the month's pages or its neighbours changed.
func (c *Channel) monthPages(m *model, files map[string][]byte) error {
	months := m.archive()
	for i, mo := range months {
		neighbours := []any{"", ""}
		if i > 0 {
			neighbours[0] = months[i-1].Path
		}
		if i+1 < len(months) {
			neighbours[1] = months[i+1].Path
		}
		parts := monthParts(mo)
		for _, part := range parts {
			keys := append(slices.Clone(neighbours), len(parts), part.Number)
			lo := (part.Number - 1) * MonthPageIncidents
			for _, d := range mo.Incidents[lo:min(lo+MonthPageIncidents, len(mo.Incidents))] {
				keys = append(keys, m.st.incidents[d.ID])
			}
			var err error
			files[part.Path], err = c.memoize(part.Path, keys, func() ([]byte, error) {
				return c.theme.monthPage(m, months, i, part.Number)
			})
			if err != nil {
				return err
			}
		}
	}
	for path := range c.memos {
		if _, ok := files[path]; !ok && strings.HasPrefix(path, "history-") {
			delete(c.memos, path)
		}
	}
	return nil
}

// removeMonthPages removes from a recycled root the month pages that
// files no longer holds: those of months whose incidents all went.
func removeMonthPages(w *writer, files map[string][]byte) error {
	if !w.recycled {
		return nil
	}
	old, err := filepath.Glob(filepath.Join(w.root, siteName, "history-*.html"))
	if err != nil {
		return err
	}
	for _, p := range old {
		if _, ok := files[filepath.Base(p)]; !ok {
			if err := w.remove(siteName + "/" + filepath.Base(p)); err != nil {
				return err
			}
		}
	}
	return nil
}

// memo is a rendered file, what it was rendered from, and the latest
// version it was written into (zero for none yet).
type memo struct {
	keys    []any
	out     []byte
	written written
}

// written names a version: its number and nonce.
type written struct {
	gen   int64
	nonce string
}

// memoize returns the file at path as render makes it, or as it made it
// last time when keys (the incidents or entries it shows: they never
// change once published) are the same.
func (c *Channel) memoize(path string, keys []any, render func() ([]byte, error)) ([]byte, error) {
	if old, ok := c.memos[path]; ok && slices.Equal(old.keys, keys) {
		return old.out, nil
	}
	out, err := render()
	if err != nil {
		return nil, err
	}
	c.memos[path] = memo{keys: keys, out: out}
	return out, nil
}

// favicon is a dot in the colour of the overall status.
func (m *model) favicon() []byte {
	color := map[string]string{
		"none": m.s.branding.Light.Operational, "maintenance": m.s.branding.Light.Maintenance,
		"minor": m.s.branding.Light.Degraded, "major": m.s.branding.Light.PartialOutage,
		"critical": m.s.branding.Light.MajorOutage,
	}[m.banner.Indicator]
	return []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="` +
		color + `"/></svg>` + "\n")
}

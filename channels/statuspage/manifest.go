package statuspage

import (
	"encoding/json"
	"os"
	"path/filepath"
)

// manifestName is the file, beside a version's site and so never served,
// that records the stamps of the version's files: a Channel that did not
// write the version (after a restart, or in another process) links its
// files only while they are as recorded, as the Channel that wrote it
// does from memory (see writer).
const manifestName = "files.json"

// manifest is the content of manifestName.
type manifest struct {
	// Nonce is the version's (state.json's): a manifest of another
	// version, copied or left over, trusts nothing.
	Nonce string                `json:"nonce"`
	Files map[string]savedStamp `json:"files"`
}

// savedStamp is a stamp on disk. Without the device number, which
// changes when some file systems (NFS) are mounted again: all of a
// version's files are on one file system.
type savedStamp struct {
	Inode   uint64 `json:"inode"`
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime"` // nanoseconds since 1970 UTC
	Written bool   `json:"written,omitempty"`
}

// save returns the saved form of fi; false where the system does not
// give inode numbers.
func save(fi os.FileInfo, written bool) (savedStamp, bool) {
	ino, ok := inode(fi)
	return savedStamp{Inode: ino, Size: fi.Size(), ModTime: fi.ModTime().UnixNano(), Written: written}, ok
}

// putManifest writes the manifest of the files under root, the version
// of nonce. Where there are no inode numbers it writes none: the next
// Channel to write, if not this one, writes every file again.
func (w *writer) putManifest(nonce string) error {
	m := manifest{Nonce: nonce, Files: map[string]savedStamp{}}
	for rel, st := range w.stamps() {
		saved, ok := save(st.FileInfo, st.written)
		if !ok {
			return w.remove(manifestName) // a recycled root's
		}
		m.Files[rel] = saved
	}
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	p, err := w.path(manifestName)
	if err != nil {
		return err
	}
	if err := os.WriteFile(p, data, fileMode); err != nil {
		return err
	}
	w.files = append(w.files, p)
	w.stats.bytes += int64(len(data))
	w.stats.files++
	return nil
}

// loadManifest returns the stamps of the files of dir, the version of
// nonce, that are as its manifest records them. A missing, unreadable or
// foreign manifest trusts no file: every file is written again, none
// linked unread.
func loadManifest(dir, nonce string) stamps {
	trust := stamps{}
	data, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return trust
	}
	var m manifest
	if json.Unmarshal(data, &m) != nil || m.Nonce == "" || m.Nonce != nonce {
		return trust
	}
	for rel, saved := range m.Files {
		if !filepath.IsLocal(filepath.FromSlash(rel)) {
			continue
		}
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			continue
		}
		if cur, ok := save(fi, saved.Written); ok && cur == saved {
			trust[rel] = stamp{fi, saved.Written}
		}
	}
	return trust
}

package statuspage

// permanentErrnos: Plan 9 has no EROFS or ELOOP (it has no symbolic
// links, and says a file system is read-only in text of its own).
var permanentErrnos []error

package statuspage

import "syscall"

// permanentErrnos are the failures, besides those of every system, that
// retrying cannot help. Windows says a read-only medium and a name it
// takes for no file with codes of its own, which no errno matches:
// ERROR_WRITE_PROTECT (19, "The media is write protected") and
// ERROR_INVALID_NAME (123, "The filename, directory name, or volume label
// syntax is incorrect": a "?" or "*" in a name).
var permanentErrnos = []error{syscall.EROFS, syscall.ELOOP, syscall.Errno(19), syscall.Errno(123)}

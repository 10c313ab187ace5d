//! Steps 5 and 6: root confinement, how the server turns a requested file
//! name into a path inside its root directory (book: "What a server must
//! refuse").
//!
//! TFTP has no login: the root directory is the whole of a server's
//! security. A name refused here gets ERROR 2 (access violation); a name
//! that is fine but names nothing gets ERROR 1 (file not found):
//! [`PathError::error_code`] says which.

use std::io;
use std::path::{Path, PathBuf};

use crate::packet::ErrorCode;

/// Why a requested name cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum PathError {
    /// Nothing left of the name.
    #[error("Access violation: empty file name")]
    Empty,
    /// A NUL byte inside the name.
    #[error("Access violation: NUL byte in file name")]
    ContainsNul,
    /// A backslash inside the name (`..\..\etc`, a Windows way out).
    #[error("Access violation: backslash in file name")]
    Backslash,
    /// A `..` component.
    #[error("Access violation: '..' in file name")]
    ParentDirectory,
    /// The name resolves (through a symbolic link) outside the root.
    #[error("Access violation: outside the server's root")]
    OutsideRoot,
    /// The name is a directory or a device, not a regular file.
    #[error("Access violation: not a regular file")]
    NotAFile,
    /// No such file (or, for a write, no such directory).
    #[error("File not found")]
    NotFound,
    /// The file system refused (permissions, I/O error).
    #[error("{0}")]
    Io(#[from] io::Error),
}

impl PathError {
    /// The TFTP error code that tells a client about this refusal.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            PathError::NotFound => ErrorCode::FileNotFound,
            PathError::Io(e) => match e.kind() {
                io::ErrorKind::NotFound => ErrorCode::FileNotFound,
                io::ErrorKind::PermissionDenied => ErrorCode::AccessViolation,
                io::ErrorKind::StorageFull => ErrorCode::DiskFull,
                _ => ErrorCode::NotDefined,
            },
            _ => ErrorCode::AccessViolation,
        }
    }
}

/// The file a read request may serve (step 5).
///
/// `root` is canonical already (`std::fs::canonicalize`). The rules, in
/// order:
/// 1. an empty name, a NUL byte or a backslash is refused;
/// 2. leading slashes are dropped: `/a/b` means `ROOT/a/b` (many clients
///    ask for `/pxelinux.0`), so `/etc/passwd` is `ROOT/etc/passwd`;
/// 3. a `..` component is refused (`ParentDirectory`), even one that would
///    stay inside; `.` and doubled slashes are harmless;
/// 4. the joined path is canonicalized (which follows every symbolic
///    link) and must still lie under `root` (`OutsideRoot`), and be a
///    regular file (`NotAFile`); a name that names nothing is `NotFound`.
///
/// Returns the canonical path of the file.
pub fn resolve_read(root: &Path, requested: &str) -> Result<PathBuf, PathError> {
    todo!("step 5: keep every name inside the root")
}

/// Where a write request would put its file (step 6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteTarget {
    /// The file's path (inside the root).
    pub path: PathBuf,
    /// Whether a file is there already.
    pub exists: bool,
}

/// The file a write request may write (step 6): the name follows rules 1–3
/// of [`resolve_read`]; its directory must exist (`NotFound` otherwise)
/// and lie under `root` once canonicalized (`OutsideRoot`). The file itself
/// may not exist yet (`exists: false`); if it does, it must be a regular
/// file under `root` once its links are followed.
pub fn resolve_write(
    root: &Path,
    requested: &str,
) -> Result<WriteTarget, PathError> {
    todo!("step 6: the same rules, for a file that may not exist yet")
}

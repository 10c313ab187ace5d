//! Root confinement: how the server turns a requested file name into a
//! path inside its root directory, and refuses every other name.
//!
//! TFTP has no login, so the root directory is the whole of the server's
//! security. The rules, in the order they are checked:
//!
//! 1. The name must not be empty and must not contain a NUL byte or a
//!    backslash (`..\..\etc` is a Windows client's way to climb out; no
//!    file name served here needs one).
//! 2. Leading slashes are dropped: many clients ask for `/pxelinux.0`
//!    meaning "the file at the top of the TFTP area", so `/a/b` is read as
//!    `a/b` **under the root**. `/etc/passwd` therefore names
//!    `ROOT/etc/passwd`, never the machine's real one.
//! 3. No component may be `..`, even one that would stay inside (the name
//!    is refused, not tidied up); `.` components and doubled slashes are
//!    harmless and skipped.
//! 4. The joined path is resolved with `canonicalize`, which follows every
//!    symbolic link, and must still lie under the (canonical) root. A link
//!    inside the root that points outside it is refused.
//!
//! A name refused by these rules gets ERROR 2 (access violation); a name
//! that passes but names nothing gets ERROR 1 (file not found).

use std::io;
use std::path::{Component, Path, PathBuf};

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
    /// A backslash inside the name.
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

/// Applies rules 1–3: the requested name as a clean relative path.
pub fn relative_name(requested: &str) -> Result<PathBuf, PathError> {
    if requested.contains('\0') {
        return Err(PathError::ContainsNul);
    }
    if requested.contains('\\') {
        return Err(PathError::Backslash);
    }
    let mut clean = PathBuf::new();
    for part in requested.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(PathError::ParentDirectory),
            name => clean.push(name),
        }
    }
    // After the split nothing absolute or odd can remain, but say so.
    debug_assert!(
        clean
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
    );
    if clean.as_os_str().is_empty() {
        return Err(PathError::Empty);
    }
    Ok(clean)
}

/// The file a read request may serve: an existing regular file under
/// `root`, which must be canonical already (see [`std::fs::canonicalize`]).
pub fn resolve_read(root: &Path, requested: &str) -> Result<PathBuf, PathError> {
    let joined = root.join(relative_name(requested)?);
    let real = canonical(&joined)?;
    if !real.starts_with(root) {
        return Err(PathError::OutsideRoot);
    }
    if !real.metadata()?.is_file() {
        return Err(PathError::NotAFile);
    }
    Ok(real)
}

/// Where a write request would put its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteTarget {
    /// The file's path (inside the root; through a symbolic link inside the
    /// root, the link's target).
    pub path: PathBuf,
    /// Whether a file is there already.
    pub exists: bool,
}

/// The file a write request may write: its directory must exist under
/// `root` (canonical already); the file may exist (a regular file under
/// the root) or not.
pub fn resolve_write(
    root: &Path,
    requested: &str,
) -> Result<WriteTarget, PathError> {
    let relative = relative_name(requested)?;
    let joined = root.join(&relative);
    let (Some(parent), Some(file_name)) = (joined.parent(), joined.file_name())
    else {
        return Err(PathError::Empty);
    };
    let parent = canonical(parent)?;
    if !parent.starts_with(root) {
        return Err(PathError::OutsideRoot);
    }
    let path = parent.join(file_name);
    match path.symlink_metadata() {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(WriteTarget {
            path,
            exists: false,
        }),
        Err(e) => Err(PathError::Io(e)),
        Ok(_) => {
            // It exists: follow links, and insist on a regular file inside.
            let real = canonical(&path).map_err(|e| match e {
                // A dangling link points nowhere we could check.
                PathError::NotFound => PathError::OutsideRoot,
                other => other,
            })?;
            if !real.starts_with(root) {
                return Err(PathError::OutsideRoot);
            }
            if !real.metadata()?.is_file() {
                return Err(PathError::NotAFile);
            }
            Ok(WriteTarget {
                path: real,
                exists: true,
            })
        }
    }
}

/// `canonicalize`, with "no such file" (also through a missing directory)
/// as [`PathError::NotFound`].
fn canonical(path: &Path) -> Result<PathBuf, PathError> {
    path.canonicalize().map_err(|e| match e.kind() {
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory => {
            PathError::NotFound
        }
        _ => PathError::Io(e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// A fresh directory tree under the system's temporary directory:
    /// `root/` with `hello.txt`, `sub/inner.txt` and a link `escape` to
    /// `secret.txt` beside the root.
    struct Tree {
        base: PathBuf,
        root: PathBuf,
    }

    impl Tree {
        fn new(name: &str) -> Tree {
            let base = std::env::temp_dir()
                .join(format!("tftp-path-test-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&base);
            let root = base.join("root");
            fs::create_dir_all(root.join("sub")).unwrap();
            fs::write(root.join("hello.txt"), "hello").unwrap();
            fs::write(root.join("sub/inner.txt"), "inner").unwrap();
            fs::write(base.join("secret.txt"), "secret").unwrap();
            #[cfg(unix)]
            {
                std::os::unix::fs::symlink(
                    base.join("secret.txt"),
                    root.join("escape"),
                )
                .unwrap();
                std::os::unix::fs::symlink(base.clone(), root.join("up")).unwrap();
                std::os::unix::fs::symlink(
                    root.join("hello.txt"),
                    root.join("alias"),
                )
                .unwrap();
            }
            let root = root.canonicalize().unwrap();
            Tree { base, root }
        }
    }

    impl Drop for Tree {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.base);
        }
    }

    #[test]
    fn names_are_cleaned_or_refused() {
        assert_eq!(relative_name("a/b").unwrap(), PathBuf::from("a/b"));
        assert_eq!(relative_name("/a//./b").unwrap(), PathBuf::from("a/b"));
        assert!(matches!(relative_name(""), Err(PathError::Empty)));
        assert!(matches!(relative_name("/"), Err(PathError::Empty)));
        assert!(matches!(
            relative_name("a/../b"),
            Err(PathError::ParentDirectory)
        ));
        assert!(matches!(
            relative_name(".."),
            Err(PathError::ParentDirectory)
        ));
        assert!(matches!(
            relative_name("..\\..\\etc"),
            Err(PathError::Backslash)
        ));
        assert!(matches!(relative_name("a\0b"), Err(PathError::ContainsNul)));
    }

    #[test]
    fn files_inside_the_root_are_served() {
        let tree = Tree::new("inside");
        assert_eq!(
            resolve_read(&tree.root, "hello.txt").unwrap(),
            tree.root.join("hello.txt")
        );
        assert_eq!(
            resolve_read(&tree.root, "/sub/inner.txt").unwrap(),
            tree.root.join("sub/inner.txt")
        );
    }

    #[test]
    fn an_absolute_name_stays_under_the_root() {
        let tree = Tree::new("absolute");
        let refused = resolve_read(&tree.root, "/etc/passwd").unwrap_err();
        assert!(matches!(refused, PathError::NotFound), "{refused:?}");
    }

    #[test]
    fn links_leading_out_are_refused() {
        let tree = Tree::new("links");
        if cfg!(unix) {
            assert!(matches!(
                resolve_read(&tree.root, "escape"),
                Err(PathError::OutsideRoot)
            ));
            assert!(matches!(
                resolve_read(&tree.root, "up/secret.txt"),
                Err(PathError::OutsideRoot)
            ));
            assert!(matches!(
                resolve_write(&tree.root, "up/new.txt"),
                Err(PathError::OutsideRoot)
            ));
            assert!(matches!(
                resolve_write(&tree.root, "escape"),
                Err(PathError::OutsideRoot)
            ));
            assert_eq!(
                resolve_read(&tree.root, "alias").unwrap(),
                tree.root.join("hello.txt")
            );
        }
    }

    #[test]
    fn directories_and_missing_files_are_refused_with_the_right_code() {
        let tree = Tree::new("codes");
        let dir = resolve_read(&tree.root, "sub").unwrap_err();
        assert_eq!(dir.error_code(), ErrorCode::AccessViolation);
        let missing = resolve_read(&tree.root, "nope.txt").unwrap_err();
        assert_eq!(missing.error_code(), ErrorCode::FileNotFound);
        let climbing = resolve_read(&tree.root, "../secret.txt").unwrap_err();
        assert_eq!(climbing.error_code(), ErrorCode::AccessViolation);
    }

    #[test]
    fn write_targets_say_whether_the_file_exists() {
        let tree = Tree::new("write");
        let existing = resolve_write(&tree.root, "hello.txt").unwrap();
        assert_eq!(
            existing,
            WriteTarget {
                path: tree.root.join("hello.txt"),
                exists: true
            }
        );
        let new = resolve_write(&tree.root, "sub/new.txt").unwrap();
        assert_eq!(
            new,
            WriteTarget {
                path: tree.root.join("sub/new.txt"),
                exists: false
            }
        );
        assert!(matches!(
            resolve_write(&tree.root, "missing-dir/new.txt"),
            Err(PathError::NotFound)
        ));
        assert!(matches!(
            resolve_write(&tree.root, "sub"),
            Err(PathError::NotAFile)
        ));
    }
}

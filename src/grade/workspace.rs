//! The grading workspace: where the students' code meets the workbook's
//! pristine exercise crates, and one cargo build serves the whole class.
//!
//! ```text
//! <target>/grade/                  (NETLAB_GRADE_DIR to put it elsewhere)
//!   .lock                          one `cargo lab grade` at a time
//!   unpacked/<student>/            archives, unpacked
//!   target/                        the one target directory of every build
//!   workspace/
//!     Cargo.toml                   [workspace] of every graded crate
//!     exercises/support/           the workbook's test helpers
//!     students/<student>/01-ports/ the pristine crate, but src/ is the student's
//! ```
//!
//! Cargo names a workspace member's build output after its path relative to
//! the workspace root, so every graded crate has a path (and a package
//! name, `ports-alice`) of its own: no student's test binary can stand in
//! for another's. Files are written only when their content changed, so a
//! second grading of the same class builds nothing again, while a changed
//! file (written now, newer than any earlier build) is always rebuilt.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;

use crate::workbook::{Exercise, Workbook};

/// The folder graded builds live in, locked for one grading at a time.
#[derive(Debug)]
pub struct GradingArea {
    /// `<target>/grade`.
    pub root: PathBuf,
    _lock: File,
}

impl GradingArea {
    /// Opens (and locks) the grading area: `$NETLAB_GRADE_DIR`, or `grade/`
    /// in the workbook's target directory. `waiting` is called when another
    /// grading holds the lock, before waiting for it.
    pub fn open(
        workbook: &Workbook,
        waiting: impl FnOnce(&Path),
    ) -> Result<GradingArea> {
        let root = match std::env::var_os("NETLAB_GRADE_DIR") {
            Some(dir) => std::path::absolute(PathBuf::from(dir))
                .context("reading the current directory")?,
            None => target_dir(&workbook.root)?.join("grade"),
        };
        fs::create_dir_all(&root).with_context(|| {
            format!("creating the grading folder {}", root.display())
        })?;
        let lock_path = root.join(".lock");
        let lock = File::create(&lock_path)
            .with_context(|| format!("creating {}", lock_path.display()))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                waiting(&root);
                lock.lock()
                    .with_context(|| format!("locking {}", lock_path.display()))?;
            }
            Err(fs::TryLockError::Error(error)) => {
                return Err(error)
                    .with_context(|| format!("locking {}", lock_path.display()));
            }
        }
        Ok(GradingArea { root, _lock: lock })
    }

    /// The grading workspace's root.
    pub fn workspace(&self) -> PathBuf {
        self.root.join("workspace")
    }

    /// The target directory every grading build shares.
    pub fn target(&self) -> PathBuf {
        self.root.join("target")
    }

    /// Where a student's archive is unpacked.
    pub fn unpacked(&self, slug: &str) -> PathBuf {
        self.root.join("unpacked").join(slug)
    }
}

/// The workbook's target directory, as cargo sees it (`CARGO_TARGET_DIR`,
/// `.cargo/config.toml` or `<root>/target`).
fn target_dir(root: &Path) -> Result<PathBuf> {
    let metadata = cargo_metadata::MetadataCommand::new()
        .current_dir(root)
        .manifest_path(root.join("Cargo.toml"))
        .no_deps()
        .exec()
        .context("asking cargo for the workbook's target directory")?;
    Ok(metadata.target_directory.into_std_path_buf())
}

/// A folder name for a student: their name in lowercase letters, digits
/// and `-` (`Anna Maria O'Neil` is `anna-maria-o-neil`), never empty.
pub fn slug(student: &str) -> String {
    let mut slug = String::new();
    for c in student.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() {
        "student".to_owned()
    } else {
        slug
    }
}

/// Gives each of `students` a slug of its own (`alice`, `alice-2`).
pub fn unique_slugs(students: &[String]) -> Vec<String> {
    let mut taken = BTreeSet::new();
    students
        .iter()
        .map(|student| {
            let base = slug(student);
            let mut candidate = base.clone();
            let mut n = 2;
            while !taken.insert(candidate.clone()) {
                candidate = format!("{base}-{n}");
                n += 1;
            }
            candidate
        })
        .collect()
}

/// One graded crate: a student's `src/` in a copy of an exercise.
#[derive(Debug, Clone)]
pub struct GradedCrate {
    /// The package name in the grading workspace, `ports-alice`.
    pub package: String,
    /// Its folder, `…/workspace/students/alice/01-ports`.
    pub dir: PathBuf,
    /// The folder in the grading workspace that stands for the student's
    /// `exercises/` (`students/alice/`), relative to the workspace root: in
    /// messages it is shown as `exercises/` again.
    pub shown_as_exercises: String,
}

/// Writes the grading workspace's own files: its `Cargo.toml` naming
/// `members`, the workbook's `Cargo.lock` and its `exercises/support`.
pub fn write_workspace(
    workbook: &Workbook,
    workspace: &Path,
    members: &[String],
) -> Result<()> {
    fs::create_dir_all(workspace)?;
    let manifest_path = workbook.root.join("Cargo.toml");
    let text = fs::read_to_string(&manifest_path)
        .with_context(|| format!("reading {}", manifest_path.display()))?;
    let root: toml::Table = toml::from_str(&text)
        .with_context(|| format!("reading {}", manifest_path.display()))?;
    let workbook_workspace = root
        .get("workspace")
        .and_then(|w| w.as_table())
        .context("the workbook's Cargo.toml has no [workspace]")?;

    let mut dependencies = workbook_workspace
        .get("dependencies")
        .and_then(|d| d.as_table())
        .cloned()
        .unwrap_or_default();
    // Path dependencies point into the workbook, except the test helpers,
    // which are copied in below at the same relative place.
    for (name, spec) in dependencies.iter_mut() {
        if let Some(path) = spec.get_mut("path")
            && let Some(relative) = path.as_str()
            && name != "support"
        {
            *path = toml::Value::String(
                workbook.root.join(relative).display().to_string(),
            );
        }
    }
    let mut members_list = vec![toml::Value::String("exercises/support".to_owned())];
    members_list.extend(members.iter().cloned().map(toml::Value::String));

    let mut new_workspace = toml::Table::new();
    new_workspace.insert("resolver".into(), "3".into());
    new_workspace.insert("members".into(), toml::Value::Array(members_list));
    if let Some(package) = workbook_workspace.get("package") {
        new_workspace.insert("package".into(), package.clone());
    }
    new_workspace.insert("dependencies".into(), toml::Value::Table(dependencies));

    // No debug information and no incremental caches: the graded binaries
    // are run once and thrown away, and linking is most of a build.
    let mut dev = toml::Table::new();
    dev.insert("debug".into(), 0.into());
    dev.insert("incremental".into(), false.into());
    let mut profile = toml::Table::new();
    profile.insert("dev".into(), toml::Value::Table(dev));

    let mut manifest = toml::Table::new();
    manifest.insert("workspace".into(), toml::Value::Table(new_workspace));
    manifest.insert("profile".into(), toml::Value::Table(profile));
    let manifest = format!(
        "# Written by `cargo lab grade` for every graded crate: do not edit.\n{}",
        toml::to_string(&manifest)
            .context("writing the grading workspace's Cargo.toml")?
    );
    write_if_changed(&workspace.join("Cargo.toml"), manifest.as_bytes())?;

    let lock = workbook.root.join("Cargo.lock");
    if lock.is_file() {
        write_if_changed(&workspace.join("Cargo.lock"), &fs::read(&lock)?)?;
    }
    let support = workbook.root.join("exercises/support");
    sync_tree(
        &tree_files(&support, &[])?,
        &workspace.join("exercises/support"),
    )
}

/// Lays out one student's copy of one exercise: every file of the pristine
/// crate but its `src/`, and the student's `src/` (their only say). The
/// manifest is the pristine one, renamed to `package` with the library
/// keeping its name, so the tests' `use ports::…` still finds it.
pub fn write_graded_crate(
    exercise: &Exercise,
    student_src: &Path,
    package: &str,
    dir: &Path,
) -> Result<()> {
    let mut files: BTreeMap<PathBuf, Source> = BTreeMap::new();
    for (relative, from) in
        tree_files(&exercise.dir, &["src", "target", "Cargo.toml"])?
    {
        files.insert(relative, from);
    }
    if student_src.is_dir() {
        for (relative, from) in tree_files(student_src, &["target"])? {
            files.insert(Path::new("src").join(relative), from);
        }
    }
    files.insert(
        PathBuf::from("Cargo.toml"),
        Source::Bytes(renamed_manifest(exercise, package)?.into_bytes()),
    );
    sync_tree(&files, dir)
}

/// The exercise's `Cargo.toml` with the package renamed.
fn renamed_manifest(exercise: &Exercise, package: &str) -> Result<String> {
    let path = exercise.dir.join("Cargo.toml");
    let text = fs::read_to_string(&path)
        .with_context(|| format!("reading {}", path.display()))?;
    let mut manifest: toml::Table = toml::from_str(&text)
        .with_context(|| format!("reading {}", path.display()))?;
    let lib_name = exercise.package.replace('-', "_");
    if let Some(table) = manifest.get_mut("package").and_then(|p| p.as_table_mut()) {
        table.insert("name".into(), package.into());
    }
    let lib = manifest
        .entry("lib")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    if let Some(lib) = lib.as_table_mut() {
        lib.entry("name").or_insert_with(|| lib_name.into());
    }
    toml::to_string(&manifest).context("writing a graded crate's Cargo.toml")
}

/// Where a file's content comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A file on disk.
    File(PathBuf),
    /// Bytes made here.
    Bytes(Vec<u8>),
}

/// Every regular file under `root` (symbolic links are not followed: a
/// student's link could point anywhere), by path relative to `root`,
/// leaving out hidden entries and the top-level names in `skip`.
pub fn tree_files(root: &Path, skip: &[&str]) -> Result<BTreeMap<PathBuf, Source>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let dir = root.join(&relative);
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(error) => {
                return Err(error)
                    .with_context(|| format!("reading {}", dir.display()));
            }
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name();
            let text = name.to_string_lossy();
            if text.starts_with('.')
                || (relative.as_os_str().is_empty() && skip.contains(&&*text))
            {
                continue;
            }
            let kind = entry.file_type()?;
            if kind.is_dir() {
                pending.push(relative.join(&name));
            } else if kind.is_file() {
                files.insert(relative.join(&name), Source::File(entry.path()));
            }
        }
    }
    Ok(files)
}

/// Makes `dest` hold exactly `files`: writes those whose content differs,
/// removes what is not among them.
pub fn sync_tree(files: &BTreeMap<PathBuf, Source>, dest: &Path) -> Result<()> {
    fs::create_dir_all(dest)
        .with_context(|| format!("creating {}", dest.display()))?;
    for (relative, source) in files {
        let bytes = match source {
            Source::File(path) => fs::read(path)
                .with_context(|| format!("reading {}", path.display()))?,
            Source::Bytes(bytes) => bytes.clone(),
        };
        write_if_changed(&dest.join(relative), &bytes)?;
    }
    remove_others(dest, Path::new(""), files)
}

fn remove_others(
    dest: &Path,
    relative: &Path,
    keep: &BTreeMap<PathBuf, Source>,
) -> Result<()> {
    let dir = dest.join(relative);
    for entry in
        fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?
    {
        let entry = entry?;
        let path = relative.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            if keep.keys().any(|k| k.starts_with(&path)) {
                remove_others(dest, &path, keep)?;
            } else {
                fs::remove_dir_all(entry.path())?;
            }
        } else if !keep.contains_key(&path) {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` unless it already holds exactly them.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<()> {
    if fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// How a student's file outside `src/` differs from the workbook's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedFile {
    /// The file, as in the student's workbook: `exercises/01-ports/tests/step1_host_port.rs`.
    pub path: String,
    /// `edited`, `added` or `deleted`.
    pub change: Change,
}

/// What the student did to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Its content differs from the workbook's.
    Edited,
    /// The workbook has no such file.
    Added,
    /// The workbook has it, the student does not.
    Deleted,
}

impl Change {
    /// The word for it.
    pub fn word(self) -> &'static str {
        match self {
            Change::Edited => "edited",
            Change::Added => "added",
            Change::Deleted => "deleted",
        }
    }
}

/// The files of `student` that differ from `pristine`, both folders of one
/// crate, leaving out `src/` (the student's own) and `target/`; `shown`
/// is the folder's name in messages (`exercises/01-ports`).
///
/// A student who handed in only `src/` changed nothing; a folder the
/// student deleted whole (`tests/`) is one entry.
pub fn changed_files(
    pristine: &Path,
    student: &Path,
    shown: &str,
) -> Result<Vec<ChangedFile>> {
    let skip = ["src", "target", "Cargo.lock"];
    let theirs = tree_files(student, &skip)?;
    if theirs.is_empty() {
        return Ok(Vec::new());
    }
    let ours = tree_files(pristine, &skip)?;
    let read = |source: &Source| match source {
        Source::File(path) => fs::read(path).ok(),
        Source::Bytes(bytes) => Some(bytes.clone()),
    };
    let mut changed = Vec::new();
    let mut deleted_folders = BTreeSet::new();
    let names: BTreeSet<&PathBuf> = theirs.keys().chain(ours.keys()).collect();
    for name in names {
        let change = match (ours.get(name), theirs.get(name)) {
            (Some(a), Some(b)) if read(a) == read(b) => continue,
            (Some(_), Some(_)) => Change::Edited,
            (None, Some(_)) => Change::Added,
            (Some(_), None) => Change::Deleted,
            (None, None) => continue,
        };
        let mut path = name.clone();
        if change == Change::Deleted
            && let Some(std::path::Component::Normal(top)) = name.components().next()
            && name.components().count() > 1
            && !student.join(top).exists()
        {
            if !deleted_folders.insert(top.to_owned()) {
                continue;
            }
            path = PathBuf::from(top);
        }
        changed.push(ChangedFile {
            path: format!("{shown}/{}", path.display()),
            change,
        });
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain_and_unique() {
        assert_eq!(slug("Anna Maria O'Neil"), "anna-maria-o-neil");
        assert_eq!(slug("  "), "student");
        assert_eq!(slug("bob (2)"), "bob-2");
        let slugs = unique_slugs(&["Alice".into(), "alice".into(), "ALICE".into()]);
        assert_eq!(slugs, ["alice", "alice-2", "alice-3"]);
    }
}

//! Finding the students' submissions among the paths a teacher names, and
//! reading each into a folder of exercises.
//!
//! A submission is a student's copy of the workbook, or only its
//! `exercises/` folder, as a folder, a `.zip` or a `.tar.gz` (`.tgz`); a
//! folder that is none of these but holds some (a GitHub Classroom
//! organisation's clones, a learning platform's download) stands for each of
//! them. The student's name is the folder's or the archive's name.
//!
//! Archives are unpacked with care, since a student made them: no entry
//! lands outside the unpacking folder (`..`, absolute paths and links are
//! skipped), `target/` and `.git/` folders are left out, and there are caps
//! on the number of entries and the bytes written, so a zip bomb is an
//! unreadable submission, not a full disk.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};

/// At most this many bytes are unpacked from one archive.
pub const UNPACKED_BYTES_CAP: u64 = 256 << 20;
/// At most this many entries are unpacked from one archive.
pub const UNPACKED_ENTRIES_CAP: usize = 20_000;

/// One student's submission, as found on disk.
#[derive(Debug, Clone)]
pub struct Submission {
    /// The student's name: the folder's or the archive's name.
    pub student: String,
    /// The path the submission was found at.
    pub source: PathBuf,
    /// A folder or an archive.
    pub kind: Kind,
}

/// What a submission is on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A folder: a copy of the workbook or of its `exercises/`.
    Folder,
    /// A `.zip` file of one.
    Zip,
    /// A `.tar.gz` or `.tgz` file of one.
    TarGz,
    /// Something else: reported as unreadable.
    Other,
}

impl Kind {
    /// What the file's name says it is.
    fn of_file(path: &Path) -> Kind {
        let name = file_name(path).to_ascii_lowercase();
        if name.ends_with(".zip") {
            Kind::Zip
        } else if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
            Kind::TarGz
        } else {
            Kind::Other
        }
    }
}

/// The submissions the teacher's paths stand for, in the order given (a
/// folder of submissions in name order), each student's name unique.
///
/// `exercise_dirs` are the folder names of the workbook's exercises
/// (`01-ports` …): a folder holding one of them is a submission. A path
/// that does not exist is the teacher's mistake, and an error.
pub fn find(paths: &[PathBuf], exercise_dirs: &[String]) -> Result<Vec<Submission>> {
    let mut found = Vec::new();
    for path in paths {
        let metadata = fs::metadata(path).with_context(|| {
            format!("there is no submission at {}", path.display())
        })?;
        if !metadata.is_dir() {
            found.push(submission(path, Kind::of_file(path)));
        } else if exercises_folder(path, exercise_dirs).is_some() {
            found.push(submission(path, Kind::Folder));
        } else {
            let inside = submissions_inside(path)
                .with_context(|| format!("reading the folder {}", path.display()))?;
            if inside.is_empty() {
                // Neither a submission nor a folder of them: say so in
                // the results, under its own name.
                found.push(submission(path, Kind::Folder));
            } else {
                found.extend(inside);
            }
        }
    }
    make_names_unique(&mut found);
    Ok(found)
}

/// The folders and archives directly inside `folder`, by name; hidden
/// entries (`.git`, `.DS_Store`) and other files are not submissions.
fn submissions_inside(folder: &Path) -> io::Result<Vec<Submission>> {
    let mut entries: Vec<PathBuf> = fs::read_dir(folder)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| !file_name(path).starts_with('.'))
        .collect();
    entries.sort();
    Ok(entries
        .into_iter()
        .filter_map(|path| {
            if path.is_dir() {
                Some(submission(&path, Kind::Folder))
            } else {
                match Kind::of_file(&path) {
                    Kind::Other => None,
                    kind => Some(submission(&path, kind)),
                }
            }
        })
        .collect())
}

fn submission(path: &Path, kind: Kind) -> Submission {
    Submission {
        student: student_name(path, kind),
        source: path.to_path_buf(),
        kind,
    }
}

/// `alice` for `alice/`, `alice.zip`, `alice.tar.gz` and `alice.tgz`.
fn student_name(path: &Path, kind: Kind) -> String {
    let name = file_name(path);
    let lower = name.to_ascii_lowercase();
    let suffix = match kind {
        Kind::Zip => ".zip",
        Kind::TarGz if lower.ends_with(".tgz") => ".tgz",
        Kind::TarGz => ".tar.gz",
        Kind::Folder | Kind::Other => "",
    };
    let stem = &name[..name.len() - suffix.len()];
    if stem.is_empty() {
        name
    } else {
        stem.to_owned()
    }
}

/// A path's last part, as text (`.` and `/` have none: their full name then).
fn file_name(path: &Path) -> String {
    match path.file_name() {
        Some(name) => name.to_string_lossy().into_owned(),
        None => path
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| path.display().to_string()),
    }
}

/// Two submissions of one name (`alice/` and `alice.zip`) become `alice`
/// and `alice (2)`.
fn make_names_unique(submissions: &mut [Submission]) {
    let mut taken = BTreeSet::new();
    for submission in submissions {
        let mut name = submission.student.clone();
        let mut n = 2;
        while !taken.insert(name.clone()) {
            name = format!("{} ({n})", submission.student);
            n += 1;
        }
        submission.student = name;
    }
}

/// The folder of a submission that holds the exercise crates (`01-ports/`
/// …): the folder itself, its `exercises/`, or the same one level down
/// when the folder only wraps another (a GitHub download's `netlab-main/`).
pub fn exercises_folder(folder: &Path, exercise_dirs: &[String]) -> Option<PathBuf> {
    let mut here = folder.to_path_buf();
    for _ in 0..3 {
        for candidate in [here.clone(), here.join("exercises")] {
            let holds_one = exercise_dirs.iter().any(|d| candidate.join(d).is_dir());
            if holds_one {
                return Some(candidate);
            }
        }
        let mut inside = fs::read_dir(&here)
            .ok()?
            .filter_map(|e| e.ok())
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'));
        match (inside.next(), inside.next()) {
            (Some(only), None) if only.path().is_dir() => here = only.path(),
            _ => return None,
        }
    }
    None
}

/// Unpacks an archive submission into `into` (emptied first).
pub fn unpack(submission: &Submission, into: &Path) -> Result<()> {
    if into.exists() {
        fs::remove_dir_all(into)
            .with_context(|| format!("emptying {}", into.display()))?;
    }
    fs::create_dir_all(into)
        .with_context(|| format!("creating {}", into.display()))?;
    let file = File::open(&submission.source)
        .with_context(|| format!("opening {}", submission.source.display()))?;
    let mut budget = Budget::default();
    match submission.kind {
        Kind::Zip => unpack_zip(file, into, &mut budget),
        Kind::TarGz => unpack_tar_gz(file, into, &mut budget),
        Kind::Folder | Kind::Other => {
            bail!("not a folder, a .zip or a .tar.gz")
        }
    }
}

/// What an archive may still unpack.
#[derive(Default)]
struct Budget {
    bytes: u64,
    entries: usize,
}

impl Budget {
    fn take_entry(&mut self) -> Result<()> {
        self.entries += 1;
        if self.entries > UNPACKED_ENTRIES_CAP {
            bail!("the archive has more than {UNPACKED_ENTRIES_CAP} entries");
        }
        Ok(())
    }

    /// Copies one entry's bytes, counting them against the cap.
    fn copy(&mut self, from: &mut impl Read, to: &Path) -> Result<()> {
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent)?;
        }
        let left = UNPACKED_BYTES_CAP - self.bytes;
        let mut out = File::create(to)
            .with_context(|| format!("creating {}", to.display()))?;
        let written = io::copy(&mut from.take(left + 1), &mut out)?;
        self.bytes += written;
        if written > left {
            bail!(
                "the archive unpacks to more than {} MiB",
                UNPACKED_BYTES_CAP >> 20
            );
        }
        Ok(())
    }
}

/// Where an entry named `name` goes under `into`, if anywhere: never
/// outside it, and never into `target/` or `.git/`.
fn entry_path(into: &Path, name: &Path) -> Option<PathBuf> {
    let mut path = into.to_path_buf();
    for component in name.components() {
        match component {
            Component::Normal(part) => {
                if part == "target" || part == ".git" {
                    return None;
                }
                path.push(part);
            }
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return None;
            }
        }
    }
    (path != into).then_some(path)
}

fn unpack_zip(file: File, into: &Path, budget: &mut Budget) -> Result<()> {
    let mut archive =
        zip::ZipArchive::new(file).context("not a readable .zip archive")?;
    for index in 0..archive.len() {
        budget.take_entry()?;
        let mut entry = archive
            .by_index(index)
            .with_context(|| format!("reading entry {index} of the archive"))?;
        let Some(name) = entry.enclosed_name() else {
            continue;
        };
        let Some(path) = entry_path(into, &name) else {
            continue;
        };
        if entry.is_dir() {
            fs::create_dir_all(&path)?;
        } else if entry.is_file() {
            budget
                .copy(&mut entry, &path)
                .with_context(|| format!("unpacking {}", name.display()))?;
        }
        // Links are left out: they could point anywhere.
    }
    Ok(())
}

fn unpack_tar_gz(file: File, into: &Path, budget: &mut Budget) -> Result<()> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let entries = archive
        .entries()
        .context("not a readable .tar.gz archive")?;
    for entry in entries {
        budget.take_entry()?;
        let mut entry = entry.context("not a readable .tar.gz archive")?;
        let name = entry
            .path()
            .context("an entry with an unreadable name")?
            .into_owned();
        let Some(path) = entry_path(into, &name) else {
            continue;
        };
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            fs::create_dir_all(&path)?;
        } else if kind.is_file() {
            budget
                .copy(&mut entry, &path)
                .with_context(|| format!("unpacking {}", name.display()))?;
        }
        // Links, devices and the like are left out.
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_folder_or_archive() {
        assert_eq!(student_name(Path::new("c/alice"), Kind::Folder), "alice");
        assert_eq!(student_name(Path::new("c/bob.zip"), Kind::Zip), "bob");
        assert_eq!(
            student_name(Path::new("c/Carol.TAR.GZ"), Kind::TarGz),
            "Carol"
        );
        assert_eq!(student_name(Path::new("c/dan.tgz"), Kind::TarGz), "dan");
    }

    #[test]
    fn entries_never_leave_the_folder_nor_enter_target() {
        let into = Path::new("/u");
        assert_eq!(
            entry_path(into, Path::new("a/exercises/01-ports/src/lib.rs")),
            Some(PathBuf::from("/u/a/exercises/01-ports/src/lib.rs"))
        );
        assert_eq!(entry_path(into, Path::new("../evil")), None);
        assert_eq!(entry_path(into, Path::new("/etc/passwd")), None);
        assert_eq!(entry_path(into, Path::new("a/target/debug/x")), None);
        assert_eq!(entry_path(into, Path::new("a/.git/config")), None);
        assert_eq!(entry_path(into, Path::new(".")), None);
    }

    #[test]
    fn same_names_are_told_apart() {
        let mut found = vec![
            submission(Path::new("alice"), Kind::Folder),
            submission(Path::new("alice.zip"), Kind::Zip),
        ];
        make_names_unique(&mut found);
        assert_eq!(found[0].student, "alice");
        assert_eq!(found[1].student, "alice (2)");
    }
}

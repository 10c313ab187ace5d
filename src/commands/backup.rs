//! The student's saved versions of an exercise: what `reset` keeps before
//! it puts the stub back, and what `restore` brings back.
//!
//! Each backup is a copy of the exercise's `src/` in
//! `.netlab/backups/<exercise>/<date>_<time>/`, named by the local date and
//! time it was taken (`2026-12-01_09-25-55`), so that a listing reads as a
//! history and sorts oldest first. Nothing here ever deletes a backup.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The format of a backup's name: sortable, and safe in any file system.
const NAME_FORMAT: &str = "%Y-%m-%d_%H-%M-%S";

/// One saved copy of an exercise's `src/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    /// Its name, the date and time it was taken: `2026-12-01_09-25-55`.
    pub name: String,
    /// The folder holding the copy of `src/`.
    pub dir: PathBuf,
}

impl Backup {
    /// How many files it holds, at any depth.
    pub fn file_count(&self) -> usize {
        count_files(&self.dir)
    }
}

/// The backups of one exercise.
#[derive(Debug, Clone)]
pub struct Backups {
    dir: PathBuf,
}

impl Backups {
    /// The backups of `package` in the workbook at `root`.
    pub fn of(root: &Path, package: &str) -> Backups {
        Backups {
            dir: root.join(".netlab").join("backups").join(package),
        }
    }

    /// The folder they live in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Copies `src` into a new backup named for the current date and time
    /// (with `-2`, `-3` … when one of that second exists already).
    pub fn save(&self, src: &Path) -> Result<Backup> {
        let stamp = jiff::Zoned::now().strftime(NAME_FORMAT).to_string();
        let mut name = stamp.clone();
        let mut n = 2;
        while self.dir.join(&name).exists() {
            name = format!("{stamp}-{n}");
            n += 1;
        }
        let dir = self.dir.join(&name);
        copy_tree(src, &dir).with_context(|| {
            format!("backing up {} to {}", src.display(), dir.display())
        })?;
        Ok(Backup { name, dir })
    }

    /// Every backup, oldest first (their names sort by time).
    pub fn list(&self) -> Result<Vec<Backup>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Vec::new());
            }
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("reading {}", self.dir.display()));
            }
        };
        let mut backups = Vec::new();
        for entry in entries {
            let entry =
                entry.with_context(|| format!("reading {}", self.dir.display()))?;
            if entry.path().is_dir() {
                backups.push(Backup {
                    name: entry.file_name().to_string_lossy().into_owned(),
                    dir: entry.path(),
                });
            }
        }
        backups.sort_by_key(|b| natural_key(&b.name));
        Ok(backups)
    }

    /// The backup a student named: its full name, `latest`, or the start of
    /// one name (`2026-12-01_09` when only one backup starts so).
    pub fn find(&self, wanted: &str) -> Result<Backup> {
        let backups = self.list()?;
        if wanted == "latest" {
            return backups.last().cloned().context("there are no backups yet");
        }
        if let Some(exact) = backups.iter().find(|b| b.name == wanted) {
            return Ok(exact.clone());
        }
        let matching: Vec<&Backup> = backups
            .iter()
            .filter(|b| b.name.starts_with(wanted))
            .collect();
        match matching.as_slice() {
            [one] => Ok((*one).clone()),
            [] => bail!("there is no backup called `{wanted}`"),
            many => bail!(
                "`{wanted}` could be any of {}: give the whole name",
                many.iter()
                    .map(|b| b.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// `2026-12-01_09-25-55-10` sorts after `…-55-9`: the suffix as a number.
fn natural_key(name: &str) -> (String, u32) {
    let stamp_len = "2026-12-01_09-25-55".len();
    match name.get(stamp_len..).and_then(|s| s.strip_prefix('-')) {
        Some(suffix) if suffix.chars().all(|c| c.is_ascii_digit()) => (
            name[..stamp_len].to_owned(),
            suffix.parse().unwrap_or(u32::MAX),
        ),
        _ => (name.to_owned(), 0),
    }
}

/// Replaces the folder `dst` with a copy of `src`, never leaving `dst`
/// half written: the copy is made beside it, then swapped in.
pub fn replace_tree(src: &Path, dst: &Path) -> Result<()> {
    let parent = dst.parent().context("a folder without a parent")?;
    let name = dst.file_name().context("a folder without a name")?;
    let incoming = parent.join(format!(".{}.incoming", name.to_string_lossy()));
    let outgoing = parent.join(format!(".{}.outgoing", name.to_string_lossy()));
    for leftover in [&incoming, &outgoing] {
        remove_tree(leftover)?;
    }
    copy_tree(src, &incoming).with_context(|| {
        format!("copying {} to {}", src.display(), dst.display())
    })?;
    if dst.exists() {
        std::fs::rename(dst, &outgoing)
            .with_context(|| format!("moving {} aside", dst.display()))?;
    }
    std::fs::rename(&incoming, dst)
        .with_context(|| format!("putting the new {} in place", dst.display()))?;
    remove_tree(&outgoing)
}

/// Removes a folder and everything in it; one that is not there is fine.
fn remove_tree(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("removing {}", dir.display())),
    }
}

/// Copies the folder `from` to `to`, recursively.
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// The files under `dir`, at any depth (0 when it cannot be read).
fn count_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() { count_files(&path) } else { 1 }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_of_one_second_get_a_numbered_suffix_and_sort_in_order() {
        let root = tempfile::tempdir().expect("a temporary folder");
        let src = root.path().join("src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("lib.rs"), "// one\n").unwrap();
        let backups = Backups::of(root.path(), "ports");
        let names: Vec<String> = (0..3)
            .map(|_| backups.save(&src).expect("saved").name)
            .collect();
        let listed: Vec<String> = backups
            .list()
            .unwrap()
            .into_iter()
            .map(|b| b.name)
            .collect();
        // Three saves within a second or two: listed in the order taken.
        assert_eq!(listed, names);
        assert_eq!(backups.find("latest").unwrap().name, names[2]);
        assert_eq!(backups.find(&names[0]).unwrap().file_count(), 1);
    }

    #[test]
    fn a_backup_name_looks_like_a_date_and_a_time() {
        let root = tempfile::tempdir().expect("a temporary folder");
        let src = root.path().join("src");
        std::fs::create_dir_all(&src).unwrap();
        let name = Backups::of(root.path(), "ports").save(&src).unwrap().name;
        let shape: String = name
            .chars()
            .map(|c| if c.is_ascii_digit() { 'D' } else { c })
            .collect();
        assert_eq!(&shape[..19], "DDDD-DD-DD_DD-DD-DD", "{name}");
    }

    #[test]
    fn suffixes_sort_as_numbers() {
        let mut names = [
            "2026-01-01_00-00-00-10",
            "2026-01-01_00-00-00",
            "2026-01-01_00-00-00-9",
        ];
        names.sort_by_key(|n| natural_key(n));
        assert_eq!(
            names,
            [
                "2026-01-01_00-00-00",
                "2026-01-01_00-00-00-9",
                "2026-01-01_00-00-00-10"
            ]
        );
    }

    #[test]
    fn replacing_a_tree_leaves_only_the_new_files() {
        let root = tempfile::tempdir().expect("a temporary folder");
        let (new, old) = (root.path().join("new"), root.path().join("old"));
        std::fs::create_dir_all(new.join("deep")).unwrap();
        std::fs::write(new.join("deep/a.rs"), "a").unwrap();
        std::fs::create_dir_all(&old).unwrap();
        std::fs::write(old.join("b.rs"), "b").unwrap();
        replace_tree(&new, &old).unwrap();
        assert_eq!(std::fs::read_to_string(old.join("deep/a.rs")).unwrap(), "a");
        assert!(!old.join("b.rs").exists());
        let names: Vec<_> = std::fs::read_dir(root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "nothing left beside them: {names:?}");
    }
}

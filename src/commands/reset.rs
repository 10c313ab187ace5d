//! `cargo lab reset EXERCISE`: puts the exercise's stub back exactly as the
//! workbook shipped it, after saving the student's `src/` as a backup named
//! by date and time (`cargo lab restore` brings it back).
//!
//! The stub comes from the workbook itself, not from git: every exercise
//! crate keeps a pristine copy of its `src/` in `.stub/src/`
//! ([`Exercise::pristine_src_dir`]), which the workbook's own tests hold
//! identical to the shipped stub. Git could not be trusted with this: in a
//! student's own repository (a fork, a GitHub Classroom assignment) every
//! branch, upstream included, may hold the student's solution, and a
//! workbook downloaded as a zip has no git at all. Only the exercise's
//! `src/` is written; nothing else in the workbook is touched.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::backup::{Backups, replace_tree};
use super::{Lab, Verdict};
use crate::workbook::Exercise;

/// Restores the stub of the exercise named and says where the backup went.
pub fn run(lab: &mut Lab, name: &str) -> Result<Verdict> {
    let exercise = lab.workbook.exercise(name)?.clone();
    let src = exercise.src_dir();
    let pristine = exercise.pristine_src_dir();
    if !pristine.is_dir() {
        bail!("{}", no_pristine_copy(lab, &exercise));
    }

    if src.is_dir() && same_files(&src, &pristine) {
        println!(
            "{}: {} is already the stub as shipped; nothing to reset",
            exercise.package,
            lab.show_path(&src)
        );
        return Ok(Verdict::Passed);
    }
    let backup = if src.exists() {
        let saved = Backups::of(&lab.workbook.root, &exercise.package)
            .save(&src)
            .context("saving your version before the reset")?;
        Some(saved)
    } else {
        None
    };
    replace_tree(&pristine, &src)
        .with_context(|| format!("putting the stub back in {}", src.display()))?;

    lab.progress.forget_passes(&exercise);
    lab.progress.save().context("saving your progress")?;
    println!(
        "{}: {} is the stub again, as the workbook shipped it",
        exercise.package,
        lab.show_path(&src)
    );
    if let Some(backup) = backup {
        println!(
            "your version is saved in {}/; to bring it back: {}",
            lab.show_path(&backup.dir),
            lab.style.bold(&format!(
                "cargo lab restore {} {}",
                exercise.package, backup.name
            ))
        );
    }
    println!(
        "next: {}",
        lab.style
            .bold(&format!("cargo lab check {}", exercise.package))
    );
    Ok(Verdict::Passed)
}

/// Whether the folders `a` and `b` hold the same files with the same
/// contents (anything unreadable counts as different).
fn same_files(a: &Path, b: &Path) -> bool {
    fn files(
        dir: &Path,
        base: &Path,
        found: &mut BTreeMap<PathBuf, Vec<u8>>,
    ) -> bool {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return false;
        };
        for entry in entries {
            let Ok(entry) = entry else { return false };
            let path = entry.path();
            if path.is_dir() {
                if !files(&path, base, found) {
                    return false;
                }
            } else {
                let Ok(contents) = std::fs::read(&path) else {
                    return false;
                };
                let relative =
                    path.strip_prefix(base).unwrap_or(&path).to_path_buf();
                found.insert(relative, contents);
            }
        }
        true
    }
    let (mut left, mut right) = (BTreeMap::new(), BTreeMap::new());
    files(a, a, &mut left) && files(b, b, &mut right) && left == right
}

/// What to say when the pristine copy is missing: where it should be, and
/// how to get the stub back by hand.
fn no_pristine_copy(lab: &Lab, exercise: &Exercise) -> String {
    let folder = lab.show_path(&exercise.dir);
    format!(
        "the workbook's copy of the {package} stub, {pristine}/, is missing, so \
         there is nothing to reset from. To get the stub back, download the \
         workbook again and copy its {folder}/src/ and {folder}/.stub/ over yours \
         (your own version stays where it is until you do)",
        package = exercise.package,
        pristine = lab.show_path(&exercise.pristine_src_dir()),
    )
}

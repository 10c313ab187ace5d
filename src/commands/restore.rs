//! `cargo lab restore EXERCISE [BACKUP]`: brings back a version of the
//! exercise that `cargo lab reset` saved, or lists them.
//!
//! Without BACKUP it lists the exercise's backups, oldest first, and says
//! how to restore one. With it (a backup's name, the start of one, or
//! `latest`) it first saves the current `src/` as a backup of its own, so a
//! restore can be undone the same way, then puts the chosen version in
//! place.

use anyhow::{Context, Result};

use super::backup::{Backups, replace_tree};
use super::{Lab, Verdict};
use crate::output::count;

/// Lists the backups of the exercise named, or restores the one named.
pub fn run(lab: &mut Lab, name: &str, backup: Option<&str>) -> Result<Verdict> {
    let exercise = lab.workbook.exercise(name)?.clone();
    let backups = Backups::of(&lab.workbook.root, &exercise.package);
    let Some(wanted) = backup else {
        return list(lab, &exercise.package, &backups);
    };
    let chosen = match backups.find(wanted) {
        Ok(chosen) => chosen,
        Err(error) => anyhow::bail!(
            "{error:#}; to see the backups of {0}: cargo lab restore {0}",
            exercise.package
        ),
    };
    let src = exercise.src_dir();
    let saved = if src.exists() {
        Some(
            backups
                .save(&src)
                .context("saving your current version first")?,
        )
    } else {
        None
    };
    replace_tree(&chosen.dir, &src)
        .with_context(|| format!("restoring {}", src.display()))?;
    // The code changed, so what passed before is unknown until a check.
    lab.progress.forget_passes(&exercise);
    lab.progress.save().context("saving your progress")?;

    println!(
        "{}: {} is your version of {} again",
        exercise.package,
        lab.show_path(&src),
        chosen.name
    );
    if let Some(saved) = saved {
        println!(
            "the version it replaced is saved as {}",
            lab.style.bold(&saved.name)
        );
    }
    println!(
        "next: {}",
        lab.style
            .bold(&format!("cargo lab check {}", exercise.package))
    );
    Ok(Verdict::Passed)
}

/// The exercise's backups, oldest first, and how to restore one.
fn list(lab: &Lab, package: &str, backups: &Backups) -> Result<Verdict> {
    let all = backups.list()?;
    let Some(latest) = all.last() else {
        println!(
            "{package} has no backups yet: `cargo lab reset {package}` saves your \
             version before it puts the stub back"
        );
        return Ok(Verdict::Passed);
    };
    println!(
        "backups of {package} in {}/, oldest first:",
        lab.show_path(backups.dir())
    );
    println!();
    for backup in &all {
        println!("  {}  {}", backup.name, count(backup.file_count(), "file"));
    }
    println!();
    println!(
        "to bring one back: {}  (your current version is saved first)",
        lab.style
            .bold(&format!("cargo lab restore {package} {}", latest.name))
    );
    Ok(Verdict::Passed)
}
